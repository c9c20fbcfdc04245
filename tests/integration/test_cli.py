"""The command line: exit codes, messages, written files."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cimsim.cli import main


def test_run_writes_summary_and_layers(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", "--arch", "tiny", "--workload", "lenet5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "total cycles" in printed and "per layer" in printed
    summary = json.loads((out / "summary.json").read_text())
    for key in ("total_cycles", "latency_s", "bytes", "utilization", "events_processed"):
        assert key in summary
    assert summary["total_cycles"] > 0
    assert summary["latency_s"] == pytest.approx(summary["total_cycles"] / 1e9)
    layers = pd.read_csv(out / "layers.csv")
    assert list(layers["layer"])[:3] == ["c1", "c1.tanh", "s2"]
    written = ("config.yaml", "layers.csv", "run.json", "summary.json")
    assert sorted(p.name for p in out.iterdir()) == sorted((*written, "manifest.json"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == {n: (out / n).stat().st_size for n in written}


def test_zoo_parameters_in_the_workload_name_reach_the_simulation(tmp_path: Path) -> None:
    runs = {spec: tmp_path / spec.replace(":", "_") for spec in ("mlp", "mlp:hidden=64x32x16")}
    for spec, out in runs.items():
        argv = ["run", "--arch", "tiny", "--workload", spec, "--out", str(out), "--quiet"]
        assert main(argv) == 0
    plain, deeper = (pd.read_csv(out / "layers.csv") for out in runs.values())
    assert list(plain["layer"]) == ["fc1", "fc1.relu", "fc2", "fc2.relu", "fc3"]
    assert list(deeper["layer"]) == [*plain["layer"], "fc3.relu", "fc4"]
    summary = json.loads((runs["mlp:hidden=64x32x16"] / "summary.json").read_text())
    assert summary["workload"] == "mlp:hidden=64x32x16"


def test_set_override_reaches_the_simulation(tmp_path: Path) -> None:
    base, slow = tmp_path / "base", tmp_path / "slow"
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--out", str(base), "--quiet"]) == 0
    assert (
        main(
            ["run", "--arch", "tiny", "--workload", "mlp", "--out", str(slow), "--quiet",
             "--set", "tile.crossbar.read_latency=100 ns"]
        )
        == 0
    )  # fmt: skip
    cycles = [json.loads((d / "summary.json").read_text())["total_cycles"] for d in (base, slow)]
    assert cycles[1] > cycles[0]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--arch", "nochip", "--workload", "mlp"], "unknown architecture preset"),
        (["run", "--arch", "tiny", "--workload", "nonet"], "nonet"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set", "tile.adc.bits=40"],
         "tile.adc.bits"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set", "tile.crossbar.rows=0"],
         "tile.crossbar.rows"),
        (["run", "--arch", "tiny", "--workload", "resnet18"], "does not fit"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--batch", "0"], "--batch"),
        (["describe", "tiny", "--set", "tile.nothing=1"], "no field"),
        (["run", "--arch", "tiny", "--workload", "mlp:hiden=8"], "unknown parameter 'hiden'"),
        (["workloads", "show", "vgg8:bias=yes"], "parameter 'bias': must be true or false"),
        # issue 20: refused at the root, before anything is allocated or simulated
        (["run", "--arch", "tiny", "--workload", "mlp:hidden=99999999999999999999"],
         "parameter 'hidden': must be an integer from 1 to 1,048,576"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--batch", "9223372036854775808"],
         "(--batch): Input should be less than or equal to 65536"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--seed", "-1"],
         "(--seed): Input should be greater than or equal to 0"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--extra-pes", "-1"],
         "(--extra-pes): Input should be greater than or equal to 0"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--functional", "--functional-batch",
          "0"], "--functional-batch must be an integer from 1"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set", "tile.adc.bits=true"],
         "tile.adc.bits: Input should be a valid integer (got True)"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set", "noc.router_latency=1e400 ns"],
         "noc.router_latency: '1e400 ns' is not a finite number"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set",
          "memory.tile_buffer.size=1e400 B"],
         "memory.tile_buffer.size: '1e400 B' is not a finite number"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set",
          "noc.link_bandwidth=1e400 GB/s"], "'1e400 GB/s' is not a finite number"),
        (["run", "--arch", "tiny", "--workload", "mlp", "--set", "clock.frequency=1 mHz"],
         "'1 mHz' is 1e-12 GHz"),
        (["describe", "tiny", "--json", "--set", "costs.technology=-5 nm"],
         "costs.technology"),
        (["run", "--arch", "tiny", "--workload", "gpt2_prefill:seq_len=8192,blocks=8",
          "--batch", "16"], "at most 16,777,216 are allowed: lower --batch"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_message(argv, fragment, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cimsim: error:")
    assert fragment in err
    assert "Traceback" not in err


def test_failed_run_leaves_earlier_results_intact(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--out", str(out), "--quiet"]) == 0
    before = (out / "summary.json").read_text()
    argv = ["run", "--arch", "tiny", "--workload", "resnet18", "--out", str(out), "--quiet"]
    assert main(argv) == 2
    assert (out / "summary.json").read_text() == before


def test_malformed_yaml_names_the_file(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "chip.yaml"
    bad.write_text("clock: {frequency: 1 GHz\n")
    assert main(["run", "--arch", str(bad), "--workload", "mlp"]) == 2
    assert "chip.yaml" in capsys.readouterr().err


def test_describe_prints_fields_with_units(capsys) -> None:
    assert main(["describe", "isaac"]) == 0
    text = capsys.readouterr().out
    assert "tile.crossbar.read_latency: 100 ns" in text
    assert "memory.global_buffer.size: 2 MiB" in text  # sizes in binary multiples
    assert "noc.topology: mesh    [one of: mesh, torus, ring, chiplets, stack3d]" in text
    # descriptions are whole
    assert "(meshes in\n      tiers: noc.stack3d); one tile per router" in text
    assert main(["describe", "tiny", "--json", "--set", "tile.adc.bits=6"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tile"]["adc"]["bits"] == 6
    assert data["source"]


def test_workloads_list_and_show(capsys) -> None:
    assert main(["workloads", "list"]) == 0
    listing = capsys.readouterr().out
    assert "resnet18" in listing and "vgg8" in listing
    assert main(["workloads", "show", "lenet5"]) == 0
    assert "conv" in capsys.readouterr().out


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cimsim", "describe"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "isaac" in done.stdout


def test_help_lists_every_policy_choice(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for choice in ("layer_by_layer", "pipelined", "cross_layer", "greedy", "hilbert", "snake"):
        assert choice in text
    assert "--batch" in text


def test_scheduler_flags_reach_the_run(tmp_path: Path) -> None:
    out = tmp_path / "x"
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--out", str(out), "--quiet",
            "--scheduler", "cross_layer", "--duplication", "greedy",
            "--placement", "hilbert"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["scheduler"], summary["duplication"], summary["placement"]) == (
        "cross_layer",
        "greedy",
        "hilbert",
    )


def test_describe_prints_area_power_and_peak(capsys) -> None:
    assert main(["describe", "isaac"]) == 0
    text = capsys.readouterr().out
    assert "area mm2" in text and "TOPS/W" in text
    assert "costs of isaac: 15 by table, 5 by model" in text
    assert "adc                     table           8/pe" in text and "conversion 1.406 pJ" in text
    assert main(["describe", "isaac", "--set", "tile.adc.bits=6"]) == 2
    assert "tile.adc.bits = 8, the chip has 6" in capsys.readouterr().err
    switch = ["--set", "tile.adc.bits=6", "--set", "costs.use=model"]
    assert main(["describe", "isaac", *switch]) == 0
    assert "component models at 32 nm" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["isaac", "puma", "neurosim", "tiny"])
def test_describe_json_loads_back_as_an_architecture_file(
    name: str, tmp_path: Path, capsys
) -> None:
    from cimsim.config import load_arch

    assert main(["describe", name, "--json", "--set", "costs.components.router.count=1"]
                if name == "isaac" else ["describe", name, "--json"]) == 0  # fmt: skip
    path = tmp_path / "resolved.yaml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")  # JSON is YAML
    expected = ["costs.components.router.count=1"] if name == "isaac" else []
    assert load_arch(path) == load_arch(name, expected)


def test_functional_run_writes_per_layer_errors(tmp_path: Path, capsys) -> None:
    out = tmp_path / "f"
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--functional",
            "--functional-batch", "2", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert "crossbar" in capsys.readouterr().out
    errors = pd.read_csv(out / "functional.csv")
    assert {"crossbar_vs_exact_rel_error", "int8_vs_float_rel_error"} <= set(errors.columns)
    assert json.loads((out / "summary.json").read_text())["functional"]["batch"] == 2
    bad = ["run", "--arch", "tiny", "--workload", "lenet5", "--functional",
           "--set", "precision.weight_bits=4"]  # fmt: skip
    assert main(bad) == 2


def test_verbose_logs_the_mapping_and_the_run(capsys) -> None:
    assert main(["-v", "run", "--arch", "tiny", "--workload", "mlp", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "crossbars in" in err and "SimPy events" in err
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--quiet"]) == 0
    assert "SimPy events" not in capsys.readouterr().err


def _summary_of(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / name
    assert main(["run", "--out", str(out), "--quiet", *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def test_mode_extra_pes_and_reuse_mode_flags_reach_the_run(tmp_path: Path) -> None:
    base = ["--arch", "tiny", "--workload", "lenet5"]
    estimate = _summary_of(tmp_path, "e", *base, "--mode", "estimate")
    assert estimate["mode"] == "estimate" and estimate["events_processed"] == 0
    none = _summary_of(tmp_path, "n", *base, "--duplication", "greedy", "--extra-pes", "0")
    some = _summary_of(tmp_path, "s", *base, "--duplication", "greedy", "--extra-pes", "4")
    assert none["pes_used"] < some["pes_used"] <= none["pes_used"] + 4
    compact = ["--arch", "compact_4x4", "--workload", "vgg8", "--scheduler", "weight_reuse",
               "--batch", "2"]  # fmt: skip
    rp = _summary_of(tmp_path, "rp", *compact, "--reuse-mode", "RP")
    ht = _summary_of(tmp_path, "ht", *compact, "--reuse-mode", "HT")
    assert (rp["reuse_mode"], ht["reuse_mode"]) == ("RP", "HT")
    assert rp["total_cycles"] != ht["total_cycles"]


def test_seed_reaches_device_variation_in_functional_runs(tmp_path: Path) -> None:
    base = ["--arch", "tiny", "--workload", "mlp", "--functional", "--functional-batch", "2",
            "--set", "device.variation_sigma=0.1"]  # fmt: skip
    a, b, c = (
        _summary_of(tmp_path, name, *base, "--seed", seed)
        for name, seed in (("a", "1"), ("b", "1"), ("c", "2"))
    )
    assert a["functional"] == b["functional"]
    assert a["functional"] != c["functional"]


def test_trace_and_plot_output_options(tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--out", str(out), "--quiet",
            "--trace", "summary"]  # fmt: skip
    assert main(argv) == 0
    assert main(["trace", str(out), "--format", "csv", "--output", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").stat().st_size > 0
    assert main(["plot", str(out), "--output", str(tmp_path / "figs")]) == 0
    assert (tmp_path / "figs" / "timeline.png").is_file()


@pytest.mark.parametrize(
    ("flags", "loaded"),
    [((), []), (("--functional", "--functional-batch", "2"), ["numba"])],
)
def test_a_timing_run_imports_neither_numba_nor_matplotlib_nor_dask(
    flags: tuple[str, ...], loaded: list[str]
) -> None:
    """They load with the commands that use them (kernels, figures, sweeps): `cimsim run`
    starts in half the time without them."""
    code = (
        "import sys\n"
        "from cimsim.cli import main\n"
        f"main(['run', '--arch', 'tiny', '--workload', 'mlp', '--quiet', *{flags!r}])\n"
        "print(sorted(m for m in ('numba', 'matplotlib', 'distributed', 'dask') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == repr(loaded)


def test_describe_shows_a_users_cost_table(tmp_path: Path, capsys) -> None:
    import yaml

    data = yaml.safe_load(Path("cimsim/config/presets/tiny.yaml").read_text(encoding="utf-8"))
    data["costs"]["tables"] = ["ert.yaml"]
    (tmp_path / "chip.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    ert = {"source": "test", "energy": {"adc": {"conversion": "2 pJ"}}}
    (tmp_path / "ert.yaml").write_text(yaml.safe_dump(ert), encoding="utf-8")
    assert main(["describe", str(tmp_path / "chip.yaml")]) == 0
    text = capsys.readouterr().out
    assert "ert.yaml" in text and "conversion 2 pJ" in text
