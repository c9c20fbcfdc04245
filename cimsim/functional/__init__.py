"""Functional runs: a network computed numerically through its mapped crossbars.

``run_functional(arch, graph, ...)`` computes the network in float32, in exact INT8 and
through the bit-accurate crossbar kernels of the architecture, and reports per-layer errors
(docs/functional.md). ``digits_accuracy_sweep`` measures the accuracy of a trained digits
MLP through the same path over ADC resolutions and device variation.
"""

from cimsim.functional.digits import digits_accuracy_sweep, digits_mlp_graph
from cimsim.functional.params import LayerParams, linear_params
from cimsim.functional.run import FunctionalReport, run_functional
from cimsim.functional.text import functional_text

__all__ = [
    "FunctionalReport",
    "LayerParams",
    "digits_accuracy_sweep",
    "digits_mlp_graph",
    "functional_text",
    "linear_params",
    "run_functional",
]
