"""Sweep results on disk, never half-written: one Parquet part per finished point, and a
consolidated ``results.parquet`` rewritten atomically from the parts.

Layout of ``DIR``: ``parts/<key>.parquet`` (one row each; the durable record, also what a
resumed sweep reads) and ``results.parquet`` (one row per point of the current sweep that has
a part, in sweep order, with the point's identity columns). A file is either absent, the old
one, or the complete new one: each is written to a temporary file beside it, fsynced, and
renamed over.
"""

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from cimsim.analysis.files import write_bytes_atomic
from cimsim.sweep.spec import SPECIAL_AXES, SweepPoint

RESULTS_NAME = "results.parquet"
PARTS_DIR = "parts"
BOOKKEEPING = ("key", "status", "error", "error_type", "retryable")
"""Columns every row has, after the point's identity columns."""


def write_parquet_atomic(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` (without its index) as Parquet, atomically (analysis.files)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    write_bytes_atomic(path, buffer.getvalue())


def part_path(out_dir: Path, key: str) -> Path:
    """Where the row of point ``key`` is kept."""
    return out_dir / PARTS_DIR / f"{key}.parquet"


def write_part(out_dir: Path, row: Mapping[str, Any]) -> None:
    """Record one finished point (its result row) durably."""
    write_parquet_atomic(part_path(out_dir, str(row["key"])), pd.DataFrame([dict(row)]))


def read_parts(out_dir: Path, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Rows already recorded for ``keys`` (including failures marked retryable).

    An unreadable part (which atomic writes should make impossible) is treated as missing.
    """
    rows: dict[str, dict[str, Any]] = {}
    for key in keys:
        path = part_path(out_dir, key)
        if not path.is_file():
            continue
        try:
            records = pd.read_parquet(path, engine="pyarrow").to_dict("records")
        except (OSError, ValueError, pa.ArrowException):
            continue
        if len(records) == 1 and records[0].get("key") == key:
            rows[key] = {str(k): v for k, v in records[0].items()}
    return rows


def results_frame(
    points: Sequence[SweepPoint], rows: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per point that has a result, in sweep order: identity columns, bookkeeping,
    then every metric (absent metrics, e.g. of failed points, are missing values)."""
    records = []
    for point in points:
        row = rows.get(point.key)
        if row is not None:
            records.append({**dict(point.columns), **dict(row)})
    identity = list(dict.fromkeys(name for p in points for name, _ in p.columns))
    frame = pd.DataFrame.from_records(records, columns=None if records else identity)
    leading = [*identity, *BOOKKEEPING]
    for name in leading:
        if name not in frame.columns:
            frame[name] = pd.Series(dtype="object")
    metrics = [c for c in frame.columns if c not in leading]
    frame = frame[leading + metrics]
    for name in frame.columns:
        if frame[name].dtype == object:
            kinds = {type(v) for v in frame[name] if v is not None and v == v}
            if len(kinds) > 1:  # mixed types (e.g. an axis of numbers and strings): as text
                frame[name] = frame[name].map(lambda v: None if v is None else str(v))
    return frame.reset_index(drop=True)


def varying_axes(frame: pd.DataFrame) -> list[str]:
    """Identity columns (special axes and swept field paths) that take more than one value."""
    return [c for c in frame.columns if (c in SPECIAL_AXES or "." in c) and frame[c].nunique() > 1]


def write_results(out_dir: Path, frame: pd.DataFrame) -> Path:
    """Replace ``DIR/results.parquet`` atomically with ``frame``."""
    path = out_dir / RESULTS_NAME
    write_parquet_atomic(path, frame)
    return path
