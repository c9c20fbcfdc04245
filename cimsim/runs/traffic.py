"""Synthetic traffic on the router network: latency and accepted throughput at one load.

The measurement follows BookSim2's latency mode: ``warmup_cycles`` of traffic to reach a
steady state, then packets created during ``measure_cycles`` are the sample; traffic goes on
while the sample drains. The load is saturated when the sample does not drain within
``drain_cycles``, or when its average latency passes ``latency_limit_cycles`` (BookSim's
``latency_thres``, 500). Latency: creation of a packet to the ejection of its tail (source
queueing included). Accepted throughput: flits ejected per node per cycle over the
measurement window.
"""

from dataclasses import dataclass

import numpy as np

from cimsim.machine.topology import Topology
from cimsim.timing.routers import Packet, RouterNetwork, RouterParams
from workloads.traffic import TrafficPattern, bernoulli_sources


@dataclass(frozen=True)
class TrafficPoint:
    """The network at one injection rate."""

    injection_rate_flits: float
    """Offered load, flits per node per cycle."""
    avg_packet_latency_cycles: float | None
    """Mean creation-to-tail latency of the sample (None when saturated)."""
    accepted_flits_per_node_cycle: float
    """Flits ejected per node per cycle during the measurement window."""
    saturated: bool
    packets: int
    """Packets in the sample."""


def run_traffic(
    topology: Topology,
    params: RouterParams,
    pattern: TrafficPattern,
    rate_flits: float,
    packet_flits: int,
    seed: int = 0,
    warmup_cycles: int = 3000,
    measure_cycles: int = 10000,
    drain_cycles: int = 10000,
    latency_limit_cycles: float = 500.0,
) -> TrafficPoint:
    """Offer ``rate_flits`` of ``pattern`` to a router network of ``topology`` (module
    docstring)."""
    rng = np.random.default_rng(seed)
    network = RouterNetwork(topology, params)
    creating = bernoulli_sources(topology.nodes, rate_flits, packet_flits, rng)
    sample: list[Packet] = []
    start, stop = warmup_cycles, warmup_cycles + measure_cycles
    ejected_at_start = 0
    cycle = 0
    while True:
        if cycle == start:
            ejected_at_start = network.flits_ejected
        if cycle == stop:
            accepted = (network.flits_ejected - ejected_at_start) / (
                topology.nodes * measure_cycles
            )
        for node in creating():
            packet = Packet(node, pattern.destination(node, rng), packet_flits, cycle)
            network.inject(packet)
            if start <= cycle < stop:
                sample.append(packet)
        network.step(cycle)
        cycle += 1
        if cycle > stop and all(p.done >= 0 for p in sample[-1:]) and _drained(sample):
            break
        if cycle >= stop + drain_cycles:
            break
        if cycle > stop and cycle % 1000 == 0 and _mean_age(sample, cycle) > latency_limit_cycles:
            break
    done = [p.done - p.created for p in sample if p.done >= 0]
    saturated = len(done) < len(sample) or (
        bool(done) and float(np.mean(done)) > latency_limit_cycles
    )
    latency = None if saturated or not done else float(np.mean(done))
    return TrafficPoint(rate_flits, latency, accepted, saturated, len(sample))


def zero_load_latency(topology: Topology, params: RouterParams, packet_flits: int) -> float:
    """Mean latency of a packet alone in the network, over every (source, destination) pair
    (uniform traffic at a vanishing load, without sampling noise): each pair simulated."""
    network = RouterNetwork(topology, params)
    total, cycle = 0, 0
    for src in range(topology.nodes):
        for dst in range(topology.nodes):
            packet = Packet(src, dst, packet_flits, cycle)
            network.inject(packet)
            while not network.idle:
                network.step(cycle)
                cycle = network.next_cycle(cycle) or cycle + 1
            total += packet.done - packet.created
    return total / topology.nodes**2


def _drained(sample: list[Packet]) -> bool:
    return all(packet.done >= 0 for packet in sample)


def _mean_age(sample: list[Packet], cycle: int) -> float:
    """Mean latency of the sample, counting packets still in flight at their age now."""
    ages = [(p.done if p.done >= 0 else cycle) - p.created for p in sample]
    return float(np.mean(ages)) if ages else 0.0
