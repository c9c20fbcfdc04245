"""Trace invariants (issue 7): coverage, no overlap, exports, determinism, bad run dirs."""

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cimsim.analysis.bubbles import bubbles_by_layer, component_utilization, pe_time
from cimsim.analysis.rundir import open_run
from cimsim.cli import main
from cimsim.config import load_arch
from cimsim.runs import simulate, write_results
from cimsim.trace import TraceLevel, TraceSink
from cimsim.trace.export import perfetto_events
from cimsim.trace.intervals import STAGE_ROWS, IntervalBuffer


@pytest.fixture(scope="module")
def spread_arch():
    """One PE per tile, so layers spread over the mesh and use the NoC."""
    return load_arch("tiny", ["tile.pes=2"])


@pytest.fixture(scope="module")
def full_run(spread_arch, small_cnn):
    result = simulate(spread_arch, small_cnn, batch=2, trace="full")
    return result, result.trace.to_frame()


def test_every_pe_track_covers_the_run_exactly(full_run) -> None:
    result, intervals = full_run
    total = result.summary["total_cycles"]
    table = pe_time(intervals, total)
    per_pe = table.groupby("component")["cycles"].sum()
    assert len(per_pe) == result.summary["pes_used"]
    assert (per_pe == total).all(), "busy + idle = total for every PE"


def test_intervals_on_one_track_never_overlap(full_run) -> None:
    _, intervals = full_run
    for component, track in intervals.groupby("component", observed=True):
        starts = track["start_cycle"].to_numpy()
        ends = track["end_cycle"].to_numpy()
        order = np.argsort(starts, kind="stable")
        assert (ends[order][:-1] <= starts[order][1:]).all(), component
        assert (ends > starts).all()


def test_full_trace_has_transfers_and_summary_does_not(spread_arch, small_cnn, full_run) -> None:
    _, full = full_run
    kinds = set(full["kind"].astype(str))
    assert {"mvm", "idle", "message", "read", "write", "digital"} <= kinds
    summary = simulate(spread_arch, small_cnn, batch=2, trace="summary").trace.to_frame()
    assert set(summary["kind"].astype(str)) <= {"mvm", "idle", "digital", "occupancy"}
    off = simulate(spread_arch, small_cnn, batch=2)
    assert off.trace is None


def test_link_bytes_in_trace_match_counters(full_run) -> None:
    result, intervals = full_run
    messages = intervals[intervals["kind"] == "message"]
    assert messages["bytes"].sum() == result.summary["bytes"]["noc_byte_hops"]


def test_bubbles_attribute_every_idle_cycle_to_a_cause(full_run) -> None:
    result, intervals = full_run
    table = pe_time(intervals, result.summary["total_cycles"])
    assert (table.loc[table["kind"] == "idle", "cause"] != "").all()
    wide = bubbles_by_layer(table, list(result.layers["layer"]))
    assert list(wide.index) == [n for n in result.layers["layer"] if n in set(wide.index)]
    # layer by layer: every layer but the first waits at a barrier
    assert (wide["barrier"].iloc[1:] > 0).all()


def test_component_utilization_matches_busy_counters(full_run) -> None:
    result, intervals = full_run
    summary = result.summary
    util = component_utilization(intervals, summary["total_cycles"])
    assert ((util["utilization"] > 0) & (util["utilization"] <= 1)).all()
    pes = util[util["component"].str.contains(r"\.pe\d+$")]
    expected = summary["utilization"]["pe"] * summary["pes_total"] * summary["total_cycles"]
    assert pes["busy_cycles"].sum() == pytest.approx(expected)


def test_perfetto_json_has_required_keys_and_ordered_tracks(full_run) -> None:
    result, intervals = full_run
    data = json.loads(json.dumps(perfetto_events(intervals, result.summary["clock_ghz"])))
    events = data["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    assert complete and all({"name", "ph", "ts", "dur", "pid", "tid"} <= e.keys() for e in complete)
    assert any(e["ph"] == "C" for e in events)
    assert any(e["ph"] == "M" and e["name"] == "thread_name" for e in events)
    last: dict[tuple[int, int], float] = {}
    for event in complete:
        key = (event["pid"], event["tid"])
        assert event["ts"] >= last.get(key, 0.0)
        last[key] = event["ts"]


@pytest.mark.parametrize("records", [1000, 2 * STAGE_ROWS + 17])
def test_spilled_trace_equals_in_memory_trace(tmp_path: Path, records: int) -> None:
    rows = [(i, i + 3, f"tile{i % 3}.pe0", "mvm", f"l{i % 5}", i, "") for i in range(records)]
    memory, spilled = IntervalBuffer(), IntervalBuffer(block_rows=64, spill_path=tmp_path / "s")
    for row in rows:
        memory.append(*row)
        spilled.append(*row)
    assert len(spilled) == len(memory) == records
    assert memory.to_frame()["start_cycle"].tolist() == list(range(records))
    pd.testing.assert_frame_equal(memory.to_frame(), spilled.to_frame())
    spilled.save(tmp_path / "out.parquet")
    assert not (tmp_path / "s").exists()
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out.parquet"), memory.to_table().to_pandas()
    )


