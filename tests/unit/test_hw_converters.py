"""ADC, DAC and sample-and-hold cost models."""

import itertools

import pytest

from hwmodels.converters import AdcParams, DacParams
from hwmodels.converters.cost import (
    adc_area_mm2,
    adc_cost,
    adc_energy_pj,
    adc_max_sample_rate_gsps,
    check_adc_speed,
    dac_cost,
    sample_hold_cost,
)
from hwmodels.errors import HwModelError


def test_sar_anchor_is_isaac_adc() -> None:
    # ISAAC Table I: 8-bit, 1.28 GS/s, 2 mW each of which 10 % leakage, 0.0012 mm2
    cost = adc_cost(AdcParams(bits=8, sample_rate_gsps=1.28))
    assert cost.energy_pj["conversion"] == pytest.approx(1.40625)
    assert cost.peak_power_mw(1.28) == pytest.approx(2.0)
    assert cost.area_mm2 == pytest.approx(0.0012)
    assert cost.latency_ns["conversion"] == pytest.approx(1 / 1.28)


@pytest.mark.parametrize("kind", ["sar", "flash"])
def test_more_bits_cost_more_energy_and_area(kind: str) -> None:
    energies = [
        adc_energy_pj(AdcParams(bits=bits, sample_rate_gsps=0.5), kind) for bits in range(3, 9)
    ]
    areas = [adc_area_mm2(bits, kind) for bits in range(3, 9)]
    assert all(a < b for a, b in itertools.pairwise(energies))
    assert all(a < b for a, b in itertools.pairwise(areas))


def test_sar_energy_grows_with_sample_rate_and_walden_doubling() -> None:
    slow = adc_energy_pj(AdcParams(bits=6, sample_rate_gsps=0.1))
    fast = adc_energy_pj(AdcParams(bits=6, sample_rate_gsps=1.0))
    assert fast / slow == pytest.approx((1 + 10) / (1 + 1))
    seven = adc_energy_pj(AdcParams(bits=7, sample_rate_gsps=0.1))
    assert seven / slow == pytest.approx(2.0)


def test_flash_is_faster_than_sar() -> None:
    assert adc_max_sample_rate_gsps(8, "flash") > adc_max_sample_rate_gsps(8, "sar")
    assert adc_max_sample_rate_gsps(8, "sar", 22) > adc_max_sample_rate_gsps(8, "sar", 32)
    # 8-bit SAR at 32 nm: 9 phases of 80 ps
    assert adc_max_sample_rate_gsps(8, "sar", 32) == pytest.approx(1 / (9 * 0.08))


def test_adc_faster_than_technology_allows_is_rejected() -> None:
    too_fast = AdcParams(bits=8, sample_rate_gsps=2.0)
    with pytest.raises(HwModelError) as info:
        check_adc_speed(too_fast, "sar", 32)
    assert info.value.field == "sample_rate_gsps"
    with pytest.raises(HwModelError, match="sample_rate_gsps"):
        adc_cost(too_fast)
    check_adc_speed(too_fast, "flash", 32)  # a flash ADC is fast enough


def test_unknown_adc_kind() -> None:
    with pytest.raises(HwModelError, match="kind"):
        adc_max_sample_rate_gsps(8, "pipeline")


def test_dac_scales_with_unit_elements() -> None:
    one = dac_cost(DacParams(bits=1))
    two = dac_cost(DacParams(bits=2))
    assert one.energy_pj["drive"] == pytest.approx(4.0 * 0.9 / 1024 * 100)
    assert two.energy_pj["drive"] == pytest.approx(3 * one.energy_pj["drive"])
    assert two.area_mm2 == pytest.approx(3 * one.area_mm2)


def test_sample_hold_isaac_figure() -> None:
    cost = sample_hold_cost()
    assert cost.peak_power_mw(0.01) * 1024 == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"bits": 0}, "bits"), ({"bits": 17}, "bits"), ({"sample_rate_gsps": 0}, "sample_rate_gsps")],
)
def test_bad_adc_parameters_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(HwModelError) as info:
        AdcParams(**kwargs)
    assert info.value.field == field
