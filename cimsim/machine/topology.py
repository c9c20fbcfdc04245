"""The network joining the tiles: one interface, several topologies (pure; no SimPy).

A topology has ``nodes`` routers, numbered from 0; tile t sits at router t. Its directed
links each carry a bandwidth, a per-hop latency and a kind (the counter kind their energy is
priced under). ``route(src, dst)`` is the deterministic path of a message, as link indices
in the order a message traverses them. Timing of a message over a path (wormhole: the head
pays every hop's latency, the body streams behind it at the slowest link's bandwidth):

    cycles = sum over links of ceil(latency_ns x clock) + ceil(flits x flit_bytes / min bw x clock)

Implementations: ``Mesh`` (2-D mesh, XY routing), ``Torus`` (2-D torus, dimension order,
shortest way round each ring) and ``Ring`` (1-D ring, shortest way round). Adding one is a
subclass that builds its links and routes; nothing else in cimsim changes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from hwmodels.noc import flits_for_bytes
from hwmodels.timing import ns_to_cycles


@dataclass(frozen=True, slots=True)
class Link:
    """One directed link between neighbouring routers."""

    src: int
    """Router it leaves."""
    dst: int
    """Router it enters."""
    bandwidth_gbps: float
    """Payload bandwidth, GB/s."""
    latency_ns: float
    """Latency of the hop it completes (router pipeline and wire), ns."""
    kind: str = "link"
    """Counter kind its flits are counted and priced under (an on-chip link: "link")."""

    @property
    def name(self) -> str:
        """Busy-time and trace name, e.g. ``link3-4``."""
        return f"link{self.src}-{self.dst}"


@dataclass(frozen=True)
class Topology:
    """Routers, directed links and a routing function (subclasses define the last two)."""

    rows: int
    """Router rows of the layout (1 for a ring)."""
    cols: int
    """Router columns of the layout."""
    flit_bytes: int
    """Bytes per flit."""
    link_bandwidth_gbps: float
    """Payload bandwidth of every link, GB/s."""
    router_latency_ns: float
    """Latency of one hop, ns."""
    links: tuple[Link, ...] = field(init=False)
    """Every directed link; a link's index is its position here."""
    _index: dict[tuple[int, int], int] = field(init=False, repr=False, compare=False)

    kind: str = field(default="", init=False)
    """Topology name as the architecture file writes it."""
    path_order_is_safe: bool = field(default=True, init=False)
    """Whether holding a path's links in path order cannot deadlock (acyclic channel
    dependencies, as XY routing on a mesh). Otherwise links are taken in index order."""

    def __post_init__(self) -> None:
        links = tuple(
            Link(a, b, self.link_bandwidth_gbps, self.router_latency_ns)
            for a, b in self._neighbour_pairs()
        )
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "_index", {(k.src, k.dst): i for i, k in enumerate(links)})

    @property
    def nodes(self) -> int:
        """Routers (and tiles)."""
        return self.rows * self.cols

    def position(self, node: int) -> tuple[int, int]:
        """(row, col) of a router."""
        return divmod(node, self.cols)

    def node_at(self, row: int, col: int) -> int:
        """The router at (row, col)."""
        return row * self.cols + col

    def route(self, src: int, dst: int) -> tuple[int, ...]:
        """Indices of the links from router ``src`` to ``dst``, in traversal order."""
        if not (0 <= src < self.nodes and 0 <= dst < self.nodes):
            raise ValueError(f"route {src}->{dst} leaves the {self.rows}x{self.cols} {self.kind}")
        index = self._index
        hops = self._walk(src, dst)
        return tuple(index[(a, b)] for a, b in zip((src, *hops), hops, strict=False))

    def hops(self, src: int, dst: int) -> int:
        """Links on the route from ``src`` to ``dst``."""
        return len(self._walk(src, dst))

    def acquisition_order(self, route: Sequence[int]) -> tuple[int, ...]:
        """The order in which a message takes its links (deadlock-free for this topology)."""
        return tuple(route) if self.path_order_is_safe else tuple(sorted(route))

    def message_cycles(self, route: Sequence[int], size_bytes: int, clock_ghz: float) -> int:
        """Cycles a message of ``size_bytes`` holds its route (module docstring)."""
        links = [self.links[i] for i in route]
        if not links:
            return 0
        flits = flits_for_bytes(size_bytes, self.flit_bytes)
        head = sum(ns_to_cycles(link.latency_ns, clock_ghz) for link in links)
        slowest_gbps = min(link.bandwidth_gbps for link in links)
        return head + ns_to_cycles(flits * self.flit_bytes / slowest_gbps, clock_ghz)

    def _neighbour_pairs(self) -> list[tuple[int, int]]:
        raise NotImplementedError

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        """Routers visited after ``src`` up to and including ``dst``."""
        raise NotImplementedError


