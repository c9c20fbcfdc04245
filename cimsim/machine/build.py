"""Building the Machine from a validated architecture (the only reader of its structure)."""

from collections.abc import Sequence

from cimsim.config.model import ArchConfig, MemoryLevelConfig
from cimsim.machine import Machine
from cimsim.machine.memory import MemoryHierarchy, MemoryLevel, Scope
from cimsim.machine.routers import RouterParams, router_model
from cimsim.machine.topology import TOPOLOGIES, Topology
from cimsim.machine.units import CrossbarUnit, VectorUnit


def build_machine(arch: ArchConfig) -> Machine:
    """The machine ``arch`` describes."""
    noc = arch.noc
    topology = TOPOLOGIES[noc.topology](
        rows=noc.rows,
        cols=noc.cols,
        flit_bytes=int(noc.flit_size_bytes),
        link_bandwidth_gbps=noc.link_bandwidth_gbps,
        router_latency_ns=noc.router_latency_ns,
    )
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
    if noc.model == "routers":
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


def _level(name: str, level: MemoryLevelConfig, topology: Topology) -> MemoryLevel:
    args = (level.size_bytes, level.bandwidth_gbps, level.access_latency_ns)
    if level.scope == "tile":
        return tile_level(name, topology, *args, level.ports, level.banks)
    if level.scope == "group":
        rows, cols = level.group or (1, 1)
        return group_level(name, topology, rows, cols, *args, level.ports, level.banks,
                           level.writes_via)  # fmt: skip
    routers = tuple(topology.node_at(row, col) for row, col in level.routers)
    return routed_level(name, Scope(level.scope), topology, routers, *args, level.ports,
                        level.banks, level.writes_via)  # fmt: skip


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
) -> MemoryLevel:
    """A level with instances at ``routers``, each tile served by the nearest one."""
    serving = tuple(nearest(topology, tile, routers) for tile in range(topology.nodes))
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
    """One instance per block of group_rows x group_cols tiles, at the block's first router,
    serving the tiles of its block."""
    blocks_per_row = -(-topology.cols // group_cols)
    routers: list[int] = []
    serving: list[int] = []
    for tile in range(topology.nodes):
        row, col = topology.position(tile)
        block = (row // group_rows) * blocks_per_row + col // group_cols
        serving.append(block)
    for block in range(max(serving) + 1):
        block_row, block_col = divmod(block, blocks_per_row)
        routers.append(topology.node_at(block_row * group_rows, block_col * group_cols))
    return MemoryLevel(name, Scope.GROUP, size_bytes, bandwidth_gbps, access_latency_ns,
                       tuple(routers), tuple(serving), ports, banks, writes_via)  # fmt: skip


def nearest(topology: Topology, tile: int, routers: Sequence[int]) -> int:
    """Index of the router in ``routers`` fewest hops from ``tile`` (ties: the first)."""
    hops = [topology.hops(tile, router) for router in routers]
    return hops.index(min(hops))
