"""Text rendering for the terminal: run summaries, architectures, workload tables."""

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from cimsim.analysis.files import write_bytes_atomic, write_csv_atomic, write_text_stream_atomic
from cimsim.analysis.rundir import RunDir
from cimsim.config.model import ArchConfig
from cimsim.config.pricing import price_chip
from cimsim.describe import describe_fields_text
from cimsim.errors import WorkloadInputError, brief
from cimsim.functional import functional_text
from cimsim.machine.build import build_topology
from cimsim.machine.hierarchy import summary_line
from cimsim.progress import Status
from cimsim.runs.result import RunResult
from cimsim.trace.export import perfetto_chunks
from cimsim.trace.filters import TraceFilter
from hwmodels.chip import (
    area_breakdown_mm2,
    chip_area_mm2,
    chip_power_mw,
    peak_ops_per_s,
    power_breakdown_mw,
    tops_per_mm2,
    tops_per_w,
)
from workloads import zoo
from workloads.ir import Graph
from workloads.shapes import analyze
from workloads.table import layer_table as workload_layer_table

_LAYER_COLUMNS = (
    "layer", "op", "target", "output_shape", "copies", "crossbars", "home_tile",
    "start_cycle", "cycles",
)  # fmt: skip


def run_summary_text(result: RunResult) -> str:
    """The summary table printed after a run."""
    s = result.summary
    util = s["utilization"]
    lines = [
        f"{s['workload']} on {s['arch']} ({s['scheduler']}, batch {s['batch']})",
        f"  total cycles        {s['total_cycles']:,} at {s['clock_ghz']:g} GHz"
        f" = {s['latency_s'] * 1e3:.4f} ms",
        f"  throughput          {s['throughput_inferences_per_s']:,.1f} inferences/s",
        f"  crossbars used      {s['crossbars_used']:,} of {s['crossbars_total']:,}"
        f" ({s['pes_used']:,} of {s['pes_total']:,} PEs)",
        f"  utilization         PE {util['pe']:.2%} (mapped PEs {util['pe_mapped']:.2%}),"
        f" tile {util['tile']:.2%}",
        f"  busiest ports       NoC {s['busiest_link'] or '-'} {util['noc_link_max']:.2%}"
        + "".join(f", {name} {util[name]:.2%}" for name in _memory_levels(util)),
        f"  SimPy events        {s['events_processed']:,} for {s['tasks']:,} tasks",
        "  bytes moved",
    ]
    lines += [f"    {key:<28}{value:>16,}" for key, value in s["bytes"].items()]
    lines.append(
        f"  energy per inference {s['energy_per_inference_pj'] / 1e6:,.2f} µJ "
        f"(data movement {s['data_movement_share']:.1%}; priced by {s['energy_pricing']})"
    )
    over = s.get("tile_buffers_over_capacity", [])
    if over:
        lines.append(
            f"  warning: {len(over)} tile buffer(s) held more activations than they can "
            f"(peak {s['tile_buffer_peak_bytes']:,} B); tiles {over[:8]}"
        )
    table = result.layers.loc[:, list(_LAYER_COLUMNS)].to_string(index=False)
    lines += ["", "per layer:", table]
    if result.functional is not None:
        lines += ["", functional_text(s["functional"], result.functional)]
    return "\n".join(lines)


def _memory_levels(utilization: dict[str, float]) -> list[str]:
    """The memory levels whose busiest port a summary's utilization reports."""
    return [name for name in utilization if name not in _CORE_UTILIZATION]


_CORE_UTILIZATION = ("pe", "pe_mapped", "tile", "noc_link_max")


def describe_arch_text(arch: ArchConfig) -> str:
    """Every resolved field with its unit-carrying name, plus derived totals."""
    lines = [f"{arch.name}: {arch.description}".rstrip(": "), f"source: {arch.source}", "",
             "Fields, as a file and --set write them ([allowed values]):"]  # fmt: skip
    lines += describe_fields_text(arch)
    weights = arch.tiles * arch.crossbars_per_tile * arch.tile.crossbar.rows
    weights *= arch.tile.crossbar.cols * arch.tile.crossbar.cell_bits // arch.precision.weight_bits
    lines += [
        "",
        f"  tiles {arch.tiles}, PEs {arch.tiles * arch.tile.pes}, "
        f"crossbars {arch.tiles * arch.crossbars_per_tile}; "
        f"weight capacity {weights:,} weights of {arch.precision.weight_bits} bits",
        f"  topology {summary_line(build_topology(arch.noc))}",
    ]
    return "\n".join(lines + _cost_lines(arch))


