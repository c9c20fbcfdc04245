"""The router network on the engine's clock (noc.model routers): SimPy plumbing only.

A message becomes a packet injected at its source router; the clock process steps the
network once per NoC cycle (``RouterModel.clock_cycles`` chip cycles) while anything is in
flight, and sleeps (its process ends) once the last packet is out, so an idle NoC costs no
events and adds no cycles to the end of a run. A packet created at chip cycle t enters at
NoC cycle ceil(t / clock_cycles); its ``done`` event fires at the chip cycle of the NoC
cycle its tail is ejected.
"""

from cimsim.engine import Engine, Process
from cimsim.machine import RouterModel, Topology
from cimsim.timing.routers import Packet, RouterNetwork


class RouterClock:
    """Steps a RouterNetwork on ``engine`` while packets are in flight."""

    def __init__(self, engine: Engine, topology: Topology, model: RouterModel) -> None:
        self.engine = engine
        self.model = model
        self.network = RouterNetwork(topology, model.params, model.link_cycles,
                                     model.link_intervals)  # fmt: skip
        self.interval_of = {link.name: model.link_intervals[i] for i, link in
                            enumerate(topology.links)}  # fmt: skip
        """Link name -> NoC cycles per flit (busy time of a message's links)."""
        self._running = False
        self._next_cycle = 0
        """The first NoC cycle not yet stepped."""

    def send(self, src: int, dst: int, flits: int) -> object:
        """Inject a packet of ``flits`` from router ``src`` to ``dst`` now; the returned event
        fires when its tail flit has been ejected at ``dst``."""
        engine = self.engine
        done = engine.event()
        ratio = self.model.clock_cycles
        created = -(-engine.now_cycles // ratio)
        self.network.inject(Packet(src, dst, flits, created, lambda _packet: done.succeed()))
        if not self._running:
            self._running = True
            start = max(created, self._next_cycle)
            self.network.settle(start)
            engine.process(self._clock(start))
        return done

    def _clock(self, cycle: int) -> Process:
        engine, network, ratio = self.engine, self.network, self.model.clock_cycles
        while True:
            wait = cycle * ratio - engine.now_cycles
            if wait > 0:
                yield engine.timeout(wait)
            network.step(cycle)
            cycle += 1
            if not network.in_flight:  # credits still on their way are settled on restart
                self._running, self._next_cycle = False, cycle
                return
