"""Crossbar read energy, area and RRAM programming cost."""

import pytest

from hwmodels.crossbar import CrossbarParams
from hwmodels.crossbar.energy import (
    CrossbarEnergyParams,
    RramWriteParams,
    array_write_latency_ns,
    cell_read_energy_pj,
    cell_write_energy_pj,
    cell_write_latency_ns,
    crossbar_area_mm2,
    crossbar_cost,
    mvm_step_energy_pj,
    wearout_fraction,
)
from hwmodels.errors import HwModelError


def test_default_read_energy_is_isaac_30_pj() -> None:
    xbar = CrossbarParams()
    cost = crossbar_cost(xbar)
    assert cost.energy_pj["mvm_step"] == pytest.approx(30.0)
    assert cost.energy_pj["cell_read"] == pytest.approx(30.0 / (128 * 128))
    assert cost.leakage_mw == 0.0


def test_partial_step_energy_counts_rows_columns_and_cells() -> None:
    xbar = CrossbarParams(rows=64, cols=32)
    params = CrossbarEnergyParams(row_energy_pj=0.5, column_energy_pj=0.25)
    cell = cell_read_energy_pj(params)
    assert mvm_step_energy_pj(xbar, params, 10, 4) == pytest.approx(5.0 + 1.0 + 40 * cell)
    assert mvm_step_energy_pj(xbar, params) == pytest.approx(32.0 + 8.0 + 64 * 32 * cell)
    with pytest.raises(HwModelError, match="active_rows"):
        mvm_step_energy_pj(xbar, params, 65, 4)


def test_cell_energy_is_v_squared_g_t() -> None:
    params = CrossbarEnergyParams(read_voltage_v=0.5, mean_conductance_us=10.0, read_pulse_ns=4)
    # 0.25 V^2 x 10 uS x 4 ns = 10 fJ
    assert cell_read_energy_pj(params) == pytest.approx(0.010)


def test_area_is_cells_times_f_squared() -> None:
    xbar = CrossbarParams(rows=100, cols=100)
    params = CrossbarEnergyParams(cell_area_f2=4.0)
    # 1e4 cells x 4 x (32 nm)^2 = 4.096e-5 mm2
    assert crossbar_area_mm2(xbar, params, 32) == pytest.approx(4.096e-5)
    assert crossbar_area_mm2(xbar, params, 22) < crossbar_area_mm2(xbar, params, 32)


def test_read_pulse_longer_than_read_is_rejected() -> None:
    with pytest.raises(HwModelError, match="read_pulse_ns"):
        crossbar_cost(CrossbarParams(read_latency_ns=5.0))


def test_programming_cost() -> None:
    write = RramWriteParams(write_pulses=4)
    # 4 pulses x 2 V x 50 uA x 10 ns = 4 pJ; 4 x (10 + 10) ns
    assert cell_write_energy_pj(write) == pytest.approx(4.0)
    assert cell_write_latency_ns(write) == pytest.approx(80.0)
    assert array_write_latency_ns(CrossbarParams(rows=128), write) == pytest.approx(128 * 80.0)
    assert wearout_fraction(write, 1e5) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("cls", "kwargs", "field"),
    [
        (CrossbarEnergyParams, {"read_voltage_v": 0.0}, "read_voltage_v"),
        (CrossbarEnergyParams, {"mean_conductance_us": -1.0}, "mean_conductance_us"),
        (CrossbarEnergyParams, {"array_efficiency": 1.5}, "array_efficiency"),
        (RramWriteParams, {"write_pulses": 0}, "write_pulses"),
        (RramWriteParams, {"endurance_cycles": 0.5}, "endurance_cycles"),
        (CrossbarParams, {"rows": 0}, "rows"),
        (CrossbarParams, {"cell_bits": 9}, "cell_bits"),
        (CrossbarParams, {"read_latency_ns": -1.0}, "read_latency_ns"),
    ],
)
def test_bad_parameters_name_the_field(cls: type, kwargs: dict, field: str) -> None:
    with pytest.raises(HwModelError) as info:
        cls(**kwargs)
    assert info.value.field == field
