"""The event timer: executes a Plan's holds in SimPy, with contention.

The only place where holds meet simulated time. Every resource (memory port, NoC link, ADC
bank, vector unit) is an ``engine.Port`` made on first use; a hold acquires its resources,
waits its cycles and releases them, then counts (``accounting``).

A Program runs as one SimPy process per layer copy, in task order. A task waits for its
dependencies (and, in pipelines, for its consumers' credits), fetches any inputs kept beyond
the tile, computes, then delivers its outputs in a separate process, so the copy starts its
next task while the outputs travel. A task counts as done when its outputs have arrived
where its consumers read them.

Timing of a crossbar task (n output vectors): a copy's crossbar groups step together, one
MVM taking mvm_cycles. When its ADC banks are its own, nothing can interleave with its MVMs
and the n MVMs are one timeout of n x mvm_cycles (identical in result to n timeouts, and n
times cheaper). When a bank is shared with PEs of other copies, each MVM requests the shared
banks (in ascending order, so no deadlock), holds them for mvm_cycles and releases them:
contention is exact per vector. The streams (the home-buffer read, input slices for the
copy's other tiles) run beside the MVMs (double-buffered input registers); partial sums
from other tiles return after them.

Weight loads (weight reuse): every layer's reads are issued at once, so they queue on the
memory port; each copy's shares then travel to its tiles concurrently, and the copy is
programmed once they have all arrived (traced per PE: ``load_weights``).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cimsim.engine import Engine, Port, Process
from cimsim.plan import (
    Access,
    Chain,
    CopyLoadPlan,
    LayerLoadPlan,
    Message,
    MvmWork,
    Plan,
    Resources,
    TaskPlan,
    VectorWork,
)
from cimsim.program import Program
from cimsim.timing.accounting import (
    count_access,
    count_injected,
    count_message,
    count_mvms,
    count_programming,
    count_vector,
)
from cimsim.timing.router_clock import RouterClock
from cimsim.trace import Cause, TraceSink
from hwmodels.noc import flits_for_bytes


class Holds:
    """Executes holds on the resources of one run (ports made on first use)."""

    def __init__(self, engine: Engine, sink: TraceSink, resources: Resources,
                 flit_bytes: int, routers: RouterClock | None = None) -> None:  # fmt: skip
        """``routers``: messages advance through them (noc.model routers); None: each holds
        its whole path."""
        self.engine = engine
        self.sink = sink
        self.resources = resources
        self.flit_bytes = flit_bytes
        self.routers = routers
        self._ports: list[Port | None] = []

    def port(self, index: int) -> Port:
        """The port of resource ``index``."""
        ports = self._ports
        if index >= len(ports):
            ports.extend([None] * (len(self.resources.names) - len(ports)))
        port = ports[index]
        if port is None:
            port = ports[index] = self.engine.port(self.resources.capacities[index])
        return port

    def access(self, layer: str, access: Access) -> Process:
        """Wait for the port, hold it, count; a write into a tile raises its buffer level."""
        if access.nbytes <= 0:
            return
        port = self.port(access.port)
        yield port.acquire()
        yield self.engine.timeout(access.cycles)
        port.release()
        sink = self.sink
        name = self.resources.names[access.port]
        if sink.records_transfers:
            now = self.engine.now_cycles
            kind = "write" if access.write else "read"
            sink.interval(now - access.cycles, now, name, kind, layer, access.nbytes)
        count_access(sink, layer, access, name)
        if access.fills_tile >= 0:
            sink.buffer_level(access.fills_tile, self.engine.now_cycles, access.nbytes)

    def message(self, layer: str, message: Message) -> Process:
        """Path model: reserve the route's links in order (wormhole), hold them, release
        them. Router model: send it through the routers and wait for its tail. Then count
        (the bytes as they leave the source, and again as they arrive)."""
        count_injected(self.sink, layer, message)
        names = [self.resources.names[link] for link in message.links]
        engine = self.engine
        start = engine.now_cycles
        routers = self.routers
        if routers is None:
            ports = [self.port(link) for link in message.links]
            for port in ports:
                yield port.acquire()
            yield engine.timeout(message.cycles)
            for port in ports:
                port.release()
            start = engine.now_cycles - message.cycles  # the links were held from then
            busy = [message.cycles] * len(names)
        else:
            flits = flits_for_bytes(message.nbytes, self.flit_bytes)
            yield routers.send(message.src, message.dst, flits)
            per_flit = flits * routers.model.clock_cycles
            busy = [per_flit * routers.interval_of[name] for name in names]
        sink = self.sink
        count_message(sink, layer, message, names, self.flit_bytes, busy)
        if sink.records_transfers:
            now = engine.now_cycles
            for name in names:
                sink.interval(start, now, name, "message", layer, message.nbytes)

    def chain(self, layer: str, chain: Chain) -> Process:
        """The holds of ``chain``, one after another."""
        for hold in chain:
            if type(hold) is Access:
                yield from self.access(layer, hold)
            else:
                yield from self.message(layer, hold)  # type: ignore[arg-type]

    def all(self, layer: str, chains: Sequence[Chain]) -> Process:
        """Run ``chains`` concurrently and wait for all; a single one runs inline (fewer
        events; it starts in the same cycle, possibly ahead of events created earlier)."""
        if len(chains) == 1:
            yield from self.chain(layer, chains[0])
        elif chains:
            engine = self.engine
            yield engine.all_of([engine.process(self.chain(layer, c)) for c in chains])


class ProgramRunner:
    """Starts the processes of a Program and records when each layer ran."""

    def __init__(
        self,
        holds: Holds,
        program: Program,
        plan: Plan,
        on_task_done: Callable[[], None] | None = None,
        fine_grained: bool = False,
    ) -> None:
        """``fine_grained`` forces one event per MVM even where none can interleave: the
        reference the coarse events are tested against."""
        self._holds = holds
        self._engine = holds.engine
        self._sink = holds.sink
        self._program = program
        self._plan = plan
        self._on_task_done = on_task_done
        self._fine_grained = fine_grained
        self.done = [self._engine.event() for _ in program.tasks]
        self.layer_start_cycles: dict[str, int] = {}
        self.layer_end_cycles: dict[str, int] = {}
        self.pe_free_since: dict[str, tuple[int, str]] = {}
        """(cycle, layer) of each traced PE's last task end (a later phase's weight load takes
        the PE's track on from there, so it has no gap)."""

    def start(self) -> None:
        """Create one process per layer copy (in the Program's deterministic order); their
        PEs are free from now on (cycle 0, or when a phase has its weights)."""
        now = self._engine.now_cycles
        for (layer, copy), queue in self._program.queues.items():
            self._engine.process(self._run_queue(layer, copy, queue, now))

    def _run_queue(self, layer: str, copy: int, queue: tuple[int, ...], free_since: int) -> Process:
        """Run a copy's tasks in order; ``free_since``: when its PEs became free."""
        engine, holds, sink = self._engine, self._holds, self._sink
        first = self._plan.tasks[queue[0]].work
        tracks = first.pes if sink.records_compute and type(first) is MvmWork else ()
        for task_id in queue:
            task, plan = self._program.tasks[task_id], self._plan.tasks[task_id]
            pending = [self.done[d] for d in task.deps if not self.done[d].triggered]
            if pending:
                yield engine.all_of(pending)
            ready = engine.now_cycles
            self._idle(tracks, free_since, ready, task.wait_cause, layer)
            credits = [self.done[d] for d in task.credits if not self.done[d].triggered]
            if credits:
                yield engine.all_of(credits)
                self._idle(tracks, ready, engine.now_cycles, Cause.BACKPRESSURE, layer)
                ready = engine.now_cycles
            self.layer_start_cycles.setdefault(layer, ready)
            if plan.fetches:
                yield from holds.all(layer, plan.fetches)
                self._idle(tracks, ready, engine.now_cycles, plan.fetch_cause, layer)
            if type(plan.work) is MvmWork:
                yield from self._compute_mvm(plan, plan.work, tracks)
            else:
                yield from self._compute_vector(plan, plan.work)  # type: ignore[arg-type]
            free_since = engine.now_cycles
            for track in tracks:
                self.pe_free_since[track] = (free_since, layer)
            if plan.freed_bytes:
                sink.buffer_level(plan.home_tile, free_since, -plan.freed_bytes)
            engine.process(self._deliver(task_id, plan))

    def _idle(self, tracks: tuple[str, ...], start: int, end: int, cause: str, layer: str) -> None:
        if end > start:
            for track in tracks:
                self._sink.interval(start, end, track, "idle", layer, cause=cause)

    def _compute_mvm(self, plan: TaskPlan, work: MvmWork, tracks: tuple[str, ...]) -> Process:
        engine, holds, layer = self._engine, self._holds, plan.layer
        streams = [engine.process(holds.chain(layer, chain)) for chain in plan.streams]
        if work.shared_banks or self._fine_grained:
            for _ in range(work.vectors):
                yield from self._one_mvm(layer, work, work.mvm_cycles, tracks)
        else:
            yield from self._one_mvm(layer, work, work.vectors * work.mvm_cycles, tracks)
        count_mvms(self._sink, layer, work)
        pending = [s for s in streams if not s.triggered]
        if pending:
            waited = engine.now_cycles
            yield engine.all_of(pending)
            self._idle(tracks, waited, engine.now_cycles, plan.stream_cause, layer)
        if plan.gathers:
            waited = engine.now_cycles
            yield from holds.all(layer, plan.gathers)
            self._idle(tracks, waited, engine.now_cycles, Cause.NOC, layer)

    def _one_mvm(self, layer: str, work: MvmWork, cycles: int, tracks: tuple[str, ...]) -> Process:
        """Hold the copy's shared ADC banks (if any) and its PEs for ``cycles``."""
        sink, engine, holds = self._sink, self._engine, self._holds
        asked = engine.now_cycles
        for bank in work.shared_banks:
            yield holds.port(bank).acquire()
        start = engine.now_cycles
        self._idle(tracks, asked, start, Cause.ADC, layer)
        for tile in work.tiles:
            sink.tile_work_started(tile, start)
        yield engine.timeout(cycles)
        for tile in work.tiles:
            sink.tile_work_finished(tile, start + cycles)
        for bank in work.shared_banks:
            holds.port(bank).release()
        for track in tracks:
            sink.interval(start, start + cycles, track, "mvm", layer)

    def _compute_vector(self, plan: TaskPlan, work: VectorWork) -> Process:
        engine, sink, layer = self._engine, self._sink, plan.layer
        read = engine.process(self._holds.chain(layer, plan.streams[0]))
        if work.cycles:
            unit = self._holds.port(work.unit)
            yield unit.acquire()
            start = engine.now_cycles
            sink.tile_work_started(work.tile, start)
            yield engine.timeout(work.cycles)
            sink.tile_work_finished(work.tile, start + work.cycles)
            unit.release()
            sink.interval(start, start + work.cycles, work.name, "digital", layer)
            count_vector(sink, layer, work)
        if not read.triggered:
            yield read

    def _deliver(self, task_id: int, plan: TaskPlan) -> Process:
        yield from self._holds.all(plan.layer, plan.deliveries)
        self.layer_end_cycles[plan.layer] = self._engine.now_cycles
        self.done[task_id].succeed()
        if self._on_task_done is not None:
            self._on_task_done()


