"""Memory levels: an ordered, named list from the tiles outward (pure; no SimPy).

Every level is a set of instances, each one or more FIFO ports of a given bandwidth and
first-word latency (an access of n bytes holds a port for latency + n / bandwidth, hwmodels
``transfer_latency_ns``). Where instances sit:

- ``tile``: one instance inside every tile (reached without the NoC); the first level must
  be of this scope: it is what compute units read and write;
- ``group``: one instance per block of ``group`` tiles, at the block's first router, serving
  the tiles of its block;
- ``chip`` / ``off_chip``: instances at the listed routers (a chip's buffers; an off-chip
  memory's controllers), each tile served by the nearest one (fewest hops; ties: the first
  listed). Off-chip levels are outside the chip's area and power.

A level may name another as ``writes_via``: data stored into it passes through that level
first (DRAM behind the global buffer: writes are staged in the buffer, reads stream
straight out). ``banks`` splits an instance into independent banks, a requesting tile using
bank (tile mod banks); each bank has ``ports`` ports.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from hwmodels.memory import transfer_latency_ns
from hwmodels.timing import ns_to_cycles


class Scope(StrEnum):
    """Where the instances of a memory level sit."""

    TILE = "tile"
    GROUP = "group"
    CHIP = "chip"
    OFF_CHIP = "off_chip"


@dataclass(frozen=True)
class MemoryLevel:
    """One level of the hierarchy and where its instances are."""

    name: str
    """Level name; also the counter kind its reads and writes are priced under."""
    scope: Scope
    """Where its instances sit (module docstring)."""
    size_bytes: float | None
    """Capacity of one instance, bytes; None: unbounded (off-chip memory)."""
    bandwidth_gbps: float
    """Bandwidth of one port, GB/s."""
    access_latency_ns: float
    """First-word latency of an access, ns."""
    routers: tuple[int, ...]
    """Router of each instance (tile scope: instance t in tile t)."""
    serving: tuple[int, ...]
    """Per tile: the instance that serves it."""
    ports: int = 1
    """Accesses one bank serves at once."""
    banks: int = 1
    """Independent banks per instance."""
    writes_via: str | None = None
    """Level that data stored into this one passes through first, if any."""

    def access_cycles(self, size_bytes: int, clock_ghz: float) -> int:
        """Cycles one access of ``size_bytes`` holds a port."""
        latency_ns = transfer_latency_ns(size_bytes, self.bandwidth_gbps, self.access_latency_ns)
        return ns_to_cycles(latency_ns, clock_ghz)

    def instance_name(self, instance: int) -> str:
        """Busy-time and trace name of an instance: ``tile3.buffer`` for the tile-scope level
        ``tile_buffer`` of tile 3, the level's name when it has one instance, else
        ``<name><instance>``."""
        if self.scope is Scope.TILE:
            return f"tile{instance}.{self.name.removeprefix('tile_')}"
        if len(self.routers) == 1:
            return self.name
        return f"{self.name}{instance}"

    def port_name(self, instance: int, bank: int) -> str:
        """Name of one bank of an instance (the instance's name when it has one bank)."""
        name = self.instance_name(instance)
        return name if self.banks == 1 else f"{name}.bank{bank}"

    def bank_of(self, tile: int) -> int:
        """The bank a requesting tile uses."""
        return tile % self.banks if tile >= 0 else 0


@dataclass(frozen=True)
class MemoryHierarchy:
    """The levels, ordered from the tiles outward."""

    levels: tuple[MemoryLevel, ...]
    _by_name: dict[str, MemoryLevel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {level.name: level for level in self.levels})
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            raise ValueError(f"memory level names repeat: {names}")
        if not self.levels or self.levels[0].scope is not Scope.TILE:
            raise ValueError("the first memory level must have scope 'tile'")
        for level in self.levels:
            if level.writes_via is not None and level.writes_via not in names:
                raise ValueError(f"{level.name}.writes_via names no level: {level.writes_via}")

    @property
    def tile_level(self) -> MemoryLevel:
        """The level inside every tile that compute reads from and writes to."""
        return self.levels[0]

    @property
    def outermost(self) -> MemoryLevel:
        """The last level: where graph inputs and outputs live."""
        return self.levels[-1]

    def level(self, name: str) -> MemoryLevel:
        """The level called ``name``."""
        found = self._by_name.get(name)
        if found is None:
            raise KeyError(f"no memory level {name!r}; levels: {list(self._by_name)}")
        return found

    def store_path(self, name: str) -> tuple[MemoryLevel, ...]:
        """Levels a store into ``name`` writes, in order: its ``writes_via`` chain, then it."""
        path = [self.level(name)]
        while path[0].writes_via is not None:
            path.insert(0, self.level(path[0].writes_via))
            if len(path) > len(self.levels):
                raise ValueError(f"memory level {name}: writes_via chain loops")
        return tuple(path)
