"""The router network: zero-load timing, flow control, allocation fairness, determinism,
deadlock detection; the synthetic-traffic patterns and runner."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cimsim.machine import Mesh, Ring, Torus
from cimsim.runs.traffic import run_traffic, zero_load_latency
from cimsim.timing.routers import NocDeadlock, Packet, RouterNetwork, RouterParams
from workloads.traffic import TrafficPattern, bernoulli_sources


def _mesh(rows: int = 4, cols: int = 4) -> Mesh:
    return Mesh(rows=rows, cols=cols, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1)


def _drain(network: RouterNetwork, cycle: int = 0, check: bool = False) -> int:
    """Step until idle; returns the cycle after the last step."""
    while not network.idle:
        network.step(cycle)
        if check:
            network.check()
        cycle = network.next_cycle(cycle) or cycle + 1
    return cycle


@settings(max_examples=60, deadline=None)
@given(
    src=st.integers(0, 15),
    dst=st.integers(0, 15),
    flits=st.integers(1, 12),
    routing=st.integers(0, 2),
    va=st.integers(0, 2),
    sa=st.integers(0, 2),
    st_=st.integers(0, 2),
    link=st.integers(1, 3),
    injection=st.integers(0, 3),
)
def test_a_packet_alone_takes_the_zero_load_latency(
    src: int,
    dst: int,
    flits: int,
    routing: int,
    va: int,
    sa: int,
    st_: int,
    link: int,
    injection: int,
) -> None:
    # Buffers deep enough for the credit round trip: the body streams one flit a cycle.
    params = RouterParams(
        buffer_flits=32,
        routing_cycles=routing,
        vc_alloc_cycles=va,
        switch_alloc_cycles=sa,
        switch_traversal_cycles=st_,
        link_cycles=link,
        injection_cycles=injection,
    )
    mesh = _mesh()
    network = RouterNetwork(mesh, params)
    packet = Packet(src, dst, flits, created=5)
    network.inject(packet)
    _drain(network, cycle=5, check=True)
    assert packet.done - packet.created == params.zero_load_cycles(mesh.hops(src, dst), flits)
    assert packet.ejected == flits


def test_booksim_defaults_give_4h_plus_l_plus_5() -> None:
    params = RouterParams()
    assert [params.zero_load_cycles(h, 4) for h in (0, 1, 14)] == [9, 13, 65]
    # Uniform traffic on 8x8, the source included: mean hops 5.25, so 30 cycles.
    assert zero_load_latency(_mesh(8, 8), params, 4) == pytest.approx(4 * 5.25 + 4 + 5)


def test_a_shallow_buffer_throttles_a_long_link() -> None:
    """A 3-cycle wire needs 11 credits to stream (flit out and credit back); 4 do not."""
    mesh = _mesh(1, 2)
    times = []
    for depth in (4, 16):
        network = RouterNetwork(mesh, RouterParams(buffer_flits=depth, link_cycles=3))
        packet = Packet(0, 1, 32, 0)
        network.inject(packet)
        _drain(network, check=True)
        times.append(packet.done)
    assert times[0] > times[1] == RouterParams(link_cycles=3).zero_load_cycles(1, 32)


def test_a_slow_link_passes_one_flit_per_interval() -> None:
    mesh = _mesh(1, 2)
    alone = RouterNetwork(mesh, RouterParams(buffer_flits=32))
    slow = RouterNetwork(mesh, RouterParams(buffer_flits=32), link_intervals=[3, 3])
    done = []
    for network in (alone, slow):
        packet = Packet(0, 1, 10, 0)
        network.inject(packet)
        _drain(network)
        done.append(packet.done)
    # The tail leaves 9 x 2 cycles later; downstream, where at full speed the body queues
    # one cycle behind its head's VA, it now arrives after it: one cycle back.
    assert done[1] - done[0] == 9 * (3 - 1) - 1


@pytest.mark.parametrize("vcs", [1, 2, 4])
def test_heavy_traffic_keeps_flow_control_invariants_and_delivers_every_flit(vcs: int) -> None:
    mesh = _mesh()
    network = RouterNetwork(mesh, RouterParams(vcs=vcs, buffer_flits=3))
    rng = np.random.default_rng(7)
    pattern = TrafficPattern("uniform", mesh.nodes)
    packets = []
    for cycle in range(600):
        for node in range(mesh.nodes):
            if rng.random() < 0.2:
                packet = Packet(
                    node, pattern.destination(node, rng), int(rng.integers(1, 9)), cycle
                )
                packets.append(packet)
                network.inject(packet)
        network.step(cycle)
        network.check()
    _drain(network, 600, check=True)
    assert all(p.done >= p.created and p.ejected == p.size for p in packets)
    assert network.flits_ejected == sum(p.size for p in packets)


def test_round_robin_shares_a_contended_link_fairly() -> None:
    """Two sources streaming into one link get equal shares of it."""
    mesh = _mesh(1, 3)
    network = RouterNetwork(mesh, RouterParams())
    sent = {0: [], 1: []}
    for _ in range(40):
        for src in (0, 1):
            packet = Packet(src, 2, 4, 0)
            sent[src].append(packet)
            network.inject(packet)
    end = _drain(network)
    assert end > 0
    half = sorted(p.done for p in sent[0] + sent[1])[40]
    first = [sum(p.done <= half for p in sent[src]) for src in (0, 1)]
    assert abs(first[0] - first[1]) <= 2


def test_on_done_is_called_once_per_packet_when_its_tail_leaves() -> None:
    network = RouterNetwork(_mesh(), RouterParams())
    done: list[int] = []
    packet = Packet(0, 15, 3, 0, on_done=lambda p: done.append(p.done))
    network.inject(packet)
    _drain(network)
    assert done == [packet.done]


def test_a_packet_to_its_own_router_is_ejected() -> None:
    network = RouterNetwork(_mesh(), RouterParams())
    packet = Packet(5, 5, 2, 0)
    network.inject(packet)
    _drain(network)
    assert packet.done == RouterParams().zero_load_cycles(0, 2)


def test_wraparound_rings_deadlock_with_one_vc_and_the_message_names_the_links() -> None:
    """Dimension-order routes on a torus close a cycle of channel dependencies; with one VC
    and no dateline, enough long packets fill it: the network must stop with a message."""
    ring = Ring(rows=1, cols=4, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1)
    network = RouterNetwork(ring, RouterParams(buffer_flits=2, deadlock_cycles=200))
    for src in range(4):  # every node sends two hops clockwise (the shorter way: ties go up)
        for _ in range(3):
            network.inject(Packet(src, (src + 2) % 4, 16, 0))
    with pytest.raises(NocDeadlock, match=r"no flit moved from NoC cycle \d+ to \d+.*link"):
        _drain(network)


def test_params_are_checked() -> None:
    with pytest.raises(ValueError, match="buffer_flits must be at least 1"):
        RouterParams(buffer_flits=0)
    with pytest.raises(ValueError, match="credit_delay_cycles must not be negative"):
        RouterParams(credit_delay_cycles=-1)


# ------------------------------------------------------------------------------ traffic
def test_patterns_send_where_their_definition_says() -> None:
    rng = np.random.default_rng(0)
    transpose = TrafficPattern("transpose", 64)
    assert transpose.destination(8 * 2 + 5, rng) == 8 * 5 + 2
    assert TrafficPattern("bitcomp", 64).destination(0b000101, rng) == 0b111010
    hot = TrafficPattern("hotspot", 64, hotspot=9, hotspot_share=0.5)
    draws = [hot.destination(3, rng) for _ in range(4000)]
    share = draws.count(9) / len(draws)
    assert 0.5 + 0.5 / 64 - 0.03 < share < 0.5 + 0.5 / 64 + 0.03
    uniform = [TrafficPattern("uniform", 16).destination(0, rng) for _ in range(4000)]
    assert set(uniform) == set(range(16))


def test_bad_patterns_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown traffic pattern 'zigzag'; patterns: uniform"):
        TrafficPattern("zigzag", 16)
    with pytest.raises(ValueError, match="transpose needs k x k nodes"):
        TrafficPattern("transpose", 12)
    with pytest.raises(ValueError, match="bitcomp needs a power-of-two"):
        TrafficPattern("bitcomp", 12)
    with pytest.raises(ValueError, match="out of range"):
        bernoulli_sources(16, 5.0, 4, np.random.default_rng(0))


def test_bernoulli_injection_offers_the_rate() -> None:
    creating = bernoulli_sources(64, 0.2, 4, np.random.default_rng(1))
    packets = sum(len(creating()) for _ in range(5000))
    assert packets * 4 / (64 * 5000) == pytest.approx(0.2, rel=0.03)


def test_traffic_runs_are_deterministic_and_saturate_past_the_knee() -> None:
    mesh = _mesh()
    args = (mesh, RouterParams(), TrafficPattern("uniform", 16), 0.1, 4)
    first = run_traffic(*args, seed=3, warmup_cycles=200, measure_cycles=600, drain_cycles=2000)
    again = run_traffic(*args, seed=3, warmup_cycles=200, measure_cycles=600, drain_cycles=2000)
    assert first == again and not first.saturated and first.packets > 0
    assert first.accepted_flits_per_node_cycle == pytest.approx(0.1, rel=0.15)
    assert first.avg_packet_latency_cycles >= zero_load_latency(mesh, RouterParams(), 4) - 3
    flooded = run_traffic(
        mesh,
        RouterParams(),
        TrafficPattern("hotspot", 16, 0, 0.9),
        0.6,
        4,
        seed=3,
        warmup_cycles=200,
        measure_cycles=600,
        drain_cycles=1500,
    )
    assert flooded.saturated and flooded.avg_packet_latency_cycles is None
    # The hot node ejects at most one flit a cycle: 1/16 of a flit per node.
    assert flooded.accepted_flits_per_node_cycle <= 1 / 16 + 0.1 / 16 * 1.5


def test_a_torus_routes_wrap_around() -> None:
    torus = Torus(rows=4, cols=4, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1)
    network = RouterNetwork(torus, RouterParams(vcs=2))
    packet = Packet(0, 3, 4, 0)
    network.inject(packet)
    _drain(network)
    assert torus.hops(0, 3) == 1
    assert packet.done == RouterParams().zero_load_cycles(1, 4)
