"""Pipeline-bubble and utilization analysis from interval records.

Every PE that holds weights has a track of busy ("mvm"), weight-programming ("program",
compact chips) and idle intervals, from cycle 0 without gaps; each idle interval carries
the cause recorded by the executor (barrier, input, noc, adc, buffer, global_buffer, dram,
weights). The time after a PE's last interval until the end of the run is idle with cause
"drained" (its work is done: not a bubble of the schedule). So a PE's rows of ``pe_time``
add up to the run length (``cimsim.analysis.invariants`` checks it).

Columns of ``pe_time``: component, tile, layer, kind ("mvm", "program" or "idle"), cause,
cycles.
"""

from collections.abc import Sequence

import pandas as pd

from cimsim.trace import Cause

DRAINED = Cause.DRAINED.value
"""Cause of idle time after a PE's last task."""

PE_KINDS = ("mvm", "program", "idle")
"""Interval kinds on a PE's track."""

BUBBLE_CAUSES: tuple[str, ...] = tuple(c.value for c in Cause if c is not Cause.DRAINED)
"""Idle causes that count as bubbles, in plotting order."""


def tile_of(component: pd.Series) -> pd.Series:
    """Tile index parsed from component names such as "tile12.pe3" (-1 when none)."""
    extracted = component.astype(str).str.extract(r"^tile(\d+)\.")[0]
    return extracted.fillna("-1").astype(int)


def pe_time(intervals: pd.DataFrame, total_cycles: int) -> pd.DataFrame:
    """Busy and idle cycles of every traced PE by layer, kind and cause, drained tail included."""
    pes = intervals[intervals["kind"].isin(PE_KINDS)].copy()
    pes["component"] = pes["component"].astype(str)
    pes["layer"] = pes["layer"].astype(str)
    pes["kind"] = pes["kind"].astype(str)
    pes["cause"] = pes["cause"].astype(str)
    pes["cycles"] = pes["end_cycle"] - pes["start_cycle"]
    last = pes.groupby("component", sort=True).agg(
        end=("end_cycle", "max"), layer=("layer", "last")
    )
    tail = pd.DataFrame(
        {
            "component": last.index,
            "layer": last["layer"].to_numpy(),
            "kind": "idle",
            "cause": DRAINED,
            "cycles": total_cycles - last["end"].to_numpy(),
        }
    )
    table = pd.concat([pes[["component", "layer", "kind", "cause", "cycles"]], tail])
    table = table[table["cycles"] > 0]
    grouped = table.groupby(["component", "layer", "kind", "cause"], sort=True, as_index=False)
    out = grouped["cycles"].sum()
    out.insert(1, "tile", tile_of(out["component"]))
    return out


def bubbles_by_layer(
    pe_table: pd.DataFrame, layer_order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Busy PE-cycles, weight-programming PE-cycles (compact chips) and idle PE-cycles per
    cause (one column each), one row per layer.

    Rows follow ``layer_order`` (e.g. the network's topological order) when given.
    """
    idle = pe_table[pe_table["kind"] == "idle"]
    wide = idle.pivot_table(
        index="layer", columns="cause", values="cycles", aggfunc="sum", fill_value=0
    )
    for column, kind in (("busy", "mvm"), ("program", "program")):
        cycles = pe_table[pe_table["kind"] == kind].groupby("layer")["cycles"].sum()
        if column == "busy" or len(cycles):
            wide[column] = cycles.reindex(wide.index).fillna(0).astype(int)
    ordered = [c for c in ("busy", "program") if c in wide.columns]
    ordered += [c for c in (*BUBBLE_CAUSES, DRAINED) if c in wide.columns]
    wide = wide[ordered].astype(int)
    if layer_order is not None:
        wide = wide.reindex([name for name in layer_order if name in wide.index])
    return wide


def bubbles_by_tile(pe_table: pd.DataFrame) -> pd.DataFrame:
    """Idle PE-cycles per tile and cause."""
    idle = pe_table[pe_table["kind"] == "idle"]
    return idle.pivot_table(
        index="tile", columns="cause", values="cycles", aggfunc="sum", fill_value=0
    ).astype(int)


def component_utilization(intervals: pd.DataFrame, total_cycles: int) -> pd.DataFrame:
    """Busy fraction of every traced component (idle intervals excluded).

    Columns: component, tile, busy_cycles, utilization.
    """
    busy = intervals[~intervals["kind"].astype(str).isin(["idle", "occupancy"])].copy()
    busy["component"] = busy["component"].astype(str)
    busy["cycles"] = busy["end_cycle"] - busy["start_cycle"]
    out = busy.groupby("component", sort=True, as_index=False)["cycles"].sum()
    out = out.rename(columns={"cycles": "busy_cycles"})
    out.insert(1, "tile", tile_of(out["component"]))
    out["utilization"] = out["busy_cycles"] / max(total_cycles, 1)
    return out
