"""Executes a Program on the Chip: one SimPy process per layer copy, in task order.

A task waits for its dependencies, fetches any input rows kept in the global buffer or
DRAM, computes (crossbar MVMs for a crossbar layer, the tile's vector unit for a digital
one), then delivers its output rows to its consumers in a separate process, so the copy
starts its next task while the outputs travel. A task counts as done when its outputs have
arrived where its consumers read them.

Timing of a crossbar task (n output vectors): a copy's crossbar groups step together, one
MVM taking mvm_cycles. When its ADC banks are its own, nothing can interleave with its MVMs
and the n MVMs are one timeout of n x mvm_cycles (identical in result to n timeouts, and n
times cheaper). When a bank is shared with PEs of other copies (``adc.shared_by_pes`` > 1),
each MVM requests the shared banks (in ascending order, so no deadlock), holds them for
mvm_cycles and releases them: contention is exact per vector. The input rows stream from
the home tile buffer, and slices of them to the copy's other tiles over the NoC,
concurrently with the MVMs (double-buffered input registers); partial sums from other tiles
return to the home tile
after them.
"""

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from cimsim.components.chip import Chip, row_bytes
from cimsim.engine import Engine, Process
from cimsim.mapper import ChipMapping
from cimsim.program import Level, Program, Task
from cimsim.trace import Cause
from workloads.shapes import GraphInfo, LayerInfo, input_rows_needed, rows_of


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
        self._bits = activation_bits
        self._outputs = frozenset(info.outputs)
        self._on_task_done = on_task_done
        self._fine_grained = fine_grained
        self.done = [engine.event() for _ in program.tasks]
        self._fetched: dict[tuple[str, int, int, str], int] = {}
        self.layer_start_cycles: dict[str, int] = {}
        self.layer_end_cycles: dict[str, int] = {}
        self._targets = self._delivery_targets()

    def start(self) -> None:
        """Create one process per layer copy (in the Program's deterministic order)."""
        for (layer, copy), queue in self._program.queues.items():
            self._engine.process(self._run_queue(layer, copy, queue))

    def _run_queue(self, layer: str, copy: int, queue: tuple[int, ...]) -> Process:
        info = self._info.by_name[layer]
        home = self._mapping.home_tile(layer, copy)
        tracks = self._pe_tracks(layer, copy)
        free_since = 0  # when this copy's PEs last became free
        for task_id in queue:
            task = self._program.tasks[task_id]
            pending = [self.done[d] for d in task.deps if not self.done[d].triggered]
            if pending:
                yield self._engine.all_of(pending)
            ready = self._engine.now_cycles
            self._idle(tracks, free_since, ready, task.wait_cause, layer)
            self.layer_start_cycles.setdefault(layer, ready)
            cause = yield from self._fetch_inputs(task, info, home)
            self._idle(tracks, ready, self._engine.now_cycles, cause, layer)
            if info.is_mvm:
                yield from self._compute_mvm(task, info, home, tracks)
            else:
                yield from self._compute_digital(task, info, home)
            free_since = self._engine.now_cycles
            self._engine.process(self._deliver(task, info, home))

    def _pe_tracks(self, layer: str, copy: int) -> tuple[str, ...]:
        """Trace components of a crossbar layer copy: one per PE; none when not tracing."""
        if not self._chip.sink.records_compute or layer not in self._mapping.copies:
            return ()
        groups = self._mapping.copies[layer][copy].groups
        return tuple(f"tile{g.tile}.pe{g.pe}" for g in groups)

    def _idle(self, tracks: tuple[str, ...], start: int, end: int, cause: str, layer: str) -> None:
        if end > start:
            for track in tracks:
                self._chip.sink.interval(start, end, track, "idle", layer, cause=cause)

    def _fetch_inputs(self, task: Task, info: LayerInfo, home: int) -> Generator[Any, Any, str]:
        """Bring rows kept off-tile to the home tile; return the idle cause while waiting."""
        fetches = []
        cause = Cause.GLOBAL_BUFFER
        for index, producer in enumerate(info.inputs):
            level = self._program.edge_levels[(producer, info.name)]
            if level is Level.TILE:
                continue
            start, stop = input_rows_needed(info, task.row_start, task.row_stop, index)
            key = (info.name, task.copy, task.inference, producer)
            already = self._fetched.get(key, 0)
            new_rows = max(0, stop - max(start, already))
            self._fetched[key] = max(already, stop)
            size = new_rows * row_bytes(info.input_shapes[index], self._bits)
            if size:
                fetches.append(self._engine.process(self._chip.fetch(info.name, level, home, size)))
                if level is Level.DRAM:
                    cause = Cause.DRAM
        if fetches:
            yield self._engine.all_of(fetches)
        return cause

    def _compute_mvm(
        self, task: Task, info: LayerInfo, home: int, tracks: tuple[str, ...]
    ) -> Process:
        chip, name, engine = self._chip, info.name, self._engine
        costs = self._mapping.costs[name][task.copy]
        placement = self._mapping.copies[name][task.copy]
        vectors = (task.row_stop - task.row_start) * info.vectors_per_row
        streams = [
            engine.process(
                chip.tile_buffers[home].access(name, vectors * costs.input_bytes, write=False)
            )
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
        for group in placement.groups:
            chip.sink.busy(f"tile{group.tile}.pe{group.pe}", cycles)
        sink = chip.sink
        sink.count(name, "crossbar", "read", vectors * costs.crossbar_reads)
        sink.count(name, "adc", "conversion", vectors * costs.adc_conversions)
        sink.count(name, "dac", "drive", vectors * costs.dac_drives)
        sink.count(name, "shift_add", "op", vectors * costs.adc_conversions)
        sink.count(name, "pe", "mvm", vectors * len(placement.groups))
        pending = [s for s in streams if not s.triggered]
        if pending:
            waited = engine.now_cycles
            yield engine.all_of(pending)
            cause = Cause.NOC if costs.remote_input_bytes else Cause.BUFFER
            self._idle(tracks, waited, engine.now_cycles, cause, name)
        gathers = [
            engine.process(chip.noc.send(name, tile, home, vectors * size))
            for tile, size in costs.remote_psum_bytes
        ]
        if gathers:
            waited = engine.now_cycles
            yield engine.all_of(gathers)
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
        requests = []
        asked = engine.now_cycles
        for bank in banks:
            request = self._chip.adc_banks[bank].request()
            requests.append((bank, request))
            yield request
        start = engine.now_cycles
        self._idle(tracks, asked, start, Cause.ADC, layer)
        for tile in tiles:
            sink.tile_work_started(tile, start)
        yield engine.timeout(cycles)
        for tile in tiles:
            sink.tile_work_finished(tile, start + cycles)
        for bank, request in requests:
            self._chip.adc_banks[bank].release(request)
        for track in tracks:
            sink.interval(start, start + cycles, track, "mvm", layer)

    def _compute_digital(self, task: Task, info: LayerInfo, home: int) -> Process:
        chip, name = self._chip, info.name
        size = 0
        for index in range(len(info.inputs)):
            start, stop = input_rows_needed(info, task.row_start, task.row_stop, index)
            size += (stop - start) * row_bytes(info.input_shapes[index], self._bits)
        read = self._engine.process(chip.tile_buffers[home].access(name, size, write=False))
        share = (task.row_stop - task.row_start) / max(info.output_rows, 1)
        yield from chip.run_digital(name, home, math.ceil(info.element_ops * share))
        if not read.triggered:
            yield read

    def _delivery_targets(self) -> dict[str, list[tuple[Level, int, np.ndarray | None]]]:
        """Producer -> (level, destination tile, rows wanted) of every place its rows go.

        Rows kept in a tile buffer go only to the consumer copies whose tasks read them
        (a boolean mask over the producer's output rows, merged per destination tile); rows
        kept in the global buffer or DRAM are stored once (tile -1, no mask).
        """
        wanted: dict[tuple[str, int], np.ndarray] = {}
        shared: dict[str, list[Level]] = {}
        for task in self._program.tasks:
            info = self._info.by_name[task.layer]
            home = self._mapping.home_tile(task.layer, task.copy)
            for index, producer in enumerate(info.inputs):
                level = self._program.edge_levels[(producer, task.layer)]
                if level is not Level.TILE:
                    if level not in shared.setdefault(producer, []):
                        shared[producer].append(level)
                    continue
                start, stop = input_rows_needed(info, task.row_start, task.row_stop, index)
                mask = wanted.get((producer, home))
                if mask is None:
                    mask = np.zeros(rows_of(info.input_shapes[index]), dtype=bool)
                    wanted[(producer, home)] = mask
                mask[start:stop] = True
        targets: dict[str, list[tuple[Level, int, np.ndarray | None]]] = {}
        for (producer, tile), mask in wanted.items():
            targets.setdefault(producer, []).append((Level.TILE, tile, mask))
        for producer, levels in shared.items():
            targets.setdefault(producer, []).extend((level, -1, None) for level in levels)
        for output in self._outputs:
            targets.setdefault(output, []).append((Level.DRAM, -1, None))
        return targets

    def _deliver(self, task: Task, info: LayerInfo, home: int) -> Process:
        per_row = row_bytes(info.output_shape, self._bits)
        moves = []
        for level, dst, mask in self._targets.get(info.name, ()):
            rows = task.row_stop - task.row_start
            if mask is not None:
                rows = int(mask[task.row_start : task.row_stop].sum())
            if rows:
                move = self._chip.deliver(info.name, home, level, dst, rows * per_row)
                moves.append(self._engine.process(move))
        if moves:
            yield self._engine.all_of(moves)
        self.layer_end_cycles[info.name] = self._engine.now_cycles
        self.done[task.task_id].succeed()
        if self._on_task_done is not None:
            self._on_task_done()
