"""Energy of runs: counts x per-action tables, leakage, breakdowns that add up."""

import pytest

from cimsim.config import load_arch
from cimsim.runs import simulate
from workloads import zoo


@pytest.fixture(scope="module")
def isaac_mlp():
    return simulate(load_arch("isaac"), zoo.build("mlp"), batch=2)


def test_breakdowns_add_up_to_the_total(isaac_mlp) -> None:
    s = isaac_mlp.summary
    assert s["energy_pj"] == pytest.approx(s["energy_dynamic_pj"] + s["energy_leakage_pj"])
    assert sum(s["energy_by_level_pj"].values()) == pytest.approx(s["energy_pj"])
    assert sum(s["energy_by_component_pj"].values()) == pytest.approx(s["energy_dynamic_pj"])
    assert isaac_mlp.layers["energy_pj"].sum() == pytest.approx(s["energy_dynamic_pj"])
    assert s["energy_per_inference_pj"] == pytest.approx(s["energy_pj"] / 2)
    assert s["energy_unpriced"] == []
    assert 0 < s["data_movement_share"] < 1


def test_adc_energy_is_conversions_times_the_table_entry(isaac_mlp) -> None:
    from cimsim.config.pricing import load_chip
    from hwmodels.chip import action_energy_pj

    per_conversion = action_energy_pj(load_chip("isaac"))[("adc", "conversion")]
    s = isaac_mlp.summary
    assert s["energy_by_component_pj"]["adc"] == pytest.approx(
        s["adc_conversions"] * per_conversion
    )


def test_more_adc_bits_cost_more_energy_per_inference() -> None:
    low = simulate(load_arch("tiny", ["tile.adc.bits=4"]), zoo.build("lenet5")).summary
    high = simulate(load_arch("tiny", ["tile.adc.bits=10"]), zoo.build("lenet5")).summary
    assert high["energy_by_component_pj"]["adc"] > low["energy_by_component_pj"]["adc"]
    assert high["area_mm2"] > low["area_mm2"]


def test_power_gating_removes_the_leakage_of_unused_pes_and_tiles() -> None:
    graph = zoo.build("lenet5")
    gated = simulate(load_arch("tiny"), graph).summary
    always = simulate(load_arch("tiny", ["costs.power_gating=none"]), graph).summary
    assert gated["total_cycles"] == always["total_cycles"]
    assert gated["energy_dynamic_pj"] == pytest.approx(always["energy_dynamic_pj"])
    assert 0 < gated["energy_leakage_pj"] < always["energy_leakage_pj"]


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("costs.technology=5 nm", "costs.technology: unsupported technology node 5 nm"),
        ("tile.adc.sample_rate=200 GS/s", "tile.adc.sample_rate"),
        ("costs.use=tables", "costs.use"),
        ("energy.table=isaac", "no field 'energy'"),
    ],
)
def test_impossible_cost_settings_name_the_field_at_load(override: str, fragment: str) -> None:
    from cimsim.errors import ConfigError

    with pytest.raises(ConfigError, match=fragment):
        load_arch("isaac", ["costs.use=model", override])
