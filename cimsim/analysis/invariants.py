"""Conservation invariants of a finished run, which every scheduler and the estimate keep.

Pure functions of a run's summary and, when the run was traced, its interval records (the
DataFrame of ``RunResult.trace.to_frame()`` or ``RunDir.intervals()``). Each returns the
violations it finds as sentences; an empty list means the invariant holds:

- energy: the dynamic energy is the sum of its breakdowns (by component, by level, by
  layer and component), and with ``--trace full`` the energy spread over the interval
  records adds up to it;
- PE time: every PE track lies within the run, its intervals never overlap, and busy +
  programming + idle + drained (``analysis.bubbles.pe_time``) is the run length;
- tracks: no two intervals of one component overlap (each port serves one at a time);
- bytes: NoC bytes injected at the sources equal bytes delivered at the destinations (two
  counts made at the two ends), and a full trace carries the bytes the counters count;
- busy time: no port, link or tile is busy for longer than the run.

The tests run them on every scheduler, so a refactor of the timing core stays checked.
"""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cimsim.analysis.bubbles import PE_KINDS, pe_time
from cimsim.analysis.energy import interval_energy_pj

PE_TRACK = r"^tile\d+\.pe\d+$"
"""Component names of PE tracks."""
REL_TOLERANCE = 1e-9
"""Relative tolerance of energy sums (floating-point additions in another order)."""


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=1e-6)


def energy_violations(summary: Mapping[str, Any]) -> list[str]:
    """The dynamic energy equals each of its breakdowns; every figure is finite and >= 0."""
    found: list[str] = []
    dynamic = summary["energy_dynamic_pj"]
    leakage = summary["energy_leakage_pj"]
    for name in ("energy_pj", "energy_dynamic_pj", "energy_leakage_pj"):
        if not (math.isfinite(summary[name]) and summary[name] >= 0):
            found.append(f"{name} = {summary[name]} is not a finite number >= 0")
    if not _close(summary["energy_pj"], dynamic + leakage):
        found.append(f"energy_pj {summary['energy_pj']} != dynamic {dynamic} + leakage {leakage}")
    by_level = {k: v for k, v in summary["energy_by_level_pj"].items() if k != "leakage"}
    layer_components = summary["energy_by_layer_component_pj"].values()
    sums = {
        "energy_by_component_pj": sum(summary["energy_by_component_pj"].values()),
        "energy_by_level_pj (leakage excluded)": sum(by_level.values()),
        "energy_by_layer_component_pj": sum(sum(c.values()) for c in layer_components),
    }
    for name, total in sums.items():
        if not _close(total, dynamic):
            found.append(f"{name} sums to {total} pJ, the dynamic energy is {dynamic} pJ")
    return found


def trace_energy_violations(summary: Mapping[str, Any], intervals: pd.DataFrame) -> list[str]:
    """With ``--trace full``, the energy spread over the records sums to the dynamic energy
    (every priced action has records); with ``summary`` it cannot exceed it."""
    energies = interval_energy_pj(intervals, summary["energy_by_layer_component_pj"])
    total, dynamic = float(energies.sum()), summary["energy_dynamic_pj"]
    if summary["trace_level"] == "full" and not _close(total, dynamic):
        return [f"the trace's energy {total} pJ != the dynamic energy {dynamic} pJ "
                f"({dynamic - total} pJ priced but on no record)"]  # fmt: skip
    if total > dynamic * (1 + REL_TOLERANCE) + 1e-6:
        return [f"the trace's energy {total} pJ exceeds the dynamic energy {dynamic} pJ"]
    return []


def overlap_violations(intervals: pd.DataFrame, total_cycles: int) -> list[str]:
    """Every record lies within [0, total_cycles], is non-empty, and no two records of one
    component overlap."""
    found: list[str] = []
    start = intervals["start_cycle"].to_numpy()
    end = intervals["end_cycle"].to_numpy()
    component = intervals["component"].astype(str).to_numpy()
    outside = (start < 0) | (end > total_cycles) | (end <= start)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        found.append(
            f"{int(outside.sum())} records empty or outside [0, {total_cycles}], e.g. "
            f"{component[i]} [{start[i]}, {end[i]})"
        )
    order = np.lexsort((end, start, component))
    start, end, component = start[order], end[order], component[order]
    same = component[1:] == component[:-1]
    overlap = same & (start[1:] < end[:-1])
    if overlap.any():
        tracks = sorted(set(component[1:][overlap]))
        i = int(np.flatnonzero(overlap)[0])
        found.append(
            f"{int(overlap.sum())} overlapping records on {len(tracks)} tracks, e.g. "
            f"{component[i]} [{start[i]}, {end[i]}) and [{start[i + 1]}, {end[i + 1]})"
        )
    return found


