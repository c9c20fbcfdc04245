"""Layer parameters of a functional run: given, or generated from a seed.

Zoo networks carry no trained weights, so every static-weight layer gets seeded He-normal
weights (He et al., ICCV 2015): ``W ~ N(0, 2 / fan_in)`` with fan_in = kh*kw*C_in/groups
(the im2col rows), and small biases ``b ~ N(0, 0.01^2)``. Norm layers get unit scale and zero
shift; an Elementwise op with a constant (whose value the IR does not keep) gets the identity
constant (0 for add/sub, 1 for mul/div/pow). Layer ``i`` draws from
``numpy.random.default_rng([seed, 0, i])``, so one layer's values do not depend on the others.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cimsim.errors import WorkloadInputError
from workloads.ir import BatchNorm, Elementwise, Graph, LayerNorm
from workloads.shapes import GraphInfo, LayerInfo

BIAS_STD = 0.01
"""Standard deviation of generated biases."""
_IDENTITY = {"add": 0.0, "sub": 0.0, "mul": 1.0, "div": 1.0, "pow": 1.0}


@dataclass(frozen=True)
class LayerParams:
    """Real-valued parameters of one layer (float32)."""

    matrices: np.ndarray | None = None
    """Static-weight layers: (groups, rows, cols) im2col weight matrices, rows ordered
    (c, i, j) within a group (PyTorch's ``weight.reshape(C_out, -1)`` transposed); a linear
    layer has one (in_features, out_features) matrix."""
    bias: np.ndarray | None = None
    """(C_out,) bias of a static-weight layer, or None."""
    scale: np.ndarray | None = None
    """Per-feature (LayerNorm) or per-channel (BatchNorm) scale."""
    shift: np.ndarray | None = None
    """Per-feature or per-channel shift."""
    constant: float | None = None
    """Scalar constant of an Elementwise op."""


def linear_params(weight: np.ndarray, bias: np.ndarray | None = None) -> LayerParams:
    """Parameters of a linear layer from a (in_features, out_features) weight matrix."""
    w = np.asarray(weight, dtype=np.float32)
    b = None if bias is None else np.asarray(bias, dtype=np.float32)
    return LayerParams(matrices=w[None], bias=b)


def generate_params(graph: Graph, info: GraphInfo, seed: int) -> dict[str, LayerParams]:
    """Seeded parameters for every layer that needs some (module docstring)."""
    params: dict[str, LayerParams] = {}
    for index, (layer, li) in enumerate(zip(graph.layers, info.layers, strict=True)):
        rng = np.random.default_rng([seed, 0, index])
        if li.is_mvm:
            std = np.sqrt(2.0 / li.mvm_rows)
            shape = (li.mvm_groups, li.mvm_rows, li.mvm_cols)
            matrices = rng.normal(0.0, std, shape).astype(np.float32)
            bias = None
            if getattr(layer.op, "bias", False):
                channels = li.mvm_groups * li.mvm_cols
                bias = rng.normal(0.0, BIAS_STD, channels).astype(np.float32)
            params[layer.name] = LayerParams(matrices=matrices, bias=bias)
        elif isinstance(layer.op, LayerNorm) and layer.op.affine:
            n = li.output_shape[-1]
            params[layer.name] = LayerParams(
                scale=np.ones(n, np.float32), shift=np.zeros(n, np.float32)
            )
        elif isinstance(layer.op, BatchNorm):
            n = li.output_shape[0]
            params[layer.name] = LayerParams(
                scale=np.ones(n, np.float32), shift=np.zeros(n, np.float32)
            )
        elif isinstance(layer.op, Elementwise):
            params[layer.name] = LayerParams(constant=_IDENTITY[layer.op.kind])
    return params


def merge_params(
    info: GraphInfo, generated: Mapping[str, LayerParams], given: Mapping[str, LayerParams]
) -> dict[str, LayerParams]:
    """``generated`` overridden by ``given``; a given matrix of the wrong shape is an error."""
    unknown = sorted(set(given) - set(info.by_name))
    if unknown:
        raise WorkloadInputError(f"weights given for unknown layer(s): {', '.join(unknown)}")
    merged = dict(generated)
    for name, p in given.items():
        li = info.by_name[name]
        if li.is_mvm:
            _check_mvm_params(li, p)
        merged[name] = p
    return merged


def _check_mvm_params(li: LayerInfo, p: LayerParams) -> None:
    expected = (li.mvm_groups, li.mvm_rows, li.mvm_cols)
    if p.matrices is None or tuple(p.matrices.shape) != expected:
        got = None if p.matrices is None else tuple(p.matrices.shape)
        raise WorkloadInputError(
            f"layer {li.name!r}: weight matrices must have shape {expected} "
            f"(groups, rows, cols), got {got}"
        )
    channels = li.mvm_groups * li.mvm_cols
    if p.bias is not None and tuple(np.shape(p.bias)) != (channels,):
        raise WorkloadInputError(
            f"layer {li.name!r}: bias must have shape ({channels},), got {np.shape(p.bias)}"
        )
