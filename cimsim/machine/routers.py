"""Routers as data: their microarchitecture and the NoC clock they run on (pure).

``RouterParams`` are the pipeline, buffers and flow control of every router (the model and
its phases: cimsim.timing.routers). ``RouterModel`` places them on a topology: the NoC clock
(one flit per on-chip link per NoC cycle) in chip cycles, and each
link's wire cycles (its hop latency less the router pipeline) and cycles per flit.
Routes whose channel dependencies close a cycle (cimsim.machine.deadlock) are refused.
"""

import math
from dataclasses import dataclass

from cimsim.errors import ConfigError
from cimsim.machine.deadlock import dependency_cycle
from cimsim.machine.topology import Topology
from hwmodels.timing import ns_to_cycles


@dataclass(frozen=True)
class RouterParams:
    """Microarchitecture of every router, in NoC cycles."""

    vcs: int = 1
    """Virtual channels per input port."""
    buffer_flits: int = 8
    """Flits each virtual channel buffers (BookSim's vc_buf_size)."""
    input_speedup: int = 2
    """Switch inputs per input port (BookSim's input_speedup)."""
    credit_delay_cycles: int = 2
    """Cycles a router takes to use a credit it has received (BookSim's credit_delay)."""
    injection_cycles: int = 2
    """Cycles from a packet's creation to its head flit written into the source router."""
    routing_cycles: int = 0
    """Route computation before VA (BookSim's routing_delay)."""
    vc_alloc_cycles: int = 1
    """VA to SA eligibility (BookSim's vc_alloc_delay)."""
    switch_alloc_cycles: int = 1
    """SA to switch traversal (BookSim's sw_alloc_delay)."""
    switch_traversal_cycles: int = 1
    """Switch traversal (BookSim's st_final_delay)."""
    link_cycles: int = 1
    """Wire latency of a link whose own is not given, and of the ejection channel."""
    deadlock_cycles: int = 10_000
    """No flit moving for this long while packets are in flight is a deadlock."""

    def __post_init__(self) -> None:
        for name in ("vcs", "buffer_flits", "input_speedup", "link_cycles", "deadlock_cycles"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "credit_delay_cycles",
            "injection_cycles",
            "routing_cycles",
            "vc_alloc_cycles",
            "switch_alloc_cycles",
            "switch_traversal_cycles",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    @property
    def stage_cycles(self) -> int:
        """Cycles of the router's own pipeline (routing, VA, SA, ST)."""
        return (
            self.routing_cycles
            + self.vc_alloc_cycles
            + self.switch_alloc_cycles
            + self.switch_traversal_cycles
        )

    @property
    def hop_cycles(self) -> int:
        """Cycles per hop without contention: the pipeline and a default link."""
        return self.stage_cycles + self.link_cycles

    def zero_load_cycles(self, hops: int, flits: int) -> int:
        """Creation to tail ejection of a packet alone in the network (module docstring)."""
        return self.injection_cycles + (hops + 1) * self.hop_cycles + flits - 1


@dataclass(frozen=True)
class RouterModel:
    """The routers of a machine and the clock they run on."""

    params: RouterParams
    clock_cycles: int
    """Chip clock cycles per NoC cycle."""
    link_cycles: tuple[int, ...]
    """Per link of the topology: wire cycles after switch traversal."""
    link_intervals: tuple[int, ...]
    """Per link: NoC cycles per flit (1 at the on-chip links' bandwidth or above)."""


def router_model(topology: Topology, params: RouterParams, clock_ghz: float) -> RouterModel:
    """``params`` on ``topology``: the NoC cycle is an on-chip link's flit time, which must be
    whole clock cycles (a slower link takes a flit every ``interval`` cycles; a faster one
    cannot outrun the routers' clock); a link's hop latency must hold the router pipeline and a wire
    cycle; and the routes must not close a cycle of channel dependencies."""
    link_gbps = topology.link_bandwidth_gbps
    noc_cycle_ns = topology.flit_bytes / link_gbps
    clock_cycles = round(noc_cycle_ns * clock_ghz)
    if clock_cycles < 1 or abs(noc_cycle_ns * clock_ghz - clock_cycles) > 1e-6:
        raise ConfigError(
            f"noc.model routers: a NoC cycle (one {topology.flit_bytes}-byte flit at "
            f"{link_gbps:g} GB/s = {noc_cycle_ns:g} ns) must be whole clock cycles"
        )
    wires, intervals = [], []
    for link in topology.links:
        hop_cycles = math.ceil(ns_to_cycles(link.latency_ns, clock_ghz) / clock_cycles)
        wire = hop_cycles - params.stage_cycles
        if wire < 1:
            raise ConfigError(
                f"noc.model routers: link {link.name} has a {link.latency_ns:g} ns hop "
                f"({hop_cycles} NoC cycles), less than the router pipeline "
                f"({params.stage_cycles} cycles) and one wire cycle"
            )
        wires.append(wire)
        intervals.append(max(1, math.ceil(link_gbps / link.bandwidth_gbps - 1e-6)))
    cycle = () if topology.path_order_is_safe else dependency_cycle(topology, route_order=True)
    if cycle:
        shown = " -> ".join(topology.links[i].name for i in cycle[:8])
        raise ConfigError(
            f"noc.model routers on this {topology.kind or 'topology'}: its routes close a cycle "
            f"of channel dependencies ({shown}{' -> ...' if len(cycle) > 8 else ''}), so "
            "wormhole routers can deadlock (Dally & Seitz, IEEE Trans. Computers 1987); use a "
            "topology whose routes are deadlock-free (a mesh) or noc.model path"
        )
    return RouterModel(params, clock_cycles, tuple(wires), tuple(intervals))