def _steps(start: int, stop: int, size: int, wrap: bool) -> list[int]:
    """Coordinates visited going from ``start`` to ``stop`` along one dimension: straight on
    a mesh; on a ring the shorter way round (ties: increasing)."""
    if start == stop:
        return []
    if not wrap:
        step = 1 if stop > start else -1
        return list(range(start + step, stop + step, step))
    forward = (stop - start) % size
    step = 1 if forward <= size - forward else -1
    count = forward if step == 1 else size - forward
    return [(start + step * (k + 1)) % size for k in range(count)]


@dataclass(frozen=True)
class Mesh(Topology):
    """2-D mesh with dimension-order (XY) routing: along the row first, then the column."""

    kind: str = field(default="mesh", init=False)

    def _neighbour_pairs(self) -> list[tuple[int, int]]:
        pairs = []
        for node in range(self.nodes):
            row, col = self.position(node)
            for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
                r, c = row + dr, col + dc
                if 0 <= r < self.rows and 0 <= c < self.cols:
                    pairs.append((node, self.node_at(r, c)))
        return pairs

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        return _dimension_order(self, src, dst, wrap=False)


@dataclass(frozen=True)
class Torus(Topology):
    """2-D torus: a mesh whose rows and columns close into rings; dimension order, the
    shorter way round each ring. Its channel dependencies are cyclic, so messages take their
    links in index order (``path_order_is_safe`` is False)."""

    kind: str = field(default="torus", init=False)
    path_order_is_safe: bool = field(default=False, init=False)

    def _neighbour_pairs(self) -> list[tuple[int, int]]:
        pairs: set[tuple[int, int]] = set()
        for node in range(self.nodes):
            row, col = self.position(node)
            for r, c in (
                (row, (col + 1) % self.cols),
                (row, (col - 1) % self.cols),
                ((row + 1) % self.rows, col),
                ((row - 1) % self.rows, col),
            ):
                other = self.node_at(r, c)
                if other != node:
                    pairs.add((node, other))
        return sorted(pairs)

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        return _dimension_order(self, src, dst, wrap=True)


@dataclass(frozen=True)
class Ring(Topology):
    """1-D bidirectional ring of ``cols`` routers (``rows`` must be 1), the shorter way
    round. Cyclic channel dependencies: links are taken in index order."""

    kind: str = field(default="ring", init=False)
    path_order_is_safe: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.rows != 1:
            raise ValueError(f"a ring has one row of routers, got rows = {self.rows}")
        super().__post_init__()

    def _neighbour_pairs(self) -> list[tuple[int, int]]:
        if self.cols == 1:
            return []
        pairs = {(n, (n + step) % self.cols) for n in range(self.cols) for step in (1, -1)}
        return sorted((a, b) for a, b in pairs if a != b)

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        return _dimension_order(self, src, dst, wrap=True)


def _dimension_order(topology: Topology, src: int, dst: int, wrap: bool) -> tuple[int, ...]:
    row, col = topology.position(src)
    dst_row, dst_col = topology.position(dst)
    visited = [topology.node_at(row, c) for c in _steps(col, dst_col, topology.cols, wrap)]
    visited += [topology.node_at(r, dst_col) for r in _steps(row, dst_row, topology.rows, wrap)]
    return tuple(visited)


TOPOLOGIES: Mapping[str, type[Topology]] = MappingProxyType(
    {"mesh": Mesh, "torus": Torus, "ring": Ring}
)
"""Topology name in the architecture file -> implementation."""


def diameter(topology: Topology) -> int:
    """Most hops between any two routers (for docs and tests)."""
    return max(
        (topology.hops(a, b) for a in range(topology.nodes) for b in range(topology.nodes)),
        default=0,
    )
