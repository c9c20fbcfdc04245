"""Loading a part's weights onto the chip: DRAM read, NoC to the tiles, RRAM programming.

What moves and how long programming takes is planned by ``mapper.weight_loads``; here it
takes time. Every layer's DRAM read is issued at once, so the reads queue on the chip's
DRAM port at its bandwidth; each copy's shares then travel over the NoC to its tiles
concurrently, and the copy is programmed once they have all arrived.

Counted (sink kind "rram"): ``cell_write`` = cells that hold weights (bit slices included),
``row_write`` = crossbar rows written; plus DRAM read bytes and NoC bytes as usual. Traced
per PE: idle with cause ``drained`` from when the PE was last free (its last task in an
earlier part, whose layer it is charged to, or the start of the run) until the load starts,
idle with cause ``weights`` until its bytes arrive, a ``program`` interval, and ``weights``
again until every copy of the part is programmed: the track has no gap and no overlap.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from cimsim.components.accounting import pe_names
from cimsim.components.chip import Chip
from cimsim.engine import Process
from cimsim.mapper import ChipMapping
from cimsim.mapper.weight_loads import CopyLoad, LayerLoad, plan_weight_loads
from cimsim.trace import Cause
from hwmodels.crossbar.energy import RramWriteParams


@dataclass(frozen=True)
class _Free:
    """When a load started, and (cycle, layer) of each PE's last task before it."""

    load_start: int
    since: Mapping[str, tuple[int, str]]


class WeightLoader:
    """Loads the weights of a mapping (a part of a network) onto the chip."""

    def __init__(self, chip: Chip, write: RramWriteParams | None = None) -> None:
        """``write``: RRAM write figures (hwmodels' defaults when None)."""
        self._chip = chip
        self._write = write

    def load(
        self,
        mapping: ChipMapping,
        weight_bytes: Mapping[str, int],
        pe_free_since: Mapping[str, tuple[int, str]] | None = None,
    ) -> Process:
        """Load every crossbar layer of ``mapping``; ``weight_bytes``: one copy, per layer.
        ``pe_free_since``: (cycle, layer) of each PE's last task of an earlier part (a PE
        not named was free from cycle 0); its track goes on from there."""
        engine = self._chip.engine
        start = engine.now_cycles
        loads = plan_weight_loads(mapping, weight_bytes, self._chip.hw.clock_ghz, self._write)
        programmed: dict[str, tuple[str, int]] = {}  # PE track -> (layer, programmed cycle)
        free = _Free(start, pe_free_since or {})
        layers = [
            engine.process(self._load_layer(load, mapping.input_tile, free, programmed))
            for load in loads
        ]
        if layers:
            yield engine.all_of(layers)
        now = engine.now_cycles
        for track, (layer, done) in programmed.items():
            self._chip.sink.interval(done, now, track, "idle", layer, cause=Cause.WEIGHTS)
        self._chip.sink.interval(start, now, "weights", "weight_load", "")

    def _load_layer(
        self,
        load: LayerLoad,
        dram_tile: int,
        free: _Free,
        programmed: dict[str, tuple[str, int]],
    ) -> Process:
        chip = self._chip
        yield from chip.dram.access(load.layer, load.dram_bytes, write=False)
        copies = [
            chip.engine.process(self._program_copy(load, copy, dram_tile, free, programmed))
            for copy in load.copies
        ]
        yield chip.engine.all_of(copies)

    def _program_copy(
        self,
        load: LayerLoad,
        copy: CopyLoad,
        dram_tile: int,
        free: _Free,
        programmed: dict[str, tuple[str, int]],
    ) -> Process:
        chip, name = self._chip, load.layer
        sends = [
            chip.engine.process(chip.noc.send(name, dram_tile, tile, size))
            for tile, size in copy.sends
        ]
        yield chip.engine.all_of(sends)
        start = chip.engine.now_cycles
        yield chip.engine.timeout(copy.program_cycles)
        chip.sink.count(name, "rram", "cell_write", load.cell_writes)
        chip.sink.count(name, "rram", "row_write", load.row_writes)
        end = start + copy.program_cycles
        for track in pe_names(copy.placement):
            since, last_layer = free.since.get(track, (0, name))
            chip.sink.interval(since, free.load_start, track, "idle", last_layer,
                               cause=Cause.DRAINED)  # fmt: skip
            chip.sink.interval(free.load_start, start, track, "idle", name, cause=Cause.WEIGHTS)
            chip.sink.interval(start, end, track, "program", name)
            programmed[track] = (name, end)
