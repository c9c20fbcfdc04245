"""Trace exporters: Chrome trace-event JSON (Perfetto, chrome://tracing) and CSV.

Perfetto layout: one process per tile (pid = tile + 1; pid 0 holds the global buffer and
DRAM), one thread (track) per component: each PE (crossbar group), the vector unit, the
tile buffer port and each outgoing link of the tile's router. Intervals are complete events
(``ph: "X"``) with microsecond timestamps; each tile also gets counter tracks
(``ph: "C"``) of how many of its outgoing links carry a message and of the activation bytes
its buffer holds.
"""

import re
from typing import Any

import numpy as np
import pandas as pd

_TILE = re.compile(r"^tile(\d+)\.")
_LINK = re.compile(r"^link(\d+)-(\d+)$")


def _tile_of(component: str) -> int:
    match = _TILE.match(component) or _LINK.match(component)
    return int(match.group(1)) if match else -1


def perfetto_events(intervals: pd.DataFrame, clock_ghz: float) -> dict[str, Any]:
    """The trace-event JSON object for ``intervals`` (the trace columns)."""
    us_per_cycle = 1.0 / (clock_ghz * 1e3)
    frame = intervals.copy()
    for column in ("component", "kind", "layer", "cause"):
        frame[column] = frame[column].astype(str)
    components = sorted(frame["component"].unique(), key=lambda c: (_tile_of(c), c))
    pid_of = {c: _tile_of(c) + 1 for c in components}
    tid_of = {c: i + 1 for i, c in enumerate(components)}
    events: list[dict[str, Any]] = []
    for pid in sorted(set(pid_of.values())):
        name = "chip (global buffer, DRAM)" if pid == 0 else f"tile {pid - 1}"
        events.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}})
        events.append({"ph": "M", "name": "process_sort_index", "pid": pid,
                       "args": {"sort_index": pid}})  # fmt: skip
    for component in components:
        events.append({"ph": "M", "name": "thread_name", "pid": pid_of[component],
                       "tid": tid_of[component], "args": {"name": component}})  # fmt: skip
    frame = frame.sort_values(["component", "start_cycle", "end_cycle"], kind="stable")
    occupancy = frame[frame["kind"] == "occupancy"]
    frame = frame[frame["kind"] != "occupancy"]
    for row in frame.itertuples(index=False):
        label = f"idle ({row.cause})" if row.kind == "idle" else f"{row.kind} {row.layer}"
        args: dict[str, Any] = {"layer": row.layer}
        if row.bytes:
            args["bytes"] = int(row.bytes)
        if row.cause:
            args["cause"] = row.cause
        energy = getattr(row, "energy_pj", 0.0)
        if energy:
            args["energy_pj"] = round(float(energy), 3)
        events.append({
            "ph": "X", "name": label, "cat": row.kind, "pid": pid_of[row.component],
            "tid": tid_of[row.component], "ts": row.start_cycle * us_per_cycle,
            "dur": (row.end_cycle - row.start_cycle) * us_per_cycle, "args": args,
        })  # fmt: skip
    events += _link_load_counters(frame, us_per_cycle)
    events += _occupancy_counters(occupancy, us_per_cycle)
    return {"traceEvents": events, "displayTimeUnit": "ns", "otherData": {"clock_ghz": clock_ghz}}


def _occupancy_counters(occupancy: pd.DataFrame, us_per_cycle: float) -> list[dict[str, Any]]:
    """Per tile: activation bytes held in its buffer, as a counter track."""
    events: list[dict[str, Any]] = []
    for component, track in occupancy.groupby("component", sort=True):
        pid = _tile_of(str(component)) + 1
        starts, ends = track["start_cycle"].to_numpy(), track["end_cycle"].to_numpy()
        levels = track["bytes"].to_numpy()
        times = np.concatenate([ends, starts])
        values = np.concatenate([np.zeros(len(ends), int), levels])
        order = np.lexsort((np.arange(len(times)), times))  # a level ends before the next
        for t, value in zip(times[order], values[order], strict=True):
            ts = float(t) * us_per_cycle
            args = {"bytes": int(value)}
            events.append({"ph": "C", "name": "buffer bytes", "pid": pid, "ts": ts, "args": args})
    return events


def _link_load_counters(frame: pd.DataFrame, us_per_cycle: float) -> list[dict[str, Any]]:
    """Per tile: number of its outgoing links busy, as a counter track."""
    links = frame[frame["component"].str.startswith("link")]
    events: list[dict[str, Any]] = []
    if links.empty:
        return events
    tiles = links["component"].map(_tile_of).to_numpy()
    for tile in np.unique(tiles):
        mine = links[tiles == tile]
        times = np.concatenate([mine["start_cycle"].to_numpy(), mine["end_cycle"].to_numpy()])
        deltas = np.concatenate([np.ones(len(mine), int), -np.ones(len(mine), int)])
        order = np.lexsort((deltas, times))  # ends before starts at the same cycle
        load = np.cumsum(deltas[order])
        pid = int(tile) + 1
        for t, value in zip(times[order], load, strict=True):
            ts = float(t) * us_per_cycle
            args = {"links": int(value)}
            events.append({"ph": "C", "name": "busy links", "pid": pid, "ts": ts, "args": args})
    return events
