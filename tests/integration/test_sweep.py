"""Sweeps on a real Dask LocalCluster (2 worker processes): results, resume, faults, CLI."""

import argparse
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import pandas as pd
import pytest
from distributed import LocalCluster

import cimsim.sweep.runner as runner
from cimsim.errors import CimsimError
from cimsim.sweep import PointTask, evaluate_point, plot_pareto, run_sweep
from cimsim.sweep.command import add_sweep_parser, run_sweep_command

# Worker processes cannot import this test module by name: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

GRID = """\
arch: tiny
workload: mlp
grid:
  tile.adc.bits: [4, 6, 8]
  workload: [mlp, lenet5]
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes shared by the tests that connect by address."""
    with _local_cluster() as local:
        yield local


def _local_cluster() -> LocalCluster:
    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
    )


def _write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _kill_once(task: PointTask, marker: Path) -> dict[str, Any]:
    """Kill this worker process the first time it runs (the marker records that it did)."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return evaluate_point(task)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


class KillOnce:
    """A picklable point function that kills its worker on the first point it runs."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, task: PointTask) -> dict[str, Any]:
        return _kill_once(task, self.marker)


def test_local_cluster_sweep_writes_every_point(tmp_path: Path) -> None:
    out = tmp_path / "out"
    results = run_sweep(_write(tmp_path, GRID), out, workers=2, progress=False)
    assert len(results) == 6 and set(results["status"]) == {"ok"}
    assert results["key"].is_unique
    on_disk = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(on_disk, results)
    assert len(list((out / "parts").glob("*.parquet"))) == 6
    assert not list(out.rglob("*.tmp"))
    assert list(results["tile.adc.bits"]) == [4, 4, 6, 6, 8, 8]
    assert list(results["workload"]) == ["mlp", "lenet5"] * 3
    for column in ("latency_s", "total_cycles", "throughput_inferences_per_s", "utilization_pe"):
        assert (results[column] > 0).all(), column
    for column in ("dram_read_bytes", "noc_bytes", "bytes_moved", "data_movement_share"):
        assert column in results.columns
    for column in ("energy_per_inference_pj", "area_mm2"):
        assert (results[column] > 0).all(), column
    levels = results.filter(regex=r"^energy_by_level_.*_pj$").sum(axis=1)
    assert levels.to_numpy() == pytest.approx(results["energy_pj"].to_numpy())
    assert (results["latency_s"] == results["total_cycles"] / 1e9).all()  # tiny: 1 GHz


def test_rerun_skips_finished_points(tmp_path: Path, cluster: LocalCluster) -> None:
    sweep, out = _write(tmp_path, GRID), tmp_path / "out"
    first = run_sweep(sweep, out, scheduler_address=cluster.scheduler_address, progress=False)
    marker = tmp_path / "ran"
    # A second run must submit nothing: a point function that would kill a worker never runs.
    again = run_sweep(
        sweep,
        out,
        scheduler_address=cluster.scheduler_address,
        progress=False,
        evaluate=KillOnce(marker),
    )
    assert not marker.exists()
    pd.testing.assert_frame_equal(first, again)
    # Growing the sweep runs only the new points.
    _write(tmp_path, GRID.replace("[4, 6, 8]", "[4, 6, 8, 5]"))
    grown = run_sweep(sweep, out, scheduler_address=cluster.scheduler_address, progress=False)
    assert len(grown) == 8 and grown["key"].is_unique and set(grown["status"]) == {"ok"}
    assert len(list((out / "parts").glob("*.parquet"))) == 8


