"""The benchmarks' quick modes run and report every figure (no timing is asserted)."""

import json
from pathlib import Path

from benchmarks import sim_speed


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
