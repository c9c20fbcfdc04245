"""The reproduction scripts' quick modes write their tables into a markdown file."""

import re
from pathlib import Path

import pytest

from benchmarks import reproduce_clsa, reproduce_compact, reproduce_noc, reproduce_pipeline


@pytest.fixture(scope="module")
def validation(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("docs") / "validation.md"
    for script in (reproduce_compact, reproduce_clsa, reproduce_pipeline, reproduce_noc):
        assert script.main(["--quick", "--output", str(path)]) == 0
    return path.read_text(encoding="utf-8")


def _section(text: str, name: str) -> str:
    return text.split(f"<!-- BEGIN {name} -->")[1].split(f"<!-- END {name} -->")[0]


def test_every_section_written_once(validation: str) -> None:
    for name in ("compact", "clsa", "pipeline", "noc"):
        assert validation.count(f"<!-- BEGIN {name} -->") == 1
        assert validation.count(f"<!-- END {name} -->") == 1


def test_compact_reproduces_the_neurosim_reference(validation: str) -> None:
    section = _section(validation, "compact")
    assert "Parts: paper {L1-L6}, {L7}, {L8}; cimsim {L1-L6}, {L7}, {L8}." in section
    assert "| L1 conv1 | 1 | 1 | 32 | 32 | 16 |" in section
    assert "| L7 fc1 | 16 | 16 | 1 | 1 | 1 |" in section
    for run in ("| RP (neurosim dup.) |", "| RP |", "| LL |", "| HT |", "| full pipeline 6x6 |"):
        assert run in section
    assert "| throughput HT+dynamic / RP+neurosim | 2.35x |" in section
    assert "| throughput compact HT / 6x6 | 56.5% |" in section


def test_clsa_rows(validation: str) -> None:
    section = _section(validation, "clsa")
    for network in ("resnet18", "alexnet"):
        assert f"| {network} |" in section
    assert section.count("cross_layer + greedy") >= 2
    assert "| speedup of cross_layer over layer_by_layer | up to 29.2x |" in section
    assert "| utilization gain | up to 17.9x |" in section


def test_pipeline_rows(validation: str) -> None:
    section = _section(validation, "pipeline")
    for row in ("layer_by_layer + none", "pipelined + none", "pipelined + greedy"):
        assert f"| {row} |" in section
    assert "| pipelined / layer_by_layer throughput | not published |" in section


def test_noc_trends(validation: str) -> None:
    section = _section(validation, "noc")
    gains = re.search(r"(\S+)x with one copy, (\S+)x with every PE", section)
    one, every = map(float, gains.groups())
    assert one < 1.05 < every  # a faster NoC helps only once crossbars are plentiful
    hops = re.search(r"2\.5-D (\S+), 3-D (\S+) \|", section)
    chiplets, stack = map(float, hops.groups())
    assert chiplets < 1 and stack < 0.9  # the space-filling curve cuts hops
    for row in ("| vgg8 | hilbert | sfc / mesh |", "| vgg8 | 64 | sfc / mesh |",
                "| up to 58 % lower latency, 64 % lower energy |", "Differences."):
        assert row in section
    assert section.count("\n- ") >= 5  # a sentence on every difference


def test_rewriting_a_section_keeps_the_others(tmp_path: Path) -> None:
    from benchmarks.reproduce_common import write_section

    path = tmp_path / "v.md"
    write_section(path, "a", "first")
    write_section(path, "b", "second")
    write_section(path, "a", "third")
    text = path.read_text(encoding="utf-8")
    assert "third" in text and "second" in text and "first" not in text
    assert text.index("BEGIN a") < text.index("BEGIN b")
