"""Optional features and the extras that install them (docs/install.md).

The base install (``pip install cimsim-rram``) simulates built-in networks, traces and draws
figures. Sweeps on a Dask cluster, ONNX models, the digits accuracy benchmark and the
documentation site each need more packages, installed as extras. ``require`` imports such a
package or fails with a message that names the extra to install, never a bare ImportError.
"""

from importlib import import_module
from types import ModuleType

from cimsim.errors import CimsimError

DISTRIBUTION = "cimsim-rram"
"""The name cimsim is published under ("cimsim" on the package index is another project)."""

EXTRAS = {
    "sweep": "sweeps on a Dask cluster (more than 16 points, --workers, --scheduler-address)",
    "onnx": "networks read from ONNX files",
    "accuracy": "the digits accuracy benchmark (scikit-learn's digits, scipy)",
    "docs": "building the documentation site (MkDocs)",
    "dev": "tests, lint, notebooks: every extra above and the test tools",
}
"""Extra -> what it adds."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``; if it is not installed, a CimsimError naming the extra to add."""
    try:
        return import_module(module)
    except ImportError:
        raise CimsimError(
            f"the Python package {module.split('.')[0]} is not installed; it is needed for "
            f"{EXTRAS[extra]}: pip install '{DISTRIBUTION}[{extra}]' (in a clone: "
            f"pip install -e '.[{extra}]')"
        ) from None
