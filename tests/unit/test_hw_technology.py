"""Technology scaling between CMOS nodes."""

import pytest

from hwmodels.cost import ComponentCost, scale_cost
from hwmodels.errors import HwModelError
from hwmodels.technology import (
    SUPPORTED_NODES_NM,
    scale_area_mm2,
    scale_energy_pj,
    scaling,
    technology,
)


def test_factors_32_to_22_follow_the_documented_rule() -> None:
    factors = scaling(32, 22)
    assert factors.area == pytest.approx((22 / 32) ** 2)
    assert factors.energy == pytest.approx((22 / 32) * (0.8 / 0.9) ** 2)
    assert factors.delay == pytest.approx(22 / 32)
    assert factors.leakage == factors.energy


def test_scaling_round_trip_is_identity() -> None:
    assert scale_energy_pj(scale_energy_pj(1.5, 45, 7), 7, 45) == pytest.approx(1.5)
    assert scale_area_mm2(2.0, 32, 32) == 2.0


def test_smaller_nodes_never_cost_more() -> None:
    nodes = sorted(SUPPORTED_NODES_NM, reverse=True)
    energies = [scale_energy_pj(1.0, 90, node) for node in nodes]
    areas = [scale_area_mm2(1.0, 90, node) for node in nodes]
    assert energies == sorted(energies, reverse=True)
    assert areas == sorted(areas, reverse=True)


def test_unknown_node_lists_supported_nodes() -> None:
    with pytest.raises(HwModelError) as info:
        technology(28)
    assert info.value.field == "technology_nm"
    assert "28" in info.value.message and "22" in info.value.message
    with pytest.raises(HwModelError, match="from_nm"):
        scaling(33, 22)


def test_scale_cost_scales_every_figure() -> None:
    cost = ComponentCost(
        area_mm2=1.0,
        leakage_mw=2.0,
        energy_pj={"op": 3.0},
        peak_action="op",
        latency_ns={"op": 4.0},
    )
    scaled = scale_cost(cost, 32, 22)
    factors = scaling(32, 22)
    assert scaled.area_mm2 == pytest.approx(factors.area)
    assert scaled.leakage_mw == pytest.approx(2.0 * factors.leakage)
    assert scaled.energy_pj["op"] == pytest.approx(3.0 * factors.energy)
    assert scaled.latency_ns["op"] == pytest.approx(4.0 * factors.delay)
