"""Weight reuse on compact chips: parts, weight loading, modes, errors, determinism."""

import math

import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import CimsimError, ConfigError, MappingError
from cimsim.mapper import tile_layer
from cimsim.runs import simulate
from cimsim.scheduler.weight_reuse import MODES, plan_parts
from workloads import zoo
from workloads.shapes import analyze

SMALL = ["noc.rows=1", "noc.cols=1"]
"""tiny shrunk to one tile of 8 PEs: LeNet-5 (12 PEs) no longer fits."""


@pytest.fixture(scope="module")
def lenet():
    return zoo.build("lenet5")


@pytest.fixture(scope="module")
def small_arch():
    return load_arch("tiny", SMALL)


@pytest.fixture(scope="module")
def runs(small_arch, lenet):
    return {mode: run_weight_reuse(small_arch, lenet, 4, mode).summary for mode in MODES}


def run_weight_reuse(arch, graph, batch, mode, duplication="dynamic", **options):
    return simulate(arch, graph, scheduler="weight_reuse", reuse_mode=mode, batch=batch,
                    duplication=duplication, **options)  # fmt: skip


def _tilings(arch, info):
    hw = hardware_params(arch)
    bits = arch.precision.weight_bits
    return {i.name: tile_layer(i, hw.crossbar, bits) for i in info.layers if i.is_mvm}


def test_vgg8_parts_on_the_compact_chip_are_the_papers() -> None:
    """docs/references.md#chen-yang: RP on the 4x4-tile chip cuts VGG-8 into {L1-L6}, {L7}, {L8}."""
    arch = load_arch("compact_4x4")
    info = analyze(zoo.build("vgg8"))
    plan = plan_parts(info, _tilings(arch, info), arch, "RP")
    assert [p.crossbar_layers for p in plan.parts] == [
        ("conv1", "conv2", "conv3", "conv4", "conv5", "conv6"),
        ("fc1",),
        ("fc2",),
    ]
    assert [p.pes for p in plan.parts] == [141, 256, 1]
    assert plan.parts[1].inputs == ("flatten",)
    assert plan.weight_bytes == 12_973_440  # every VGG-8 weight once, 8 bits
    ll = plan_parts(info, _tilings(arch, info), arch, "LL")
    assert len(ll.parts) == 8


@pytest.mark.parametrize("mode", MODES)
def test_parts_cover_every_layer_once_and_time_continues(runs, lenet, mode) -> None:
    summary = runs[mode]
    layers = [name for part in summary["parts"] for name in part["layers"]]
    assert layers == [layer.name for layer in lenet.layers]
    previous_end = 0
    for part in summary["parts"]:
        assert part["start_cycle"] == previous_end
        assert part["start_cycle"] < part["weights_loaded_cycle"] < part["end_cycle"]
        previous_end = part["end_cycle"]
    assert summary["total_cycles"] == previous_end
    assert summary["reuse_mode"] == mode
    assert summary["mode"] == "event"
    assert summary["scheduler"] == "weight_reuse"


@pytest.mark.parametrize("mode", MODES)
def test_weights_loaded_once_per_part_per_batch(runs, small_arch, lenet, mode) -> None:
    summary = runs[mode]
    info = analyze(lenet)
    tilings = _tilings(small_arch, info)
    part_bytes = sum(p["weight_bytes"] for p in summary["parts"])
    weights = sum(math.ceil(info.by_name[n].mvm_weights * 8 / 8) for n in tilings)
    assert summary["weight_load_bytes"] == part_bytes == weights
    assert summary["weight_loads"] == len(summary["parts"])
    assert summary["bytes"]["dram_read_bytes"] >= part_bytes
    cells = sum(
        copies * tilings[name].weight_cells
        for part in summary["parts"]
        for name, copies in part["copies"].items()
    )
    assert summary["rram_cell_writes"] == cells
    assert summary["weight_load_cycles"] == sum(
        p["weights_loaded_cycle"] - p["start_cycle"] for p in summary["parts"]
    )


def test_mode_ordering(runs) -> None:
    """HT pipelines the batch inside a part, so it beats RP at batch > 1."""
    assert runs["HT"]["throughput_inferences_per_s"] > runs["RP"]["throughput_inferences_per_s"]
    assert runs["LL"]["weight_loads"] > runs["RP"]["weight_loads"]
    assert all(0 < runs[m]["utilization"]["pe"] <= 1 for m in MODES)