def test_same_run_gives_byte_identical_files(spread_arch, small_cnn, tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = simulate(spread_arch, small_cnn, trace="full")
        write_results(result, tmp_path / name)
    for file in ("summary.json", "layers.csv", "trace.parquet"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_cli_trace_and_plot_round_trip(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--out", str(out), "--quiet",
            "--trace", "summary", "--plots"]  # fmt: skip
    assert main(argv) == 0
    assert (out / "plots" / "bubbles.png").is_file()
    assert (out / "plots" / "timeline.svg").is_file()
    assert main(["trace", str(out), "--format", "perfetto"]) == 0
    with gzip.open(out / "trace.json.gz", "rt") as packed:
        events = json.load(packed)["traceEvents"]
    assert main(["trace", str(out), "--uncompressed"]) == 0
    assert json.loads((out / "trace.json").read_text())["traceEvents"] == events
    assert main(["trace", str(out), "--format", "csv"]) == 0
    assert len(pd.read_csv(out / "trace.csv")) == len(open_run(out).intervals())


def test_trace_and_plot_refuse_what_is_not_a_run(tmp_path: Path, capsys) -> None:
    assert main(["trace", str(tmp_path)]) == 2
    assert "not a cimsim run directory" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "missing")]) == 2
    out = tmp_path / "old"
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--out", str(out), "--quiet"]) == 0
    assert main(["trace", str(out)]) == 2  # no trace recorded
    assert "--trace summary" in capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    summary["format_version"] = 0
    (out / "summary.json").write_text(json.dumps(summary))
    assert main(["plot", str(out)]) == 2
    assert "format version" in capsys.readouterr().err


def test_trace_energy_sums_to_the_reported_dynamic_energy(spread_arch, small_cnn, tmp_path) -> None:
    out = tmp_path / "run"
    write_results(simulate(spread_arch, small_cnn, batch=2, trace="full"), out)
    run = open_run(out)
    intervals = run.intervals()
    assert intervals["energy_pj"].sum() == pytest.approx(run.summary["energy_dynamic_pj"])
    assert (intervals.loc[intervals["kind"] == "idle", "energy_pj"] == 0).all()
    events = perfetto_events(intervals, run.summary["clock_ghz"])["traceEvents"]
    assert any("energy_pj" in e.get("args", {}) for e in events)


def test_buffer_occupancy_is_balanced_and_exported(spread_arch, small_cnn) -> None:
    result = simulate(spread_arch, small_cnn, batch=2, trace="summary")
    occupancy = result.trace.to_frame()
    occupancy = occupancy[occupancy["kind"] == "occupancy"]
    assert not occupancy.empty and (occupancy["bytes"] > 0).all()
    assert result.summary["tile_buffer_peak_bytes"] == occupancy["bytes"].max()
    events = perfetto_events(occupancy, result.summary["clock_ghz"])["traceEvents"]
    counters = [e for e in events if e["ph"] == "C" and e["name"] == "buffer bytes"]
    assert counters and counters[-1]["args"]["bytes"] == 0


def test_every_byte_put_in_a_tile_buffer_is_freed(spread_arch, small_cnn, run_program) -> None:
    from cimsim.config.hardware import hardware_params
    from cimsim.mapper import map_network
    from cimsim.scheduler import program_scheduler
    from workloads.shapes import analyze

    info, hw = analyze(small_cnn), hardware_params(spread_arch)
    for scheduler, batch in (("layer_by_layer", 2), ("cross_layer", 2), ("pipelined", 3)):
        mapping = map_network(info, spread_arch, hw, duplication="greedy")
        program = program_scheduler(scheduler)(info, mapping, spread_arch, batch)
        _, sink = run_program(spread_arch, info, mapping, program)
        assert set(sink.buffer_levels().values()) == {0}, scheduler


def test_busiest_link_is_the_link_that_carried_messages_longest(full_run) -> None:
    result, trace = full_run
    summary = result.summary
    links = trace[trace["component"].astype(str).str.startswith("link")]
    busy = (links["end_cycle"] - links["start_cycle"]).groupby(links["component"].astype(str)).sum()
    assert busy[summary["busiest_link"]] == busy.max()
    assert summary["utilization"]["noc_link_max"] == busy.max() / summary["total_cycles"]


def test_buffer_changes_at_once_equal_one_buffer_level_call_each() -> None:
    deltas = [512, 256, -512, 1024, -256, -1024]
    one_by_one, at_once = TraceSink(), TraceSink()
    for cycle, delta in enumerate(deltas):
        one_by_one.buffer_level(3, cycle, delta)
    at_once.buffer_changes(3, np.array(deltas[:2]))
    at_once.buffer_changes(3, np.array(deltas[2:]))
    assert at_once.buffer_peaks() == one_by_one.buffer_peaks() == {3: 1280}
    assert at_once.buffer_levels() == one_by_one.buffer_levels() == {3: 0}
    with pytest.raises(ValueError, match="use buffer_level"):
        TraceSink(TraceLevel.FULL).buffer_changes(3, np.array(deltas))
