"""Closed-form estimate: the same program, costs and dataflow, without events or contention.

Every task is timed by list scheduling over the task graph, in task order (dependencies
always precede their dependants):
  start   = max(copy free, max over dependencies of their delivery time)
  fetch   = max over fetches of (port access + NoC message + tile buffer write)
  compute = crossbar task: max(n x mvm cycles, buffer read, input slices to other tiles)
            + partial sums back; digital task: max(vector unit, buffer read)
  done    = start + fetch + compute + max over deliveries of its transfer chain
and the copy is free again after compute. Each part costs what the event-driven engine
charges for it when nothing else wants the same port or link, so the two agree exactly
without contention. Queueing is not simulated, but its floor is kept: every port and link
serves one access at a time, so the run takes at least the busy time of the busiest one,
and the total is the larger of that and the critical path (``Estimate.bound`` says which).
The remaining gap to the event run measures queueing beyond that floor
(docs/performance.md). Action counts and busy times are the engine's, so energy and
utilizations are priced the same way. Tile busy time (the union of each tile's MVM and
vector-unit spans) and tile buffer levels (inputs fetched and delivered, rows freed) come
from the same list schedule, so the tile utilization and the buffer-overflow check hold in
estimate mode too.
"""

from dataclasses import dataclass

import numpy as np

from cimsim.components.accounting import (
    count_access,
    count_digital,
    count_injected,
    count_message,
    count_mvms,
    count_pe_busy,
    digital_unit_name,
    link_name,
    pe_names,
    tile_buffer_name,
)
from cimsim.components.noc import xy_route
from cimsim.config.hardware import HardwareParams
from cimsim.mapper import ChipMapping
from cimsim.mapper.dataflow import TaskData, plan_dataflow
from cimsim.mapper.transfers import access_cycles, digital_cycles, message_cycles
from cimsim.mapper.weight_loads import LayerLoad
from cimsim.program import Level, Program
from cimsim.trace import TraceSink
from workloads.shapes import GraphInfo


@dataclass(frozen=True)
class Estimate:
    """Timing of every layer and the total, in cycles."""

    total_cycles: int
    """The larger of the two lower bounds: the list-scheduled critical path, and the busy
    time of the busiest port or link (each serves one access at a time)."""
    layer_start_cycles: dict[str, int]
    layer_end_cycles: dict[str, int]
    bound: str
    """What sets ``total_cycles``: "critical path", or the busiest component's name."""


@dataclass(frozen=True)
class _TaskCosts:
    """What one task takes and leaves, relative to its own schedule."""

    fetch_cycles: int
    compute_cycles: int
    delivery_cycles: int
    """The slowest delivery chain, after the compute ends."""
    work_cycles: int
    """How long its tiles work (MVMs, or the vector unit) from the end of the fetch."""
    work_tiles: tuple[int, ...]
    fetched: tuple[tuple[int, int], ...]
    """(cycles after the start, bytes) of each input written into the home tile buffer."""
    delivered: tuple[tuple[int, int, int], ...]
    """(cycles after the compute ends, tile, bytes) of each output written to a tile buffer."""
    counts: TraceSink


class _Timer:
    """Transfer chains priced like the engine's components, counting the same actions and
    the same busy time per port and link (under the engine's component names)."""

    def __init__(self, hw: HardwareParams, cols: int, input_tile: int, sink: TraceSink) -> None:
        self._hw, self._cols, self._input_tile, self._sink = hw, cols, input_tile, sink
        self._memories = {
            "tile_buffer": hw.tile_buffer,
            "global_buffer": hw.global_buffer,
            "dram": hw.dram,
        }

    def access(self, layer: str, kind: str, size: int, write: bool, tile: int = -1) -> int:
        """One access of the global buffer, DRAM or (``tile``'s) tile buffer."""
        params = self._memories[kind]
        if size <= 0:
            return 0
        count_access(self._sink, layer, kind, size, write)
        cycles = access_cycles(
            size, params.bandwidth_gbps, params.access_latency_ns, self._hw.clock_ghz
        )
        self._sink.busy(tile_buffer_name(tile) if kind == "tile_buffer" else kind, cycles)
        return cycles

    def message(self, layer: str, src: int, dst: int, size: int) -> int:
        if src == dst or size <= 0:
            return 0
        links = xy_route(src, dst, self._cols)
        count_injected(self._sink, layer, size)
        count_message(self._sink, layer, size, len(links), self._hw.noc.flit_bytes)
        cycles = message_cycles(self._hw.noc, size, len(links), self._hw.clock_ghz)
        for a, b in links:
            self._sink.busy(link_name(a, b), cycles)
        return cycles

    def fetch(self, layer: str, level: Level, tile: int, size: int) -> int:
        """Cycles until a fetch of ``size`` bytes at ``level`` is in ``tile``'s buffer."""
        kind = "dram" if level is Level.DRAM else "global_buffer"
        return (
            self.access(layer, kind, size, write=False)
            + self.message(layer, self._input_tile, tile, size)
            + self.access(layer, "tile_buffer", size, write=True, tile=tile)
        )

    def deliver(self, layer: str, src: int, level: Level, dst: int, size: int) -> int:
        """Cycles until ``size`` output bytes are stored where the consumer reads them."""
        if level is Level.TILE:
            return self.message(layer, src, dst, size) + self.access(
                layer, "tile_buffer", size, write=True, tile=dst
            )
        cycles = self.message(layer, src, self._input_tile, size)
        cycles += self.access(layer, "global_buffer", size, write=True)
        if level is Level.DRAM:
            cycles += self.access(layer, "dram", size, write=True)
        return cycles


