"""Building the Machine from a validated architecture (the only reader of its structure)."""

from collections.abc import Sequence

from cimsim.config.model import ArchConfig, MemoryLevelConfig, NocConfig
from cimsim.errors import ConfigError
from cimsim.machine import Machine
from cimsim.machine.deadlock import unreachable
from cimsim.machine.hierarchy import Chiplets, Layered, Stack3D
from cimsim.machine.memory import MemoryHierarchy, MemoryLevel, Scope
from cimsim.machine.routers import RouterParams, router_model
from cimsim.machine.topology import TOPOLOGIES, Topology
from cimsim.machine.units import CrossbarUnit, VectorUnit


def build_machine(arch: ArchConfig) -> Machine:
    """The machine ``arch`` describes."""
    topology = build_topology(arch.noc)
    cut_off = unreachable(topology)
    if cut_off:
        raise ConfigError(f"{arch.name}: noc: routers {list(cut_off[:8])} are not connected to "
                          f"router 0 both ways; every router must reach every other")  # fmt: skip
    levels = tuple(_level(level.name, level, topology) for level in arch.memory)
    units = (
        CrossbarUnit(
            name="crossbar",
            pes_per_tile=arch.tile.pes,
            crossbars_per_pe=arch.tile.pe.crossbars,
            pes_per_adc_bank=arch.tile.adc.shared_by_pes,
        ),
        VectorUnit(name="digital", lanes=arch.tile.digital.lanes),
    )
    clock_ghz = arch.clock.frequency_ghz
    routers = None
    if arch.noc.model == "routers":
        routers = router_model(topology, router_params(arch), clock_ghz)
    return Machine(arch.name, clock_ghz, topology, MemoryHierarchy(levels), units, routers)


def router_params(arch: ArchConfig) -> RouterParams:
    """The routers of ``arch`` (noc.router; its stage split from noc.router_latency)."""
    noc, router = arch.noc, arch.noc.router
    hop_cycles = noc.hop_cycles(arch.clock.frequency_ghz)
    stages = router.stages(hop_cycles)
    return RouterParams(
        vcs=router.vcs,
        buffer_flits=router.buffer_flits,
        input_speedup=router.input_speedup,
        credit_delay_cycles=router.credit_delay_cycles,
        injection_cycles=router.injection_cycles,
        link_cycles=hop_cycles - sum(stages.values()),
        deadlock_cycles=router.deadlock_cycles,
        **stages,
    )