def pe_time_violations(summary: Mapping[str, Any], intervals: pd.DataFrame) -> list[str]:
    """Per PE track: only PE kinds, and busy + programming + idle + drained = run length."""
    total = summary["total_cycles"]
    on_pe = intervals["component"].astype(str).str.match(PE_TRACK)
    pes = intervals[on_pe]
    found: list[str] = []
    kinds = set(pes["kind"].astype(str)) - set(PE_KINDS)
    if kinds:
        found.append(f"PE tracks hold records of kinds {sorted(kinds)} (allowed: {PE_KINDS})")
    if pes.empty:
        return found
    per_pe = pe_time(pes, total).groupby("component")["cycles"].sum()
    wrong = per_pe[per_pe != total]
    if len(wrong):
        found.append(
            f"{len(wrong)} of {len(per_pe)} PEs: busy + idle + drained != the run length "
            f"{total}, e.g. {wrong.index[0]}: {int(wrong.iloc[0])} cycles"
        )
    return found


_TRACE_BYTES = (
    ("noc_byte_hops", "message", r"^link\d+-\d+$"),
    ("tile_buffer_read_bytes", "read", r"^tile\d+\.buffer$"),
    ("tile_buffer_write_bytes", "write", r"^tile\d+\.buffer$"),
    ("global_buffer_read_bytes", "read", r"^global_buffer\d*(\.bank\d+)?$"),
    ("global_buffer_write_bytes", "write", r"^global_buffer\d*(\.bank\d+)?$"),
    ("dram_read_bytes", "read", r"^dram\d*(\.bank\d+)?$"),
    ("dram_write_bytes", "write", r"^dram\d*(\.bank\d+)?$"),
)
"""(summary bytes key, record kind, component pattern) of what a full trace also carries;
a level of several instances or banks names them ``dram1``, ``dram1.bank0``
(cimsim.machine.memory.MemoryLevel.port_name)."""


def byte_violations(summary: Mapping[str, Any], intervals: pd.DataFrame | None = None) -> list[str]:
    """NoC bytes injected = bytes delivered; with a full trace, the records' bytes per level
    equal the counters'."""
    moved = summary["bytes"]
    found: list[str] = []
    if summary["noc_injected_bytes"] != moved["noc_bytes"]:
        found.append(
            f"NoC bytes injected {summary['noc_injected_bytes']} != bytes delivered "
            f"{moved['noc_bytes']}"
        )
    negative = [key for key, value in moved.items() if value < 0]
    if negative:
        found.append(f"negative byte counts: {negative}")
    if intervals is None or summary["trace_level"] != "full":
        return found
    component = intervals["component"].astype(str)
    kind = intervals["kind"].astype(str)
    for key, record_kind, pattern in _TRACE_BYTES:
        traced = int(intervals["bytes"][(kind == record_kind) & component.str.match(pattern)].sum())
        if traced != moved[key]:
            found.append(f"{key}: the trace carries {traced} bytes, the counters {moved[key]}")
    return found


def busy_time_violations(
    summary: Mapping[str, Any], intervals: pd.DataFrame | None = None
) -> list[str]:
    """No port, link, PE or tile is busy for longer than the run."""
    total = summary["total_cycles"]
    found = [
        f"utilization.{name} = {value} is outside [0, 1]"
        for name, value in summary["utilization"].items()
        if not 0 <= value <= 1 + REL_TOLERANCE
    ]
    tiles = [t for t, cycles in enumerate(summary["tile_busy_cycles"]) if cycles > total]
    if tiles:
        found.append(f"tiles {tiles} busy longer than the run ({total} cycles)")
    if intervals is not None and len(intervals):
        kind = intervals["kind"].astype(str)
        busy = intervals[~kind.isin(["idle", "occupancy"])]
        cycles = (
            (busy["end_cycle"] - busy["start_cycle"]).groupby(busy["component"].astype(str)).sum()
        )
        over = cycles[cycles > total]
        if len(over):
            found.append(
                f"{len(over)} components busy longer than the run ({total} cycles), e.g. "
                f"{over.index[0]}: {int(over.iloc[0])}"
            )
    return found


def run_violations(summary: Mapping[str, Any], intervals: pd.DataFrame | None = None) -> list[str]:
    """Every invariant that applies to the run (the trace ones when ``intervals`` is given)."""
    found = energy_violations(summary)
    found += byte_violations(summary, intervals)
    found += busy_time_violations(summary, intervals)
    if intervals is not None:
        found += overlap_violations(intervals, summary["total_cycles"])
        found += pe_time_violations(summary, intervals)
        found += trace_energy_violations(summary, intervals)
    return found