def estimate(
    program: Program,
    mapping: ChipMapping,
    info: GraphInfo,
    hw: HardwareParams,
    mesh_cols: int,
    activation_bits: int,
    sink: TraceSink,
) -> Estimate:
    """Time ``program`` in closed form; counts go to ``sink`` for pricing."""
    plan = plan_dataflow(program, mapping, info, activation_bits)
    slots: dict[tuple[str, int, TaskData], int] = {}
    priced: list[_TaskCosts] = []  # identical tasks (every inference of a batch) priced once
    uses: list[int] = []
    free: dict[tuple[str, int], int] = {}
    done = [0] * len(program.tasks)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    levels: list[tuple[int, int, int]] = []  # (cycle, tile, change of its buffered bytes)
    for task in program.tasks:  # ids are a topological order
        data = plan[task.task_id]
        key = (task.layer, task.copy, data)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = len(priced)
            priced.append(_task_costs(data, task.layer, task.copy, mapping, hw, mesh_cols))
            uses.append(0)
        uses[slot] += 1
        costs = priced[slot]
        waits = (done[d] for d in (*task.deps, *task.credits))
        start = max([free.get((task.layer, task.copy), 0), *waits])
        starts[task.layer] = min(starts.get(task.layer, start), start)
        working = start + costs.fetch_cycles
        finished = working + costs.compute_cycles
        free[(task.layer, task.copy)] = finished
        done[task.task_id] = finished + costs.delivery_cycles
        ends[task.layer] = max(ends.get(task.layer, 0), done[task.task_id])
        if costs.work_cycles:
            for tile in costs.work_tiles:
                spans.setdefault(tile, []).append((working, working + costs.work_cycles))
        levels += [(start + after, data.home_tile, size) for after, size in costs.fetched]
        if data.freed_bytes:
            levels.append((finished, data.home_tile, -data.freed_bytes))
        levels += [(finished + after, tile, size) for after, tile, size in costs.delivered]
    counts = TraceSink()
    for costs, times in zip(priced, uses, strict=True):
        counts.add_counts(costs.counts, times)
    sink.add_counts(counts)
    for tile, tile_spans in sorted(spans.items()):
        sink.add_tile_busy(tile, _union_cycles(tile_spans))
    _replay_buffer_levels(levels, sink)
    path = max(done, default=0)
    busy = counts.busy_cycles()
    busiest = max(((cycles, name) for name, cycles in busy.items()), default=(0, ""))
    if busiest[0] > path:  # a port or link has more work than the schedule leaves it time for
        return Estimate(busiest[0], starts, ends, busiest[1])
    return Estimate(path, starts, ends, "critical path")


def _replay_buffer_levels(levels: list[tuple[int, int, int]], sink: TraceSink) -> None:
    """Apply (cycle, tile, change) to the tile buffers in time order, task order in ties."""
    if not levels:
        return
    changes = np.array(levels, dtype=np.int64)
    changes = changes[np.lexsort((changes[:, 0], changes[:, 1]))]  # by tile, then cycle; stable
    tiles, firsts = np.unique(changes[:, 1], return_index=True)
    for tile, run in zip(tiles, np.split(changes[:, 2], firsts[1:]), strict=True):
        sink.buffer_changes(int(tile), run)


