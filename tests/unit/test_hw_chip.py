"""Chip aggregation and energy pricing."""

from dataclasses import replace

import pytest

from cimsim.config.pricing import load_chip
from hwmodels import chip
from hwmodels.converters import AdcParams
from hwmodels.converters.cost import adc_cost
from hwmodels.errors import HwModelError


@pytest.fixture(scope="module")
def isaac() -> chip.ChipSpec:
    return load_chip("isaac", ["precision.weight_bits=16", "precision.activation_bits=16"])


def test_price_actions_is_counts_times_energy(isaac: chip.ChipSpec) -> None:
    counts = {
        ("adc", "conversion"): 1000,
        ("crossbar", "mvm_step"): 10,
        ("crossbar", "cell_read"): 16384,
        ("tile_buffer", "read_byte"): 64,
        ("tile_buffer", "write_byte"): 32,
        ("router", "flit_hop"): 7,
        ("dram", "read_byte"): 3,
    }
    energy = chip.price_actions(counts, isaac)
    table = chip.action_energy_pj(isaac)
    assert energy["adc"] == pytest.approx(1000 * 1.40625)
    assert energy["crossbar"] == pytest.approx(10 * 30.0 + 30.0)
    assert energy["tile_buffer"] == pytest.approx(96 * table[("tile_buffer", "read_byte")])
    assert energy["router"] == pytest.approx(7 * table[("router", "flit_hop")])
    assert energy["dram"] == pytest.approx(3 * 8 * 13.0)
    assert set(energy) == {"adc", "crossbar", "tile_buffer", "router", "dram"}


def test_pricing_errors_name_the_culprit(isaac: chip.ChipSpec) -> None:
    with pytest.raises(HwModelError, match="warp_drive"):
        chip.price_actions({("warp_drive", "op"): 1}, isaac)
    with pytest.raises(HwModelError, match="teleport"):
        chip.price_actions({("adc", "teleport"): 1}, isaac)
    with pytest.raises(HwModelError, match=r"counts\[adc.conversion\]"):
        chip.price_actions({("adc", "conversion"): -1}, isaac)


def test_leakage_energy_is_leakage_power_times_time(isaac: chip.ChipSpec) -> None:
    leak_mw = sum(chip.leakage_breakdown_mw(isaac).values())
    assert leak_mw > 0
    assert chip.leakage_energy_pj(isaac, 1e6) == pytest.approx(leak_mw * 1e6)
    assert chip.leakage_energy_pj(isaac, 0.0) == 0.0
    # ADC leakage: 0.2 mW x 8 x 12 x 168
    assert chip.leakage_breakdown_mw(isaac)["adc"] == pytest.approx(0.2 * 8 * 12 * 168)


def test_external_components_are_outside_area_and_power(isaac: chip.ChipSpec) -> None:
    assert "dram" not in chip.area_breakdown_mm2(isaac)
    assert "global_buffer" not in chip.power_breakdown_mw(isaac)
    assert isaac.component("dram").level == "external"


def test_rescale_technology_shrinks_area_keeps_crossbar_energy(isaac: chip.ChipSpec) -> None:
    smaller = chip.rescale_technology(isaac, 22)
    assert smaller.technology_nm == 22
    assert chip.chip_area_mm2(smaller) < chip.chip_area_mm2(isaac)
    assert chip.chip_power_mw(smaller) < chip.chip_power_mw(isaac)
    energies = chip.action_energy_pj(smaller)
    assert energies[("crossbar", "mvm_step")] == pytest.approx(30.0)
    assert energies[("adc", "conversion")] < 1.40625
    assert chip.peak_ops_per_s(smaller) == chip.peak_ops_per_s(isaac)


def test_spec_validation(isaac: chip.ChipSpec) -> None:
    with pytest.raises(HwModelError, match="missing required component 'adc'"):
        replace(isaac, components=tuple(c for c in isaac.components if c.name != "adc"))
    with pytest.raises(HwModelError, match="appears twice"):
        replace(isaac, components=(*isaac.components, isaac.component("adc")))
    with pytest.raises(HwModelError, match=r"components\.adc"):
        replace(isaac, adcs_per_pe=4)
    with pytest.raises(HwModelError, match="technology_nm"):
        replace(isaac, technology_nm=28)
    with pytest.raises(HwModelError, match="tiles"):
        replace(isaac, tiles=0)


def test_more_adc_bits_cost_more_chip_energy() -> None:
    spec = load_chip("neurosim")
    base = chip.action_energy_pj(spec)[("adc", "conversion")]
    assert base > 0
    area = chip.area_breakdown_mm2(spec)["adc"]
    wider = adc_cost(AdcParams(bits=6, sample_rate_gsps=1.0), "sar", 22)
    assert wider.energy_pj["conversion"] > base
    assert wider.area_mm2 * spec.total_count(spec.component("adc")) > area
