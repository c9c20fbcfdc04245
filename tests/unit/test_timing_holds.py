"""Holds in isolation: routes of the mesh, messages and memory ports under contention."""

from cimsim.config import load_arch
from cimsim.engine import Engine
from cimsim.machine import Mesh
from cimsim.machine.build import build_machine
from cimsim.plan import Access, Resources
from cimsim.plan.lower import Lowering
from cimsim.timing.event import Holds
from cimsim.trace import TraceSink


def test_mesh_routes_along_x_then_y() -> None:
    mesh = Mesh(rows=3, cols=3, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1.0)
    names = lambda src, dst: [mesh.links[i].name for i in mesh.route(src, dst)]  # noqa: E731
    # tile 0 (0,0) -> tile 8 (2,2): 0->1->2->5->8
    assert names(0, 8) == ["link0-1", "link1-2", "link2-5", "link5-8"]
    assert names(8, 0) == ["link8-7", "link7-6", "link6-3", "link3-0"]
    assert names(4, 4) == []


def _holds():
    machine = build_machine(load_arch("tiny"))
    engine, sink = Engine(machine.clock_ghz), TraceSink()
    lowering = Lowering(machine, Resources())
    return engine, sink, lowering, Holds(engine, sink, lowering.resources, 8)


def _finish_times(engine, bodies):
    finished = []

    def wrap(body):
        yield from body
        finished.append(engine.now_cycles)

    for body in bodies:
        engine.process(wrap(body))
    engine.run()
    return finished


def test_messages_sharing_a_link_queue_and_disjoint_ones_do_not() -> None:
    engine, _, low, holds = _holds()
    alone = _finish_times(engine, [holds.message("x", low.message(0, 2, 800))])[0]
    # tiny: 8-byte flits at 8 GB/s = 1 ns each; 100 flits + 2 hops x 1 ns
    assert alone == 102
    engine, _, low, holds = _holds()
    shared = _finish_times(
        engine,
        [holds.message("x", low.message(0, 2, 800)), holds.message("y", low.message(1, 2, 800))],
    )
    assert sorted(shared) == [101, 101 + 102] or sorted(shared) == [102, 102 + 101]
    engine, _, low, holds = _holds()
    disjoint = _finish_times(
        engine,
        [holds.message("x", low.message(0, 2, 800)), holds.message("y", low.message(6, 8, 800))],
    )
    assert disjoint == [102, 102]


def test_memory_port_serialises_accesses_and_counts_bytes() -> None:
    engine, sink = Engine(1.0), TraceSink()
    resources = Resources()
    holds = Holds(engine, sink, resources, 4)
    port = resources.index("buf")
    read = Access(port, "tile_buffer", 10, 12, write=False)
    write = Access(port, "tile_buffer", 10, 12, write=True)
    times = _finish_times(engine, [holds.access("a", read), holds.access("b", write)])
    assert times == [12, 24]
    assert sink.total("tile_buffer", "read_byte") == 10
    assert sink.total("tile_buffer", "write_byte") == 10
    assert sink.busy_cycles()["buf"] == 24
