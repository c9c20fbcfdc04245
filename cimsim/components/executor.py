"""Executes a Program on the Chip: one SimPy process per layer copy, in task order.

A task waits for its dependencies, fetches any input rows kept in the global buffer or
DRAM, computes (crossbar MVMs for a crossbar layer, the tile's vector unit for a digital
one), then delivers its output rows to its consumers in a separate process, so the copy
starts its next task while the outputs travel. A task counts as done when its outputs have
arrived where its consumers read them. What each task moves is planned once, purely, by
``mapper.dataflow.plan_dataflow``.

Timing of a crossbar task (n output vectors): a copy's crossbar groups step together, one
MVM taking mvm_cycles. When its ADC banks are its own, nothing can interleave with its MVMs
and the n MVMs are one timeout of n x mvm_cycles (identical in result to n timeouts, and n
times cheaper). When a bank is shared with PEs of other copies (``adc.shared_by_pes`` > 1),
each MVM requests the shared banks (in ascending order, so no deadlock), holds them for
mvm_cycles and releases them: contention is exact per vector. The input rows stream from
the home tile buffer, and slices of them to the copy's other tiles over the NoC,
concurrently with the MVMs (double-buffered input registers); partial sums from other tiles
return to the home tile after them.
"""

from collections.abc import Callable, Generator
from typing import Any

from cimsim.components.accounting import count_mvms, count_pe_busy, pe_names
from cimsim.components.chip import Chip
from cimsim.engine import Engine, Process
from cimsim.mapper import ChipMapping
from cimsim.mapper.dataflow import TaskData, plan_dataflow
from cimsim.program import Level, Program, Task
from cimsim.trace import Cause
from workloads.shapes import GraphInfo


