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

from cimsim.plan import Access, Chain, LayerLoadPlan, MvmWork, Plan, Resources, TaskPlan
from cimsim.program import Program
from cimsim.timing.accounting import (
    count_access,
    count_injected,
    count_message,
    count_mvms,
    count_programming,
    count_vector,
)
from cimsim.trace import TraceSink


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


class _Counter:
    """Sums the cycles of holds, counting what the event timer counts for them."""

    def __init__(self, plan_names: list[str], flit_bytes: int, sink: TraceSink) -> None:
        self._names, self._flit_bytes, self._sink = plan_names, flit_bytes, sink

    def chain(self, layer: str, chain: Chain) -> int:
        """Cycles of the holds of ``chain`` one after another."""
        total = 0
        for hold in chain:
            if type(hold) is Access:
                if hold.nbytes <= 0:
                    continue
                count_access(self._sink, layer, hold, self._names[hold.port])
            else:
                names = [self._names[link] for link in hold.links]  # type: ignore[union-attr]
                count_injected(self._sink, layer, hold)  # type: ignore[arg-type]
                count_message(self._sink, layer, hold, names, self._flit_bytes)  # type: ignore[arg-type]
            total += hold.cycles
        return total


def estimate(program: Program, plan: Plan, sink: TraceSink) -> Estimate:
    """Time ``program`` (lowered into ``plan``) in closed form; counts go to ``sink``."""
    names = plan.resources.names
    slots: dict[int, int] = {}
    priced: list[_TaskCosts] = []  # identical tasks (every inference of a batch) priced once
    uses: list[int] = []
    free: dict[tuple[str, int], int] = {}
    done = [0] * len(program.tasks)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    levels: list[tuple[int, int, int]] = []  # (cycle, tile, change of its buffered bytes)
    for task in program.tasks:  # ids are a topological order
        task_plan = plan.tasks[task.task_id]
        slot = slots.get(id(task_plan))
        if slot is None:
            slot = slots[id(task_plan)] = len(priced)
            priced.append(_task_costs(task_plan, names, plan.flit_bytes))
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
        home = task_plan.home_tile
        levels += [(start + after, home, size) for after, size in costs.fetched]
        if task_plan.freed_bytes:
            levels.append((finished, home, -task_plan.freed_bytes))
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
    capacity = plan.resources.capacity_of  # a port of k servers does k holds at once
    busiest = max(
        ((-(-cycles // capacity(name)), name) for name, cycles in busy.items()), default=(0, "")
    )
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


def estimate_weight_loads(loads: tuple[LayerLoadPlan, ...], resources: Resources,
                          flit_bytes: int, sink: TraceSink) -> int:  # fmt: skip
    """Cycles to load a part's weights (``cimsim.plan.weights``), counting what the event
    timer counts. The reads queue on their memory ports in layer order (as in the event
    timer, where all are issued at once), each taking the first of the port's servers to be
    free; each copy then receives its shares and is programmed:
      done = max over copies of (its layer's read end + slowest share + program)
    floored, like ``estimate``, by the busiest link: no share leaves before the first read
    ends, the link carries one at a time, and the copy its last share reaches must still be
    programmed (first read + link busy + shortest programming)."""
    counts = TraceSink()
    counter = _Counter(resources.names, flit_bytes, counts)
    servers: dict[int, list[int]] = {}  # port -> when each of its servers is free again
    done = 0
    first_read = None
    for load in loads:
        read_end = 0
        for read in load.reads:
            free = servers.setdefault(read.port, [0] * resources.capacities[read.port])
            server = free.index(min(free))  # the read queues for the first free server
            free[server] += counter.chain(load.layer, (read,))
            read_end = max(read_end, free[server])
        first_read = read_end if first_read is None else first_read
        for copy in load.copies:
            arrive = max((counter.chain(load.layer, send) for send in copy.sends), default=0)
            done = max(done, read_end + arrive + copy.program_cycles)
            count_programming(counts, load)
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


def _task_costs(plan: TaskPlan, names: list[str], flit_bytes: int) -> _TaskCosts:
    """One task's fetch, compute and delivery cycles, its tiles' work, what it writes into
    tile buffers and when, and what it counts (in the order the event timer counts it)."""
    counts = TraceSink()
    counter = _Counter(names, flit_bytes, counts)
    layer = plan.layer
    fetched = tuple((counter.chain(layer, chain), _filled(chain)) for chain in plan.fetches)
    read = counter.chain(layer, plan.streams[0])
    work = plan.work
    if type(work) is MvmWork:
        count_mvms(counts, layer, work)
        scatter = max((counter.chain(layer, chain) for chain in plan.streams[1:]), default=0)
        gather = max((counter.chain(layer, chain) for chain in plan.gathers), default=0)
        work_cycles = work.vectors * work.mvm_cycles
        compute = max(work_cycles, read, scatter) + gather
        tiles = work.tiles
    else:
        count_vector(counts, layer, work)  # type: ignore[arg-type]
        work_cycles = work.cycles
        compute = max(work_cycles, read)
        tiles = (plan.home_tile,)
    chains = [(counter.chain(layer, chain), chain) for chain in plan.deliveries]
    delivered = tuple(
        (cycles, chain[-1].fills_tile, chain[-1].nbytes)  # type: ignore[union-attr]
        for cycles, chain in chains
        if chain and type(chain[-1]) is Access and chain[-1].fills_tile >= 0
    )
    return _TaskCosts(
        fetch_cycles=max((cycles for cycles, _ in fetched), default=0),
        compute_cycles=compute,
        delivery_cycles=max((cycles for cycles, _ in chains), default=0),
        work_cycles=work_cycles,
        work_tiles=tiles,
        fetched=fetched,
        delivered=delivered,
        counts=counts,
    )


def _filled(chain: Chain) -> int:
    """Bytes a fetch chain writes into its tile."""
    last = chain[-1] if chain else None
    return last.nbytes if isinstance(last, Access) else 0
