"""Compact-chip duplication policies: dynamic (bubble mitigation) and neurosim."""

import math

import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import MappingError
from cimsim.mapper import DUPLICATIONS, map_network, tile_layer
from cimsim.mapper.duplication_compact import dynamic, fill_spare, grid, neurosim, neurosim_layer
from workloads import zoo
from workloads.shapes import analyze


@pytest.fixture(scope="module")
def vgg8():
    arch = load_arch("compact_4x4")
    hw = hardware_params(arch)
    info = analyze(zoo.build("vgg8"))
    tilings = {
        layer.name: tile_layer(layer, hw.crossbar, arch.precision.weight_bits)
        for layer in info.layers
        if layer.is_mvm
    }
    return arch, hw, info, tilings


def test_policies_are_registered() -> None:
    assert list(DUPLICATIONS) == ["none", "greedy", "dynamic", "neurosim"]


def test_grid_is_the_most_square_factorisation() -> None:
    assert grid(16) == (4, 4)
    assert grid(12) == (3, 4)
    assert grid(8) == (2, 4)
    assert grid(7) == (1, 7)


def test_neurosim_reproduces_the_reference_code_for_vgg8(vgg8) -> None:
    """docs/references.md#chen-yang: tiles 1,1,1,2,4,6,16,1; speed-ups 32,2,1,1,1,1,1,1
    (fc2 capped to 1)."""
    arch, _, info, tilings = vgg8
    plans = [neurosim_layer(t, arch.tile.pe.crossbars, arch.tile.pes) for t in tilings.values()]
    assert [p.tiles for p in plans] == [1, 1, 1, 2, 4, 6, 16, 1]
    assert [p.speed_up for p in plans] == [32, 2, 1, 1, 1, 1, 1, 32]
    part1 = {name: tilings[name] for name in ("conv1", "conv2", "conv3", "conv4", "conv5")}
    part1["conv6"] = tilings["conv6"]
    copies = neurosim(info, part1, {}, arch.tile.pe.crossbars, 256 - 141, arch.tile.pes)
    # conv1: NeuroSim's 32 copies share PEs; in whole PEs its one tile holds 16
    assert copies == {"conv1": 16, "conv2": 2, "conv3": 1, "conv4": 1, "conv5": 1, "conv6": 1}
    fc2 = neurosim(info, {"fc2": tilings["fc2"]}, {}, 16, 100, 16)
    assert fc2 == {"fc2": 1}, "never more copies than output vectors"


def test_neurosim_that_cannot_fit_names_the_layer(vgg8) -> None:
    _, _, info, tilings = vgg8
    with pytest.raises(MappingError, match=r"layer conv1: .* 15 PEs beyond"):
        neurosim(info, {"conv1": tilings["conv1"]}, {}, 16, 10, 16)


def test_fill_spare_follows_the_bubble_mitigation_loop() -> None:
    # a: 100 vectors, 2 units per copy; b: 10 vectors, 1 unit; 6 spare units.
    # stage times a=100,b=10 -> a+1 (spare 4); a=50 -> a+1 (2); a=34 -> a+1 (0); stop.
    copies = fill_spare(["a", "b"], {"a": 100, "b": 10}, {"a": 2, "b": 1}, 6)
    assert copies == {"a": 4, "b": 1}
    # a cannot grow (3 units > 2 spare): ruled out, then b grows while units remain.
    copies = fill_spare(["a", "b"], {"a": 100, "b": 10}, {"a": 3, "b": 1}, 2)
    assert copies == {"a": 1, "b": 3}
    # the output-vector cap rules a layer out
    copies = fill_spare(["a", "b"], {"a": 2, "b": 1}, {"a": 1, "b": 1}, 10)
    assert copies == {"a": 2, "b": 1}


def test_dynamic_fills_free_pes_and_respects_limits(vgg8) -> None:
    arch, _, info, tilings = vgg8
    per_pe = arch.tile.pe.crossbars
    part = {name: tilings[name] for name in ("conv1", "conv2", "conv3", "conv4", "conv5", "conv6")}
    pes = {name: math.ceil(t.crossbars / per_pe) for name, t in part.items()}
    free = 256 - sum(pes.values())
    copies = dynamic(info, part, {}, per_pe, free)
    extra = sum((copies[n] - 1) * pes[n] for n in part)
    assert extra <= free
    assert free - extra < min(pes.values()), "stops only when the smallest layer cannot fit"
    stage = {n: math.ceil(info.by_name[n].output_vectors / copies[n]) for n in part}
    assert copies["conv1"] > 1 and copies["conv2"] > 1
    assert max(stage.values()) < 1024, "the slowest stage was shortened"


def test_dynamic_and_neurosim_through_map_network() -> None:
    info = analyze(zoo.build("lenet5"))
    for preset, policy in (("tiny", "dynamic"), ("compact_4x4", "neurosim")):
        arch = load_arch(preset)
        hw = hardware_params(arch)
        single = map_network(info, arch, hw)
        mapping = map_network(info, arch, hw, duplication=policy)
        assert mapping.duplication == policy
        assert single.pes_used < mapping.pes_used <= mapping.pes_total
        for name, copies in mapping.copies.items():
            assert 1 <= len(copies) <= info.by_name[name].output_vectors
    arch = load_arch("tiny")
    with pytest.raises(MappingError, match="layer c1: the neurosim duplication"):
        map_network(info, arch, hardware_params(arch), duplication="neurosim", extra_pes=0)
