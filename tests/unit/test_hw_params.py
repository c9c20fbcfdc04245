"""Parameter dataclasses reject values outside their range, naming the field."""

import pytest

from hwmodels.converters import DacParams
from hwmodels.cost import ComponentCost, from_table_power
from hwmodels.digital import DigitalParams
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams, DramParams
from hwmodels.noc import NocParams


@pytest.mark.parametrize(
    ("cls", "kwargs", "field"),
    [
        (DacParams, {"bits": 0}, "bits"),
        (NocParams, {"flit_bytes": 0}, "flit_bytes"),
        (NocParams, {"link_bandwidth_gbps": 0.0}, "link_bandwidth_gbps"),
        (BufferParams, {"size_bytes": -1}, "size_bytes"),
        (BufferParams, {"access_latency_ns": -1.0}, "access_latency_ns"),
        (DramParams, {"bandwidth_gbps": -2.0}, "bandwidth_gbps"),
        (DigitalParams, {"lanes": 0}, "lanes"),
        (DigitalParams, {"clock_ghz": float("nan")}, "clock_ghz"),
    ],
)
def test_bad_parameters_name_the_field(cls: type, kwargs: dict, field: str) -> None:
    with pytest.raises(HwModelError) as info:
        cls(**kwargs)
    assert info.value.field == field


def test_component_cost_rejects_negative_energy_and_unknown_peak() -> None:
    with pytest.raises(HwModelError) as info:
        ComponentCost(area_mm2=0, leakage_mw=0, energy_pj={"op": -1.0}, peak_action="op")
    assert info.value.field == "energy_pj.op"
    with pytest.raises(HwModelError, match="peak_action"):
        ComponentCost(area_mm2=0, leakage_mw=0, energy_pj={"op": 1.0}, peak_action="read")


def test_from_table_power_round_trips_the_table() -> None:
    cost = from_table_power(
        power_mw=16.0,
        area_mm2=0.0096,
        count=8,
        peak_action="conversion",
        peak_rate_per_ns=1.28,
        leakage_fraction=0.1,
        other_actions={"idle_probe": 0.5},
        latency_ns={"conversion": 0.78125},
    )
    assert cost.peak_power_mw(1.28) == pytest.approx(2.0)
    assert cost.leakage_mw == pytest.approx(0.2)
    assert cost.area_mm2 == pytest.approx(0.0012)
    assert cost.energy_pj["idle_probe"] == pytest.approx(0.5 * 1.40625)
    assert cost.latency_cycles("conversion", 1.28) == 1
    assert cost.latency_of("idle_probe") == 0.0
    with pytest.raises(HwModelError, match="leakage_fraction"):
        from_table_power(
            power_mw=1,
            area_mm2=1,
            count=1,
            peak_action="op",
            peak_rate_per_ns=1,
            leakage_fraction=1.5,
        )
