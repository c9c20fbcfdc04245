"""The machine as data: topology, memory levels and compute units, built once per run.

Pure (no SimPy): the mapper, the plan and both timers read it; nothing else reads the
architecture's structure. ``build_machine`` (cimsim.machine.build) makes one from a
validated configuration.
"""

from dataclasses import dataclass

from cimsim.machine.memory import MemoryHierarchy, MemoryLevel, Scope
from cimsim.machine.routers import RouterModel, RouterParams
from cimsim.machine.topology import TOPOLOGIES, Link, Mesh, Ring, Topology, Torus
from cimsim.machine.units import ComputeUnit, CrossbarUnit, VectorUnit, Work

__all__ = [
    "TOPOLOGIES",
    "ComputeUnit",
    "CrossbarUnit",
    "Link",
    "Machine",
    "MemoryHierarchy",
    "MemoryLevel",
    "Mesh",
    "Ring",
    "RouterModel",
    "RouterParams",
    "Scope",
    "Topology",
    "Torus",
    "VectorUnit",
    "Work",
]


@dataclass(frozen=True)
class Machine:
    """A chip as the mapper and the timers see it."""

    name: str
    """Architecture name."""
    clock_ghz: float
    """The simulation clock, GHz."""
    topology: Topology
    """Routers and links; tile t sits at router t."""
    memory: MemoryHierarchy
    """Memory levels from the tiles outward."""
    units: tuple[ComputeUnit, ...]
    """Compute units in every tile, in the order the mapper prefers them."""
    routers: RouterModel | None = None
    """The routers messages advance through (noc.model routers); None: each message holds
    its whole path (noc.model path)."""

    @property
    def tiles(self) -> int:
        """Tiles on the chip (one per router)."""
        return self.topology.nodes

    @property
    def crossbar(self) -> CrossbarUnit:
        """The crossbar unit (every machine cimsim times has one)."""
        return next(unit for unit in self.units if isinstance(unit, CrossbarUnit))

    @property
    def vector(self) -> VectorUnit:
        """The vector unit."""
        return next(unit for unit in self.units if isinstance(unit, VectorUnit))

    @property
    def io_tile(self) -> int:
        """Tile at the router of the outermost level's first instance (graph inputs arrive
        and digital layers fed only by graph inputs run there)."""
        return self.memory.outermost.routers[0]

    def unit_for(self, work: Work | str) -> ComputeUnit:
        """The first unit that runs ``work`` (a LayerInfo.work value)."""
        for unit in self.units:
            if Work(work) in unit.runs:
                return unit
        raise KeyError(f"{self.name} has no compute unit that runs {work}")

    def on_crossbars(self, work: Work | str) -> bool:
        """Whether ``work`` runs on the crossbar unit (its weights held in crossbars)."""
        return isinstance(self.unit_for(work), CrossbarUnit)
