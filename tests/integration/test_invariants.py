"""Conservation invariants (cimsim.analysis.invariants) on every scheduler and the estimate,
and the checks themselves failing on records that break them."""

import pandas as pd
import pytest

from cimsim.analysis import invariants
from cimsim.config import load_arch
from cimsim.runs import RunResult, simulate
from workloads import zoo

SPREAD = ["tile.pes=2"]
"""tiny with two PEs a tile: layers spread over the mesh and talk over the NoC."""
COMPACT = ["noc.rows=1", "noc.cols=2", "tile.pes=4"]
"""tiny shrunk to two tiles of 4 PEs: LeNet-5 (12 PEs) runs in parts (weight reuse)."""

CASES = {
    "layer_by_layer": (SPREAD, "layer_by_layer", None, 2, "none"),
    "pipelined": (SPREAD, "pipelined", None, 3, "none"),
    "cross_layer": (SPREAD, "cross_layer", None, 2, "greedy"),
    "weight_reuse-RP": (COMPACT, "weight_reuse", "RP", 2, "dynamic"),
    "weight_reuse-LL": (COMPACT, "weight_reuse", "LL", 2, "dynamic"),
    "weight_reuse-HT": (COMPACT, "weight_reuse", "HT", 3, "dynamic"),
}
"""name -> (overrides of tiny, scheduler, reuse mode, batch, duplication)."""


def _run(case: str, mode: str, trace: str) -> RunResult:
    overrides, scheduler, reuse, batch, duplication = CASES[case]
    arch = load_arch("tiny", overrides)
    return simulate(arch, zoo.build("lenet5"), scheduler=scheduler, batch=batch,
                    duplication=duplication, mode=mode, reuse_mode=reuse,
                    trace=trace)  # fmt: skip


@pytest.fixture(scope="module", params=list(CASES))
def traced(request) -> tuple[dict, pd.DataFrame]:
    result = _run(request.param, "event", "full")
    return result.summary, result.trace.to_frame()


def test_every_invariant_holds_on_a_full_trace(traced) -> None:
    summary, intervals = traced
    assert summary["noc_injected_bytes"] > 0
    assert invariants.run_violations(summary, intervals) == []


def test_trace_energy_is_the_dynamic_energy(traced) -> None:
    summary, intervals = traced
    assert invariants.trace_energy_violations(summary, intervals) == []
    if summary["scheduler"] == "weight_reuse":  # RRAM programming is on the trace too
        assert summary["energy_by_level_pj"]["weight_programming"] > 0


def test_pe_tracks_cover_the_run_without_overlap(traced) -> None:
    summary, intervals = traced
    assert invariants.overlap_violations(intervals, summary["total_cycles"]) == []
    assert invariants.pe_time_violations(summary, intervals) == []


@pytest.mark.parametrize("case", list(CASES))
def test_invariants_hold_on_a_summary_trace(case: str) -> None:
    result = _run(case, "event", "summary")
    assert invariants.run_violations(result.summary, result.trace.to_frame()) == []


@pytest.mark.parametrize("case", list(CASES))
def test_invariants_hold_on_the_estimate(case: str) -> None:
    summary = _run(case, "estimate", "off").summary
    assert summary["mode"] == "estimate"
    assert invariants.run_violations(summary) == []


# --- the checks can fail -------------------------------------------------------------------


def _frame(rows: list[tuple]) -> pd.DataFrame:
    columns = ["start_cycle", "end_cycle", "component", "kind", "layer", "bytes", "cause"]
    return pd.DataFrame(rows, columns=columns)


def test_overlap_and_gap_on_a_pe_track_are_found() -> None:
    summary = {"total_cycles": 10}
    overlapping = _frame([(0, 6, "tile0.pe0", "mvm", "a", 0, ""),
                          (4, 10, "tile0.pe0", "idle", "b", 0, "input")])  # fmt: skip
    assert invariants.overlap_violations(overlapping, 10)
    assert invariants.pe_time_violations(summary, overlapping)
    gap = _frame([(0, 3, "tile0.pe0", "mvm", "a", 0, ""), (5, 8, "tile0.pe0", "mvm", "a", 0, "")])
    assert invariants.overlap_violations(gap, 10) == []
    assert invariants.pe_time_violations(summary, gap)
    assert invariants.overlap_violations(gap, 7)  # a record past the end of the run
    whole = _frame([(0, 3, "tile0.pe0", "mvm", "a", 0, ""),
                    (3, 8, "tile0.pe0", "idle", "a", 0, "input")])  # fmt: skip
    assert invariants.pe_time_violations(summary, whole) == []  # 8..10 is drained


def test_energy_on_no_record_is_found(traced) -> None:
    summary, intervals = traced
    relabelled = intervals.assign(kind=intervals["kind"].astype(str).replace("mvm", "compute"))
    assert invariants.trace_energy_violations(summary, relabelled)
    broken = {**summary, "energy_dynamic_pj": summary["energy_dynamic_pj"] * 1.01}
    assert invariants.energy_violations(broken)


def test_bytes_lost_and_ports_overbooked_are_found(traced) -> None:
    summary, intervals = traced
    lost = {**summary, "noc_injected_bytes": summary["noc_injected_bytes"] + 1}
    assert invariants.byte_violations(lost)
    fewer = intervals[intervals["kind"].astype(str) != "message"]
    assert invariants.byte_violations(summary, fewer)
    overbooked = {**summary, "utilization": {**summary["utilization"], "dram": 1.5}}
    assert invariants.busy_time_violations(overbooked)
    short = {**summary, "total_cycles": 1}
    assert invariants.busy_time_violations(short, intervals)
