"""End-to-end invariants of the event-driven engine on small networks."""

import pandas as pd
import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.mapper import map_network
from cimsim.runs import simulate
from workloads import zoo
from workloads.shapes import analyze


@pytest.fixture(scope="module")
def result(tiny_arch, small_cnn):
    return simulate(tiny_arch, small_cnn)


def test_every_crossbar_layer_takes_at_least_its_mvms(tiny_arch, small_cnn, result) -> None:
    mapping = map_network(analyze(small_cnn), tiny_arch, hardware_params(tiny_arch))
    layers = result.layers.set_index("layer")
    for name, costs in mapping.costs.items():
        vectors = int(layers.loc[name, "output_vectors"])
        assert layers.loc[name, "cycles"] >= vectors * costs[0].mvm_cycles


def test_layers_run_one_after_another(result) -> None:
    layers = result.layers
    starts, ends = layers["start_cycle"].to_numpy(), layers["end_cycle"].to_numpy()
    assert (starts[1:] >= ends[:-1]).all()
    assert result.summary["total_cycles"] >= layers["cycles"].sum()


def test_noc_bytes_injected_equal_bytes_delivered(small_cnn) -> None:
    """Bytes are counted when a message leaves its source and again when it arrives: two
    counts that differ while messages are in flight and agree once the run has drained."""
    from cimsim.engine import Engine
    from cimsim.plan.lower import lower_program
    from cimsim.scheduler import program_scheduler
    from cimsim.timing.event import Holds, ProgramRunner
    from cimsim.trace import TraceSink

    tiny_arch = load_arch("tiny", ["tile.pes=1"])  # one PE per tile: layers spread over the mesh
    info = analyze(small_cnn)
    hw = hardware_params(tiny_arch)
    mapping = map_network(info, tiny_arch, hw)
    program = program_scheduler("layer_by_layer")(info, mapping, tiny_arch, 2)
    plan = lower_program(program, mapping, info, 8, hw.digital)
    engine, sink = Engine(hw.clock_ghz), TraceSink()
    holds = Holds(engine, sink, plan.resources, plan.flit_bytes)
    runner = ProgramRunner(holds, program, plan)
    runner.start()
    in_flight = 0
    while engine.env.peek() != float("inf"):
        engine.env.step()
        sent, received = sink.total("noc", "injected_byte"), sink.total("noc", "byte")
        assert received <= sent
        in_flight = max(in_flight, sent - received)
    assert all(event.triggered for event in runner.done)
    assert in_flight > 0, "some message was in flight at some point"
    injected = sink.total("noc", "injected_byte")
    assert injected > 0
    assert injected == sink.total("noc", "byte")


def test_same_inputs_give_identical_results(tiny_arch, small_cnn, result) -> None:
    again = simulate(tiny_arch, small_cnn)
    assert again.summary == result.summary
    pd.testing.assert_frame_equal(again.layers, result.layers)


def test_batch_scales_the_work(tiny_arch, small_cnn, result) -> None:
    batched = simulate(tiny_arch, small_cnn, batch=3)
    assert batched.summary["adc_conversions"] == 3 * result.summary["adc_conversions"]
    assert batched.summary["total_cycles"] > 2 * result.summary["total_cycles"]


def test_events_are_per_unit_of_work_not_per_cycle(result) -> None:
    summary = result.summary
    assert 0 < summary["events_processed"] < summary["total_cycles"] / 10
    assert summary["events_processed"] >= summary["tasks"]


def test_utilization_is_a_fraction(result) -> None:
    util = result.summary["utilization"]
    assert all(0.0 <= value <= 1.0 for value in util.values())
    assert util["pe"] > 0 and util["tile"] > 0


def test_slower_adc_slows_the_run(small_cnn) -> None:
    fast = simulate(load_arch("tiny"), small_cnn)
    slow = simulate(load_arch("tiny", ["tile.adc.sample_rate=0.1 GS/s"]), small_cnn)
    assert slow.summary["total_cycles"] > fast.summary["total_cycles"]
    assert slow.summary["adc_conversions"] == fast.summary["adc_conversions"]


def test_coarse_events_match_the_fine_grained_reference(tiny_arch, small_cnn) -> None:
    """The reference runs every MVM as its own event and queues at simpy.Resource ports."""
    coarse = simulate(tiny_arch, small_cnn, batch=2)
    fine = simulate(tiny_arch, small_cnn, batch=2, fine_grained=True)
    assert fine.summary["events_processed"] > coarse.summary["events_processed"]
    for key in ("events_processed",):
        coarse.summary.pop(key)
        fine.summary.pop(key)
    assert coarse.summary == fine.summary
    pd.testing.assert_frame_equal(coarse.layers, fine.layers)


@pytest.mark.parametrize(
    ("overrides", "scheduler", "duplication", "batch"),
    [
        ([], "cross_layer", "greedy", 1),  # copies compete for links and the global buffer
        (["tile.adc.shared_by_pes=2"], "cross_layer", "greedy", 2),  # and for ADC banks
        ([], "pipelined", "greedy", 3),
    ],
)
def test_contended_runs_match_the_reference(overrides, scheduler, duplication, batch) -> None:
    arch, graph = load_arch("tiny", overrides), zoo.build("lenet5")
    kwargs = {"scheduler": scheduler, "duplication": duplication, "batch": batch}
    coarse = simulate(arch, graph, **kwargs)
    fine = simulate(arch, graph, fine_grained=True, **kwargs)
    coarse.summary.pop("events_processed")
    fine.summary.pop("events_processed")
    assert coarse.summary == fine.summary
    pd.testing.assert_frame_equal(coarse.layers, fine.layers)