def estimate_weight_loads(
    loads: tuple[LayerLoad, ...], hw: HardwareParams, mesh_cols: int, dram_tile: int,
    sink: TraceSink,
) -> int:  # fmt: skip
    """Cycles to load a part's weights (``mapper.weight_loads``), counting what the event
    loader counts. The reads queue on the DRAM port in layer order (as in the engine, where
    all are issued at once); each copy then receives its shares and is programmed:
      done = max over copies of (its layer's read end + slowest share message + program)
    floored, like ``estimate``, by the busiest link: no share leaves before the first read
    ends, the link carries one at a time, and the copy its last share reaches must still be
    programmed (first read + link busy + shortest programming)."""
    counts = TraceSink()
    timer = _Timer(hw, mesh_cols, dram_tile, counts)
    read_end = done = 0
    first_read = None
    for load in loads:
        read_end += timer.access(load.layer, "dram", load.dram_bytes, write=False)
        first_read = read_end if first_read is None else first_read
        for copy in load.copies:
            arrive = max(
                (timer.message(load.layer, dram_tile, tile, size) for tile, size in copy.sends),
                default=0,
            )
            done = max(done, read_end + arrive + copy.program_cycles)
            counts.count(load.layer, "rram", "cell_write", load.cell_writes)
            counts.count(load.layer, "rram", "row_write", load.row_writes)
    sink.add_counts(counts)
    links = [cycles for name, cycles in counts.busy_cycles().items() if name.startswith("link")]
    if first_read is None or not links:
        return done
    program = min(copy.program_cycles for load in loads for copy in load.copies)
    return max(done, first_read + max(links) + program)


def _union_cycles(spans: list[tuple[int, int]]) -> int:
    """Cycles covered by at least one of the (start, end) spans."""
    covered = reach = 0
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def _task_costs(
    data: TaskData,
    layer: str,
    copy: int,
    mapping: ChipMapping,
    hw: HardwareParams,
    mesh_cols: int,
) -> _TaskCosts:
    """One task's fetch, compute and delivery cycles, its tiles' work, what it writes into
    tile buffers and when, and what it counts."""
    counts = TraceSink()
    timer = _Timer(hw, mesh_cols, mapping.input_tile, counts)
    home = data.home_tile
    fetched = tuple((timer.fetch(layer, level, home, size), size) for level, size in data.fetches)
    compute, work = _compute_cycles(layer, copy, data, mapping, hw, timer, counts)
    chains = [
        (timer.deliver(layer, home, level, dst, size), level, dst, size)
        for level, dst, size in data.deliveries
    ]
    delivered = tuple(
        (cycles, dst, size) for cycles, level, dst, size in chains if level is Level.TILE and size
    )
    tiles = mapping.copies[layer][copy].tiles if data.vectors else (home,)
    return _TaskCosts(
        fetch_cycles=max((cycles for cycles, _ in fetched), default=0),
        compute_cycles=compute,
        delivery_cycles=max((chain[0] for chain in chains), default=0),
        work_cycles=work,
        work_tiles=tiles,
        fetched=fetched,
        delivered=delivered,
        counts=counts,
    )


def _compute_cycles(
    layer: str,
    copy: int,
    data: TaskData,
    mapping: ChipMapping,
    hw: HardwareParams,
    timer: _Timer,
    sink: TraceSink,
) -> tuple[int, int]:
    """(compute cycles, cycles its tiles work): MVMs or the vector unit, beside the buffer
    read and the input slices, then the partial sums back."""
    home = data.home_tile
    read = timer.access(layer, "tile_buffer", data.buffer_read_bytes, write=False, tile=home)
    if not data.vectors:
        count_digital(sink, layer, data.element_ops)
        cycles = digital_cycles(hw.digital, data.element_ops, hw.clock_ghz)
        if cycles:
            sink.busy(digital_unit_name(home), cycles)
        return max(cycles, read), cycles
    costs = mapping.costs[layer][copy]
    placement = mapping.copies[layer][copy]
    vectors = data.vectors
    count_mvms(sink, layer, costs, vectors, len(placement.groups))
    count_pe_busy(sink, pe_names(placement), vectors * costs.mvm_cycles)
    scatter = max(
        (timer.message(layer, home, t, vectors * s) for t, s in costs.remote_input_bytes),
        default=0,
    )
    gather = max(
        (timer.message(layer, t, home, vectors * s) for t, s in costs.remote_psum_bytes),
        default=0,
    )
    mvms = vectors * costs.mvm_cycles
    return max(mvms, read, scatter) + gather, mvms
