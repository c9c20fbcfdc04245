"""Optional features fail with a message naming the extra that installs them."""

import pytest

from cimsim.errors import CimsimError
from cimsim.extras import DISTRIBUTION, EXTRAS, require


def test_require_returns_an_installed_module() -> None:
    assert require("json", "sweep").dumps([1]) == "[1]"


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_a_missing_package_names_its_extra(extra: str) -> None:
    with pytest.raises(CimsimError) as info:
        require("cimsim_no_such_package", extra)
    assert f"pip install '{DISTRIBUTION}[{extra}]'" in str(info.value)
    assert "cimsim_no_such_package" in str(info.value)


def test_every_extra_is_declared_in_pyproject() -> None:
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION
    assert set(EXTRAS) == set(project["optional-dependencies"])


IMPORT_NAMES = {"yaml": "pyyaml", "sklearn": "scikit-learn", "nbformat": "nbformat",
                "nbclient": "nbclient"}  # fmt: skip
"""Import name -> distribution name, where they differ."""
FIRST_PARTY = {"cimsim", "hwmodels", "workloads", "benchmarks", "tests"}


def test_every_third_party_import_is_declared() -> None:
    """No module imports a package the project does not declare (base or an extra)."""
    import ast
    import re
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {re.split(r"[<>=\[ ]", d)[0].lower() for d in extra}
    imported: dict[str, str] = {}
    for folder in ("cimsim", "hwmodels", "workloads", "benchmarks", "docs"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                        imported.setdefault(top, str(path.relative_to(root)))
    undeclared = {
        top: where
        for top, where in imported.items()
        if IMPORT_NAMES.get(top, top).lower().replace("_", "-") not in declared
    }
    assert undeclared == {}
