"""Reading a run directory back: summary.json, layers.csv and trace.parquet.

A run directory is complete when it has ``manifest.json``: ``cimsim.runs.write_results``
removes it before it writes anything and writes it last, listing every
file of the run with its size. So a reader takes exactly the files of one run: never a new
layers.csv beside an old summary.json after a crash, never a stale trace.parquet of an
earlier run, never a truncated file. Partial files are written elsewhere (the trace spills
to the system's temporary folder).
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cimsim.analysis.energy import interval_energy_pj
from cimsim.config.loader import describe_validation_error
from cimsim.errors import OutputError, brief
from cimsim.trace.intervals import COLUMNS

FORMAT_VERSION = 1
"""The run-directory format this version of cimsim writes and reads."""
SUMMARY_FILE = "summary.json"
LAYERS_FILE = "layers.csv"
TRACE_FILE = "trace.parquet"
FUNCTIONAL_FILE = "functional.csv"
"""Per-layer errors of a functional run (cimsim run --functional)."""
MANIFEST_FILE = "manifest.json"
"""Written last: the files of the run and their sizes."""
CONFIG_FILE = "config.yaml"
"""The resolved architecture of the run, loadable as ``--arch`` (overrides applied)."""
RUN_FILE = "run.json"
"""What ran besides the architecture: the workload as given, input shapes, run options."""
RUN_FILES = (CONFIG_FILE, RUN_FILE, LAYERS_FILE, FUNCTIONAL_FILE, TRACE_FILE, SUMMARY_FILE)
"""Every file a run may write (the manifest lists those it did)."""


def manifest(files: Sequence[Path]) -> dict[str, Any]:
    """The manifest of a run whose ``files`` are written: names and sizes in bytes."""
    return {
        "format_version": FORMAT_VERSION,
        "files": {path.name: path.stat().st_size for path in files},
    }


class _Summary(BaseModel):
    """The summary fields readers of a run directory use (the others pass unchecked)."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)
    total_cycles: int = Field(ge=0)
    clock_ghz: float = Field(gt=0)
    batch: int = Field(ge=1)
    mesh: list[int] = Field(min_length=2, max_length=2)
    tile_busy_cycles: list[int]
    energy_dynamic_pj: float = Field(ge=0)
    energy_by_level_pj: dict[str, float]
    energy_by_layer_component_pj: dict[str, dict[str, float]]
    data_movement_share: float
    trace_level: str


@dataclass(frozen=True)
class RunDir:
    """A finished run on disk."""

    path: Path
    summary: dict[str, Any]
    files: Mapping[str, int]
    """The run's files (as its manifest lists them) and their sizes."""

    @property
    def layers(self) -> pd.DataFrame:
        """The per-layer table."""
        path = self.path / LAYERS_FILE
        try:
            frame = pd.read_csv(path)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise OutputError(f"{path}: unreadable per-layer table: {brief(str(exc))}") from None
        needed = ["layer", *self.summary["bytes"]]  # a column per level the run counted
        missing = [column for column in needed if column not in frame.columns]
        if missing:
            raise OutputError(f"{path}: columns {missing} are missing; rerun the simulation")
        return frame

    @property
    def trace_path(self) -> Path:
        """The interval trace (may not exist: see has_trace)."""
        return self.path / TRACE_FILE

    @property
    def has_trace(self) -> bool:
        """Whether the run recorded intervals (``--trace summary`` or ``full``)."""
        return TRACE_FILE in self.files

    def intervals(self, energy: bool = True) -> pd.DataFrame:
        """The interval records, with the energy of each (``energy_pj``) unless ``energy`` is
        False (figures do not need it); OutputError when the run was not traced or the file
        is damaged."""
        if not self.has_trace:
            raise OutputError(
                f"{self.path}: the run has no trace.parquet; rerun it with --trace summary "
                f"or --trace full"
            )
        try:
            frame = pd.read_parquet(self.trace_path)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise OutputError(
                f"{self.trace_path}: damaged trace ({brief(str(exc))}); rerun the simulation"
            ) from None
        missing = [column for column in COLUMNS if column not in frame.columns]
        if missing:
            raise OutputError(f"{self.trace_path}: columns {missing} are missing; rerun it")
        if energy:
            per_layer = self.summary["energy_by_layer_component_pj"]
            frame["energy_pj"] = interval_energy_pj(frame, per_layer)
        return frame


def open_run(path: Path) -> RunDir:
    """Open a complete run directory; OutputError when it is not one, is incomplete, was
    written in another format version, or a file of it is damaged."""
    if not path.is_dir():
        raise OutputError(f"{path}: no such run directory")
    summary_path, manifest_path = path / SUMMARY_FILE, path / MANIFEST_FILE
    if not manifest_path.is_file():
        if not summary_path.is_file():
            raise OutputError(
                f"{path}: not a cimsim run directory (no summary.json; create one with "
                f"`cimsim run ... --out {path}`)"
            )
        raise OutputError(
            f"{path}: incomplete run (no {MANIFEST_FILE}: writing it was interrupted, or an "
            f"older cimsim wrote it); rerun the simulation"
        )
    files = _read_manifest(manifest_path)
    summary = _read_json(summary_path, "summary")
    version = summary.get("format_version") if isinstance(summary, dict) else None
    if version != FORMAT_VERSION:
        raise OutputError(
            f"{summary_path}: run format version {brief(version)}, but this cimsim reads "
            f"version {FORMAT_VERSION}; rerun the simulation with this version"
        )
    for name, size in files.items():
        file = path / name
        actual = file.stat().st_size if file.is_file() else None
        if actual != size:
            found = "is missing" if actual is None else f"has {actual} bytes, not {size}"
            raise OutputError(
                f"{path}: {name} {found} as the manifest lists: the run directory is "
                f"incomplete or was changed; rerun the simulation"
            )
    if SUMMARY_FILE not in files or LAYERS_FILE not in files:
        raise OutputError(f"{manifest_path}: lists no {SUMMARY_FILE} or {LAYERS_FILE}")
    try:
        _Summary.model_validate(summary)
    except ValidationError as exc:
        raise OutputError(
            describe_validation_error(exc, str(summary_path), "unexpected field")
        ) from None
    return RunDir(path, summary, files)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: unreadable {what}: {brief(str(exc))}") from None


def _read_manifest(path: Path) -> dict[str, int]:
    data = _read_json(path, "manifest")
    files = data.get("files") if isinstance(data, dict) else None
    if (
        not isinstance(files, dict)
        or data.get("format_version") != FORMAT_VERSION
        or not all(name in RUN_FILES and type(size) is int for name, size in files.items())
    ):
        raise OutputError(
            f"{path}: not a manifest of this cimsim (format version {FORMAT_VERSION}); "
            f"rerun the simulation"
        )
    return files