def load_weights(
    holds: Holds,
    loads: Sequence[LayerLoadPlan],
    pe_free_since: Mapping[str, tuple[int, str]] | None = None,
) -> Process:
    """Load every layer of ``loads`` (module docstring). ``pe_free_since``: (cycle, layer)
    of each PE's last task of an earlier phase (a PE not named was free from cycle 0).

    Traced per PE, so that its track has no gap and no overlap: idle with cause ``drained``
    from when it was last free (charged to that layer) until the load starts, idle with
    cause ``weights`` until its shares arrive, a ``program`` interval, and ``weights`` again
    until every copy of the phase is programmed."""
    engine = holds.engine
    start = engine.now_cycles
    free = _Free(start, pe_free_since or {})
    programmed: dict[str, tuple[str, int]] = {}  # PE track -> (layer, programmed cycle)
    layers = [engine.process(_load_layer(holds, load, free, programmed)) for load in loads]
    if layers:
        yield engine.all_of(layers)
    now = engine.now_cycles
    for track, (layer, done) in programmed.items():
        holds.sink.interval(done, now, track, "idle", layer, cause=Cause.WEIGHTS)
    holds.sink.interval(start, now, "weights", "weight_load", "")


@dataclass(frozen=True)
class _Free:
    """When a load started, and (cycle, layer) of each PE's last task before it."""

    load_start: int
    since: Mapping[str, tuple[int, str]]


