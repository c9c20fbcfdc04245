"""Layer parameters of a functional run: given, or generated from a seed.

Zoo networks carry no trained weights, so every static-weight layer gets seeded He-normal
weights (He et al., ICCV 2015): ``W ~ N(0, 2 / fan_in)`` with fan_in = kh*kw*C_in/groups
(the im2col rows), and small biases ``b ~ N(0, 0.01^2)``. Norm layers get unit scale and zero
shift (Elementwise constants live in the IR). Layer ``i`` draws from
``numpy.random.default_rng([seed, 0, i])``, so one layer's values do not depend on the others.
"""

from collections.abc import Mapping

import numpy as np

from cimsim.errors import WorkloadInputError
from workloads.ir import BatchNorm, Graph, LayerNorm
from workloads.onnx_weights import LayerWeights, linear_weights
from workloads.shapes import GraphInfo, LayerInfo

BIAS_STD = 0.01
"""Standard deviation of generated biases."""


LayerParams = LayerWeights
"""Real-valued (float32) parameters of one layer: ``matrices`` (groups, rows, cols) im2col
weight matrices, rows ordered (c, i, j) within a group (PyTorch's
``weight.reshape(C_out, -1)`` transposed; a linear layer has one (in_features, out_features)
matrix), ``bias`` (C_out,), ``scale``/``shift`` per feature (LayerNorm) or channel
(BatchNorm). The type ONNX import fills (``workloads.onnx_weights.LayerWeights``)."""


def linear_params(weight: np.ndarray, bias: np.ndarray | None = None) -> LayerParams:
    """Parameters of a linear layer from a (in_features, out_features) weight matrix."""
    return linear_weights(np.asarray(weight), None if bias is None else np.asarray(bias))


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
