"""Contention and routing of single components, in isolation."""

from cimsim.components.memory import MemoryPort
from cimsim.components.noc import MeshNoc, xy_route
from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.engine import Engine
from cimsim.trace import TraceSink


def test_xy_route_goes_along_x_then_y() -> None:
    # 3 x 3 mesh, tile 0 (0,0) -> tile 8 (2,2): 0->1->2->5->8
    assert xy_route(0, 8, 3) == [(0, 1), (1, 2), (2, 5), (5, 8)]
    assert xy_route(8, 0, 3) == [(8, 7), (7, 6), (6, 3), (3, 0)]
    assert xy_route(4, 4, 3) == []


def _noc():
    hw = hardware_params(load_arch("tiny"))
    engine, sink = Engine(hw.clock_ghz), TraceSink()
    return engine, sink, MeshNoc(engine, sink, hw, 3, 3)


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
    engine, _, noc = _noc()
    alone = _finish_times(engine, [noc.send("x", 0, 2, 800)])[0]
    # tiny: 8-byte flits at 8 GB/s = 1 ns each; 100 flits + 2 hops x 1 ns
    assert alone == 102
    engine, _, noc = _noc()
    shared = _finish_times(engine, [noc.send("x", 0, 2, 800), noc.send("y", 1, 2, 800)])
    assert sorted(shared) == [101, 101 + 102] or sorted(shared) == [102, 102 + 101]
    engine, _, noc = _noc()
    disjoint = _finish_times(engine, [noc.send("x", 0, 2, 800), noc.send("y", 6, 8, 800)])
    assert disjoint == [102, 102]


def test_memory_port_serialises_accesses_and_counts_bytes() -> None:
    engine, sink = Engine(1.0), TraceSink()
    port = MemoryPort(engine, sink, "buf", "tile_buffer", bandwidth_gbps=1.0, access_latency_ns=2)
    times = _finish_times(
        engine, [port.access("a", 10, write=False), port.access("b", 10, write=True)]
    )
    assert times == [12, 24]
    assert sink.total("tile_buffer", "read_byte") == 10
    assert sink.total("tile_buffer", "write_byte") == 10
    assert sink.busy_cycles()["buf"] == 24
