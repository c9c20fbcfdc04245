"""Input-queued wormhole routers with virtual channels and credits, stepped cycle by cycle.

The router mode of the NoC (``noc.model: routers``): where the fast mode lets a message hold
every link of its route for its whole duration, here a message is a packet of flits that
advances hop by hop, its head moving on while its body streams behind it. Each router has,
per input port (one per incoming link, plus the injection port of its tile), ``vcs``
virtual channels of ``buffer_flits`` flits; per output port (one per outgoing link, plus the
ejection port) a credit count per downstream virtual channel.

A flit's way through one router, in NoC cycles (BookSim2's input-queued router; Jiang et
al., ISPASS 2013; the defaults are its ``routing_delay 0``, ``vc_alloc_delay 1``,
``sw_alloc_delay 1``, ``st_final_delay 1`` and channels of latency 1):

- cycle a: the flit is written into its input VC; a head may allocate a downstream VC of its
  output port from cycle a + ``routing_cycles`` (VA; a VC is free again once its last
  packet's tail credit has come back: BookSim's ``wait_for_tail_credit``);
- a flit at the front of a VC that holds a downstream VC with a credit competes for the
  switch (SA) from ``vc_alloc_cycles`` after its head's VA (a body flit: from the cycle it
  arrives): one flit per output port per cycle, one per switch input (an input port has
  ``input_speedup`` of them, VC v on input v mod speedup);
- VA and SA are separable allocators of one iSLIP iteration (McKeown, IEEE/ACM ToN 1999):
  round-robin grant per output, round-robin accept per input, pointers moved on acceptance;
- the winner of SA in cycle s is written into the next router (or ejected) in
  s + ``switch_alloc_cycles`` + ``switch_traversal_cycles`` + the link's cycles; its credit
  reaches the upstream router in s + ``switch_alloc_cycles`` + 1, usable
  ``credit_delay_cycles`` later (a source uses it at once); an ejected flit's credit is
  handed back as it is ejected, over the 1-cycle channel. A link of lower bandwidth accepts
  a flit only every ``interval`` cycles.

A packet's head is written into its source router ``injection_cycles`` after the packet's
creation; the packet is done when its tail flit is ejected. Without contention a packet of
L flits over H links takes ``injection_cycles + (H + 1) x hop_cycles + L - 1`` cycles, where
``hop_cycles`` is the sum of the stage and link cycles (4 H + L + 5 with the defaults,
BookSim's). Routes are the topology's (dimension order on a mesh). Pure Python; nothing here
knows SimPy: ``RouterNetwork.step`` advances one cycle, and the event timer
(cimsim.timing.event) or the synthetic-traffic runner clock it.
"""

from collections import deque
from collections.abc import Callable, Sequence

from cimsim.errors import CimsimError
from cimsim.machine.routers import RouterParams
from cimsim.machine.topology import Topology

__all__ = ["NocDeadlock", "Packet", "RouterNetwork", "RouterParams"]


class NocDeadlock(CimsimError, RuntimeError):
    """No flit moved for ``deadlock_cycles`` while packets were in flight."""


class Packet:
    """A message in flight: ``size`` flits from router ``src`` to ``dst``."""

    __slots__ = ("created", "done", "dst", "ejected", "on_done", "size", "src")

    def __init__(
        self,
        src: int,
        dst: int,
        size: int,
        created: int,
        on_done: Callable[["Packet"], None] | None = None,
    ) -> None:
        self.src, self.dst, self.size, self.created = src, dst, size, created
        self.ejected = 0
        """Flits ejected so far."""
        self.done = -1
        """Cycle its tail was ejected (-1: not yet)."""
        self.on_done = on_done


class _Flit:
    __slots__ = ("head", "packet", "ready", "tail")

    def __init__(self, packet: Packet, head: bool, tail: bool, ready: int) -> None:
        self.packet, self.head, self.tail, self.ready = packet, head, tail, ready