def _two_branches():
    from workloads.ir import Add, Conv2d, Graph, Layer

    return Graph(
        name="branches",
        inputs=(("x", (4, 8, 8)),),
        layers=(
            Layer("a", Conv2d(8, (3, 3), padding=(1, 1)), ("x",)),
            Layer("b", Conv2d(8, (3, 3), padding=(1, 1)), ("x",)),
            Layer("sum", Add(), ("a", "b")),
        ),
        outputs=("sum",),
    )


def _run_concurrently(arch, run_program):
    """Run both branches with no barrier between them, so they compete for resources."""
    from cimsim.program import Program

    info = analyze(_two_branches())
    hw = hardware_params(arch)
    mapping = map_network(info, arch, hw)
    from cimsim.scheduler import program_scheduler

    base = program_scheduler("layer_by_layer")(info, mapping, arch, 1)
    free = tuple(t.__class__(**{**t.__dict__, "deps": ()}) for t in base.tasks)
    last = [base.queues[("a", 0)][-1], base.queues[("b", 0)][-1]]
    tasks = tuple(
        t.__class__(**{**t.__dict__, "deps": tuple(last)}) if t.layer == "sum" else t for t in free
    )
    program = Program("concurrent", 1, tasks, base.queues, base.edge_levels)
    runner, _ = run_program(arch, info, mapping, program)
    return runner, mapping


def test_a_shared_adc_bank_serialises_concurrent_layers(run_program) -> None:
    private, private_map = _run_concurrently(load_arch("tiny"), run_program)
    shared, shared_map = _run_concurrently(
        load_arch("tiny", ["tile.adc.shared_by_pes=2"]), run_program
    )
    assert private_map.shared_adc_banks[("a", 0)] == ()
    assert shared_map.shared_adc_banks[("a", 0)] == ((0, 0),)
    # Same MVM latency either way (read-bound), but one bank for both layers: they take turns.
    assert private_map.costs["a"][0].mvm_cycles == shared_map.costs["a"][0].mvm_cycles
    span = lambda r: max(r.layer_end_cycles["a"], r.layer_end_cycles["b"])  # noqa: E731
    vectors_time = 64 * private_map.costs["a"][0].mvm_cycles
    assert span(private) < 1.5 * vectors_time
    assert span(shared) >= 2 * vectors_time


def test_cross_layer_overlaps_layers_and_beats_the_barrier(tiny_arch, small_cnn) -> None:
    barrier = simulate(tiny_arch, small_cnn, scheduler="layer_by_layer")
    overlap = simulate(tiny_arch, small_cnn, scheduler="cross_layer")
    assert overlap.summary["total_cycles"] < barrier.summary["total_cycles"]
    assert overlap.summary["adc_conversions"] == barrier.summary["adc_conversions"]
    layers = overlap.layers.set_index("layer")
    assert layers.loc["conv2", "start_cycle"] < layers.loc["conv1", "end_cycle"]


def test_pipelining_a_batch_raises_throughput(tiny_arch, small_cnn) -> None:
    barrier = simulate(tiny_arch, small_cnn, scheduler="layer_by_layer", batch=4)
    pipeline = simulate(tiny_arch, small_cnn, scheduler="pipelined", batch=4)
    assert (
        pipeline.summary["throughput_inferences_per_s"]
        > barrier.summary["throughput_inferences_per_s"]
    )


def test_duplication_shortens_the_run_with_the_same_work(tiny_arch, small_cnn) -> None:
    single = simulate(tiny_arch, small_cnn, scheduler="cross_layer")
    dup = simulate(tiny_arch, small_cnn, scheduler="cross_layer", duplication="greedy")
    assert dup.summary["crossbars_used"] > single.summary["crossbars_used"]
    assert dup.summary["total_cycles"] < single.summary["total_cycles"]
    assert dup.summary["adc_conversions"] == single.summary["adc_conversions"]


@pytest.mark.parametrize(
    ("scheduler", "duplication", "batch"),
    [("layer_by_layer", "none", 1), ("layer_by_layer", "greedy", 4), ("cross_layer", "none", 1),
     ("pipelined", "none", 4)],
)  # fmt: skip
def test_edges_kept_on_tiles_fit_their_buffers(scheduler: str, duplication: str, batch: int):
    from workloads import zoo

    summary = simulate(
        load_arch("isaac"), zoo.build("resnet18"), scheduler=scheduler, duplication=duplication,
        batch=batch,
    ).summary  # fmt: skip
    assert summary["tile_buffers_over_capacity"] == []
    assert 0 < summary["tile_buffer_peak_bytes"] <= 64 * 1024


def test_a_fast_stage_waits_for_its_consumer_instead_of_flooding_it() -> None:
    from workloads.ir import Conv2d, sequential

    # a cheap 1x1 conv feeding an ADC-bound 3x3 conv (512 conversions per PE per step)
    graph = sequential(
        "fast_then_slow",
        (4, 16, 16),
        [("fast", Conv2d(16, (1, 1))), ("slow", Conv2d(128, (3, 3), padding=(1, 1)))],
    )
    result = simulate(load_arch("tiny"), graph, scheduler="pipelined", batch=6, trace="summary")
    intervals = result.trace.to_frame()
    causes = set(intervals.loc[intervals["kind"] == "idle", "cause"].astype(str))
    assert "backpressure" in causes
    assert result.summary["tile_buffers_over_capacity"] == []
