"""Every command the README and the tutorial show runs exactly as written.

The ```bash blocks of README.md and docs/tutorial.md are read line by line (continuations
joined, comments dropped). Each `cimsim ...` or `.venv/bin/cimsim ...` line runs through
``cimsim.cli.main`` in a scratch folder where ``docs`` is the repository's (the examples the
commands name), in document order, so a file one command writes is there for the next; a
``> FILE`` redirect is honoured; the tutorial's ``# sweep.yaml`` block is written out first.
Lines that set up the environment (``make``, ``pip install``) are checked to be known and
skipped: the test environment has every extra.
"""

import contextlib
import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from cimsim.cli import main

ROOT = Path(__file__).parents[2]
SETUP = ("make ", "pip install", ".venv/bin/pip install")
"""Commands that prepare the environment, not the simulator."""


def _blocks(text: str, language: str) -> Iterator[str]:
    yield from re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def commands(path: Path) -> list[str]:
    """The shell commands of ``path``'s bash blocks, continuation lines joined."""
    found = []
    for block in _blocks(path.read_text(encoding="utf-8"), "bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                found.append(" ".join(line.split()))
    return found


DOCUMENTS = {"README": ROOT / "README.md", "tutorial": ROOT / "docs" / "tutorial.md"}


def _run(command: str, cwd: Path) -> None:
    if command.startswith(SETUP):
        return
    words = shlex.split(command)
    if words[:3] == [".venv/bin/python", "-m", "benchmarks.digits_accuracy"]:
        from benchmarks import digits_accuracy

        assert digits_accuracy.main(words[3:]) == 0
        return
    assert words[0] in ("cimsim", ".venv/bin/cimsim"), f"unknown command in the docs: {command}"
    argv, target = words[1:], None
    if ">" in argv:
        at = argv.index(">")
        argv, target = argv[:at], cwd / argv[at + 1]
    out = io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as stop:  # --help
            code = stop.code
    assert code == 0, f"`{command}` exited with {code}"
    if target is not None:
        target.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_documented_commands_run_as_written(name: str, tmp_path: Path) -> None:
    path = DOCUMENTS[name]
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    for block in _blocks(path.read_text(encoding="utf-8"), "yaml"):
        first, _, body = block.partition("\n")
        if first.startswith("# ") and first.endswith(".yaml"):
            (tmp_path / first[2:]).write_text(body, encoding="utf-8")
    ran = commands(path)
    assert ran, f"no commands found in {path.name}"
    for command in ran:
        _run(command, tmp_path)