def _cost_lines(arch: ArchConfig) -> list[str]:
    """Every priced component (how it is priced, area, peak power, energy per action) and
    the chip's totals and peak figures, from the costs section (cimsim.config.pricing)."""
    priced = price_chip(arch)
    spec = priced.spec
    area, power = area_breakdown_mm2(spec), power_breakdown_mw(spec)
    lines = ["", f"{priced.note}:",
             f"  {'component':<24}{'priced by':<12}{'count':>8}{'area mm2':>12}{'power mW':>12}"
             "  energy per action"]  # fmt: skip
    for component in spec.components:
        name = component.name
        where = "external" if component.level == "external" else f"/{component.level}"
        count = f"{component.count:g}{where if where != 'external' else ''}"
        actions = ", ".join(f"{a} {e:.4g} pJ" for a, e in component.cost.energy_pj.items())
        shown_area = f"{area[name]:.4f}" if name in area else "external"
        shown_power = f"{power[name]:.3f}" if name in power else "-"
        lines.append(f"  {name:<24}{priced.pricing[name]:<12}{count:>8}{shown_area:>12}"
                     f"{shown_power:>12}  {actions}")  # fmt: skip
    lines += [
        f"  {'chip':<44}{chip_area_mm2(spec):>12.3f}{chip_power_mw(spec):>12.1f}",
        f"  peak {peak_ops_per_s(spec) / 1e12:.2f} TOPS ({spec.weight_bits}-bit weights, "
        f"{spec.input_bits}-bit inputs, 1 MAC = 2 ops), {tops_per_w(spec):.3f} TOPS/W, "
        f"{tops_per_mm2(spec):.3f} TOPS/mm2",
    ]
    return lines


def workloads_list_text() -> str:
    """The built-in networks with their MACs and parameters."""
    lines = [f"{'name':<22}{'MMAC':>12}{'M params':>12}{'layers':>8}  description"]
    for name in zoo.available():
        info = analyze(zoo.build(name))
        lines.append(
            f"{name:<22}{info.total_macs / 1e6:>12.2f}{info.total_params / 1e6:>12.3f}"
            f"{len(info.layers):>8}  {zoo.describe(name)}"
        )
    lines += ["", f"Parameters and their defaults (set them as in {zoo.SPEC_EXAMPLE}):"]
    for name in zoo.available():
        shown = ", ".join(f"{k}={zoo.spec_value_text(v)}" for k, v in zoo.parameters(name).items())
        lines.append(f"  {name:<20}{shown}")
    return "\n".join(lines)


def workload_table_text(graph: Graph) -> str:
    """The layer table of one network and its totals."""
    info = analyze(graph)
    table = workload_layer_table(info).to_string(index=False)
    return (
        f"{graph.name}: {len(info.layers)} layers, {info.total_macs:,} MACs, "
        f"{info.total_params:,} parameters\n{table}"
    )


def export_trace(
    run: RunDir,
    fmt: str,
    output: Path | None = None,
    selection: TraceFilter | None = None,
    compress: bool = True,
    status: Status | None = None,
) -> Path:
    """Write a run's trace (the part ``selection`` keeps) as Perfetto JSON (gzip unless
    ``compress`` is False), Parquet or CSV; return the file written. ``status`` is told how
    far the export has come."""
    selection = selection or TraceFilter()
    suffix = {"perfetto": "json.gz" if compress else "json", "parquet": "parquet", "csv": "csv"}
    path = output or run.path / f"trace.{suffix[fmt]}"
    if fmt == "parquet" and selection.is_empty:
        if path.resolve() != run.trace_path.resolve():
            write_bytes_atomic(path, run.trace_path.read_bytes())
        return path
    if status:
        status.update("reading the trace")
    intervals = selection.apply(run.intervals(), run.summary["clock_ghz"])
    if fmt == "csv":
        write_csv_atomic(path, intervals)
    elif fmt == "parquet":
        write_bytes_atomic(path, _parquet_bytes(intervals.drop(columns=["energy_pj"])))
    else:
        chunks = perfetto_chunks(intervals, run.summary["clock_ghz"])
        write_text_stream_atomic(path, _counted(chunks, len(intervals), status), compress)
    return path


def _counted(chunks: Iterator[str], rows: int, status: Status | None) -> Iterator[str]:
    """``chunks``, telling ``status`` roughly how many intervals are written."""
    done = 0
    for chunk in chunks:
        done += chunk.count("\n")
        if status:
            status.update(f"writing Perfetto JSON: {min(done, rows):,} of {rows:,} intervals")
        yield chunk


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def parse_input_shapes(items: list[str]) -> dict[str, tuple[int, ...]] | None:
    """``["input=3x224x224"]`` -> ``{"input": (3, 224, 224)}`` (commas work too, and a
    leading batch of 1: ``input=1,3,224,224``); None when empty."""
    shapes: dict[str, tuple[int, ...]] = {}
    for item in items:
        name, sep, dims = item.partition("=")
        try:
            shape = tuple(int(d) for d in dims.lower().replace(",", "x").split("x"))
        except ValueError:
            shape = ()
        if not sep or not name or not shape or min(shape) < 1:
            raise WorkloadInputError(
                f"--input-shape {brief(item)}: expected NAME=DIMS with positive integers, "
                f"e.g. input=3x224x224"
            )
        shapes[name] = shape
    return shapes or None
