"""Buffers and DRAM: one FIFO access port each, held for the transfer time."""

from cimsim.components.accounting import count_access
from cimsim.engine import Engine, Process
from cimsim.mapper.transfers import access_cycles
from cimsim.trace import TraceSink


class MemoryPort:
    """A buffer or DRAM channel: accesses queue FIFO on one port.

    An access of n bytes holds the port for first-word latency + n / bandwidth (hwmodels
    ``transfer_latency_ns``) and counts (kind, read_byte|write_byte) n times.
    """

    def __init__(
        self,
        engine: Engine,
        sink: TraceSink,
        name: str,
        kind: str,
        bandwidth_gbps: float,
        access_latency_ns: float,
    ) -> None:
        self._engine = engine
        self._sink = sink
        self.name = name
        self.kind = kind
        self._bandwidth_gbps = bandwidth_gbps
        self._access_latency_ns = access_latency_ns
        self._port = engine.port()
        self._cycles_by_size: dict[int, int] = {}

    def access_cycles(self, size_bytes: int) -> int:
        """Cycles one access of ``size_bytes`` holds the port."""
        return access_cycles(
            size_bytes, self._bandwidth_gbps, self._access_latency_ns, self._engine.clock_ghz
        )

    def access(self, layer: str, size_bytes: int, write: bool) -> Process:
        """Read or write ``size_bytes`` for ``layer``: wait for the port, then hold it."""
        if size_bytes <= 0:
            return
        cycles = self._cycles_by_size.get(size_bytes)
        if cycles is None:
            cycles = self._cycles_by_size[size_bytes] = self.access_cycles(size_bytes)
        yield self._port.acquire()
        yield self._engine.timeout(cycles)
        self._port.release()
        if self._sink.records_transfers:
            now = self._engine.now_cycles
            action = "write" if write else "read"
            self._sink.interval(now - cycles, now, self.name, action, layer, size_bytes)
        count_access(self._sink, layer, self.kind, size_bytes, write)
        self._sink.busy(self.name, cycles)
