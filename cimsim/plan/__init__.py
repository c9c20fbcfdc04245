"""The plan: program + mapping + machine lowered once into resource holds (pure; no SimPy).

A hold names a resource (a memory port, a NoC link, a PE, an ADC bank, a vector unit) by
its index in ``Resources``, and says how many cycles it is held and what it moves. Both
timers consume the same plan: the event timer (cimsim.timing.event) holds the resources in
SimPy, with contention; the estimate (cimsim.timing.estimate) adds the holds up. Routes,
fetches, deliveries and weight loads are therefore worked out once, here.

Shapes of the plan (a chain is a sequence of holds, one after another):

- a task (``TaskPlan``): fetch chains (at once), then its compute with stream chains running
  beside it, then gather chains (partial sums back), then delivery chains (at once, while
  its copy moves on to the next task);
- a weight load (``LayerLoadPlan``): the layer's weight reads, then per copy the sends to its
  tiles (at once), then the copy's programming.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Access:
    """One access of a memory level's port: hold it ``cycles``, move ``nbytes``."""

    port: int
    """Resource index of the port (one bank of one instance)."""
    level: str
    """Memory level name: the counter kind of its bytes."""
    nbytes: int
    cycles: int
    write: bool
    fills_tile: int = -1
    """Tile whose buffer holds ``nbytes`` more once the write completes (-1: none)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One NoC message: hold every link of its route for ``cycles``."""

    links: tuple[int, ...]
    """Resource indices of its links, in the order they are taken."""
    nbytes: int
    cycles: int
    hops: int
    kinds: tuple[tuple[str, int], ...] = ()
    """Hops per link kind (counter kind), when some are not on-chip ``link``s (interposer,
    TSV...); empty: every hop is on a ``link``."""
    src: int = -1
    """Router it leaves (the router mode injects it there)."""
    dst: int = -1
    """Router it is delivered to."""


Hold = Access | Message
Chain = tuple[Hold, ...]
"""Holds taken one after another."""


@dataclass(frozen=True, slots=True)
class MvmWork:
    """The MVMs of a crossbar task: the copy's PEs step together, ``vectors`` times."""

    vectors: int
    mvm_cycles: int
    """Cycles of one MVM of the copy."""
    pes: tuple[str, ...]
    """Names of the copy's PEs (busy time and trace tracks)."""
    tiles: tuple[int, ...]
    """Tiles the copy occupies (tile busy time)."""
    shared_banks: tuple[int, ...]
    """Resource indices of ADC banks PEs of other copies also convert on, ascending: each
    MVM holds them (else nothing can interleave and the MVMs are one hold)."""
    crossbar_reads: int
    adc_conversions: int
    dac_drives: int
    """Per vector: crossbar reads, ADC conversions, row drives."""
    groups: int
    """Crossbar groups (PEs) of the copy."""


@dataclass(frozen=True, slots=True)
class VectorWork:
    """Element operations on a tile's vector unit."""

    unit: int
    """Resource index of the vector unit."""
    name: str
    tile: int
    cycles: int
    element_ops: int


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """Every hold of one task, and the causes a PE waiting on them records."""

    layer: str
    home_tile: int
    fetches: tuple[Chain, ...]
    """Inputs kept beyond the tile, brought into the home tile first (at once)."""
    fetch_cause: str
    """Idle cause while fetching: the outermost level fetched from."""
    work: MvmWork | VectorWork
    streams: tuple[Chain, ...]
    """Beside the compute: the home-buffer read, input slices to the copy's other tiles."""
    stream_cause: str
    """Idle cause when the compute waits for its streams."""
    gathers: tuple[Chain, ...]
    """After the compute: partial sums from the copy's other tiles (at once)."""
    deliveries: tuple[Chain, ...]
    """Outputs to where consumers read them (at once)."""
    freed_bytes: int = 0
    """Home-buffer bytes no later task there reads, free once the task has computed."""


@dataclass(frozen=True, slots=True)
class CopyLoadPlan:
    """Loading one copy of a layer's weights."""

    sends: tuple[Chain, ...]
    """Weight shares to the copy's tiles (at once; a share for the source's own tile moves
    nothing)."""
    program_cycles: int
    """Programming its crossbars once the shares have arrived."""
    pes: tuple[str, ...]
    """Its PEs (trace tracks)."""


@dataclass(frozen=True, slots=True)
class LayerLoadPlan:
    """Loading every copy of one crossbar layer: read once, multicast to the copies."""

    layer: str
    reads: tuple[Access, ...]
    """Reads of one copy of its weights (at once)."""
    copies: tuple[CopyLoadPlan, ...]
    cell_writes: int
    """Cells one copy programs (bit slices included)."""
    row_writes: int
    """Crossbar rows one copy programs."""


@dataclass
class Resources:
    """Names and capacities of the resources a plan holds, by index (ports, links, units,
    ADC banks); a resource of capacity k serves k holds at once."""

    names: list[str] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def index(self, name: str, capacity: int = 1) -> int:
        """The index of resource ``name`` (numbered on first use, with ``capacity``)."""
        found = self._index.get(name)
        if found is None:
            found = self._index[name] = len(self.names)
            self.names.append(name)
            self.capacities.append(capacity)
        return found

    def capacity_of(self, name: str) -> int:
        """Holds resource ``name`` serves at once (1 for names it does not know)."""
        found = self._index.get(name)
        return 1 if found is None else self.capacities[found]


@dataclass(frozen=True)
class Plan:
    """A program lowered onto a machine."""

    tasks: tuple[TaskPlan, ...]
    """Per task id; identical tasks (every inference of a batch) share one TaskPlan."""
    resources: Resources
    flit_bytes: int
    """Flit size of the NoC (message accounting)."""