def test_dynamic_duplication_fills_each_part(runs) -> None:
    first = runs["RP"]["parts"][0]
    assert first["copies"]["c1"] > 1
    assert first["pes_used"] <= 8


def test_energy_is_priced_with_weight_programming(runs) -> None:
    summary = runs["HT"]
    if "energy_by_level_pj" not in summary:
        pytest.skip("no energy model in this build")
    assert summary["energy_by_level_pj"]["weight_programming"] > 0


def test_deterministic(small_arch, lenet) -> None:
    a = run_weight_reuse(small_arch, lenet, 2, "HT", seed=3)
    b = run_weight_reuse(small_arch, lenet, 2, "HT", seed=3)
    assert a.summary == b.summary
    assert a.layers.equals(b.layers)


def test_weight_loading_is_traced(small_arch, lenet) -> None:
    frame = run_weight_reuse(small_arch, lenet, 2, "RP", trace="summary").trace.to_frame()
    programs = frame[frame.kind == "program"]
    assert set(programs.layer) == {"c1", "c3", "c5", "f6", "output"}
    waiting = frame[(frame.kind == "idle") & (frame.cause == "weights")]
    assert len(waiting) > 0
    assert (frame[frame.component == "weights"].kind == "weight_load").sum() == 3


def test_bad_input_is_a_clear_error(small_arch, lenet) -> None:
    with pytest.raises(CimsimError, match="fits on tiny in one piece"):
        run_weight_reuse(load_arch("tiny"), lenet, 2, "RP")
    with pytest.raises(CimsimError, match="needs --batch 2"):
        run_weight_reuse(small_arch, lenet, 1, "HT")
    with pytest.raises(ConfigError, match="run option reuse_mode"):
        run_weight_reuse(small_arch, lenet, 2, "XX")
    with pytest.raises(ConfigError, match="run option duplication"):
        run_weight_reuse(small_arch, lenet, 2, "RP", duplication="nope")
    one_pe = load_arch("tiny", [*SMALL, "tile.pes=1", "tile.pe.crossbars=4", "tile.adc.per_pe=4"])
    with pytest.raises(MappingError, match="layer c5: even one column of its crossbars"):
        run_weight_reuse(one_pe, lenet, 2, "RP")


@pytest.mark.parametrize("mode", MODES)
def test_estimate_counts_the_same_work_and_is_a_lower_bound(small_arch, lenet, runs, mode) -> None:
    event = runs[mode]
    guess = simulate(
        small_arch, lenet, scheduler="weight_reuse", batch=4, duplication="dynamic",
        mode="estimate", reuse_mode=mode,
    ).summary  # fmt: skip
    assert guess["mode"] == "estimate" and guess["events_processed"] == 0
    assert guess["bytes"] == event["bytes"]
    assert guess["rram_cell_writes"] == event["rram_cell_writes"]
    assert guess["energy_dynamic_pj"] == pytest.approx(event["energy_dynamic_pj"])
    assert [p["layers"] for p in guess["parts"]] == [p["layers"] for p in event["parts"]]
    assert 0 < guess["weight_load_cycles"] <= event["weight_load_cycles"]
    assert 0.5 * event["total_cycles"] <= guess["total_cycles"] <= event["total_cycles"]


@pytest.mark.parametrize("mode", MODES)
def test_pe_tracks_wait_for_weights_only_while_loading(small_arch, lenet, mode) -> None:
    """Idle 'weights' lies within a part's load; before it the PE is 'drained' (its earlier
    part done, or none yet): the bubble breakdown charges weight loading its own time."""
    batch = 2
    result = run_weight_reuse(small_arch, lenet, batch, mode, trace="summary")
    frame = result.trace.to_frame()
    loads = [(p["start_cycle"], p["weights_loaded_cycle"]) for p in result.summary["parts"]]
    idle = frame[frame.kind == "idle"]
    waiting = idle[idle.cause == "weights"]
    assert len(waiting)
    for start, end in zip(waiting.start_cycle, waiting.end_cycle, strict=True):
        assert any(a <= start and end <= b for a, b in loads), (start, end, loads)
    drained = idle[idle.cause == "drained"]
    assert set(drained.end_cycle) <= {a for a, _ in loads}