class _InputVc:
    """One virtual channel of an input port: its buffer and the packet passing through."""

    __slots__ = ("buffer", "out_port", "out_vc")

    def __init__(self) -> None:
        self.buffer: deque[_Flit] = deque()
        self.out_port = -1
        """Output port of the packet at the head (-1: none routed yet)."""
        self.out_vc = -1
        """Downstream VC allocated to it (-1: none yet)."""


class _OutputPort:
    """Credits and ownership of the downstream VCs of one output port."""

    __slots__ = (
        "credits",
        "eject",
        "interval",
        "link",
        "next_free",
        "owner",
        "sa_grant",
        "tail_sent",
        "va_grant",
        "wire",
    )

    def __init__(self, vcs: int, depth: int, link: int, wire: int, interval: int) -> None:
        self.link = link
        """Index of the outgoing link (-1 for the ejection port)."""
        self.eject = link < 0
        self.wire = wire
        """Cycles on the wire after switch traversal."""
        self.interval = interval
        """Cycles between two flits the link accepts (1 at full bandwidth)."""
        self.next_free = 0
        """First cycle the link accepts another flit."""
        self.credits = [depth] * vcs
        self.owner: list[tuple[int, int] | None] = [None] * vcs
        """Per downstream VC, the (input port, input VC) it is allocated to."""
        self.tail_sent = [False] * vcs
        self.va_grant = [0] * vcs
        """iSLIP grant pointer of each downstream VC (over input VCs)."""
        self.sa_grant = 0
        """iSLIP grant pointer of the port (over switch inputs)."""


class _Router:
    __slots__ = (
        "busy",
        "inputs",
        "outputs",
        "port_of_link",
        "route_port",
        "sa_accept",
        "sa_vc_offset",
        "va_accept",
    )

    def __init__(self) -> None:
        self.inputs: list[list[_InputVc]] = []
        self.outputs: list[_OutputPort] = []
        self.port_of_link: dict[int, int] = {}
        """Outgoing link index -> its output port."""
        self.route_port: dict[int, int] = {}
        """Destination router -> output port (memoised routes)."""
        self.busy = 0
        """Flits buffered in the router."""
        self.va_accept: list[int] = []
        """iSLIP accept pointer of each input VC (over output VCs)."""
        self.sa_accept: list[int] = []
        """iSLIP accept pointer of each switch input (over output ports)."""
        self.sa_vc_offset: list[int] = []
        """Per switch input, the VC that asks first next time (round-robin over its VCs)."""

    def size_allocators(self, vcs: int, speedup: int) -> None:
        """Size the allocator pointers once all ports exist."""
        self.va_accept = [0] * (len(self.inputs) * vcs)
        self.sa_accept = [0] * (len(self.inputs) * speedup)
        self.sa_vc_offset = [0] * (len(self.inputs) * speedup)


class _Source:
    """A tile's source queue and its side of the injection channel."""

    __slots__ = ("credits", "current", "flits_sent", "owner_free", "queue", "tail_sent", "vc")

    def __init__(self, vcs: int, depth: int) -> None:
        self.queue: deque[Packet] = deque()
        self.current: Packet | None = None
        self.vc = -1
        self.flits_sent = 0
        self.credits = [depth] * vcs
        self.owner_free = [True] * vcs
        self.tail_sent = [False] * vcs


