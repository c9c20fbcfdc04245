"""Lowering a Program onto the machine: every task's holds, worked out once (pure).

What each task moves comes from ``mapper.dataflow.plan_dataflow``; here it becomes holds:

- a fetch from level L (instance i) into tile t: read i's port, a message from i's router to
  t, a write of t's tile-level port;
- a delivery into the tile level of tile d: a message to d, a write of d's port; into
  another level L: along L's store path (``MemoryHierarchy.store_path``: the levels its
  writes pass through, then L), a message to each instance's router and a write there;
- a crossbar task: its MVMs, beside the home-buffer read and the input slices for the copy's
  other tiles, then their partial sums back; a digital task: the vector unit beside the
  home-buffer read.

Identical tasks (every inference of a batch repeats the same ones) share one TaskPlan.
"""

from collections import Counter

from cimsim.machine import Machine, MemoryLevel
from cimsim.mapper import ChipMapping
from cimsim.mapper.dataflow import TaskData, plan_dataflow
from cimsim.plan import (
    Access,
    Chain,
    Message,
    MvmWork,
    Plan,
    Resources,
    TaskPlan,
    VectorWork,
)
from cimsim.program import Program
from cimsim.trace import Cause
from hwmodels.digital import DigitalParams, vector_op_latency_ns
from hwmodels.timing import ns_to_cycles
from workloads.shapes import GraphInfo


class Lowering:
    """Builds holds on one machine, numbering resources in one ``Resources`` table."""

    def __init__(self, machine: Machine, resources: Resources | None = None) -> None:
        self.machine = machine
        self.resources = resources if resources is not None else Resources()
        self._routes: dict[tuple[int, int, int], Message | None] = {}
        self._accesses: dict[tuple[str, int, int, int, bool, int], Access] = {}

    def access(self, level: MemoryLevel, instance: int, requester: int, nbytes: int,
               write: bool, fills_tile: int = -1) -> Access:  # fmt: skip
        """An access of ``level``'s ``instance`` by tile ``requester`` (memoised: a run
        repeats the same few accesses many times)."""
        bank = level.bank_of(requester)
        key = (level.name, instance, bank, nbytes, write, fills_tile)
        found = self._accesses.get(key)
        if found is None:
            port = self.resources.index(level.port_name(instance, bank), level.ports)
            cycles = level.access_cycles(nbytes, self.machine.clock_ghz)
            found = self._accesses[key] = Access(port, level.name, nbytes, cycles, write,
                                                 fills_tile)  # fmt: skip
        return found

    def message(self, src: int, dst: int, nbytes: int) -> Message | None:
        """A message from router ``src`` to ``dst``; None when it moves nothing."""
        if src == dst or nbytes <= 0:
            return None
        key = (src, dst, nbytes)
        found = self._routes.get(key, False)
        if found is False:
            topology = self.machine.topology
            route = topology.route(src, dst)
            links = tuple(
                self.resources.index(topology.links[i].name)
                for i in topology.acquisition_order(route)
            )
            cycles = topology.message_cycles(route, nbytes, self.machine.clock_ghz)
            kinds = Counter(topology.links[i].kind for i in route)
            by_kind = tuple(sorted(kinds.items())) if set(kinds) != {"link"} else ()
            found = self._routes[key] = Message(links, nbytes, cycles, len(route), by_kind,
                                                  src, dst)
        return found

    def fetch(self, level_name: str, instance: int, tile: int, nbytes: int) -> Chain:
        """Bring ``nbytes`` kept at ``level_name`` (``instance``) into ``tile``."""
        memory = self.machine.memory
        level = memory.level(level_name)
        return chain(
            self.access(level, instance, tile, nbytes, write=False),
            self.message(level.routers[instance], tile, nbytes),
            self.access(memory.tile_level, tile, tile, nbytes, write=True, fills_tile=tile),
        )

    def deliver(self, level_name: str, src: int, dst: int, nbytes: int) -> Chain:
        """Store ``nbytes`` made on tile ``src`` at ``level_name``: into tile ``dst`` for the
        tile level, else into instance ``dst`` along the level's store path."""
        memory = self.machine.memory
        if level_name == memory.tile_level.name:
            return chain(
                self.message(src, dst, nbytes),
                self.access(memory.tile_level, dst, dst, nbytes, write=True, fills_tile=dst),
            )
        holds: list[Access | Message | None] = []
        here = src
        for level in memory.store_path(level_name):
            instance = dst if level.name == level_name else level.serving[src]
            holds.append(self.message(here, level.routers[instance], nbytes))
            holds.append(self.access(level, instance, src, nbytes, write=True))
            here = level.routers[instance]
        return chain(*holds)


