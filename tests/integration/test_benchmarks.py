"""The benchmarks' quick modes run and report every figure (no timing is asserted)."""

import json
from pathlib import Path

import pytest

from benchmarks import noc_validation, sim_speed


def test_sim_speed_quick_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    assert (
        sim_speed.main(["--quick", "--json", str(out), "--markdown", str(tmp_path / "t.md")]) == 0
    )
    results = json.loads(out.read_text())
    overhead = results["engine_overhead"]
    assert overhead["events"] > 0 and overhead["ratio"] > 0
    (case,) = results["cases"]
    assert case["event"]["events"] > 0 and case["estimate"]["events"] == 0
    assert case["estimate"]["total_cycles"] <= case["event"]["total_cycles"]
    assert results["trace_overhead"]["full"]["trace_records"] > 0
    assert results["cli"]["run_s"] > 0 and results["cli"]["import_s"] > 0
    table = (tmp_path / "t.md").read_text()
    assert "ratio, event loop / bare" in table and "`cimsim run` resnet18" in table


def test_noc_validation_writes_the_issue_command_json(tmp_path: Path) -> None:
    out = tmp_path / "curve.json"
    argv = [
        "--pattern",
        "transpose",
        "--rates",
        "0.02,0.6",
        "--vcs",
        "2",
        "--packet-flits",
        "4",
        "--seeds",
        "1",
        "--quick",
        "--workers",
        "1",
        "--json",
        str(out),
    ]
    assert noc_validation.main(argv) == 0
    low, high = json.loads(out.read_text())["points"]
    assert not low["saturated"] and low["avg_packet_latency_cycles"] > 9
    assert low["accepted_flits_per_node_cycle"] == pytest.approx(0.02, rel=0.3)
    assert high["saturated"] and high["avg_packet_latency_cycles"] is None


def test_noc_validation_quick_compares_with_the_stored_booksim_figures(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    out = tmp_path / "validation.json"
    assert (
        noc_validation.main(["--validate", "--quick", "--output", str(doc), "--json", str(out)])
        == 0
    )
    result = json.loads(out.read_text())
    for series in result["series"]:
        # The router model is BookSim's: these hold even on the quick windows.
        assert abs(series["zero_load_gap_cycles"]) <= 1.0
        assert abs(series["saturation_throughput"]["error"]) <= 0.10
    assert "## NoC routers against BookSim2" in doc.read_text()
