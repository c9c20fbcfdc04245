"""Building the Machine from a validated architecture (the only reader of its structure)."""

from collections.abc import Sequence

from cimsim.config.model import ArchConfig
from cimsim.machine import Machine
from cimsim.machine.memory import MemoryHierarchy, MemoryLevel, Scope
from cimsim.machine.topology import Mesh, Topology
from cimsim.machine.units import CrossbarUnit, VectorUnit


def build_machine(arch: ArchConfig) -> Machine:
    """The machine ``arch`` describes."""
    topology = Mesh(
        rows=arch.chip.mesh.rows,
        cols=arch.chip.mesh.cols,
        flit_bytes=int(arch.noc.flit_size_bytes),
        link_bandwidth_gbps=arch.noc.link_bandwidth_gbps,
        router_latency_ns=arch.noc.router_latency_ns,
    )
    row, col = arch.chip.global_buffer.router
    io_router = topology.node_at(row, col)
    buffer, gb, dram = arch.tile.buffer, arch.chip.global_buffer, arch.chip.dram
    levels = (
        tile_level("tile_buffer", topology, buffer.size_bytes, buffer.bandwidth_gbps,
                   buffer.access_latency_ns),
        routed_level("global_buffer", Scope.CHIP, topology, (io_router,), gb.size_bytes,
                     gb.bandwidth_gbps, gb.access_latency_ns),
        routed_level("dram", Scope.OFF_CHIP, topology, (io_router,), None, dram.bandwidth_gbps,
                     dram.access_latency_ns, writes_via="global_buffer"),
    )  # fmt: skip
    units = (
        CrossbarUnit(
            name="crossbar",
            pes_per_tile=arch.tile.pes,
            crossbars_per_pe=arch.tile.pe.crossbars,
            pes_per_adc_bank=arch.tile.adc.shared_by_pes,
        ),
        VectorUnit(name="digital", lanes=arch.tile.digital.lanes),
    )
    return Machine(arch.name, arch.clock.frequency_ghz, topology, MemoryHierarchy(levels), units)


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