def chain(*holds: Access | Message | None) -> Chain:
    return tuple(hold for hold in holds if hold is not None)


def lower_program(
    program: Program,
    mapping: ChipMapping,
    info: GraphInfo,
    activation_bits: int,
    digital: DigitalParams,
    resources: Resources | None = None,
) -> Plan:
    """The holds of every task of ``program`` (module docstring)."""
    lowering = Lowering(mapping.machine, resources)
    data = plan_dataflow(program, mapping, info, activation_bits)
    known: dict[tuple[str, int, TaskData], TaskPlan] = {}
    tasks = []
    for task in program.tasks:
        key = (task.layer, task.copy, data[task.task_id])
        plan = known.get(key)
        if plan is None:
            plan = known[key] = _task_plan(lowering, mapping, digital, *key)
        tasks.append(plan)
    flit_bytes = mapping.machine.topology.flit_bytes
    return Plan(tuple(tasks), lowering.resources, flit_bytes)


def _task_plan(
    lowering: Lowering,
    mapping: ChipMapping,
    digital: DigitalParams,
    layer: str,
    copy: int,
    data: TaskData,
) -> TaskPlan:
    machine = lowering.machine
    home = data.home_tile
    fetches = tuple(lowering.fetch(level, inst, home, size) for level, inst, size in data.fetches)
    fetched_levels = [machine.memory.level(level) for level, _, _ in data.fetches]
    fetch_cause = max(fetched_levels, key=machine.memory.levels.index).name if fetches else ""
    tile_level = machine.memory.tile_level
    read = lowering.access(tile_level, home, home, data.buffer_read_bytes, write=False)
    read_chain = (read,) if data.buffer_read_bytes > 0 else ()
    deliveries = tuple(
        lowering.deliver(level, home, dst, size) for level, dst, size in data.deliveries
    )
    if not data.vectors:
        unit_name = machine.vector.instance_name(home)
        cycles = ns_to_cycles(vector_op_latency_ns(digital, data.element_ops), machine.clock_ghz)
        work = VectorWork(lowering.resources.index(unit_name), unit_name, home, cycles,
                          data.element_ops)  # fmt: skip
        return TaskPlan(layer, home, fetches, fetch_cause, work, (read_chain,), Cause.BUFFER,
                        (), deliveries, data.freed_bytes)  # fmt: skip
    costs = mapping.costs[layer][copy]
    placement = mapping.copies[layer][copy]
    vectors = data.vectors
    crossbar = machine.crossbar
    banks = tuple(
        lowering.resources.index(crossbar.adc_bank_name(tile, bank))
        for tile, bank in mapping.shared_adc_banks[(layer, copy)]
    )
    work = MvmWork(
        vectors=vectors,
        mvm_cycles=costs.mvm_cycles,
        pes=tuple(crossbar.pe_name(g.tile, g.pe) for g in placement.groups),
        tiles=placement.tiles,
        shared_banks=banks,
        crossbar_reads=costs.crossbar_reads,
        adc_conversions=costs.adc_conversions,
        dac_drives=costs.dac_drives,
        groups=len(placement.groups),
    )
    slices = tuple(
        chain(lowering.message(home, tile, vectors * size))
        for tile, size in costs.remote_input_bytes
    )
    gathers = tuple(
        chain(lowering.message(tile, home, vectors * size))
        for tile, size in costs.remote_psum_bytes
    )
    stream_cause = Cause.NOC if costs.remote_input_bytes else Cause.BUFFER
    return TaskPlan(layer, home, fetches, fetch_cause, work, (read_chain, *slices), stream_cause,
                    gathers, deliveries, data.freed_bytes)  # fmt: skip
