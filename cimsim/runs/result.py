"""What a run produced, and how it is written to a results folder."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from cimsim.analysis.energy import interval_energy_pj
from cimsim.analysis.files import (
    remove_file,
    remove_leftovers,
    write_csv_atomic,
    write_json_atomic,
    write_text_atomic,
)
from cimsim.analysis.rundir import (
    CONFIG_FILE,
    FUNCTIONAL_FILE,
    LAYERS_FILE,
    MANIFEST_FILE,
    RUN_FILE,
    RUN_FILES,
    SUMMARY_FILE,
    TRACE_FILE,
    manifest,
)
from cimsim.config.dump import arch_to_yaml
from cimsim.config.model import ArchConfig
from cimsim.functional import LayerParams, run_functional
from cimsim.options import RunOptions
from cimsim.trace.intervals import IntervalBuffer
from workloads.ir import Graph


@dataclass(frozen=True)
class RunResult:
    """A finished run: its summary, per-layer table, energy and (if traced) intervals."""

    summary: dict[str, Any]
    """Every summary field, JSON-ready (docs/outputs.md; the properties below type the most
    used ones)."""
    layers: pd.DataFrame
    """One row per layer: what it computes, where it sits, when it ran, what it moved."""
    arch: ArchConfig
    """The resolved architecture it ran on."""
    options: RunOptions
    """The options it ran with."""
    trace: IntervalBuffer | None = None
    """Interval records when the run traced them."""
    functional: pd.DataFrame | None = None
    """Per-layer errors of a functional run (cimsim.functional)."""

    @property
    def total_cycles(self) -> int:
        """Cycles from the first task to the last output."""
        return int(self.summary["total_cycles"])

    @property
    def latency_s(self) -> float:
        """The run's duration, seconds."""
        return float(self.summary["latency_s"])

    @property
    def energy_pj(self) -> float:
        """Dynamic plus leakage energy of the whole run (all inferences), pJ."""
        return float(self.summary["energy_pj"])

    @property
    def energy_per_inference_pj(self) -> float:
        """Energy of one inference, pJ."""
        return float(self.summary["energy_per_inference_pj"])

    def energy_breakdown(self) -> pd.DataFrame:
        """Dynamic energy by layer and component, pJ (columns layer, component, energy_pj),
        plus one row of leakage (layer "", component "leakage")."""
        rows = [
            {"layer": layer, "component": component, "energy_pj": energy}
            for layer, components in self.summary["energy_by_layer_component_pj"].items()
            for component, energy in components.items()
        ]
        rows.append(
            {"layer": "", "component": "leakage", "energy_pj": self.summary["energy_leakage_pj"]}
        )
        return pd.DataFrame(rows, columns=["layer", "component", "energy_pj"])

    def intervals(self) -> pd.DataFrame:
        """The interval records with their energy (``energy_pj``); empty when untraced."""
        if self.trace is None:
            return pd.DataFrame()
        frame = self.trace.to_frame()
        frame["energy_pj"] = interval_energy_pj(frame, self.summary["energy_by_layer_component_pj"])
        return frame


def add_functional(
    result: RunResult,
    graph: Graph,
    batch: int,
    weights: Mapping[str, LayerParams] | None = None,
) -> RunResult:
    """``result`` plus a functional run of ``batch`` seeded inputs through the mapped
    crossbars (docs/functional.md): per-layer errors in ``functional``, the run's summary
    under ``summary["functional"]``. ``weights`` (an ONNX file's own, from
    ``load_workload_with_weights``) replace the seeded ones."""
    report = run_functional(result.arch, graph, batch=batch, seed=result.options.seed,
                            weights=weights)  # fmt: skip
    summary = {**result.summary, "functional": report.summary}
    return replace(result, summary=summary, functional=report.layers)


def write_results(
    result: RunResult,
    out_dir: Path,
    workload: str | None = None,
    input_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> list[Path]:
    """Write the run into ``out_dir``, each file atomically: ``config.yaml`` (the resolved
    architecture), ``run.json`` (``workload`` as given, default the summary's name, input
    shapes, options), ``layers.csv``, ``functional.csv`` and ``trace.parquet`` (if any),
    ``summary.json``, then the manifest listing them.

    The manifest of an earlier run there goes first, so from then until the new manifest is
    written last the directory reads as incomplete (``analysis.rundir.open_run``): a crash
    never leaves old and new files that pass for one run. Run files of an earlier run that
    this one does not write go too, and so do temporary files a killed writer left behind.
    ``cimsim run --arch OUT/config.yaml`` with the options of run.json reproduces
    summary.json byte for byte.
    """
    remove_file(out_dir / MANIFEST_FILE)
    remove_leftovers(out_dir, RUN_FILES)
    written = [out_dir / CONFIG_FILE, out_dir / RUN_FILE]
    write_text_atomic(written[0], arch_to_yaml(result.arch))
    write_json_atomic(written[1], run_record(result, workload, input_shapes))
    written.append(out_dir / LAYERS_FILE)
    write_csv_atomic(written[-1], result.layers)
    if result.functional is not None:
        written.append(out_dir / FUNCTIONAL_FILE)
        write_csv_atomic(written[-1], result.functional)
    if result.trace is not None:
        written.append(out_dir / TRACE_FILE)
        result.trace.save(written[-1])
    written.append(out_dir / SUMMARY_FILE)
    write_json_atomic(written[-1], result.summary)
    for name in RUN_FILES:
        if out_dir / name not in written:
            remove_file(out_dir / name)
    write_json_atomic(out_dir / MANIFEST_FILE, manifest(written))
    return written


def run_record(
    result: RunResult,
    workload: str | None = None,
    input_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> dict[str, Any]:
    """run.json: what ran besides the architecture, and the command that reruns it."""
    spec = workload or str(result.summary["workload"])
    options = result.options.model_dump(mode="json", exclude_defaults=True)
    shapes = {name: list(shape) for name, shape in (input_shapes or {}).items()}
    command = ["cimsim", "run", "--arch", CONFIG_FILE, "--workload", spec]
    command += [f"--input-shape={name}={'x'.join(map(str, s))}" for name, s in shapes.items()]
    for name, value in options.items():
        if name != "fine_grained":
            command += [f"--{name.replace('_', '-')}", str(value)]
    return {
        "workload": spec,
        "input_shapes": shapes,
        "options": result.options.model_dump(mode="json"),
        "command": " ".join(command),
    }
