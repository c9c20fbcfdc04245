"""Run directories: a manifest written last tells a complete run; partial files stay out;
damaged or incomplete directories are refused with one message (issue 20)."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from cimsim.analysis.files import partial_path, write_json_atomic
from cimsim.analysis.rundir import manifest, open_run
from cimsim.cli import main
from cimsim.errors import OutputError
from cimsim.runs import result as result_module
from cimsim.trace.intervals import IntervalBuffer

RUN = ["run", "--arch", "tiny", "--workload", "lenet5", "--quiet"]


def _run(out: Path, *extra: str) -> None:
    assert main([*RUN, "--out", str(out), *extra]) == 0


def _rewrite(out: Path, name: str, text: str) -> None:
    """Change a file of a run and its manifest with it (so only the change itself is wrong)."""
    (out / name).write_text(text)
    files = [out / n for n in json.loads((out / "manifest.json").read_text())["files"]]
    write_json_atomic(out / "manifest.json", manifest(files))


def test_a_crash_while_rewriting_leaves_a_run_that_reads_as_incomplete(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    out = tmp_path / "run"
    _run(out)
    old_summary = (out / "summary.json").read_text()

    def crash(path: Path, data: object) -> None:
        raise KeyboardInterrupt  # killed between the new layers.csv and the new summary

    monkeypatch.setattr(result_module, "write_json_atomic", crash)
    assert main([*RUN, "--out", str(out), "--batch", "2"]) == 130
    assert (out / "summary.json").read_text() == old_summary  # old summary, new layers.csv
    assert not (out / "manifest.json").exists()
    with pytest.raises(OutputError, match="incomplete run"):
        open_run(out)
    capsys.readouterr()
    assert main(["plot", str(out)]) == 2
    assert "incomplete run (no manifest.json" in capsys.readouterr().err


def test_a_rerun_without_trace_drops_the_old_trace(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, "--trace", "summary")
    assert open_run(out).has_trace
    _run(out)
    run = open_run(out)
    assert not run.has_trace and not (out / "trace.parquet").exists()
    assert set(run.files) == {"config.yaml", "run.json", "layers.csv", "summary.json"}


def test_leftovers_of_a_killed_writer_are_cleared(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    for name in (".layers.csv.x1y2.tmp", ".trace.parquet.tmp", ".trace.partial.parquet"):
        (out / name).write_bytes(b"partial")
    with pytest.raises(OutputError, match="not a cimsim run directory"):
        open_run(out)
    _run(out)
    assert sorted(p.name for p in out.iterdir()) == [
        "config.yaml",
        "layers.csv",
        "manifest.json",
        "run.json",
        "summary.json",
    ]


_KILLED_AFTER_FIRST_SPILL = """
import os, signal, sys
from cimsim.trace import intervals

spill = intervals.IntervalBuffer._make_room

def spill_then_die(self):
    spill(self)
    if self._writer is not None:
        os.kill(os.getpid(), signal.SIGKILL)

intervals.IntervalBuffer._make_room = spill_then_die
intervals.IntervalBuffer.__init__.__defaults__ = (64, None)  # spill every 64 records
intervals.STAGE_ROWS = 16  # ... as they come, while the run goes on
from cimsim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_mid_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out, scratch = tmp_path / "run", tmp_path / "scratch"
    scratch.mkdir()
    _run(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {**os.environ, "TMPDIR": str(scratch)}
    argv = [*RUN, "--out", str(out), "--trace", "full"]
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_FIRST_SPILL, *argv], env=env, check=False
    )
    assert killed.returncode == -9
    assert [p.suffixes for p in scratch.iterdir()] == [[".trace", ".partial", ".parquet"]]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing partial here
    assert not open_run(out).has_trace


def test_a_spilled_trace_moves_across_file_systems(tmp_path: Path, monkeypatch) -> None:
    spill = tmp_path / "spill.parquet"
    buffer = IntervalBuffer(block_rows=64, spill_path=spill)
    for i in range(5000):
        buffer.append(i, i + 1, "tile0.pe0", "mvm", "a")
    replace = Path.replace

    def cross_device(self: Path, target: Path) -> Path:
        if self == spill:
            raise OSError(18, "Invalid cross-device link")  # EXDEV
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", cross_device)
    out = tmp_path / "out"
    out.mkdir()
    buffer.save(out / "trace.parquet")
    assert not spill.exists()
    assert sorted(p.name for p in out.iterdir()) == ["trace.parquet"]
    assert len(pd.read_parquet(out / "trace.parquet")) == 5000


def test_partial_files_go_to_the_temporary_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    path = partial_path(".trace.partial.parquet")
    assert path.parent == tmp_path and not path.exists()
    assert path != partial_path(".trace.partial.parquet")


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda out: (out / "trace.parquet").write_bytes(b"x" * 10), "has 10 bytes, not"),
        (lambda out: (out / "layers.csv").unlink(), "layers.csv is missing"),
        (lambda out: (out / "manifest.json").write_text("{"), "unreadable manifest"),
        (lambda out: (out / "manifest.json").write_text('{"files": 3}'), "not a manifest"),
    ],
)
def test_damaged_files_are_refused(tmp_path: Path, damage, fragment: str, capsys) -> None:
    out = tmp_path / "run"
    _run(out, "--trace", "summary")
    damage(out)
    capsys.readouterr()
    assert main(["trace", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_a_damaged_trace_of_the_listed_size_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    _run(out, "--trace", "summary")
    size = (out / "trace.parquet").stat().st_size
    _rewrite(out, "trace.parquet", "\0" * size)
    capsys.readouterr()
    assert main(["trace", str(out)]) == 2
    assert "trace.parquet: damaged trace" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("mesh", None, "mesh: required field is missing"),
        ("total_cycles", "many", "total_cycles: Input should be a valid integer"),
        ("clock_ghz", -1.0, "clock_ghz: Input should be greater than 0"),
        ("energy_by_level_pj", [1, 2], "energy_by_level_pj: Input should be a valid dictionary"),
    ],
)
def test_a_summary_lacking_a_field_is_refused(
    tmp_path: Path, field: str, value: object, fragment: str, capsys
) -> None:
    out = tmp_path / "run"
    _run(out)
    summary = json.loads((out / "summary.json").read_text())
    if value is None:
        del summary[field]
    else:
        summary[field] = value
    _rewrite(out, "summary.json", json.dumps(summary))
    capsys.readouterr()
    assert main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
