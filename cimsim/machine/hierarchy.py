"""Hierarchical topologies: chiplets on an interposer (2.5-D) and tiers of a stack (3-D).

Both are several ``rows`` x ``cols`` meshes ("units": the chiplets of a package, the tiers
of a stack) numbered unit by unit: router (unit, row, col) is node
(unit x rows + row) x cols + col, and tile t sits at router t. Inside a unit, links are
on-chip mesh links (kind ``link``, the topology's bandwidth and router latency); between
units they have their own bandwidth, latency and kind, the counter kind their flits are
priced under (``interposer``; ``tsv`` or ``miv``).

``Chiplets`` (2.5-D). One router of every chiplet, its gateway (the same (row, col) in
each), carries the chiplet's interposer ports; interposer links join the gateways of
neighbouring chiplets on the chiplet grid (``interposer="mesh"``) or of chiplets
consecutive along a Hilbert curve over the grid (``"sfc"``, a chain: the space-filling-curve
network-on-interposer of Floret, Sharma et al., ACM TECS 2023). A message between chiplets
goes XY to its chiplet's gateway, over the interposer (XY on the chiplet grid, or along the
chain), then XY from the destination chiplet's gateway. The gateway design is cimsim's
choice (one place per chiplet where inter-chiplet traffic leaves, a configuration field);
chiplet meshes joined by a network-on-package are the systems of SIAM (Krishnan et al.,
ACM TECS 2021) and Simba (Shao et al., MICRO 2019).

``Stack3D`` (3-D). ``tiers`` meshes stacked, vertical links between routers above one
another: at every router (a 3-D mesh, routed X, then Y, then Z), at one ``elevator``
position (routed XY to it, up or down, XY on), or only along a 3-D space-filling curve
(``layout="sfc"``: the routers in the order of a Hilbert curve per tier, every other tier
reversed, each linked to the next; routed along that chain; the dataflow-aware 3-D NoC of
TEFLON, Narang et al., ACM TECS 2024, keeps the links its dataflow uses).

Deadlock freedom of holding a route's links in path order (``path_order_is_safe``): the
channel dependency graph is acyclic. Inside a mesh, XY routes depend X links -> Y links,
each monotone in one direction, so no chain of dependencies starting on a link out of a
router returns to a link into it; a message enters a unit's mesh only from its gateway or
elevator (then leaves it never again) and leaves it only towards it, so the links between
units never close a cycle through a mesh; the interposer and vertical routes are XY on a
grid or monotone along a chain. More than one elevator breaks the argument (a message
passes one elevator on its way from another): Stack3D then takes links in index order and
the configuration refuses it (cimsim.config.noc_layout). ``cimsim.machine.deadlock`` checks
the graph.
"""

import itertools
from dataclasses import dataclass, field
from typing import Literal

from cimsim.machine.sfc import CURVES, layered
from cimsim.machine.topology import Link, Topology


@dataclass(frozen=True, kw_only=True)
class Layered(Topology):
    """Several meshes of ``rows`` x ``cols`` routers, numbered unit by unit (module
    docstring); subclasses join the units."""

    _chain: tuple[int, ...] = field(init=False, default=(), repr=False, compare=False)
    _where: dict[int, int] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        chain = self._make_chain()
        object.__setattr__(self, "_chain", chain)
        object.__setattr__(self, "_where", {member: i for i, member in enumerate(chain)})
        links = self._links()
        object.__setattr__(self, "links", tuple(links))
        object.__setattr__(self, "_index", {(k.src, k.dst): i for i, k in enumerate(links)})

    @property
    def chain(self) -> tuple[int, ...]:
        """The order of a space-filling curve the topology lays links along (chiplets on
        the interposer; routers of a stack), if any."""
        return self._chain

    def _make_chain(self) -> tuple[int, ...]:
        return ()

    @property
    def units(self) -> int:
        """Meshes (chiplets or tiers)."""
        raise NotImplementedError

    @property
    def nodes(self) -> int:
        """Routers (and tiles) of all units."""
        return self.units * self.rows * self.cols

    @property
    def unit_nodes(self) -> int:
        """Routers of one unit."""
        return self.rows * self.cols

    def unit_of(self, node: int) -> int:
        """The unit (chiplet, tier) of a router."""
        return node // self.unit_nodes

    def position(self, node: int) -> tuple[int, int]:
        """(row, col) of a router inside its unit."""
        return divmod(node % self.unit_nodes, self.cols)

    def node_in(self, unit: int, row: int, col: int) -> int:
        """The router at (row, col) of ``unit``."""
        return unit * self.unit_nodes + row * self.cols + col

    def _links(self) -> list[Link]:
        raise NotImplementedError

    def _mesh_links(self, units: range) -> list[Link]:
        """The on-chip links of a mesh in each of ``units``."""
        links = []
        for unit in units:
            for row in range(self.rows):
                for col in range(self.cols):
                    for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
                        r, c = row + dr, col + dc
                        if 0 <= r < self.rows and 0 <= c < self.cols:
                            links.append(self._on_chip(self.node_in(unit, row, col),
                                                       self.node_in(unit, r, c)))  # fmt: skip
        return links

    def _on_chip(self, a: int, b: int) -> Link:
        return Link(a, b, self.link_bandwidth_gbps, self.router_latency_ns)

    def _xy(self, src: int, dst: int) -> list[int]:
        """Routers after ``src`` up to ``dst`` of one unit: along the row, then the column."""
        unit = self.unit_of(src)
        row, col = self.position(src)
        dst_row, dst_col = self.position(dst)
        visited = [self.node_in(unit, row, c) for c in _line(col, dst_col)]
        return visited + [self.node_in(unit, r, dst_col) for r in _line(row, dst_row)]


