"""A ChipSpec built from the models alone, for configurations without a paper table."""

import pytest

from hwmodels import chip
from hwmodels.chip_builder import MemorySpec, build_model_spec
from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar import CrossbarParams
from hwmodels.digital import DigitalParams
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams
from hwmodels.noc import NocParams


def _tiny(**overrides: object) -> chip.ChipSpec:
    kwargs: dict = {
        "name": "tiny",
        "technology_nm": 32,
        "clock_ghz": 1.0,
        "tiles": 9,
        "pes_per_tile": 8,
        "crossbars_per_pe": 8,
        "adcs_per_pe": 4,
        "crossbar": CrossbarParams(rows=64, cols=64, cell_bits=2, read_latency_ns=10.0),
        "dac": DacParams(bits=1),
        "adc": AdcParams(bits=6, sample_rate_gsps=1.0),
        "noc": NocParams(flit_bytes=8, router_latency_ns=1.0, link_bandwidth_gbps=8.0),
        "memories": (
            MemorySpec("tile_buffer", "tile", 1, "sram", BufferParams(16384, 16.0)),
            MemorySpec("global_buffer", "chip", 1, "sram", BufferParams(262144, 16.0)),
            MemorySpec("dram", "external", 1, "lpddr4"),
        ),
        "digital": DigitalParams(lanes=8, clock_ghz=1.0),
    }
    kwargs.update(overrides)
    return build_model_spec(**kwargs)


def test_model_spec_counts_and_throughput() -> None:
    spec = _tiny()
    assert spec.dacs_per_pe == 8 * 64
    # 128 columns per ADC per step at 1 GS/s dominate the 10 ns read
    crossbars = 9 * 8 * 8
    expected = 2 * crossbars * 64 * 16 / (8 * 128e-9)
    assert chip.peak_ops_per_s(spec) == pytest.approx(expected)
    power = chip.power_breakdown_mw(spec)
    assert set(power) >= {"crossbar", "adc", "tile_buffer", "router", "global_buffer"}
    assert "dram" not in power
    assert chip.leakage_energy_pj(spec, 100.0) > 0


def test_model_spec_prices_every_engine_action() -> None:
    spec = _tiny()
    counts = {
        ("crossbar", "mvm_step"): 1,
        ("dac", "drive"): 1,
        ("adc", "conversion"): 1,
        ("tile_buffer", "read_byte"): 1,
        ("global_buffer", "write_byte"): 1,
        ("router", "flit_hop"): 1,
        ("link", "flit_hop"): 1,
        ("dram", "read_byte"): 1,
        ("digital", "element_op"): 1,
        ("rram", "cell_write"): 1,
    }
    energy = chip.price_actions(counts, spec)
    assert all(value > 0 for value in energy.values())
    assert len(energy) == len(counts)


def test_model_spec_rejects_impossible_adc() -> None:
    with pytest.raises(HwModelError, match="sample_rate_gsps"):
        _tiny(adc=AdcParams(bits=8, sample_rate_gsps=3.0))
