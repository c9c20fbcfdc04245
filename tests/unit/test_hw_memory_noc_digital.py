"""Buffers, DRAM presets, routers, links and digital units."""

import itertools

import pytest

from hwmodels.digital import DigitalParams, digital_unit_cost, vector_lane_cost
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams
from hwmodels.memory.dram import DRAM_PRESET_NAMES, dram_cost, dram_preset
from hwmodels.memory.sram import (
    access_energy_pj_per_byte,
    buffer_area_mm2,
    buffer_cost,
    buffer_leakage_mw,
)
from hwmodels.noc import NocParams
from hwmodels.noc.cost import LinkParams, RouterParams, link_cost, router_cost
from hwmodels.technology import scaling


def test_sram_anchor_is_horowitz() -> None:
    # ISSCC 2014: 64-bit read from 8 KB SRAM = 10 pJ, from 32 KB = 20 pJ (45 nm)
    assert 8 * access_energy_pj_per_byte(8 * 1024, "sram", 45) == pytest.approx(10.0)
    assert 8 * access_energy_pj_per_byte(32 * 1024, "sram", 45) == pytest.approx(20.0)


def test_edram_anchor_is_isaac() -> None:
    cost = buffer_cost(BufferParams(size_bytes=64 * 1024, bandwidth_gbps=38.4), "edram", 32)
    assert cost.area_mm2 == pytest.approx(0.083)
    assert cost.energy_pj["read_byte"] * 38.4 == pytest.approx(20.7 * 0.95)


@pytest.mark.parametrize("kind", ["sram", "edram"])
def test_bigger_buffers_cost_more(kind: str) -> None:
    sizes = [1024, 8192, 65536, 1 << 20]
    for small, big in itertools.pairwise(sizes):
        assert access_energy_pj_per_byte(big, kind) > access_energy_pj_per_byte(small, kind)
        assert buffer_area_mm2(big, kind) > buffer_area_mm2(small, kind)
        assert buffer_leakage_mw(big, kind) > buffer_leakage_mw(small, kind)


def test_unknown_buffer_kind() -> None:
    with pytest.raises(HwModelError, match="kind"):
        access_energy_pj_per_byte(1024, "flash")


def test_dram_presets() -> None:
    assert set(DRAM_PRESET_NAMES) == {"lpddr4", "lpddr5", "hbm2"}
    hbm = dram_preset("hbm2")
    assert dram_cost(hbm).energy_pj["read_byte"] == pytest.approx(8 * 3.9)
    assert dram_preset("lpddr5").params().bandwidth_gbps == pytest.approx(136.5)
    assert dram_cost(dram_preset("lpddr4")).area_mm2 == 0.0
    with pytest.raises(HwModelError) as info:
        dram_preset("ddr3")
    assert "lpddr4" in info.value.message


def test_router_anchor_is_isaac() -> None:
    cost = router_cost(NocParams(flit_bytes=4), RouterParams(ports=8, clock_ghz=1.2))
    assert cost.peak_power_mw(8 * 1.2) == pytest.approx(42.0)
    assert cost.area_mm2 == pytest.approx(0.151)
    wide = router_cost(NocParams(flit_bytes=8), RouterParams(ports=8, clock_ghz=1.2))
    assert wide.energy_pj["flit_hop"] == pytest.approx(2 * cost.energy_pj["flit_hop"])
    small = router_cost(NocParams(flit_bytes=4), RouterParams(ports=4, clock_ghz=1.2))
    assert cost.area_mm2 / small.area_mm2 == pytest.approx(2**1.3)


def test_link_energy_per_bit_per_mm() -> None:
    cost = link_cost(NocParams(flit_bytes=4), LinkParams(energy_pj_per_bit_mm=0.1, length_mm=2))
    assert cost.energy_pj["flit_hop"] == pytest.approx(32 * 0.1 * 2)
    with pytest.raises(HwModelError, match="length_mm"):
        LinkParams(length_mm=-1.0)
    with pytest.raises(HwModelError, match="ports"):
        RouterParams(ports=1)


def test_digital_units() -> None:
    sigmoid = digital_unit_cost("activation")
    assert sigmoid.peak_power_mw(1.2) == pytest.approx(0.26)
    with pytest.raises(HwModelError, match="kind"):
        digital_unit_cost("softmax")
    lane = vector_lane_cost(DigitalParams(clock_ghz=1.0), bits=32, node_nm=45)
    assert lane.energy_pj["element_op"] == pytest.approx(0.1)
    assert lane.energy_pj["multiply"] == pytest.approx(3.1)
    lane22 = vector_lane_cost(DigitalParams(clock_ghz=1.0), bits=32, node_nm=22)
    assert lane22.energy_pj["element_op"] == pytest.approx(0.1 * scaling(45, 22).energy)
