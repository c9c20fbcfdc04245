"""A results folder reproduces its run; describe --json loads back as an architecture."""

import json
import shlex

import pytest

from cimsim.cli import main
from cimsim.config import load_arch


@pytest.mark.parametrize(
    "argv",
    [
        ["--arch", "tiny", "--workload", "lenet5", "--set", "tile.adc.bits=5",
         "--set", "memory.global_buffer.size=100 KiB", "--scheduler", "cross_layer",
         "--batch", "2", "--duplication", "greedy", "--extra-pes", "3"],
        ["--arch", "tiny", "--workload", "lenet5", "--set", "noc.rows=1", "--set", "noc.cols=1",
         "--scheduler", "weight_reuse", "--reuse-mode", "RP", "--mode", "estimate"],
    ],
)  # fmt: skip
def test_a_results_folder_reruns_to_the_same_summary_byte_for_byte(
    argv, tmp_path, monkeypatch, capsys
) -> None:
    first = tmp_path / "first"
    assert main(["run", *argv, "--out", str(first), "--quiet"]) == 0
    record = json.loads((first / "run.json").read_text())
    command = shlex.split(record["command"])
    assert command[:2] == ["cimsim", "run"] and "--set" not in command
    monkeypatch.chdir(first)  # the command names config.yaml beside it
    again = tmp_path / "again"
    assert main([*command[1:], "--out", str(again), "--quiet"]) == 0
    assert (again / "summary.json").read_bytes() == (first / "summary.json").read_bytes()
    assert (again / "config.yaml").read_bytes() == (first / "config.yaml").read_bytes()
    capsys.readouterr()


@pytest.mark.parametrize("preset", ["isaac", "tiny", "compact_4x4"])
def test_describe_json_loads_back_as_the_same_architecture(preset, tmp_path, capsys) -> None:
    overrides = ["memory.dram.routers=[[0, 0], [1, 1]]", "tile.adc.bits=6", "costs.use=model"]
    argv = ["describe", preset, "--json"] + [f"--set={o}" for o in overrides]
    assert main(argv) == 0
    written = tmp_path / "mine.json"
    written.write_text(capsys.readouterr().out)
    assert load_arch(written) == load_arch(preset, overrides)
