"""Chiplets (2.5-D) and stacks (3-D): routes, hop counts, deadlock freedom, placement orders."""

import itertools

import pytest

from cimsim.machine.deadlock import dependency_cycle, unreachable
from cimsim.machine.hierarchy import Chiplets, Stack3D
from cimsim.machine.topology import Mesh, Torus
from cimsim.mapper.curves import hilbert, in_order, snake, tile_order

NOC = {"flit_bytes": 4, "link_bandwidth_gbps": 4.0, "router_latency_ns": 1.0}


def _chiplets(rows=3, cols=3, grid=(2, 2), gateway=(1, 1), interposer="mesh") -> Chiplets:
    return Chiplets(rows=rows, cols=cols, **NOC, grid=grid, gateway=gateway,
                    interposer=interposer, interposer_bandwidth_gbps=8.0,
                    interposer_latency_ns=5.0)  # fmt: skip


def _stack(rows=4, cols=4, tiers=2, **kw) -> Stack3D:
    return Stack3D(rows=rows, cols=cols, **NOC, tiers=tiers, vertical_bandwidth_gbps=4.0,
                   vertical_latency_ns=0.5, **kw)  # fmt: skip


def _names(topology, a: int, b: int) -> list[str]:
    return [topology.links[i].name for i in topology.route(a, b)]


def _kinds(topology, a: int, b: int) -> list[str]:
    return [topology.links[i].kind for i in topology.route(a, b)]


def test_chiplet_routes_leave_and_enter_through_the_gateways() -> None:
    package = _chiplets()
    assert package.nodes == 36 and package.units == 4
    # tile 0 = chiplet 0 (0, 0); tile 35 = chiplet 3 (2, 2); gateways at (1, 1) = 4, 13, 22, 31
    assert _names(package, 0, 35) == ["link0-1", "link1-4", "link4-13", "link13-31",
                                      "link31-32", "link32-35"]  # fmt: skip
    assert _kinds(package, 0, 35) == ["link", "link", "interposer", "interposer", "link", "link"]
    assert package.hops(0, 8) == 4 and _kinds(package, 0, 8) == ["link"] * 4  # inside chiplet 0
    interposer = [k for k in package.links if k.kind == "interposer"]
    assert len(interposer) == 8 and {k.bandwidth_gbps for k in interposer} == {8.0}
    assert {k.latency_ns for k in interposer} == {5.0}
    assert len(package.links) == 4 * 24 + 8  # a 3x3 mesh has 24 directed links


def test_an_sfc_interposer_is_a_chain_along_the_hilbert_curve_of_the_grid() -> None:
    package = _chiplets(grid=(3, 3), interposer="sfc")
    assert package.chain == (0, 1, 4, 3, 6, 7, 8, 5, 2)
    gateways = [package.gateway_of(c) for c in package.chain]
    interposer = {(k.src, k.dst) for k in package.links if k.kind == "interposer"}
    assert interposer == {*itertools.pairwise(gateways), *itertools.pairwise(gateways[::-1])}
    # chiplet 0 to chiplet 2: the whole chain (8 interposer hops); the mesh interposer: 2
    sfc = _kinds(package, package.gateway_of(0), package.gateway_of(2))
    mesh = _chiplets(grid=(3, 3))
    assert sfc == ["interposer"] * 8
    assert _kinds(mesh, mesh.gateway_of(0), mesh.gateway_of(2)) == ["interposer"] * 2


def test_stack_routes_go_x_then_y_then_z() -> None:
    stack = _stack()
    assert stack.nodes == 32
    assert _names(stack, 0, 31) == ["link0-1", "link1-2", "link2-3", "link3-7", "link7-11",
                                    "link11-15", "link15-31"]  # fmt: skip
    assert _kinds(stack, 0, 31)[-1] == "tsv" and _kinds(stack, 16, 0) == ["tsv"]
    assert sum(k.kind == "tsv" for k in stack.links) == 2 * 16
    miv = _stack(vertical="miv")
    assert {k.kind for k in miv.links} == {"link", "miv"}


def test_one_elevator_carries_every_vertical_hop() -> None:
    stack = _stack(elevators=((1, 1),))
    assert sum(k.kind == "tsv" for k in stack.links) == 2
    route = [stack.links[i] for i in stack.route(0, 16)]  # (0, 0) of tier 0 -> tier 1
    assert [k.name for k in route] == ["link0-1", "link1-5", "link5-21", "link21-20",
                                       "link20-16"]  # fmt: skip
    assert stack.path_order_is_safe


