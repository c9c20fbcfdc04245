"""The command line's output contract: global flags anywhere, --json on stdout alone, the
architecture schema, trace filters and compression, and what the parser imports."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml

from cimsim.analysis.rundir import open_run
from cimsim.cli import main
from cimsim.names import preset_names
from cimsim.trace.filters import TraceFilter

PRESETS = Path(__file__).parents[2] / "cimsim" / "config" / "presets"


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_flags_count_before_or_after_the_command(where: str, capsys) -> None:
    run = ["run", "--arch", "tiny", "--workload", "mlp"]
    argv = ["--json", "-q", *run] if where == "before" else [*run, "--json", "-q"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    summary = json.loads(out)  # stdout is the summary and nothing else
    assert summary["workload"] == "mlp" and summary["arch"] == "tiny"


def test_json_run_with_out_keeps_messages_off_stdout(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r"
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == json.loads((out / "summary.json").read_text())
    assert "results written to" in captured.err


def test_schema_accepts_every_preset_and_refuses_a_typo(tmp_path: Path, capsys) -> None:
    assert main(["schema", "--output", str(tmp_path / "arch.schema.json")]) == 0
    schema = json.loads((tmp_path / "arch.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for name in preset_names():
        data = yaml.safe_load((PRESETS / f"{name}.yaml").read_text(encoding="utf-8"))
        assert not list(validator.iter_errors(data)), name
    data["tile"]["adc"]["bitz"] = 6
    assert [e.message for e in validator.iter_errors(data)]
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema


def test_help_imports_only_the_standard_library_and_the_names() -> None:
    """`cimsim --help` answers at once: building the parser loads no simulator module,
    pandas, pydantic, numpy or matplotlib."""
    code = (
        "import sys\n"
        "from cimsim.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in ('pandas', 'pydantic', 'numpy', 'matplotlib', 'yaml', "
        "'cimsim.config', 'cimsim.runs', 'cimsim.sweep.evaluate') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_names_equal_the_registries() -> None:
    from cimsim import names
    from cimsim.config import preset_names as config_presets
    from cimsim.mapper import DUPLICATIONS, PLACEMENTS
    from cimsim.scheduler import SCHEDULERS
    from cimsim.scheduler.weight_reuse import MODES
    from cimsim.trace import TraceLevel

    assert tuple(SCHEDULERS) == names.SCHEDULERS
    assert tuple(DUPLICATIONS) == names.DUPLICATIONS
    assert tuple(PLACEMENTS) == names.PLACEMENTS
    assert tuple(t.value for t in TraceLevel) == names.TRACE_LEVELS
    assert names.REUSE_MODES == MODES
    assert names.preset_names() == config_presets()


@pytest.fixture(scope="module")
def traced_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("traced") / "run"
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--out", str(out), "-q",
            "--trace", "full", "--scheduler", "pipelined", "--batch", "2"]  # fmt: skip
    assert main(argv) == 0
    return out


def _events(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as packed:
        return json.load(packed)["traceEvents"]


def test_trace_filters_keep_tiles_layers_and_a_window(traced_run: Path, tmp_path: Path) -> None:
    run = open_run(traced_run)
    intervals = run.intervals()
    layers = list(dict.fromkeys(intervals.loc[intervals["kind"] == "mvm", "layer"].astype(str)))
    end_us = run.summary["total_cycles"] / (run.summary["clock_ghz"] * 1e3)
    window = f"{end_us / 4}:{end_us / 2}"
    out = tmp_path / "part.json.gz"
    argv = ["trace", str(traced_run), "--tiles", "0-1", "--layers", layers[0],
            "--window", window, "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    kept = [e for e in _events(out) if e["ph"] == "X"]
    everything = [e for e in _events_of_all(traced_run, tmp_path) if e["ph"] == "X"]
    assert 0 < len(kept) < len(everything)
    cycle_us = 1 / (run.summary["clock_ghz"] * 1e3)  # the window is cut at whole cycles
    for event in kept:
        assert event["args"]["layer"] in ("", layers[0])
        assert end_us / 4 - cycle_us <= event["ts"]
        assert event["ts"] + event["dur"] <= end_us / 2 + cycle_us
    thread_tiles = {
        e["tid"]: e["args"]["name"] for e in _events(out) if e.get("name") == "thread_name"
    }
    assert all(not name.startswith("tile") or name.split(".")[0] in ("tile0", "tile1")
               for name in thread_tiles.values())  # fmt: skip


def _events_of_all(run: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / "all.json.gz"
    assert main(["trace", str(run), "--output", str(out)]) == 0
    return _events(out)


def test_filtered_csv_is_the_filtered_table(traced_run: Path, tmp_path: Path) -> None:
    run = open_run(traced_run)
    selection = TraceFilter.parse("1", None, None)
    expected = selection.apply(run.intervals(), run.summary["clock_ghz"])
    assert main(["trace", str(traced_run), "--format", "csv", "--tiles", "1",
                 "--output", str(tmp_path / "t.csv")]) == 0  # fmt: skip
    assert len(pd.read_csv(tmp_path / "t.csv")) == len(expected) > 0


@pytest.mark.parametrize(
    ("flag", "value"), [("--tiles", "3-1"), ("--window", "5:2"), ("--window", "x"),
                        ("--layers", ",")],
)  # fmt: skip
def test_bad_filters_are_user_errors(traced_run: Path, flag: str, value: str, capsys) -> None:
    assert main(["trace", str(traced_run), flag, value]) == 2
    assert flag in capsys.readouterr().err


def test_the_same_trace_exports_to_the_same_bytes(traced_run: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["trace", str(traced_run), "--output", str(tmp_path / f"{name}.gz")]) == 0
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_plot_without_trace_says_what_it_left_out(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r"
    assert main(["run", "--arch", "tiny", "--workload", "mlp", "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main(["plot", str(out)]) == 0
    said = capsys.readouterr().out
    assert "timeline" in said and "--trace summary" in said
    assert not (out / "plots" / "timeline.png").exists()
    assert (out / "plots" / "energy.png").is_file()
