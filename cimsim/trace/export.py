"""Trace exporters: Chrome trace-event JSON (Perfetto, chrome://tracing), streamed.

Perfetto layout: one process per tile (pid = tile + 1; pid 0 holds the global buffer and
DRAM), one thread (track) per component: each PE (crossbar group), the vector unit, the
tile buffer port and each outgoing link of the tile's router. Intervals are complete events
(``ph: "X"``) with microsecond timestamps; each tile also gets counter tracks
(``ph: "C"``) of how many of its outgoing links carry a message and of the activation bytes
its buffer holds.

The JSON is produced as text, a chunk of events at a time (``perfetto_chunks``), so a
writer streams it into a (gzip) file without ever holding the whole document: a full trace
of ResNet-18 pipelined over a batch of 16 (394,000 intervals) becomes about 8 MB of gzip in
a few seconds (docs/outputs.md). Names (components, layers: an ONNX model's own) are
JSON-escaped once each.
"""

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from cimsim.trace.filters import tile_of_component

CHUNK_ROWS = 20_000
"""Events formatted per chunk of text."""

_tile_of = tile_of_component


def perfetto_events(intervals: pd.DataFrame, clock_ghz: float) -> dict[str, Any]:
    """The trace-event JSON object for ``intervals`` (the trace columns): the streamed text
    of ``perfetto_chunks`` parsed back (tests and small traces)."""
    return json.loads("".join(perfetto_chunks(intervals, clock_ghz)))


def perfetto_chunks(intervals: pd.DataFrame, clock_ghz: float) -> Iterator[str]:
    """The trace-event JSON document for ``intervals`` as consecutive pieces of text."""
    us_per_cycle = 1.0 / (clock_ghz * 1e3)
    digits = max(3, math.ceil(math.log10(max(clock_ghz * 1e3, 1.0))) + 1)
    """Decimals of µs that resolve one cycle."""
    frame = intervals.copy()
    for column in ("component", "kind", "layer", "cause"):
        frame[column] = frame[column].astype(str)
    components = sorted(frame["component"].unique(), key=lambda c: (_tile_of(c), c))
    pid_of = {c: _tile_of(c) + 1 for c in components}
    tid_of = {c: i + 1 for i, c in enumerate(components)}
    other = json.dumps({"clock_ghz": clock_ghz})
    yield f'{{"displayTimeUnit":"ns","otherData":{other},"traceEvents":[\n'
    meta: list[dict[str, Any]] = []
    for pid in sorted(set(pid_of.values())):
        name = "chip (global buffer, DRAM)" if pid == 0 else f"tile {pid - 1}"
        meta.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}})
        meta.append({"ph": "M", "name": "process_sort_index", "pid": pid,
                     "args": {"sort_index": pid}})  # fmt: skip
    for component in components:
        meta.append({"ph": "M", "name": "thread_name", "pid": pid_of[component],
                     "tid": tid_of[component], "args": {"name": component}})  # fmt: skip
    meta_text = ",\n".join(json.dumps(m, separators=(",", ":")) for m in meta)
    first = not meta_text
    if meta_text:
        yield meta_text
    frame = frame.sort_values(["component", "start_cycle", "end_cycle"], kind="stable")
    occupancy = frame[frame["kind"] == "occupancy"]
    frame = frame[frame["kind"] != "occupancy"]
    tracks = {c: f'"pid":{pid_of[c]},"tid":{tid_of[c]}' for c in components}
    for text in (
        *_complete_events(frame, tracks, us_per_cycle, digits),
        *_counter_events(_link_load(frame), "busy links", "links", us_per_cycle, digits),
        *_counter_events(_occupancy(occupancy), "buffer bytes", "bytes", us_per_cycle, digits),
    ):
        yield text if first else ",\n" + text
        first = False
    yield "\n]}\n"


