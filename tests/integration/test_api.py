"""The Python API: load with overrides as a dict, run, read DataFrames, sweep in-process."""

import subprocess
import sys
from pathlib import Path

import pytest

import cimsim


def test_import_cimsim_loads_nothing_heavy() -> None:
    code = "import sys, cimsim; print(sorted(m for m in ('pandas', 'numpy', 'simpy') if m in sys.modules))"  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_load_run_and_read_the_results() -> None:
    arch = cimsim.load_arch("tiny", {"tile.adc.bits": 5, "memory.dram.bandwidth": "4 GB/s"})
    assert arch.tile.adc.bits == 5 and arch.memory_level("dram").bandwidth_gbps == 4.0
    graph = cimsim.load_workload("lenet5")
    result = cimsim.simulate(arch, graph, scheduler="cross_layer", batch=2, trace="full")
    assert isinstance(result, cimsim.RunResult)
    assert result.options == cimsim.RunOptions(scheduler="cross_layer", batch=2, trace="full")
    assert result.total_cycles == result.summary["total_cycles"] > 0
    assert result.latency_s == pytest.approx(result.total_cycles / 1e9)
    assert list(result.layers["layer"])[:2] == ["c1", "c1.tanh"]
    breakdown = result.energy_breakdown()
    assert breakdown["energy_pj"].sum() == pytest.approx(result.energy_pj)
    intervals = result.intervals()
    assert intervals["energy_pj"].sum() == pytest.approx(result.summary["energy_dynamic_pj"])


def test_bad_options_and_overrides_name_what_is_wrong() -> None:
    arch, graph = cimsim.load_arch("tiny"), cimsim.load_workload("mlp")
    with pytest.raises(cimsim.CimsimError, match=r"run option batch \(--batch\)"):
        cimsim.simulate(arch, graph, batch=0)
    with pytest.raises(cimsim.CimsimError, match="reuse_mode RP applies to the weight_reuse"):
        cimsim.simulate(arch, graph, reuse_mode="RP")
    with pytest.raises(cimsim.CimsimError, match=r"no field 'tile\.adc\.bitz'"):
        cimsim.load_arch("tiny", {"tile.adc.bitz": 3})


def test_write_and_open_a_results_folder(tmp_path: Path) -> None:
    result = cimsim.simulate(cimsim.load_arch("tiny"), cimsim.load_workload("mlp"))
    cimsim.write_results(result, tmp_path / "run", workload="mlp")
    opened = cimsim.open_run(tmp_path / "run")
    assert opened.summary == result.summary
    assert cimsim.load_arch(tmp_path / "run" / "config.yaml") == result.arch