def _line(start: int, stop: int) -> list[int]:
    """Coordinates after ``start`` up to ``stop``, one step at a time."""
    step = 1 if stop >= start else -1
    return list(range(start + step, stop + step, step)) if start != stop else []


def _along(chain: tuple[int, ...], where: dict[int, int], src: int, dst: int) -> list[int]:
    """Members of ``chain`` after ``src`` up to ``dst`` (``where``: member -> position)."""
    a, b = where[src], where[dst]
    return list(chain[a + 1 : b + 1]) if b >= a else list(chain[b:a][::-1])


@dataclass(frozen=True, kw_only=True)
class Chiplets(Layered):
    """Chiplets on a ``grid`` of (rows, cols), each a mesh, joined by interposer links
    between their gateway routers (module docstring)."""

    grid: tuple[int, int]
    """Chiplets (rows, cols) on the interposer; chiplet k sits at divmod(k, cols)."""
    gateway: tuple[int, int]
    """(row, col) of the router of every chiplet that carries its interposer ports."""
    interposer: Literal["mesh", "sfc"] = "mesh"
    """Interposer links: between grid neighbours, or along a Hilbert curve over the grid."""
    interposer_bandwidth_gbps: float
    """Payload bandwidth of one interposer link, one direction, GB/s."""
    interposer_latency_ns: float
    """Latency of one interposer hop (both ends' circuits and the wire), ns."""
    kind: str = field(default="chiplets", init=False)

    @property
    def units(self) -> int:
        """Chiplets."""
        return self.grid[0] * self.grid[1]

    def _make_chain(self) -> tuple[int, ...]:
        """Chiplets in the order of the Hilbert curve over the grid (the SFC interposer)."""
        return tuple(CURVES["hilbert"](*self.grid)) if self.interposer == "sfc" else ()

    def gateway_of(self, chiplet: int) -> int:
        """The gateway router of ``chiplet``."""
        return self.node_in(chiplet, *self.gateway)

    def _links(self) -> list[Link]:
        links = self._mesh_links(range(self.units))
        for a, b in self._interposer_pairs():
            links.append(Link(self.gateway_of(a), self.gateway_of(b),
                              self.interposer_bandwidth_gbps, self.interposer_latency_ns,
                              "interposer"))  # fmt: skip
        return links

    def _interposer_pairs(self) -> list[tuple[int, int]]:
        """(chiplet, chiplet) of every directed interposer link."""
        if self.interposer == "sfc":
            pairs = list(itertools.pairwise(self._chain))
        else:
            rows, cols = self.grid
            pairs = [(r * cols + c, r * cols + c + 1) for r in range(rows) for c in range(cols - 1)]
            pairs += [(r * cols + c, (r + 1) * cols + c) for r in range(rows - 1)
                      for c in range(cols)]  # fmt: skip
        return sorted(pairs + [(b, a) for a, b in pairs])

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        here, there = self.unit_of(src), self.unit_of(dst)
        if here == there:
            return tuple(self._xy(src, dst))
        out, into = self.gateway_of(here), self.gateway_of(there)
        hops = self._xy(src, out)
        hops += [self.gateway_of(chiplet) for chiplet in self._interposer_route(here, there)]
        return tuple(hops + self._xy(into, dst))

    def _interposer_route(self, src: int, dst: int) -> list[int]:
        """Chiplets after ``src`` up to ``dst`` on the interposer."""
        if self.interposer == "sfc":
            return _along(self._chain, self._where, src, dst)
        cols = self.grid[1]
        (row, col), (dst_row, dst_col) = divmod(src, cols), divmod(dst, cols)
        visited = [row * cols + c for c in _line(col, dst_col)]
        return visited + [r * cols + dst_col for r in _line(row, dst_row)]