class RouterNetwork:
    """The routers of a topology and the flits, credits and packets in flight."""

    def __init__(
        self,
        topology: Topology,
        params: RouterParams,
        link_cycles: Sequence[int] | None = None,
        link_intervals: Sequence[int] | None = None,
    ) -> None:
        """``link_cycles`` and ``link_intervals``: per link of the topology, its wire latency
        and cycles per flit (default: ``params.link_cycles`` and 1)."""
        self.topology = topology
        self.params = params
        vcs, depth = params.vcs, params.buffer_flits
        self._routers = [_Router() for _ in range(topology.nodes)]
        self._in_port_of_link: dict[int, int] = {}
        self._upstream: dict[tuple[int, int], tuple[int, int]] = {}
        """(router, input port) -> (router, output port) feeding it (not the injection port
        0, which the tile's source feeds)."""
        for router in self._routers:  # port 0 of every router: its tile (injection, ejection)
            router.inputs.append([_InputVc() for _ in range(vcs)])
            router.outputs.append(_OutputPort(vcs, depth, -1, params.link_cycles, 1))
        for index, link in enumerate(topology.links):
            upstream, downstream = self._routers[link.src], self._routers[link.dst]
            upstream.port_of_link[index] = len(upstream.outputs)
            wire = params.link_cycles if link_cycles is None else link_cycles[index]
            interval = 1 if link_intervals is None else link_intervals[index]
            if wire < 1 or interval < 1:
                raise ValueError(f"link {link.name}: wire and interval cycles must be >= 1")
            upstream.outputs.append(_OutputPort(vcs, depth, index, wire, interval))
            self._in_port_of_link[index] = len(downstream.inputs)
            self._upstream[(link.dst, len(downstream.inputs))] = (
                link.src,
                upstream.port_of_link[index],
            )
            downstream.inputs.append([_InputVc() for _ in range(vcs)])
        for router in self._routers:
            router.size_allocators(vcs, params.input_speedup)
        self._sources = [_Source(vcs, depth) for _ in range(topology.nodes)]
        self._injecting: list[int] = []
        """Sources with packets to send, in the order they became so."""
        self._arrivals: dict[int, list[tuple[int, int, int, _Flit]]] = {}
        """cycle -> (router, input port, vc, flit) written in that cycle."""
        self._credits: dict[int, list[tuple[int, int, int]]] = {}
        """cycle -> (router, output port or -1 for the source, vc) credits arriving."""
        self._ejections: dict[int, list[_Flit]] = {}
        self._active: set[int] = set()
        self.in_flight = 0
        """Packets injected and not yet fully ejected."""
        self.flits_ejected = 0
        self._last_move = 0
        """Last cycle a flit entered, crossed or left the network."""

    # ------------------------------------------------------------------------------ api
    def inject(self, packet: Packet) -> None:
        """Queue ``packet`` at its source (it starts entering the network next step)."""
        source = self._sources[packet.src]
        if source.current is None and not source.queue:
            self._injecting.append(packet.src)
        source.queue.append(packet)
        self.in_flight += 1

    @property
    def idle(self) -> bool:
        """Whether nothing is queued, buffered or in flight."""
        return self.in_flight == 0 and not self._credits

    def settle(self, cycle: int) -> None:
        """Apply the credits due before ``cycle``: a clock that stops once no packet is in
        flight skips the cycles in which the last credits would have come back."""
        for due in sorted(c for c in self._credits if c < cycle):
            for router_index, port, vc in self._credits.pop(due):
                self._return_credit(router_index, port, vc)

    def next_cycle(self, cycle: int) -> int | None:
        """The first cycle after ``cycle`` in which a step can change anything (None: idle).
        Steps in between would do nothing: the clock may skip them."""
        if self._active or self._injecting:
            return cycle + 1
        pending = [min(d) for d in (self._arrivals, self._credits, self._ejections) if d]
        return min(pending) if pending else None

    def step(self, cycle: int) -> None:
        """Advance one cycle: arrivals, credits, injection, then VA and SA in every router
        that holds flits (in router index order: deterministic)."""
        for flit in self._ejections.pop(cycle, ()):
            self._last_move = cycle
            packet = flit.packet
            packet.ejected += 1
            self.flits_ejected += 1
            if flit.tail:
                packet.done = cycle
                self.in_flight -= 1
                if packet.on_done is not None:
                    packet.on_done(packet)
        routing = self.params.routing_cycles
        for router_index, port, vc, flit in self._arrivals.pop(cycle, ()):
            flit.ready = cycle + routing if flit.head else cycle
            router = self._routers[router_index]
            router.inputs[port][vc].buffer.append(flit)
            router.busy += 1
            self._active.add(router_index)
        for router_index, port, vc in self._credits.pop(cycle, ()):
            self._return_credit(router_index, port, vc)
        if self._injecting:
            self._inject(cycle)
        for router_index in sorted(self._active):
            router = self._routers[router_index]
            self._allocate_vcs(router_index, router, cycle)
            self._allocate_switch(router_index, router, cycle)
            if router.busy == 0:
                self._active.discard(router_index)
        if self.in_flight and cycle - self._last_move > self.params.deadlock_cycles:
            raise NocDeadlock(self._deadlock_message(cycle))

    def _deadlock_message(self, cycle: int) -> str:
        blocked = sorted(
            {
                self.topology.links[router.outputs[channel.out_port].link].name
                for router in self._routers
                for channels in router.inputs
                for channel in channels
                if channel.buffer and channel.out_port > 0
            }
        )
        shown = ", ".join(blocked[:12]) + (
            f" and {len(blocked) - 12} more" if len(blocked) > 12 else ""
        )
        return (
            f"the NoC deadlocked: no flit moved from NoC cycle {self._last_move} to {cycle} "
            f"with {self.in_flight} packets in flight; links with flits waiting for them: "
            f"{shown or 'none'}"
        )

    def check(self) -> None:
        """Raise AssertionError unless flow control holds (for tests): no VC holds more
        flits than its buffer, and for every channel into a router (a link or the injection
        channel) and VC: upstream credits + flits on the wire + flits in the buffer + credits
        on their way back = the buffer depth."""
        depth = self.params.buffer_flits
        wire: dict[tuple[int, int, int], int] = {}
        for arrivals in self._arrivals.values():
            for router_index, port, vc, _flit in arrivals:
                key = (router_index, port, vc)
                wire[key] = wire.get(key, 0) + 1
        returning: dict[tuple[int, int, int], int] = {}
        for credits in self._credits.values():
            for key in credits:
                returning[key] = returning.get(key, 0) + 1
        for index, router in enumerate(self._routers):
            for port, channels in enumerate(router.inputs):
                upstream = self._upstream.get((index, port), (index, -1))
                for vc, channel in enumerate(channels):
                    assert len(channel.buffer) <= depth, "a VC buffer overflowed"
                    if upstream[1] < 0:
                        credits = self._sources[index].credits[vc]
                    else:
                        credits = self._routers[upstream[0]].outputs[upstream[1]].credits[vc]
                    total = (
                        credits
                        + wire.get((index, port, vc), 0)
                        + len(channel.buffer)
                        + returning.get((*upstream, vc), 0)
                    )
                    assert total == depth, f"router {index} port {port} VC {vc}: {total} flits"

    # --------------------------------------------------------------------------- stages
    def _return_credit(self, router_index: int, port: int, vc: int) -> None:
        if port < 0:
            source = self._sources[router_index]
            source.credits[vc] += 1
            if source.tail_sent[vc] and source.credits[vc] == self.params.buffer_flits:
                source.owner_free[vc], source.tail_sent[vc] = True, False
            return
        out = self._routers[router_index].outputs[port]
        out.credits[vc] += 1
        if out.tail_sent[vc] and out.credits[vc] == self.params.buffer_flits:
            out.owner[vc], out.tail_sent[vc] = None, False  # the tail's credit is back

    def _inject(self, cycle: int) -> None:
        """Each source sends one flit a cycle of its current packet into the injection
        channel, once it holds a free injection VC with a credit."""
        still = []
        arrive = cycle + self.params.injection_cycles
        for node in self._injecting:
            source = self._sources[node]
            if source.current is None:
                source.current, source.flits_sent = source.queue.popleft(), 0
                source.vc = -1
            if source.vc < 0:
                free = [v for v, ok in enumerate(source.owner_free) if ok]
                if free:
                    source.vc = free[0]
                    source.owner_free[source.vc] = False
            vc = source.vc
            if vc >= 0 and source.credits[vc] > 0:
                packet = source.current
                index = source.flits_sent
                tail = index == packet.size - 1
                flit = _Flit(packet, index == 0, tail, 0)
                source.credits[vc] -= 1
                source.flits_sent += 1
                self._arrivals.setdefault(arrive, []).append((node, 0, vc, flit))
                self._last_move = cycle
                if tail:
                    source.tail_sent[vc] = True
                    source.current = None
            if source.current is not None or source.queue:
                still.append(node)
        self._injecting = still

    def _port_to(self, router_index: int, router: _Router, dst: int) -> int:
        port = router.route_port.get(dst)
        if port is None:
            route = self.topology.route(router_index, dst)
            port = router.port_of_link[route[0]] if route else 0
            router.route_port[dst] = port
        return port

    def _allocate_vcs(self, router_index: int, router: _Router, cycle: int) -> None:
        """VA, one iSLIP iteration: every head ready for VA requests every free VC of its
        output port; each free output VC grants one requester, round-robin from its grant
        pointer; each input VC accepts one grant, round-robin from its accept pointer;
        pointers move past the pair on acceptance (McKeown, IEEE/ACM ToN 1999; BookSim's
        ``vc_allocator = islip``, ``alloc_iters = 1``)."""
        vcs = self.params.vcs
        grants: dict[int, list[tuple[int, int]]] = {}
        """input VC (port x vcs + vc) -> the (output port, output VC) that granted it."""
        asking: dict[tuple[int, int], list[int]] = {}
        """(output port, output VC) -> input VCs asking for it."""
        for port, channels in enumerate(router.inputs):
            for vc, channel in enumerate(channels):
                if channel.out_vc >= 0 or not channel.buffer:
                    continue
                head = channel.buffer[0]
                if not head.head or head.ready > cycle:
                    continue
                if channel.out_port < 0:
                    channel.out_port = self._port_to(router_index, router, head.packet.dst)
                out = router.outputs[channel.out_port]
                for out_vc, owner in enumerate(out.owner):
                    if owner is None:
                        asking.setdefault((channel.out_port, out_vc), []).append(port * vcs + vc)
        if not asking:
            return
        width = len(router.inputs) * vcs
        for (out_port, out_vc), inputs in asking.items():
            pointer = router.outputs[out_port].va_grant[out_vc]
            winner = min(inputs, key=lambda i: (i - pointer) % width)
            grants.setdefault(winner, []).append((out_port, out_vc))
        outputs = len(router.outputs) * vcs
        for input_vc, granted in grants.items():
            pointer = router.va_accept[input_vc]
            out_port, out_vc = min(granted, key=lambda o: (o[0] * vcs + o[1] - pointer) % outputs)
            out = router.outputs[out_port]
            out.owner[out_vc] = divmod(input_vc, vcs)
            out.va_grant[out_vc] = (input_vc + 1) % width
            router.va_accept[input_vc] = (out_port * vcs + out_vc + 1) % outputs
            channel = router.inputs[input_vc // vcs][input_vc % vcs]
            channel.out_vc = out_vc
            channel.buffer[0].ready = cycle + self.params.vc_alloc_cycles

    def _allocate_switch(self, router_index: int, router: _Router, cycle: int) -> None:
        """SA, one iSLIP iteration over the switch's inputs: an input port has
        ``input_speedup`` switch inputs, VC v using input v mod speedup (BookSim's expanded
        inputs). Each switch input requests, per output port, with one of its VCs whose
        front flit is ready and has a downstream credit (round-robin over its VCs from the
        one after its last winner); outputs grant, inputs accept, as in ``_allocate_vcs``."""
        params = self.params
        speedup, vcs = params.input_speedup, params.vcs
        outputs = router.outputs
        found: list[tuple[int, int, int]] = []
        """(switch input, output port, VC) of every VC that may ask."""
        for port, channels in enumerate(router.inputs):
            for vc, channel in enumerate(channels):
                buffer = channel.buffer
                if not buffer or channel.out_vc < 0 or buffer[0].ready > cycle:
                    continue
                out = outputs[channel.out_port]
                if out.credits[channel.out_vc] <= 0 or out.next_free > cycle:
                    continue
                found.append((port * speedup + vc % speedup, channel.out_port, vc))
        if not found:
            return
        if len(found) > 1 and not (
            len({f[0] for f in found}) == len(found) == len({f[1] for f in found})
        ):
            found = self._islip_switch(router, found)
        # else no two requests share a switch input or an output: iSLIP grants them all
        width, ports = len(router.inputs) * speedup, len(outputs)
        for switch_input, out_port, vc in sorted(found):
            out = outputs[out_port]
            out.sa_grant = (switch_input + 1) % width
            router.sa_accept[switch_input] = (out_port + 1) % ports
            router.sa_vc_offset[switch_input] = (vc + speedup) % vcs
            self._traverse(router_index, router, switch_input // speedup, vc, out, cycle)

    def _islip_switch(
        self, router: _Router, found: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, int]]:
        """The winners of one iSLIP iteration among ``found`` (see ``_allocate_switch``)."""
        vcs, speedup = self.params.vcs, self.params.input_speedup
        requests: dict[int, dict[int, int]] = {}
        """switch input -> {output port: the VC asking}."""
        for switch_input, out_port, vc in found:
            asked = requests.setdefault(switch_input, {})
            earlier = asked.get(out_port)
            offset = router.sa_vc_offset[switch_input]
            if earlier is None or (vc - offset) % vcs < (earlier - offset) % vcs:
                asked[out_port] = vc
        width = len(router.inputs) * speedup
        asking: dict[int, list[int]] = {}
        for switch_input in requests:
            for out_port in requests[switch_input]:
                asking.setdefault(out_port, []).append(switch_input)
        grants: dict[int, list[int]] = {}
        for out_port, inputs in asking.items():
            pointer = router.outputs[out_port].sa_grant
            winner = min(inputs, key=lambda i: (i - pointer) % width)
            grants.setdefault(winner, []).append(out_port)
        ports = len(router.outputs)
        winners = []
        for switch_input, granted in grants.items():
            pointer = router.sa_accept[switch_input]
            out_port = min(granted, key=lambda o: (o - pointer) % ports)
            winners.append((switch_input, out_port, requests[switch_input][out_port]))
        return winners

    def _traverse(
        self, router_index: int, router: _Router, port: int, vc: int, out: _OutputPort, cycle: int
    ) -> None:
        """The SA winner leaves its buffer: credit upstream, switch and link (or ejection)."""
        channel = router.inputs[port][vc]
        flit = channel.buffer.popleft()
        router.busy -= 1
        params = self.params
        upstream = self._upstream.get((router_index, port))
        if upstream is None:  # the injection channel: the source uses its credit at once
            back = cycle + params.switch_alloc_cycles + 1
            self._credits.setdefault(back, []).append((router_index, -1, vc))
        else:
            wire = self._routers[upstream[0]].outputs[upstream[1]].wire
            back = cycle + params.switch_alloc_cycles + wire + params.credit_delay_cycles
            self._credits.setdefault(back, []).append((*upstream, vc))
        out_vc = channel.out_vc
        out.credits[out_vc] -= 1
        out.next_free = cycle + out.interval
        if flit.tail:
            out.tail_sent[out_vc] = True
        written = cycle + params.switch_alloc_cycles + params.switch_traversal_cycles + out.wire
        if out.eject:  # the tile hands the credit straight back over the ejection channel
            self._ejections.setdefault(written, []).append(flit)
            back = written + out.wire + params.credit_delay_cycles
            self._credits.setdefault(back, []).append((router_index, 0, out_vc))
        else:
            link = self.topology.links[out.link]
            downstream_port = self._in_port_of_link[out.link]
            self._arrivals.setdefault(written, []).append((link.dst, downstream_port, out_vc, flit))
        self._last_move = cycle
        if flit.tail:
            channel.out_port = channel.out_vc = -1
