"""A 2-D mesh NoC with dimension-order (XY) routing and wormhole switching.

Each directed link is a FIFO port (``engine.Port``). A message reserves the links of
its XY path in path order (as a wormhole worm does), then takes hops x router latency +
serialization of its flits, then releases them. XY routing makes the channel dependency
graph acyclic, so this ordered reservation cannot deadlock. Contention is exact at message
granularity: a message waits while any link of its path carries another message.
"""

from dataclasses import dataclass

from cimsim.components.accounting import count_injected, count_message, link_name
from cimsim.config.hardware import HardwareParams
from cimsim.engine import Engine, Port, Process
from cimsim.mapper.transfers import message_cycles
from cimsim.trace import TraceSink

Link = tuple[int, int]
"""A directed link (from tile, to tile)."""


def xy_route(src: int, dst: int, cols: int) -> list[Link]:
    """Links of the XY path from tile ``src`` to ``dst`` (row-major indices): X first."""
    row, col = divmod(src, cols)
    dst_row, dst_col = divmod(dst, cols)
    links: list[Link] = []
    here = src
    while col != dst_col:
        col += 1 if dst_col > col else -1
        nxt = row * cols + col
        links.append((here, nxt))
        here = nxt
    while row != dst_row:
        row += 1 if dst_row > row else -1
        nxt = row * cols + col
        links.append((here, nxt))
        here = nxt
    return links


@dataclass(frozen=True)
class _Route:
    """An XY path, resolved once: its links' ports and trace names."""

    ports: tuple[Port, ...]
    names: tuple[str, ...]


class MeshNoc:
    """The mesh of routers joining the tiles, the global buffer and DRAM."""

    def __init__(
        self, engine: Engine, sink: TraceSink, hw: HardwareParams, rows: int, cols: int
    ) -> None:
        self._engine = engine
        self._sink = sink
        self._rows, self._cols = rows, cols
        self._noc = hw.noc
        self._links: dict[Link, Port] = {}
        self._routes: dict[tuple[int, int], _Route] = {}
        self._cycles: dict[tuple[int, int], int] = {}
        """(bytes, hops) -> message cycles: a run sends the same few sizes many times."""

    def _route(self, src: int, dst: int) -> _Route:
        """The XY path, memoised; link ports are made on first use."""
        key = (src, dst)
        route = self._routes.get(key)
        if route is None:
            tiles = self._rows * self._cols
            if not (0 <= src < tiles and 0 <= dst < tiles):  # a mapper bug, never user input
                raise ValueError(f"message {src}->{dst} leaves the {self._rows}x{self._cols} mesh")
            links = xy_route(src, dst, self._cols)
            for link in links:
                if link not in self._links:
                    self._links[link] = self._engine.port()
            ports = tuple(self._links[link] for link in links)
            route = _Route(ports, tuple(link_name(a, b) for a, b in links))
            self._routes[key] = route
        return route

    def send(self, layer: str, src: int, dst: int, size_bytes: int) -> Process:
        """Carry ``size_bytes`` from tile ``src`` to tile ``dst`` (no-op when equal)."""
        if src == dst or size_bytes <= 0:
            return
        route = self._route(src, dst)
        hops = len(route.ports)
        cycles = self._cycles.get((size_bytes, hops))
        if cycles is None:
            cycles = message_cycles(self._noc, size_bytes, hops, self._engine.clock_ghz)
            self._cycles[(size_bytes, hops)] = cycles
        count_injected(self._sink, layer, size_bytes)
        for port in route.ports:
            yield port.acquire()
        yield self._engine.timeout(cycles)
        for port in route.ports:
            port.release()
        sink = self._sink
        count_message(sink, layer, size_bytes, hops, self._noc.flit_bytes)
        for name in route.names:
            sink.busy(name, cycles)
        if sink.records_transfers:
            now = self._engine.now_cycles
            for name in route.names:
                sink.interval(now - cycles, now, name, "message", layer, size_bytes)
