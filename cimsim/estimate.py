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
utilizations are priced the same way.
"""

from dataclasses import dataclass

from cimsim.components.accounting import (
    count_access,
    count_digital,
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
        count_message(self._sink, layer, size, len(links), self._hw.noc.flit_bytes)
        cycles = message_cycles(self._hw.noc, size, len(links), self._hw.clock_ghz)
        for a, b in links:
            self._sink.busy(link_name(a, b), cycles)
        return cycles

    def fetch(self, layer: str, level: Level, tile: int, size: int) -> int:
        kind = "dram" if level is Level.DRAM else "global_buffer"
        return (
            self.access(layer, kind, size, write=False)
            + self.message(layer, self._input_tile, tile, size)
            + self.access(layer, "tile_buffer", size, write=True, tile=tile)
        )

    def deliver(self, layer: str, src: int, level: Level, dst: int, size: int) -> int:
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
    priced: dict[tuple[str, int, TaskData], tuple[int, int, int, TraceSink]] = {}
    uses: dict[tuple[str, int, TaskData], int] = {}
    free: dict[tuple[str, int], int] = {}
    done = [0] * len(program.tasks)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for task in program.tasks:  # ids are a topological order
        key = (task.layer, task.copy, plan[task.task_id])
        costs = priced.get(key)
        if costs is None:  # identical tasks (every inference of a batch) are priced once
            costs = priced[key] = _task_cycles(key[2], task.layer, task.copy, mapping, hw,
                                               mesh_cols)  # fmt: skip
        uses[key] = uses.get(key, 0) + 1
        fetch, compute, delivery, _ = costs
        waits = (done[d] for d in (*task.deps, *task.credits))
        start = max([free.get((task.layer, task.copy), 0), *waits])
        starts[task.layer] = min(starts.get(task.layer, start), start)
        finished = start + fetch + compute
        free[(task.layer, task.copy)] = finished
        done[task.task_id] = finished + delivery
        ends[task.layer] = max(ends.get(task.layer, 0), done[task.task_id])
    counts = TraceSink()
    for key, times in uses.items():
        counts.add_counts(priced[key][3], times)
    sink.add_counts(counts)
    path = max(done, default=0)
    busy = counts.busy_cycles()
    busiest = max(((cycles, name) for name, cycles in busy.items()), default=(0, ""))
    if busiest[0] > path:  # a port or link has more work than the schedule leaves it time for
        return Estimate(busiest[0], starts, ends, busiest[1])
    return Estimate(path, starts, ends, "critical path")


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


def _task_cycles(
    data: TaskData,
    layer: str,
    copy: int,
    mapping: ChipMapping,
    hw: HardwareParams,
    mesh_cols: int,
) -> tuple[int, int, int, TraceSink]:
    """(fetch, compute, delivery) cycles of one task, and what it counts."""
    counts = TraceSink()
    timer = _Timer(hw, mesh_cols, mapping.input_tile, counts)
    fetch = max(
        (timer.fetch(layer, level, data.home_tile, size) for level, size in data.fetches),
        default=0,
    )
    compute = _compute_cycles(layer, copy, data, mapping, hw, timer, counts)
    delivery = max(
        (
            timer.deliver(layer, data.home_tile, level, dst, size)
            for level, dst, size in data.deliveries
        ),
        default=0,
    )
    return fetch, compute, delivery, counts


def _compute_cycles(
    layer: str,
    copy: int,
    data: TaskData,
    mapping: ChipMapping,
    hw: HardwareParams,
    timer: _Timer,
    sink: TraceSink,
) -> int:
    home = data.home_tile
    read = timer.access(layer, "tile_buffer", data.buffer_read_bytes, write=False, tile=home)
    if not data.vectors:
        count_digital(sink, layer, data.element_ops)
        cycles = digital_cycles(hw.digital, data.element_ops, hw.clock_ghz)
        if cycles:
            sink.busy(digital_unit_name(home), cycles)
        return max(cycles, read)
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
    return max(vectors * costs.mvm_cycles, read, scatter) + gather
