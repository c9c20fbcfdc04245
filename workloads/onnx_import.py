"""ONNX -> Graph: load, check, infer shapes, fold constants, fuse patterns, convert nodes.

The pipeline: ``_read`` (load + checker), ``_fix_inputs`` (static input shapes, batch 1),
ONNX shape inference, ``onnx_constants.fold_constants`` (shape computations and other
constant subgraphs), ``onnx_patterns.fuse_patterns`` (decomposed LayerNorm and GELU as
PyTorch exports them), then ``onnx_convert.Converter`` node by node and
``ir.fold_batchnorm``. ``load_onnx`` returns the Graph; ``load_onnx_weights`` the parameter
values per layer (for numerical runs of the imported model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import onnx
from onnx import shape_inference

from workloads import ir
from workloads.errors import WorkloadError
from workloads.ir import Graph, Shape
from workloads.onnx_constants import fold_constants, opset_of
from workloads.onnx_convert import SUPPORTED_OPS, Converter
from workloads.onnx_convert import dims as dims_of
from workloads.onnx_patterns import fuse_patterns
from workloads.onnx_weights import LayerWeights, fold_batchnorm_weights
from workloads.shapes import analyze

__all__ = ["SUPPORTED_OPS", "LayerWeights", "import_onnx", "load_onnx", "load_onnx_weights"]


def _read(path: Path) -> onnx.ModelProto:
    where = str(path)
    if not path.is_file():
        raise WorkloadError(where, "no such ONNX file")
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf DecodeError and friends
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(
            where, f"not a valid ONNX model (corrupt or truncated?): {first}"
        ) from None
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(where, f"the model fails the ONNX checker: {first}") from None
    if not model.graph.node:
        raise WorkloadError(where, "the ONNX graph has no nodes")
    return model


def _fix_inputs(
    model: onnx.ModelProto, where: str, given: Mapping[str, Sequence[int]]
) -> dict[str, Shape]:
    """Full (batch-first) shapes of the activation inputs; sets them on ``model``."""
    inits = {i.name for i in model.graph.initializer}
    unknown = set(given) - {v.name for v in model.graph.input}
    if unknown:
        raise WorkloadError(where, f"--input-shape names unknown input(s): {sorted(unknown)}")
    shapes: dict[str, Shape] = {}
    for value in model.graph.input:
        if value.name in inits:
            continue
        dims = dims_of(value)
        if value.name in given:
            shape = tuple(int(d) for d in given[value.name])
            if len(shape) == len(dims) - 1:
                shape = (1, *shape)
            if len(shape) != len(dims) or min(shape) < 1:
                raise WorkloadError(
                    where, f"input shape {shape} for {value.name!r} does not fit rank {len(dims)}"
                )
        else:
            if not dims or any(d is None for d in dims[1:]):
                raise WorkloadError(
                    where,
                    f"input {value.name!r} has dynamic shape {dims}; give it with --input-shape "
                    f"{value.name}=1,C,H,W (input_shapes={{{value.name!r}: (...)}})",
                )
            shape = (1, *(int(d) for d in dims[1:]))
        del value.type.tensor_type.shape.dim[:]
        for d in shape:
            value.type.tensor_type.shape.dim.add().dim_value = d
        shapes[value.name] = shape
    return shapes


def import_onnx(
    path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> tuple[Graph, dict[str, LayerWeights]]:
    """The Graph of an ONNX file and its layers' parameter values, from one read of the file
    (``load_onnx`` and ``load_onnx_weights`` each keep one of the two)."""
    path = Path(path)
    where = str(path)
    model = _read(path)
    inputs = _fix_inputs(model, where, input_shapes or {})
    try:
        model = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:
        raise WorkloadError(where, f"ONNX shape inference failed: {exc}".splitlines()[0]) from None
    conv = Converter(model, where, inputs, opset_of(model))
    nodes = fold_constants(model.graph.node, conv.consts, conv.full_shape, conv.opset, where)
    rank = {name: len(shape) for name, shape in conv.onnx_shapes.items()}
    nodes = fuse_patterns(nodes, conv.consts, set(conv.outputs), rank)
    conv.count_readers(nodes)
    for node in nodes:
        conv.convert(node)
    outputs = []
    for out in model.graph.output:
        if out.name not in conv.alias:
            raise WorkloadError(where, f"graph output {out.name!r} is not an activation")
        outputs.append(conv.alias[out.name])
    name = model.graph.name or path.stem
    unfolded = Graph(name, tuple((n, conv.shapes[n]) for n in inputs), tuple(conv.layers), outputs)
    graph = ir.fold_batchnorm(unfolded)
    analyze(graph)  # every shape checks out
    return graph, fold_batchnorm_weights(conv.weights, unfolded, graph)


def load_onnx(path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None) -> Graph:
    """Load an ONNX file as a Graph whose shapes and counts ``shapes.analyze`` can compute.

    ``input_shapes`` fixes dynamic input dimensions, by input name, either with the batch
    axis (``(1, 3, 224, 224)``) or without (``(3, 224, 224)``). Raises WorkloadError naming the
    file for unreadable, corrupt or dynamic-shaped models, and the node for unsupported ops.
    """
    return import_onnx(path, input_shapes)[0]


def load_onnx_weights(
    path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> dict[str, LayerWeights]:
    """The parameter values of the layers of ``load_onnx(path, input_shapes)``, by layer name:
    weight matrices and biases of Conv2d/Linear (BatchNorm folded in), scale and shift of
    LayerNorm and of unfolded BatchNorm (``onnx_weights``). Elementwise constants live in the
    IR itself. A functional run takes them as they are (``cimsim.functional.LayerParams``).
    """
    return import_onnx(path, input_shapes)[1]
