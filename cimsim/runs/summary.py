"""The summary and per-layer table of a finished run: built here, and only here.

Summary fields (docs/outputs in the summary's keys): what ran (arch, workload, scheduler,
duplication, placement, batch, seed, mode), time (total_cycles, latency_s, throughput),
the mapping (crossbars and PEs used), utilization, data moved per level, energy (dynamic,
leakage, by level, component and layer; area and peak figures), and, for weight reuse, its
parts (``reuse_mode``, ``parts``, ``weight_loads``, ``weight_load_cycles``,
``weight_load_bytes``, ``rram_cell_writes``). Utilization with weight reuse: ``pe`` = PE busy
cycles / (chip PEs x total cycles); ``pe_mapped`` divides by the sum over parts of (PEs
holding weights x the part's cycles); ``crossbars_used`` and ``pes_used`` are the largest
part's. Energy is priced after the run: action counts x per-action energy, plus leakage
over the whole run (cimsim.analysis.energy).
"""

from typing import Any

import pandas as pd

from cimsim import __version__
from cimsim.analysis.energy import energy_summary, price_counters
from cimsim.analysis.rundir import FORMAT_VERSION
from cimsim.analysis.summary import busiest_link, bytes_per_level, layer_table, utilization
from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping, CopyPlacement
from cimsim.options import RunOptions
from cimsim.runs.timers import PhaseRun
from cimsim.scheduler import Schedule
from cimsim.trace import TraceSink
from hwmodels.chip import ChipSpec


def crossbar_tasks(schedule: Schedule) -> int:
    """Tasks of crossbar (MVM) layers over every phase: the work units events are counted
    against."""
    return sum(
        1
        for phase in schedule.phases
        for task in phase.program.tasks
        if task.layer in phase.mapping.copies
    )