@dataclass(frozen=True, kw_only=True)
class Stack3D(Layered):
    """``tiers`` meshes stacked and joined by vertical links (module docstring)."""

    tiers: int
    """Tiers of the stack, each a rows x cols mesh; tier 0 at the bottom."""
    vertical: Literal["tsv", "miv"] = "tsv"
    """Kind of the vertical links (through-silicon vias or monolithic inter-tier vias)."""
    vertical_bandwidth_gbps: float
    """Payload bandwidth of one vertical link, one direction, GB/s."""
    vertical_latency_ns: float
    """Latency of one vertical hop, ns."""
    layout: Literal["mesh", "sfc"] = "mesh"
    """Links of a 3-D mesh, or only those along the 3-D space-filling curve."""
    elevators: tuple[tuple[int, int], ...] = ()
    """Layout mesh: (row, col) of the only positions with vertical links (empty: every
    router has them)."""
    kind: str = field(default="stack3d", init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "path_order_is_safe", len(self.elevators) <= 1)

    @property
    def units(self) -> int:
        """Tiers."""
        return self.tiers

    def _make_chain(self) -> tuple[int, ...]:
        """Every router in the order of the 3-D space-filling curve (the SFC layout)."""
        if self.layout != "sfc":
            return ()
        order = layered("hilbert", self.rows, self.cols, range(self.tiers), alternate=True)
        return tuple(tier * self.unit_nodes + cell for tier, cell in order)

    def _vertical(self, a: int, b: int) -> Link:
        return Link(a, b, self.vertical_bandwidth_gbps, self.vertical_latency_ns, self.vertical)

    def _links(self) -> list[Link]:
        if self.layout == "sfc":
            return self._chain_links()
        links = self._mesh_links(range(self.tiers))
        columns = self.elevators or tuple(
            (r, c) for r in range(self.rows) for c in range(self.cols)
        )
        for tier in range(self.tiers - 1):
            for row, col in columns:
                below, above = self.node_in(tier, row, col), self.node_in(tier + 1, row, col)
                links += [self._vertical(below, above), self._vertical(above, below)]
        return links

    def _chain_links(self) -> list[Link]:
        chain = self._chain
        links = []
        for a, b in itertools.pairwise(chain):
            same_tier = self.unit_of(a) == self.unit_of(b)
            make = self._on_chip if same_tier else self._vertical
            links += [make(a, b), make(b, a)]
        return sorted(links, key=lambda k: (k.kind != "link", k.src, k.dst))

    def _walk(self, src: int, dst: int) -> tuple[int, ...]:
        if self.layout == "sfc":
            return tuple(_along(self._chain, self._where, src, dst))
        here, there = self.unit_of(src), self.unit_of(dst)
        if here == there:
            return tuple(self._xy(src, dst))
        lift = self._elevator(src) if self.elevators else self.position(dst)
        up = self.node_in(here, *lift)
        hops = self._xy(src, up)
        hops += [self.node_in(tier, *lift) for tier in _line(here, there)]
        return tuple(hops + self._xy(self.node_in(there, *lift), dst))

    def _elevator(self, node: int) -> tuple[int, int]:
        """The elevator nearest ``node`` in its tier (ties: the first listed)."""
        row, col = self.position(node)
        return min(self.elevators, key=lambda rc: abs(rc[0] - row) + abs(rc[1] - col))


def summary_line(topology: Topology) -> str:
    """One line on a topology: its meshes, how they are joined and routed, its links."""
    on_chip = sum(link.kind == "link" for link in topology.links)
    tiles = f"{topology.nodes} tiles, {on_chip} on-chip links"
    grid = f"{topology.rows}x{topology.cols}"
    if isinstance(topology, Chiplets):
        joins = len(topology.links) - on_chip
        how = "a chain along a Hilbert curve" if topology.interposer == "sfc" else "a mesh"
        return (f"chiplets: {topology.grid[0]}x{topology.grid[1]} chiplets of {grid} meshes "
                f"(XY), gateways at {list(topology.gateway)}, joined by {how} of {joins} "
                f"interposer links ({topology.interposer_bandwidth_gbps:g} GB/s, "
                f"{topology.interposer_latency_ns:g} ns each); {tiles}")  # fmt: skip
    if isinstance(topology, Stack3D):
        vertical = len(topology.links) - on_chip
        if topology.layout == "sfc":
            how = "links only along a 3-D Hilbert curve, routed along it"
        elif topology.elevators:
            how = f"one elevator at {list(topology.elevators[0])}, routed XY, Z, XY"
        else:
            how = "a 3-D mesh routed X, Y, then Z"
        return (f"stack3d: {topology.tiers} tiers of {grid} meshes, {how}; {vertical} "
                f"{topology.vertical} links ({topology.vertical_bandwidth_gbps:g} GB/s, "
                f"{topology.vertical_latency_ns:g} ns each); {tiles}")  # fmt: skip
    routing = {"mesh": "XY", "torus": "dimension order, the shorter way round",
               "ring": "the shorter way round"}.get(topology.kind, "")  # fmt: skip
    return f"{topology.kind} of {grid} routers ({routing}); {tiles}"