def _complete_events(
    frame: pd.DataFrame, tracks: dict[str, str], us_per_cycle: float, digits: int
) -> Iterator[str]:
    """``ph: "X"`` events, CHUNK_ROWS at a time."""
    if frame.empty:
        return
    key = frame["kind"] + "\x00" + frame["layer"] + "\x00" + frame["cause"]
    codes, uniques = pd.factorize(key)
    heads = []
    for value in uniques:
        kind, layer, cause = value.split("\x00")
        label = f"idle ({cause})" if kind == "idle" else f"{kind} {layer}"
        args = '"layer":' + json.dumps(layer) + (',"cause":' + json.dumps(cause) if cause else "")
        heads.append((f'{{"ph":"X","name":{json.dumps(label)},"cat":{json.dumps(kind)},', args))
    track = frame["component"].map(tracks).to_numpy()
    start = frame["start_cycle"].to_numpy()
    ts = start * us_per_cycle
    dur = (frame["end_cycle"].to_numpy() - start) * us_per_cycle
    nbytes = frame["bytes"].to_numpy()
    energy = (
        frame["energy_pj"].to_numpy(dtype=float) if "energy_pj" in frame else np.zeros(len(frame))
    )
    for low in range(0, len(frame), CHUNK_ROWS):
        high = min(low + CHUNK_ROWS, len(frame))
        lines = []
        for i in range(low, high):
            head, args = heads[codes[i]]
            extra = f',"bytes":{nbytes[i]}' if nbytes[i] else ""
            if energy[i]:
                extra += f',"energy_pj":{round(float(energy[i]), 3)!r}'
            lines.append(f'{head}{track[i]},"ts":{ts[i]:.{digits}f},"dur":{dur[i]:.{digits}f},'
                         f'"args":{{{args}{extra}}}}}')  # fmt: skip
        yield ",\n".join(lines)


def _counter_events(
    series: list[tuple[int, np.ndarray, np.ndarray]],
    name: str,
    arg: str,
    us_per_cycle: float,
    digits: int,
) -> Iterator[str]:
    """``ph: "C"`` events: per (pid, times, values) one counter track called ``name``."""
    head = f'{{"ph":"C","name":{json.dumps(name)},'
    for pid, times, values in series:
        for low in range(0, len(times), CHUNK_ROWS):
            yield ",\n".join(
                f'{head}"pid":{pid},"ts":{t * us_per_cycle:.{digits}f},"args":{{"{arg}":{v}}}}}'
                for t, v in zip(times[low : low + CHUNK_ROWS].tolist(),
                                values[low : low + CHUNK_ROWS].tolist(), strict=True)
            )  # fmt: skip


def _occupancy(occupancy: pd.DataFrame) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per tile: (pid, times, activation bytes held in its buffer from each time on)."""
    series = []
    for component, track in occupancy.groupby("component", sort=True):
        pid = _tile_of(str(component)) + 1
        starts, ends = track["start_cycle"].to_numpy(), track["end_cycle"].to_numpy()
        levels = track["bytes"].to_numpy()
        times = np.concatenate([ends, starts])
        values = np.concatenate([np.zeros(len(ends), np.int64), levels])
        order = np.lexsort((np.arange(len(times)), times))  # a level ends before the next
        series.append((pid, times[order], values[order]))
    return series


def _link_load(frame: pd.DataFrame) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per tile: (pid, times, number of its outgoing links busy from each time on)."""
    links = frame[frame["component"].str.startswith("link")]
    series: list[tuple[int, np.ndarray, np.ndarray]] = []
    if links.empty:
        return series
    tiles = links["component"].map(_tile_of).to_numpy()
    for tile in np.unique(tiles):
        mine = links[tiles == tile]
        times = np.concatenate([mine["start_cycle"].to_numpy(), mine["end_cycle"].to_numpy()])
        deltas = np.concatenate([np.ones(len(mine), int), -np.ones(len(mine), int)])
        order = np.lexsort((deltas, times))  # ends before starts at the same cycle
        series.append((int(tile) + 1, times[order], np.cumsum(deltas[order])))
    return series
