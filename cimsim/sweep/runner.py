"""Running a sweep on Dask: a LocalCluster by default, any running cluster by address.

Nothing finished is lost: each point's row is written as soon as it arrives, and a rerun
skips every point already recorded (except failures marked retryable). Fault handling:

- a point that raises a CimsimError (e.g. the network does not fit) is a row with its error;
- any other exception escaping a point is retried ``TASK_RETRIES`` times by Dask, then
  recorded as a retryable error;
- a worker process that dies mid-point has that point re-run on another worker by the
  scheduler (up to ``distributed.scheduler.allowed-failures`` deaths per point, default 3;
  after that the point is recorded as a retryable ``KilledWorker`` error).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm import tqdm

from cimsim.errors import CimsimError
from cimsim.extras import require
from cimsim.limits import MAX_WORKERS, check_integer
from cimsim.progress import Status
from cimsim.sweep.evaluate import OK, PointTask, error_row, evaluate_point
from cimsim.sweep.spec import SweepPoint, load_sweep, resolve_points
from cimsim.sweep.store import read_parts, results_frame, write_part, write_results

if TYPE_CHECKING:  # Dask is the [sweep] extra, imported when a cluster is used
    from distributed import Client, Future

CONNECT_TIMEOUT_S = 5.0
"""How long to wait for a scheduler given by address before giving up."""
TASK_RETRIES = 1
"""Dask retries of a point whose function raised something other than a CimsimError."""
IN_PROCESS_MAX_POINTS = 16
"""Sweeps with at most this many points to run (and no cluster or worker count given) run
in this process: starting a LocalCluster costs seconds, more than a small sweep takes."""
CONSOLIDATE_EVERY_S = 0.5
"""Minimum interval between rewrites of results.parquet while points arrive (parts are
written for every point; results.parquet is always rewritten at the end)."""

Evaluate = Callable[[PointTask], dict[str, Any]]

log = logging.getLogger(__name__)


def run_sweep(
    sweep_file: str | Path,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler_address: str | None = None,
    progress: bool = True,
    *,
    evaluate: Evaluate = evaluate_point,
) -> pd.DataFrame:
    """Run every point of ``sweep_file`` not yet in ``out_dir``; return the results table.

    All points are resolved before any work starts, so a bad axis fails at once. A sweep of
    at most ``IN_PROCESS_MAX_POINTS`` points to run, given neither ``workers`` nor
    ``scheduler_address``, runs in this process. Otherwise, without ``scheduler_address`` a
    LocalCluster of ``workers`` processes (default: one per CPU, at most one per point) is
    started and closed; with it, that cluster is used (its workers
    need cimsim installed; ONNX workloads must be readable at the same path on each).
    ``evaluate`` is the function a worker applies to a point (tests inject faults with it);
    it must be picklable.
    """
    sweep_path = Path(sweep_file)
    out = Path(out_dir)
    points = resolve_points(load_sweep(sweep_path), sweep_path)
    if workers is not None:
        check_integer("--workers", workers, 1, MAX_WORKERS)
    rows = read_parts(out, [p.key for p in points])
    todo = [p for p in points if p.key not in rows or bool(rows[p.key].get("retryable"))]
    log.info("%s: %d points, %d to run", sweep_path, len(points), len(todo))
    if (
        todo
        and workers is None
        and scheduler_address is None
        and len(todo) <= IN_PROCESS_MAX_POINTS
    ):
        log.info("%s: running %d points in this process", sweep_path, len(todo))
        _record(_in_process(todo, evaluate), todo, points, rows, out, progress, sweep_path)
    elif todo:
        n_workers = workers or min(os.cpu_count() or 1, len(todo))
        with _client(n_workers, scheduler_address, progress) as client:
            _run_points(client, todo, points, rows, out, evaluate, progress, sweep_path)
    frame = results_frame(points, rows)
    write_results(out, frame)
    return frame


def _run_points(
    client: Client,
    todo: list[SweepPoint],
    points: tuple[SweepPoint, ...],
    rows: dict[str, dict[str, Any]],
    out: Path,
    evaluate: Evaluate,
    progress: bool,
    sweep_path: Path,
) -> None:
    """Submit ``todo`` to the cluster, record each row as it arrives; on any exit, keep what
    finished and cancel the rest."""
    from distributed import as_completed

    futures: dict[Future, SweepPoint] = {}
    for point in todo:
        task = PointTask(point.key, point.arch, point.workload_ref, point.options)
        future = client.submit(
            evaluate, task, key=f"cimsim-point-{point.key}", retries=TASK_RETRIES
        )
        futures[future] = point

    def finished() -> Iterator[tuple[SweepPoint, dict[str, Any]]]:
        for future in as_completed(list(futures)):
            point = futures.pop(future)
            row = _collect(future, point)
            future.release()
            yield point, row

    try:
        _record(finished(), todo, points, rows, out, progress, sweep_path)
    finally:
        if futures:
            client.cancel(list(futures))


def _in_process(
    todo: list[SweepPoint], evaluate: Evaluate
) -> Iterator[tuple[SweepPoint, dict[str, Any]]]:
    """Evaluate ``todo`` here, one after another; anything but a CimsimError a point raises
    is recorded as a retryable failure, as the cluster path records it."""
    for point in todo:
        task = PointTask(point.key, point.arch, point.workload_ref, point.options)
        try:
            row = evaluate(task)
        except Exception as exc:  # a bug in a point must not lose the others
            row = error_row(point.key, exc, retryable=True)
        yield point, row


def _record(
    finished: Iterator[tuple[SweepPoint, dict[str, Any]]],
    todo: list[SweepPoint],
    points: tuple[SweepPoint, ...],
    rows: dict[str, dict[str, Any]],
    out: Path,
    progress: bool,
    sweep_path: Path,
) -> None:
    """Write each finished point's row as it arrives and keep results.parquet current; on any
    exit, results.parquet holds every point that finished."""
    bar = tqdm(
        total=len(points),
        initial=len(points) - len(todo),
        desc=f"sweep {sweep_path.name}",
        unit="point",
        disable=not progress,
    )
    last_write = -CONSOLIDATE_EVERY_S  # the first finished point is written at once
    written = True
    try:
        for point, row in finished:
            write_part(out, row)
            rows[point.key] = row
            written = False
            bar.update()
            if row["status"] != OK:
                log.info("point %d (%s) failed: %s", point.index, point.label, row["error"])
            if time.monotonic() - last_write >= CONSOLIDATE_EVERY_S:
                write_results(out, results_frame(points, rows))
                last_write, written = time.monotonic(), True
    finally:
        bar.close()
        if not written:
            write_results(out, results_frame(points, rows))


def _collect(future: Future, point: SweepPoint) -> dict[str, Any]:
    """The row a finished future stands for; an infrastructure failure is a retryable row."""
    try:
        row = future.result()
    except Exception as exc:  # anything a point or the cluster raised: record, go on
        return error_row(point.key, exc, retryable=True)
    if not isinstance(row, dict) or row.get("key") != point.key:
        return error_row(point.key, RuntimeError(f"malformed result {row!r}"), retryable=True)
    return row


@contextlib.contextmanager
def _client(workers: int, address: str | None, progress: bool = False) -> Iterator[Client]:
    """A client of the cluster at ``address``, or of a new LocalCluster (closed on exit).
    Starting a cluster takes seconds: with ``progress`` a status line says so meanwhile."""
    require("distributed", "sweep")  # the [sweep] extra: a clear message when it is missing
    from distributed import Client, LocalCluster

    where = f"connecting to {address}" if address else f"starting {workers} Dask workers"
    with contextlib.ExitStack() as stack:
        with Status(f"sweep: {where}", enabled=progress):
            if address is not None:
                client = _connect(address)
            else:
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port, never a fixed one
                    scheduler_kwargs={"dashboard": False},
                    silence_logs=logging.ERROR,
                )
                stack.callback(cluster.close)
                client = Client(cluster)
        stack.callback(client.close)
        yield client


def _connect(address: str) -> Client:
    """Connect to a running scheduler, or fail with a CimsimError within the timeout."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except Exception as exc:  # refused, timed out, malformed, or not Dask at all: one answer
        raise CimsimError(
            f"--scheduler-address {address}: cannot reach a Dask scheduler there "
            f"({type(exc).__name__}: {exc}; waited up to {CONNECT_TIMEOUT_S:g} s); start one "
            f"with `dask scheduler` (and `dask worker {address}`), or omit --scheduler-address "
            f"to run on a local cluster"
        ) from None
