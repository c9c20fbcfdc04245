"""docs/outputs.md documents every summary field, layer column, trace column, idle cause and
figure a run can produce: a new field without a line there fails here."""

import re
from pathlib import Path

import pytest

from cimsim.config import load_arch
from cimsim.plots import TRACE_FIGURES
from cimsim.runs import add_functional, load_workload, simulate
from cimsim.trace import Cause
from cimsim.trace.intervals import COLUMNS

DOC = (Path(__file__).parents[2] / "docs" / "outputs.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"`([A-Za-z_<>.0-9]+)`", DOC))


def _documented(key: str, levels: list[str]) -> bool:
    """``key`` is named in the page, directly or as a ``<level>`` pattern."""
    if key in DOCUMENTED:
        return True
    for level in levels:
        if key.startswith(f"{level}_") and f"<level>{key.removeprefix(level)}" in DOCUMENTED:
            return True
    return key in levels and "<level>" in DOCUMENTED


@pytest.fixture(scope="module")
def runs(tiny_arch, small_cnn):
    compact = simulate(load_arch("compact_4x4"), load_workload("vgg8"),
                       scheduler="weight_reuse", batch=2)  # fmt: skip
    estimate = simulate(tiny_arch, small_cnn, mode="estimate")
    traced = simulate(tiny_arch, small_cnn, trace="full")
    functional = add_functional(simulate(tiny_arch, small_cnn), small_cnn, 1, None)
    return [compact, estimate, traced, functional]


def test_every_summary_key_is_documented(runs) -> None:
    for result in runs:
        levels = [level.name for level in result.arch.memory]
        nested = ("utilization", "bytes", "functional")
        keys = set(result.summary)
        keys |= {k for name in nested for k in result.summary.get(name, {})}
        missing = sorted(k for k in keys if not _documented(k, levels))
        assert not missing, f"docs/outputs.md lacks {missing}"


def test_every_layer_and_trace_column_is_documented(runs) -> None:
    for result in runs:
        levels = [level.name for level in result.arch.memory]
        missing = [c for c in result.layers.columns if not _documented(c, levels)]
        assert not missing, f"docs/outputs.md lacks layer columns {missing}"
        if result.functional is not None:
            missing = [c for c in result.functional.columns if not _documented(c, levels)]
            assert not missing, f"docs/outputs.md lacks functional columns {missing}"
    assert [c for c in COLUMNS if c not in DOCUMENTED] == []
    traced = runs[2].intervals()
    kinds = set(traced["kind"].astype(str))
    assert kinds - DOCUMENTED == set()


def test_every_cause_and_figure_is_documented() -> None:
    assert {c.value for c in Cause} <= DOCUMENTED
    for figure in ("timeline", "bubbles", "utilization_mesh", "data_movement", "energy",
                   *TRACE_FIGURES):  # fmt: skip
        assert f"### {figure}" in DOC