def build_topology(noc: NocConfig) -> Topology:
    """The router network of a ``noc`` section."""
    common = {
        "rows": noc.rows,
        "cols": noc.cols,
        "flit_bytes": int(noc.flit_size_bytes),
        "link_bandwidth_gbps": noc.link_bandwidth_gbps,
        "router_latency_ns": noc.router_latency_ns,
    }
    if noc.chiplets is not None:
        chiplets = noc.chiplets
        return Chiplets(**common, grid=chiplets.grid,
                        gateway=chiplets.gateway or (noc.rows // 2, noc.cols // 2),
                        interposer=chiplets.interposer,
                        interposer_bandwidth_gbps=chiplets.link_bandwidth_gbps,
                        interposer_latency_ns=chiplets.link_latency_ns)  # fmt: skip
    if noc.stack3d is not None:
        stack = noc.stack3d
        return Stack3D(**common, tiers=stack.tiers, vertical=stack.vertical, layout=stack.layout,
                       elevators=stack.elevators or (),
                       vertical_bandwidth_gbps=stack.link_bandwidth_gbps,
                       vertical_latency_ns=stack.link_latency_ns)  # fmt: skip
    return TOPOLOGIES[noc.topology](**common)


def router_of(topology: Topology, address: tuple[int, ...]) -> int:
    """The router at [row, col] (of chiplet or tier 0) or [unit, row, col]."""
    unit, (row, col) = (address[0], address[1:]) if len(address) == 3 else (0, address)
    return unit * topology.rows * topology.cols + topology.node_at(row, col)


def unit_of(topology: Topology, node: int) -> int:
    """The chiplet or tier of a router (0 on a topology of one mesh)."""
    return topology.unit_of(node) if isinstance(topology, Layered) else 0


def _level(name: str, level: MemoryLevelConfig, topology: Topology) -> MemoryLevel:
    args = (level.size_bytes, level.bandwidth_gbps, level.access_latency_ns)
    if level.scope == "tile":
        return tile_level(name, topology, *args, level.ports, level.banks)
    if level.scope == "group":
        rows, cols = level.group or (1, 1)
        return group_level(name, topology, rows, cols, *args, level.ports, level.banks,
                           level.writes_via)  # fmt: skip
    routers = tuple(router_of(topology, address) for address in level.routers)
    return routed_level(name, Scope(level.scope), topology, routers, *args, level.ports,
                        level.banks, level.writes_via, local=level.serves == "local")  # fmt: skip


def tile_level(
    name: str,
    topology: Topology,
    size_bytes: float | None,
    bandwidth_gbps: float,
    access_latency_ns: float,
    ports: int = 1,
    banks: int = 1,
) -> MemoryLevel:
    """A level with one instance inside every tile."""
    tiles = tuple(range(topology.nodes))
    return MemoryLevel(name, Scope.TILE, size_bytes, bandwidth_gbps, access_latency_ns,
                       tiles, tiles, ports, banks)  # fmt: skip


def routed_level(
    name: str,
    scope: Scope,
    topology: Topology,
    routers: Sequence[int],
    size_bytes: float | None,
    bandwidth_gbps: float,
    access_latency_ns: float,
    ports: int = 1,
    banks: int = 1,
    writes_via: str | None = None,
    local: bool = False,
) -> MemoryLevel:
    """A level with instances at ``routers``, each tile served by the nearest one (with
    ``local``, the nearest on its own chiplet or tier)."""
    serving = tuple(
        nearest(topology, tile, routers, local) for tile in range(topology.nodes)
    )
    return MemoryLevel(name, scope, size_bytes, bandwidth_gbps, access_latency_ns,
                       tuple(routers), serving, ports, banks, writes_via)  # fmt: skip


def group_level(
    name: str,
    topology: Topology,
    group_rows: int,
    group_cols: int,
    size_bytes: float | None,
    bandwidth_gbps: float,
    access_latency_ns: float,
    ports: int = 1,
    banks: int = 1,
    writes_via: str | None = None,
) -> MemoryLevel:
    """One instance per block of group_rows x group_cols tiles (of one chiplet or tier), at
    the block's first router, serving the tiles of its block."""
    blocks_per_row = -(-topology.cols // group_cols)
    blocks_per_unit = -(-topology.rows // group_rows) * blocks_per_row
    routers: list[int] = []
    serving: list[int] = []
    for tile in range(topology.nodes):
        row, col = topology.position(tile)
        block = (row // group_rows) * blocks_per_row + col // group_cols
        serving.append(unit_of(topology, tile) * blocks_per_unit + block)
    for block in range(max(serving) + 1):
        unit, local = divmod(block, blocks_per_unit)
        block_row, block_col = divmod(local, blocks_per_row)
        first = (unit, block_row * group_rows, block_col * group_cols)
        routers.append(router_of(topology, first))
    return MemoryLevel(name, Scope.GROUP, size_bytes, bandwidth_gbps, access_latency_ns,
                       tuple(routers), tuple(serving), ports, banks, writes_via)  # fmt: skip


def nearest(topology: Topology, tile: int, routers: Sequence[int], local: bool = False) -> int:
    """Index of the router in ``routers`` nearest ``tile``: least zero-load latency of the
    route's hops, then fewest hops (ties: the first); with ``local``, among those on the
    tile's own chiplet or tier (the configuration checks there is one)."""
    home = unit_of(topology, tile)
    candidates = [
        k for k, router in enumerate(routers) if not local or unit_of(topology, router) == home
    ]

    def distance(k: int) -> tuple[float, int]:
        route = topology.route(tile, routers[k])
        return sum(topology.links[i].latency_ns for i in route), len(route)

    return min(candidates, key=distance)
