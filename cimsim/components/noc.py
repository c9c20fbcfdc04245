"""A 2-D mesh NoC with dimension-order (XY) routing and wormhole switching.

Each directed link is a SimPy resource. A message reserves the links of its XY path in path
order (as a wormhole worm does), then takes hops x router latency + serialization of its
flits, then releases them. XY routing makes the channel dependency graph acyclic, so this
ordered reservation cannot deadlock. Contention is exact at message granularity: a message
waits while any link of its path carries another message.
"""

from cimsim.components.accounting import count_message
from cimsim.config.hardware import HardwareParams
from cimsim.engine import Engine, Process
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


class MeshNoc:
    """The mesh of routers joining the tiles, the global buffer and DRAM."""

    def __init__(
        self, engine: Engine, sink: TraceSink, hw: HardwareParams, rows: int, cols: int
    ) -> None:
        self._engine = engine
        self._sink = sink
        self._cols = cols
        self._noc = hw.noc
        self._links = {}
        for tile in range(rows * cols):
            row, col = divmod(tile, cols)
            for d_row, d_col in ((0, 1), (0, -1), (1, 0), (-1, 0)):
                r, c = row + d_row, col + d_col
                if 0 <= r < rows and 0 <= c < cols:
                    self._links[(tile, r * cols + c)] = engine.resource(1)
        self._routes: dict[tuple[int, int], list[Link]] = {}

    def route(self, src: int, dst: int) -> list[Link]:
        """The XY path, memoised."""
        key = (src, dst)
        path = self._routes.get(key)
        if path is None:
            path = xy_route(src, dst, self._cols)
            self._routes[key] = path
        return path

    def hops(self, src: int, dst: int) -> int:
        """Links between two tiles."""
        return len(self.route(src, dst))

    def send(self, layer: str, src: int, dst: int, size_bytes: int) -> Process:
        """Carry ``size_bytes`` from tile ``src`` to tile ``dst`` (no-op when equal)."""
        if src == dst or size_bytes <= 0:
            return
        path = self.route(src, dst)
        cycles = message_cycles(self._noc, size_bytes, len(path), self._engine.clock_ghz)
        self._sink.count(layer, "noc", "injected_byte", size_bytes)
        requests = []
        try:
            for link in path:
                request = self._links[link].request()
                requests.append((link, request))
                yield request
            yield self._engine.timeout(cycles)
        finally:
            for link, request in requests:
                self._links[link].release(request)
        count_message(self._sink, layer, size_bytes, len(path), self._noc.flit_bytes)
        now = self._engine.now_cycles
        for a, b in path:
            name = f"link{a}-{b}"
            self._sink.busy(name, cycles)
            if self._sink.records_transfers:
                self._sink.interval(now - cycles, now, name, "message", layer, size_bytes)