class CountRuns:
    """A picklable point function that leaves one file per point it runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, task: PointTask) -> dict[str, Any]:
        (self.folder / task.key).touch()
        return evaluate_point(task)


def test_interrupted_sweep_keeps_finished_points_and_resumes(
    tmp_path: Path, cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep, out, ran = _write(tmp_path, GRID), tmp_path / "out", tmp_path / "ran"
    ran.mkdir()
    real_write_part, written = runner.write_part, []

    def interrupt_after_two(out_dir: Path, row: dict[str, Any]) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        real_write_part(out_dir, row)
        written.append(row["key"])

    monkeypatch.setattr(runner, "write_part", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, scheduler_address=cluster.scheduler_address, progress=False)
    kept = pd.read_parquet(out / "results.parquet")
    assert sorted(kept["key"]) == sorted(written) and set(kept["status"]) == {"ok"}
    assert not list(out.rglob("*.tmp"))
    monkeypatch.undo()
    results = run_sweep(
        sweep,
        out,
        scheduler_address=cluster.scheduler_address,
        progress=False,
        evaluate=CountRuns(ran),
    )
    assert len(results) == 6 and set(results["status"]) == {"ok"}
    assert {p.name for p in ran.iterdir()} == set(results["key"]) - set(written)


def test_failing_point_is_recorded_and_sweep_goes_on(tmp_path: Path, cluster: LocalCluster) -> None:
    text = (
        "arch: tiny\nworkload: mlp\n"
        "grid:\n  workload: [mlp, resnet18, lenet5]\n  mode: [event, estimate]\n"
    )
    results = run_sweep(
        _write(tmp_path, text),
        tmp_path / "out",
        scheduler_address=cluster.scheduler_address,
        progress=False,
    )
    assert list(results["status"]) == ["ok", "ok", "error", "error", "ok", "ok"]
    assert list(results["mode"]) == ["event", "estimate"] * 3
    failed = results.iloc[2]
    assert failed["error_type"] == "MappingError" and "does not fit" in failed["error"]
    assert not failed["retryable"] and pd.isna(failed["latency_s"])
    ok = results[results["status"] == "ok"]
    assert (ok["latency_s"] > 0).all()
    assert (ok.loc[ok["mode"] == "estimate", "events_processed"] == 0).all()


def test_killed_worker_point_is_rerun_and_nothing_is_lost(tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    out = tmp_path / "out"
    sweep = _write(tmp_path, GRID.replace("[4, 6, 8]", "[3, 4, 5, 6, 7, 8]"))
    with _local_cluster() as local:
        results = run_sweep(
            sweep,
            out,
            scheduler_address=local.scheduler_address,
            progress=False,
            evaluate=KillOnce(marker),
        )
    assert marker.exists()  # a worker really died mid-sweep
    assert len(results) == 12 and set(results["status"]) == {"ok"}
    on_disk = pd.read_parquet(out / "results.parquet")
    assert len(on_disk) == 12 and on_disk["key"].is_unique
    assert set(on_disk["key"]) == {p.stem for p in (out / "parts").glob("*.parquet")}


def test_point_killing_workers_too_often_is_recorded_then_rerun_on_resume(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    sweep, out, ran = _write(tmp_path, GRID), tmp_path / "out", tmp_path / "ran"
    ran.mkdir()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), _local_cluster() as local:
        first = run_sweep(
            sweep,
            out,
            scheduler_address=local.scheduler_address,
            progress=False,
            evaluate=KillOnce(tmp_path / "killed"),
        )
    failed = first[first["status"] == "error"]
    assert len(first) == 6 and len(failed) >= 1  # the killed point (and any queued beside it)
    assert set(failed["error_type"]) == {"KilledWorker"} and failed["retryable"].all()
    again = run_sweep(
        sweep,
        out,
        scheduler_address=cluster.scheduler_address,
        progress=False,
        evaluate=CountRuns(ran),
    )
    assert set(again["status"]) == {"ok"} and again["key"].is_unique
    assert {p.name for p in ran.iterdir()} == set(failed["key"])


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        CimsimError, match=rf"tcp://127.0.0.1:{port}: cannot reach a Dask scheduler"
    ):
        run_sweep(
            _write(tmp_path, GRID),
            tmp_path / "out",
            scheduler_address=f"tcp://127.0.0.1:{port}",
            progress=False,
        )
    assert not (tmp_path / "out" / "results.parquet").exists()


def test_bad_axis_or_workers_fail_before_any_work(tmp_path: Path) -> None:
    sweep = _write(tmp_path, GRID.replace("tile.adc.bits", "tile.adc.bitz"))
    with pytest.raises(CimsimError, match=r"sweep.yaml: axis 'tile.adc.bitz'"):
        run_sweep(sweep, tmp_path / "out", scheduler_address="tcp://127.0.0.1:1", progress=False)
    with pytest.raises(CimsimError, match=r"--workers must be an integer from 1 to 256"):
        run_sweep(_write(tmp_path, GRID), tmp_path / "out", workers=0, progress=False)
    assert not (tmp_path / "out").exists()


def test_pareto_plot_files(tmp_path: Path, cluster: LocalCluster) -> None:
    results = run_sweep(
        _write(tmp_path, GRID),
        tmp_path / "out",
        scheduler_address=cluster.scheduler_address,
        progress=False,
    )
    paths = plot_pareto(results, tmp_path / "plots")
    assert [p.name for p in paths] == ["pareto.png", "pareto.svg"]
    assert paths[0].read_bytes().startswith(b"\x89PNG")
    assert "<svg" in paths[1].read_text()
    with pytest.raises(CimsimError, match="no successful"):
        plot_pareto(results.assign(status="error"), tmp_path / "none")


def test_sweep_command(tmp_path: Path, cluster: LocalCluster, capsys) -> None:
    parser = argparse.ArgumentParser(prog="cimsim")
    add_sweep_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "out"
    args = parser.parse_args(
        ["sweep", str(_write(tmp_path, GRID)), "--out", str(out), "--plot",
         "--scheduler-address", cluster.scheduler_address]
    )  # fmt: skip
    assert run_sweep_command(args) == 0
    printed = capsys.readouterr().out
    assert "6 points: 6 ok, 0 failed" in printed
    assert (out / "results.parquet").is_file() and (out / "pareto.svg").is_file()


def _no_cluster(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a small sweep started a cluster")


def _fail_on_lenet(task: PointTask) -> dict[str, Any]:
    if task.workload == "lenet5":
        raise RuntimeError("a bug in one point")
    return evaluate_point(task)


def test_a_small_sweep_runs_in_process_with_the_same_results_and_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_cluster = run_sweep(_write(tmp_path, GRID), tmp_path / "dask", workers=2, progress=False)
    monkeypatch.setattr(runner, "_client", _no_cluster)
    here = run_sweep(_write(tmp_path, GRID), tmp_path / "here", progress=False)
    columns = [c for c in here.columns if c not in ("key",)]
    pd.testing.assert_frame_equal(here[columns], on_cluster[columns])
    failing = run_sweep(
        _write(tmp_path, GRID), tmp_path / "failing", progress=False, evaluate=_fail_on_lenet
    )
    bad = failing[failing["workload"] == "lenet5"]
    assert len(bad) == 3 and bad["retryable"].all() and (bad["status"] == "error").all()
    rerun = run_sweep(_write(tmp_path, GRID), tmp_path / "failing", progress=False)
    assert (rerun["status"] == "ok").all()  # only the retryable points ran again
