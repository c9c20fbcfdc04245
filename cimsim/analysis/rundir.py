"""Reading a run directory back: summary.json, layers.csv and trace.parquet."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cimsim.analysis.energy import interval_energy_pj
from cimsim.errors import OutputError

FORMAT_VERSION = 1
"""The run-directory format this version of cimsim writes and reads."""
SUMMARY_FILE = "summary.json"
LAYERS_FILE = "layers.csv"
TRACE_FILE = "trace.parquet"


@dataclass(frozen=True)
class RunDir:
    """A finished run on disk."""

    path: Path
    summary: dict[str, Any]

    @property
    def layers(self) -> pd.DataFrame:
        """The per-layer table."""
        return pd.read_csv(self.path / LAYERS_FILE)

    @property
    def trace_path(self) -> Path:
        """The interval trace (may not exist: see has_trace)."""
        return self.path / TRACE_FILE

    @property
    def has_trace(self) -> bool:
        """Whether the run recorded intervals (``--trace summary`` or ``full``)."""
        return self.trace_path.is_file()

    def intervals(self) -> pd.DataFrame:
        """The interval records; OutputError when the run was not traced."""
        if not self.has_trace:
            raise OutputError(
                f"{self.path}: the run has no trace.parquet; rerun it with --trace summary "
                f"or --trace full"
            )
        frame = pd.read_parquet(self.trace_path)
        energies = self.summary.get("energy_by_layer_component_pj")
        if energies is not None:
            frame["energy_pj"] = interval_energy_pj(frame, energies)
        return frame


def open_run(path: Path) -> RunDir:
    """Open a run directory; OutputError when it is not one or has another format version."""
    summary_path = path / SUMMARY_FILE
    if not path.is_dir():
        raise OutputError(f"{path}: no such run directory")
    if not summary_path.is_file():
        raise OutputError(
            f"{path}: not a cimsim run directory (no summary.json; create one with "
            f"`cimsim run ... --out {path}`)"
        )
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{summary_path}: unreadable summary: {exc}") from None
    version = summary.get("format_version") if isinstance(summary, dict) else None
    if version != FORMAT_VERSION:
        raise OutputError(
            f"{summary_path}: run format version {version!r}, but this cimsim reads version "
            f"{FORMAT_VERSION}; rerun the simulation with this version"
        )
    if not (path / LAYERS_FILE).is_file():
        raise OutputError(f"{path}: layers.csv is missing; the run directory is incomplete")
    return RunDir(path, summary)
