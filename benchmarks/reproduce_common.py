"""Shared plumbing of the reproduction scripts: arguments and docs/validation.md sections.

Each script owns one section of the file, between ``<!-- BEGIN name -->`` and
``<!-- END name -->``; rewriting a section leaves the others as they are.
"""

import argparse
from collections.abc import Sequence
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "validation.md"
HEADER = """# Validation: published figures beside cimsim's

Written by the reproduction scripts (`python -m benchmarks.reproduce_compact --write-docs`,
`benchmarks.reproduce_clsa`, `benchmarks.reproduce_pipeline`, `benchmarks.reproduce_noc`,
`benchmarks.noc_validation --validate`; without `--write-docs` they print their section;
`--quick` for a short run). Each section is rewritten by its script; do not edit between the
markers by hand.
"""


def parse_args(description: str, argv: Sequence[str] | None) -> argparse.Namespace:
    """``--quick``, ``--write-docs`` (rewrite the section of docs/validation.md) and
    ``--output FILE`` (rewrite it in FILE instead); without either, the section is printed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run (CI); fewer points")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite the section of docs/validation.md"
    )
    parser.add_argument(
        "--output", type=Path, help="markdown file whose section is rewritten instead"
    )
    args = parser.parse_args(argv)
    if args.output is None and args.write_docs:
        args.output = DEFAULT_OUTPUT
    return args


def write_section(path: Path | None, name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of ``path`` with ``body``; print it when
    ``path`` is None (no --write-docs or --output)."""
    if path is None:
        print(body.strip())
        return
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(a: float, b: float) -> float:
    """a / b, or 0 when b is 0."""
    return a / b if b else 0.0