def _load_layer(
    holds: Holds, load: LayerLoadPlan, free: _Free, programmed: dict[str, tuple[str, int]]
) -> Process:
    for read in load.reads:
        yield from holds.access(load.layer, read)
    engine = holds.engine
    copies = [
        engine.process(_program_copy(holds, load, copy, free, programmed)) for copy in load.copies
    ]
    yield engine.all_of(copies)


def _program_copy(
    holds: Holds,
    load: LayerLoadPlan,
    copy: CopyLoadPlan,
    free: _Free,
    programmed: dict[str, tuple[str, int]],
) -> Process:
    engine, sink, name = holds.engine, holds.sink, load.layer
    sends = [engine.process(holds.chain(name, chain)) for chain in copy.sends]
    yield engine.all_of(sends)
    start = engine.now_cycles
    yield engine.timeout(copy.program_cycles)
    count_programming(sink, load)
    end = start + copy.program_cycles
    for track in copy.pes:
        since, last_layer = free.since.get(track, (0, name))
        sink.interval(since, free.load_start, track, "idle", last_layer, cause=Cause.DRAINED)
        sink.interval(free.load_start, start, track, "idle", name, cause=Cause.WEIGHTS)
        sink.interval(start, end, track, "program", name)
        programmed[track] = (name, end)
