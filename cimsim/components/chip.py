"""The simulated chip: tiles (buffer port, digital unit), the mesh NoC, global buffer, DRAM.

Also the two data paths every schedule uses: delivering a producer's rows to where its
consumer will read them (by the edge's storage level), and fetching them back from the
global buffer or DRAM into the consumer's tile.
"""

from cimsim.components.accounting import count_digital, digital_unit_name, tile_buffer_name
from cimsim.components.memory import MemoryPort
from cimsim.components.noc import MeshNoc
from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.engine import Engine, Process
from cimsim.mapper.transfers import digital_cycles
from cimsim.program import Level
from cimsim.trace import TraceSink


class Chip:
    """Every shared resource of the chip, built once per run."""

    def __init__(
        self,
        engine: Engine,
        sink: TraceSink,
        arch: ArchConfig,
        hw: HardwareParams,
        input_tile: int,
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.hw = hw
        self.input_tile = input_tile
        self.noc = MeshNoc(engine, sink, hw, arch.chip.mesh.rows, arch.chip.mesh.cols)
        self.tile_buffers = [
            MemoryPort(
                engine,
                sink,
                tile_buffer_name(t),
                "tile_buffer",
                hw.tile_buffer.bandwidth_gbps,
                hw.tile_buffer.access_latency_ns,
            )
            for t in range(arch.tiles)
        ]
        self.digital_units = [engine.port() for _ in range(arch.tiles)]
        banks_per_tile = arch.tile.pes // arch.tile.adc.shared_by_pes
        self.adc_banks = {
            (tile, bank): engine.port()
            for tile in range(arch.tiles)
            for bank in range(banks_per_tile)
        }
        self.global_buffer = MemoryPort(
            engine,
            sink,
            "global_buffer",
            "global_buffer",
            hw.global_buffer.bandwidth_gbps,
            hw.global_buffer.access_latency_ns,
        )
        self.dram = MemoryPort(
            engine, sink, "dram", "dram", hw.dram.bandwidth_gbps, hw.dram.access_latency_ns
        )

    def run_digital(self, layer: str, tile: int, element_ops: int) -> Process:
        """Hold ``tile``'s vector unit for ``element_ops`` operations."""
        cycles = digital_cycles(self.hw.digital, element_ops, self.hw.clock_ghz)
        if cycles == 0:
            return
        unit = self.digital_units[tile]
        yield unit.acquire()
        start = self.engine.now_cycles
        self.sink.tile_work_started(tile, start)
        yield self.engine.timeout(cycles)
        self.sink.tile_work_finished(tile, start + cycles)
        unit.release()
        unit_name = digital_unit_name(tile)
        self.sink.interval(start, start + cycles, unit_name, "digital", layer)
        count_digital(self.sink, layer, element_ops)
        self.sink.busy(unit_name, cycles)

    def deliver(self, layer: str, src_tile: int, level: Level, dst_tile: int, size: int) -> Process:
        """Move ``size`` bytes produced on ``src_tile`` to where the consumer reads them."""
        if size <= 0:
            return
        if level is Level.TILE:
            yield from self.noc.send(layer, src_tile, dst_tile, size)
            yield from self.tile_buffers[dst_tile].access(layer, size, write=True)
            self.sink.buffer_level(dst_tile, self.engine.now_cycles, size)
            return
        yield from self.noc.send(layer, src_tile, self.input_tile, size)
        yield from self.global_buffer.access(layer, size, write=True)
        if level is Level.DRAM:
            yield from self.dram.access(layer, size, write=True)

    def fetch(self, layer: str, level: Level, dst_tile: int, size: int) -> Process:
        """Bring ``size`` bytes stored at ``level`` into ``dst_tile``'s buffer."""
        if size <= 0 or level is Level.TILE:
            return
        port = self.dram if level is Level.DRAM else self.global_buffer
        yield from port.access(layer, size, write=False)
        yield from self.noc.send(layer, self.input_tile, dst_tile, size)
        yield from self.tile_buffers[dst_tile].access(layer, size, write=True)
        self.sink.buffer_level(dst_tile, self.engine.now_cycles, size)