def summarize(
    arch: ArchConfig,
    priced: tuple[ChipSpec, str],
    schedule: Schedule,
    runs: list[PhaseRun],
    sink: TraceSink,
    options: RunOptions,
    events: int,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The summary and the per-layer table of a run of ``schedule`` on ``arch``, priced by
    ``priced`` (its chip and the note on where its prices come from: ``chip_spec``)."""
    spec, pricing = priced
    mapping = _merge([phase.mapping for phase in schedule.phases])
    total_cycles = runs[-1].end_cycle
    starts = {name: c for run in runs for name, c in run.layer_start_cycles.items()}
    ends = {name: c for run in runs for name, c in run.layer_end_cycles.items()}
    layers = layer_table(schedule.info, mapping, sink, starts, ends)
    summary = _basics(arch, schedule, options, mapping, sink, events, total_cycles)
    pe_fraction, tile_fraction = _powered_fractions(arch, mapping)
    levels = [level.name for level in mapping.machine.memory.levels]
    duration_ns = total_cycles / arch.clock.frequency_ghz
    report = price_counters(sink.counters(), spec, duration_ns, levels,
                            pe_fraction, tile_fraction)  # fmt: skip
    summary.update(energy_summary(report, spec, pricing, options.batch))
    layers["energy_pj"] = [report.by_layer_pj.get(name, 0.0) for name in layers["layer"]]
    summary["tasks"] = sum(len(phase.program.tasks) for phase in schedule.phases)
    summary["crossbar_tasks"] = crossbar_tasks(schedule)
    summary["trace_level"] = sink.level.value
    summary["mode"] = options.mode
    if schedule.reuse_mode is not None:
        reuse = _weight_reuse(schedule, runs, sink, arch.tiles, total_cycles)
        reuse["utilization"] = {**summary["utilization"], **reuse["utilization"]}
        summary.update(reuse)
    elif options.mode == "estimate":
        summary["estimate_bound"] = runs[-1].bound
    return summary, layers


def _basics(
    arch: ArchConfig,
    schedule: Schedule,
    options: RunOptions,
    mapping: ChipMapping,
    sink: TraceSink,
    events: int,
    total_cycles: int,
) -> dict[str, Any]:
    latency_s = total_cycles / (arch.clock.frequency_ghz * 1e9)
    tile_buffer_bytes = arch.memory[0].size_bytes or float("inf")
    info = schedule.info
    return {
        "format_version": FORMAT_VERSION,
        "cimsim_version": __version__,
        "arch": arch.name,
        "workload": info.name,
        "scheduler": schedule.policy,
        "duplication": mapping.duplication,
        "placement": mapping.placement,
        "batch": options.batch,
        "seed": options.seed,
        "clock_ghz": arch.clock.frequency_ghz,
        "mesh": [arch.tiles // arch.noc.cols, arch.noc.cols],  # chiplets, tiers one below another
        "pes_per_tile": arch.tile.pes,
        "total_cycles": total_cycles,
        "latency_s": latency_s,
        "throughput_inferences_per_s": options.batch / latency_s if latency_s > 0 else 0.0,
        "macs_per_inference": info.total_macs,
        "events_processed": events,
        "crossbars_used": mapping.crossbars_used,
        "crossbars_total": mapping.crossbars_total,
        "pes_used": mapping.pes_used,
        "pes_total": mapping.pes_total,
        "utilization": utilization(sink, mapping, arch.tiles, total_cycles),
        "busiest_link": busiest_link(sink),
        "tile_busy_cycles": [sink.tile_busy_cycles().get(t, 0) for t in range(arch.tiles)],
        "tile_buffer_peak_bytes": max(sink.buffer_peaks().values(), default=0),
        "tile_buffers_over_capacity": sorted(
            t for t, peak in sink.buffer_peaks().items() if peak > tile_buffer_bytes
        ),
        "bytes": bytes_per_level(sink, mapping.machine.memory),
        "noc_injected_bytes": sink.total("noc", "injected_byte"),
        "noc_hops_per_byte": _ratio(sink.total("noc", "byte_hop"), sink.total("noc", "byte")),
        "adc_conversions": sink.total("adc", "conversion"),
        "crossbar_reads": sink.total("crossbar", "read"),
    }


def _powered_fractions(arch: ArchConfig, mapping: ChipMapping) -> tuple[float, float]:
    """Fractions of PEs and tiles that leak (all, or only those with work when gated)."""
    if arch.costs.power_gating == "none":
        return 1.0, 1.0
    tiles = {g.tile for ps in mapping.copies.values() for p in ps for g in p.groups}
    tiles |= set(mapping.digital_tiles.values())
    return mapping.pes_used / mapping.pes_total, len(tiles) / arch.tiles


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _merge(mappings: list[ChipMapping]) -> ChipMapping:
    """One mapping holding every phase's layers (for the per-layer table and the summary)."""
    if len(mappings) == 1:
        return mappings[0]
    first = mappings[0]
    return ChipMapping(
        tilings={k: v for m in mappings for k, v in m.tilings.items()},
        copies={k: v for m in mappings for k, v in m.copies.items()},
        costs={k: v for m in mappings for k, v in m.costs.items()},
        digital_tiles={k: v for m in mappings for k, v in m.digital_tiles.items()},
        input_tile=first.input_tile,
        crossbars_total=first.crossbars_total,
        pes_total=first.pes_total,
        shared_adc_banks={k: v for m in mappings for k, v in m.shared_adc_banks.items()},
        units={k: v for m in mappings for k, v in m.units.items()},
        machine=first.machine,
        duplication=first.duplication,
        placement=first.placement,
    )


def _weight_reuse(
    schedule: Schedule, runs: list[PhaseRun], sink: TraceSink, tiles: int, total_cycles: int
) -> dict[str, Any]:
    """The weight-reuse keys of the summary, and the PE and tile utilization over parts
    (module doc); the port utilizations of the whole run stay as they are."""
    mappings = [phase.mapping for phase in schedule.phases]
    pe_busy = sum(cycles for name, cycles in sink.busy_cycles().items() if ".pe" in name)
    mapped = sum(m.pes_used * (r.end_cycle - r.start_cycle) for m, r in zip(mappings, runs,
                 strict=True))  # fmt: skip
    pes_total = mappings[0].pes_total
    tiles_busy = sum(sink.tile_busy_cycles().values())
    parts = [phase.part for phase in schedule.phases if phase.part is not None]
    return {
        "reuse_mode": schedule.reuse_mode,
        "parts": [
            {
                "layers": list(part.layers),
                "crossbar_layers": list(part.crossbar_layers),
                "pes_one_copy": part.pes,
                "pes_used": mapping.pes_used,
                "weight_bytes": part.weight_bytes,
                "copies": {name: len(c) for name, c in mapping.copies.items()},
                "tiles": {name: _tiles(c) for name, c in mapping.copies.items()},
                "start_cycle": run.start_cycle,
                "weights_loaded_cycle": run.loaded_cycle,
                "end_cycle": run.end_cycle,
            }
            for part, mapping, run in zip(parts, mappings, runs, strict=True)
        ],
        "weight_loads": len(parts),
        "weight_load_cycles": sum(r.loaded_cycle - r.start_cycle for r in runs),
        "weight_load_bytes": sum(part.weight_bytes for part in parts),
        "rram_cell_writes": sink.total("rram", "cell_write"),
        "crossbars_used": max(m.crossbars_used for m in mappings),
        "pes_used": max(m.pes_used for m in mappings),
        "utilization": {
            "pe": pe_busy / (pes_total * total_cycles) if total_cycles else 0.0,
            "pe_mapped": pe_busy / mapped if mapped else 0.0,
            "tile": tiles_busy / (tiles * total_cycles) if total_cycles else 0.0,
        },
    }


def _tiles(copies: tuple[CopyPlacement, ...]) -> int:
    """Distinct tiles a layer's copies occupy."""
    return len({tile for copy in copies for tile in copy.tiles})