class ProgramRunner:
    """Starts the processes of a Program and records when each layer ran."""

    def __init__(
        self,
        engine: Engine,
        chip: Chip,
        program: Program,
        mapping: ChipMapping,
        info: GraphInfo,
        activation_bits: int,
        on_task_done: Callable[[], None] | None = None,
        fine_grained: bool = False,
    ) -> None:
        """``fine_grained`` forces one event per MVM even where none can interleave: the
        reference the coarse events are tested against."""
        self._engine = engine
        self._chip = chip
        self._program = program
        self._mapping = mapping
        self._info = info
        self._on_task_done = on_task_done
        self._fine_grained = fine_grained
        self._plan = plan_dataflow(program, mapping, info, activation_bits)
        self.done = [engine.event() for _ in program.tasks]
        self.layer_start_cycles: dict[str, int] = {}
        self.layer_end_cycles: dict[str, int] = {}
        self.pe_free_since: dict[str, tuple[int, str]] = {}
        """(cycle, layer) of each traced PE's last task end (a compact run's next part takes
        the PE's track on from there, so it has no gap)."""

    def start(self) -> None:
        """Create one process per layer copy (in the Program's deterministic order); their
        PEs are free from now on (cycle 0, or when a compact run's part has its weights)."""
        now = self._engine.now_cycles
        for (layer, copy), queue in self._program.queues.items():
            self._engine.process(self._run_queue(layer, copy, queue, now))

    def _run_queue(self, layer: str, copy: int, queue: tuple[int, ...], free_since: int) -> Process:
        """Run a copy's tasks in order; ``free_since``: when its PEs became free."""
        is_mvm = self._info.by_name[layer].is_mvm
        pes = pe_names(self._mapping.copies[layer][copy]) if is_mvm else ()
        tracks = pes if self._chip.sink.records_compute else ()  # PE tracks, when tracing
        for task_id in queue:
            task, data = self._program.tasks[task_id], self._plan[task_id]
            pending = [self.done[d] for d in task.deps if not self.done[d].triggered]
            if pending:
                yield self._engine.all_of(pending)
            ready = self._engine.now_cycles
            self._idle(tracks, free_since, ready, task.wait_cause, layer)
            credits = [self.done[d] for d in task.credits if not self.done[d].triggered]
            if credits:
                yield self._engine.all_of(credits)
                self._idle(tracks, ready, self._engine.now_cycles, Cause.BACKPRESSURE, layer)
                ready = self._engine.now_cycles
            self.layer_start_cycles.setdefault(layer, ready)
            if data.fetches:
                cause = yield from self._fetch_inputs(layer, data)
                self._idle(tracks, ready, self._engine.now_cycles, cause, layer)
            if is_mvm:
                yield from self._compute_mvm(task, data, pes, tracks)
            else:
                yield from self._compute_digital(layer, data)
            free_since = self._engine.now_cycles
            for track in tracks:
                self.pe_free_since[track] = (free_since, layer)
            if data.freed_bytes:
                self._chip.sink.buffer_level(data.home_tile, free_since, -data.freed_bytes)
            self._engine.process(self._deliver(task, data))

    def _idle(self, tracks: tuple[str, ...], start: int, end: int, cause: str, layer: str) -> None:
        if end > start:
            for track in tracks:
                self._chip.sink.interval(start, end, track, "idle", layer, cause=cause)

    def _fetch_inputs(self, layer: str, data: TaskData) -> Generator[Any, Any, str]:
        """Bring rows kept off-tile to the home tile; return the idle cause while waiting."""
        yield from self._all(
            [self._chip.fetch(layer, level, data.home_tile, size) for level, size in data.fetches]
        )
        if any(level is Level.DRAM for level, _ in data.fetches):
            return Cause.DRAM
        return Cause.GLOBAL_BUFFER

    def _compute_mvm(
        self, task: Task, data: TaskData, pes: tuple[str, ...], tracks: tuple[str, ...]
    ) -> Process:
        chip, name, engine, home = self._chip, task.layer, self._engine, data.home_tile
        costs = self._mapping.costs[name][task.copy]
        placement = self._mapping.copies[name][task.copy]
        vectors = data.vectors
        streams = [
            engine.process(chip.tile_buffers[home].access(name, data.buffer_read_bytes, False))
        ]
        streams += [
            engine.process(chip.noc.send(name, home, tile, vectors * size))
            for tile, size in costs.remote_input_bytes
        ]
        cycles = vectors * costs.mvm_cycles
        banks = self._mapping.shared_adc_banks[(name, task.copy)]
        if banks or self._fine_grained:
            for _ in range(vectors):
                yield from self._one_mvm(name, placement.tiles, banks, costs.mvm_cycles, tracks)
        else:
            yield from self._one_mvm(name, placement.tiles, (), cycles, tracks)
        count_pe_busy(chip.sink, pes, cycles)
        count_mvms(chip.sink, name, costs, vectors, len(placement.groups))
        pending = [s for s in streams if not s.triggered]
        if pending:
            waited = engine.now_cycles
            yield engine.all_of(pending)
            cause = Cause.NOC if costs.remote_input_bytes else Cause.BUFFER
            self._idle(tracks, waited, engine.now_cycles, cause, name)
        if costs.remote_psum_bytes:
            waited = engine.now_cycles
            yield from self._all(
                [
                    chip.noc.send(name, tile, home, vectors * size)
                    for tile, size in costs.remote_psum_bytes
                ]
            )
            self._idle(tracks, waited, engine.now_cycles, Cause.NOC, name)

    def _one_mvm(
        self,
        layer: str,
        tiles: tuple[int, ...],
        banks: tuple[tuple[int, int], ...],
        cycles: int,
        tracks: tuple[str, ...],
    ) -> Process:
        """Hold ``banks`` (if any) and the copy's PEs for ``cycles``."""
        sink, engine = self._chip.sink, self._engine
        asked = engine.now_cycles
        for bank in banks:
            yield self._chip.adc_banks[bank].acquire()
        start = engine.now_cycles
        self._idle(tracks, asked, start, Cause.ADC, layer)
        for tile in tiles:
            sink.tile_work_started(tile, start)
        yield engine.timeout(cycles)
        for tile in tiles:
            sink.tile_work_finished(tile, start + cycles)
        for bank in banks:
            self._chip.adc_banks[bank].release()
        for track in tracks:
            sink.interval(start, start + cycles, track, "mvm", layer)

    def _compute_digital(self, layer: str, data: TaskData) -> Process:
        chip, home = self._chip, data.home_tile
        read = self._engine.process(
            chip.tile_buffers[home].access(layer, data.buffer_read_bytes, write=False)
        )
        yield from chip.run_digital(layer, home, data.element_ops)
        if not read.triggered:
            yield read

    def _all(self, bodies: list[Process]) -> Process:
        """Run ``bodies`` concurrently and wait for all; a single one runs inline (fewer
        events; it starts in the same cycle, possibly ahead of events created earlier)."""
        if len(bodies) == 1:
            yield from bodies[0]
        elif bodies:
            yield self._engine.all_of([self._engine.process(body) for body in bodies])

    def _deliver(self, task: Task, data: TaskData) -> Process:
        yield from self._all(
            [
                self._chip.deliver(task.layer, data.home_tile, level, dst, size)
                for level, dst, size in data.deliveries
            ]
        )
        self.layer_end_cycles[task.layer] = self._engine.now_cycles
        self.done[task.task_id].succeed()
        if self._on_task_done is not None:
            self._on_task_done()
