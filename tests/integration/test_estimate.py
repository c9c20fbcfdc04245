"""The closed-form estimate against the event-driven engine."""

import pytest

from cimsim.config import load_arch
from cimsim.runs import simulate
from workloads import zoo

CASES = [
    ("tiny", "lenet5", "layer_by_layer", "none", 1),
    ("tiny", "lenet5", "cross_layer", "greedy", 1),
    ("tiny", "lenet5", "pipelined", "none", 3),
    ("isaac", "mlp", "layer_by_layer", "none", 2),
]


@pytest.mark.parametrize(("arch", "workload", "scheduler", "duplication", "batch"), CASES)
def test_estimate_prices_the_same_work_and_never_exceeds_the_event_run(
    arch: str, workload: str, scheduler: str, duplication: str, batch: int
) -> None:
    kwargs = {"scheduler": scheduler, "duplication": duplication, "batch": batch}
    graph = zoo.build(workload)
    event = simulate(load_arch(arch), graph, **kwargs).summary
    guess = simulate(load_arch(arch), graph, mode="estimate", **kwargs).summary
    assert guess["events_processed"] == 0 and guess["mode"] == "estimate"
    assert guess["bytes"] == event["bytes"]
    assert guess["adc_conversions"] == event["adc_conversions"]
    assert guess["energy_dynamic_pj"] == pytest.approx(event["energy_dynamic_pj"])
    # contention only ever delays: the estimate is a lower bound on the event-driven time
    assert guess["total_cycles"] <= event["total_cycles"]
    if scheduler == "layer_by_layer":
        assert guess["total_cycles"] >= 0.9 * event["total_cycles"]


@pytest.mark.parametrize(("scheduler", "batch"), [("layer_by_layer", 1), ("pipelined", 3),
                                                  ("cross_layer", 1)])  # fmt: skip
def test_estimate_reports_tile_busy_time_and_buffer_overflow_like_the_event_run(
    scheduler: str, batch: int
) -> None:
    """The estimate's list schedule gives each tile's work spans and buffer levels: with a
    512 B tile buffer LeNet-5 overflows tile 0 in both modes, at the same peak."""
    arch, graph = load_arch("tiny", ["memory.tile_buffer.size=512 B"]), zoo.build("lenet5")
    event = simulate(arch, graph, scheduler=scheduler, batch=batch).summary
    guess = simulate(arch, graph, scheduler=scheduler, batch=batch, mode="estimate").summary
    assert guess["tile_buffers_over_capacity"] == event["tile_buffers_over_capacity"] == [0]
    assert guess["tile_buffer_peak_bytes"] == event["tile_buffer_peak_bytes"] > 512
    assert sum(event["tile_busy_cycles"]) > 0
    for ours, theirs in zip(guess["tile_busy_cycles"], event["tile_busy_cycles"], strict=True):
        assert ours == pytest.approx(theirs, rel=0.01)
    assert guess["utilization"]["tile"] == pytest.approx(event["utilization"]["tile"], rel=0.01)
    if scheduler == "layer_by_layer":  # no two tasks overlap: the spans are the engine's
        assert guess["tile_busy_cycles"] == event["tile_busy_cycles"]


def test_a_noc_bound_estimate_is_the_busiest_links_busy_time() -> None:
    """VGG-8 pipelined on compact_6x6 is bound by the link out of the global-buffer router:
    the estimate charges that link the same messages as the engine, and takes its busy
    time as the floor of the run."""
    arch, graph = load_arch("compact_6x6"), zoo.build("vgg8")
    kwargs = {"scheduler": "pipelined", "duplication": "dynamic", "batch": 8}
    event = simulate(arch, graph, **kwargs).summary
    guess = simulate(arch, graph, mode="estimate", **kwargs).summary
    assert guess["estimate_bound"] == event["busiest_link"] == guess["busiest_link"]
    link_busy = event["utilization"]["noc_link_max"] * event["total_cycles"]
    assert guess["total_cycles"] == pytest.approx(link_busy, rel=1e-12)
    assert guess["total_cycles"] <= event["total_cycles"]
    assert guess["utilization"]["noc_link_max"] == 1.0


def test_without_contention_the_critical_path_bounds_the_estimate() -> None:
    summary = simulate(load_arch("tiny"), zoo.build("lenet5"), mode="estimate").summary
    assert summary["estimate_bound"] == "critical path"


def test_estimate_rejects_traces() -> None:
    from cimsim.errors import ConfigError

    with pytest.raises(ConfigError, match="estimate"):
        simulate(load_arch("tiny"), zoo.build("mlp"), mode="estimate", trace="full")
    with pytest.raises(ConfigError, match="--mode"):
        simulate(load_arch("tiny"), zoo.build("mlp"), mode="guess")