def test_an_sfc_stack_links_consecutive_routers_of_its_3d_curve() -> None:
    stack = _stack(tiers=3, layout="sfc")
    chain = stack.chain
    assert sorted(chain) == list(range(48)) and chain[15] == 3 and chain[16] == 19
    assert len(stack.links) == 2 * 47
    assert [k.kind for k in stack.links].count("tsv") == 4  # two tier changes, both ways
    assert stack.hops(chain[10], chain[30]) == 20
    for a, b in itertools.pairwise(chain):
        assert stack.hops(a, b) == 1


@pytest.mark.parametrize(
    "topology",
    [_chiplets(), _chiplets(grid=(3, 3), gateway=(0, 2), interposer="sfc"),
     _chiplets(rows=2, cols=4, grid=(1, 3)), _stack(), _stack(tiers=3, layout="sfc"),
     _stack(rows=3, cols=5, tiers=3, elevators=((2, 4),)), _stack(vertical="miv")],
    ids=["chiplets", "chiplets-sfc", "chiplets-row", "stack", "stack-sfc", "stack-elevator",
         "stack-miv"],
)  # fmt: skip
def test_routes_are_connected_deterministic_and_cannot_deadlock(topology) -> None:
    assert unreachable(topology) == ()
    for a, b in itertools.product(range(topology.nodes), repeat=2):
        route = topology.route(a, b)
        assert route == topology.route(a, b)
        links = [topology.links[i] for i in route]
        assert [k.src for k in links[:1]] == ([a] if a != b else [])
        assert all(x.dst == y.src for x, y in itertools.pairwise(links))
        assert (links[-1].dst if links else a) == b
    assert topology.path_order_is_safe and dependency_cycle(topology) == ()


def test_the_dependency_check_finds_the_cycles_it_should() -> None:
    assert dependency_cycle(Mesh(4, 4, **NOC)) == ()
    torus = Torus(4, 4, **NOC)
    assert dependency_cycle(torus) == ()  # index-order acquisition: no cycle
    object.__setattr__(torus, "path_order_is_safe", True)
    assert len(dependency_cycle(torus)) >= 2  # path order around a ring: a cycle
    two = _stack(rows=1, cols=8, elevators=((0, 1), (0, 6)))
    assert not two.path_order_is_safe  # taken in index order instead
    object.__setattr__(two, "path_order_is_safe", True)
    cycle = dependency_cycle(two)
    assert {two.links[i].kind for i in cycle} == {"link", "tsv"}  # through both tiers


def test_placement_fills_a_chiplet_or_tier_before_the_next() -> None:
    package = _chiplets(rows=2, cols=2, grid=(2, 2))
    assert tile_order("in_order", package) == list(range(16))
    # hilbert over the 2x2 chiplet grid: chiplets 0, 2, 3, 1; hilbert within each
    assert tile_order("hilbert", package) == [0, 2, 3, 1, 8, 10, 11, 9, 12, 14, 15, 13,
                                              4, 6, 7, 5]  # fmt: skip
    stack = _stack(rows=2, cols=2)
    assert tile_order("in_order", stack) == list(range(8))
    assert tile_order("snake", stack) == [0, 1, 3, 2, 6, 7, 5, 4]  # tier 1 reversed
    sfc = _stack(tiers=3, layout="sfc")
    assert tile_order("hilbert", sfc) == list(sfc.chain)
    for name in ("in_order", "snake", "hilbert"):
        for topology in (package, stack, _chiplets(grid=(3, 2)), sfc):
            assert sorted(tile_order(name, topology)) == list(range(topology.nodes))


def test_mesh_orders_are_unchanged() -> None:
    mesh = Mesh(14, 12, **NOC)
    assert tile_order("in_order", mesh) == in_order(14, 12) == list(range(168))
    assert tile_order("snake", mesh) == snake(14, 12)
    assert tile_order("hilbert", mesh) == hilbert(14, 12)
    assert snake(2, 3) == [0, 1, 2, 5, 4, 3]
    assert hilbert(2, 2) == [0, 2, 3, 1]
