"""ONNX -> Graph: load, check, infer shapes, fold constants, fuse patterns, convert nodes.

The pipeline: ``_read`` (load + checker), ``_fix_inputs`` (static input shapes, batch 1),
ONNX shape inference, ``onnx_constants.fold_constants`` (shape computations and other
constant subgraphs), ``onnx_patterns.fuse_patterns`` (decomposed LayerNorm and GELU as
PyTorch exports them), then ``onnx_convert.Converter`` node by node and
``ir.fold_batchnorm``. ``load_onnx`` returns the Graph; ``load_onnx_weights`` the parameter
values per layer (for numerical runs of the imported model).

Many exporters keep the weights in an external data file beside the model. Timing needs
only their shapes, so ``load_onnx`` reads no weight data (floating-point initializers of
more than SMALL_EXTERNAL elements stand in as placeholders of the right shape; integer ones
(shapes, axes, indices) and scalars (the constants fused patterns are recognised by) are
read); ``load_onnx_weights`` reads them all. A data file that is missing, truncated or
outside the model's folder is a WorkloadError naming the initializer and the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import external_data_helper, helper, shape_inference

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


SMALL_EXTERNAL = 16
"""Floating-point external initializers of at most this many elements are read even for
timing (pattern constants such as GELU's 0.5); larger ones are weights. Exporters keep
tensors under 1 KiB inline, so these are seldom external at all."""


def _read(path: Path, with_weights: bool) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """The checked model, and placeholders for the external weights it did not read."""
    where = str(path)[:200]
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a name the file system refuses (too long, NUL byte)
        found = False
    if not found:
        raise WorkloadError(where, "no such ONNX file")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf DecodeError and friends
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(
            where, f"not a valid ONNX model (corrupt or truncated?): {first}"
        ) from None
    placeholders: dict[str, np.ndarray] = {}
    for tensor in model.graph.initializer:
        if not external_data_helper.uses_external_data(tensor):
            continue
        if with_weights or not _is_weight(tensor):
            _read_external(tensor, path, with_weights)
        else:
            placeholders[tensor.name] = _placeholder(tensor, where)
    try:
        onnx.checker.check_model(_checkable(model, set(placeholders)))
    except Exception as exc:  # onnx.checker.ValidationError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(where, f"the model fails the ONNX checker: {first}") from None
    if not model.graph.node:
        raise WorkloadError(where, "the ONNX graph has no nodes")
    return model, placeholders


def _elements(tensor: onnx.TensorProto) -> int:
    return int(np.prod(tensor.dims, dtype=object)) if tensor.dims else 1


def _is_weight(tensor: onnx.TensorProto) -> bool:
    """A floating-point initializer too large to be a shape: timing needs only its shape."""
    dtype = helper.tensor_dtype_to_np_dtype(tensor.data_type)
    return np.issubdtype(dtype, np.floating) and _elements(tensor) > SMALL_EXTERNAL


def _placeholder(tensor: onnx.TensorProto, where: str) -> np.ndarray:
    """Zeros of the tensor's shape and type that take no memory (a read-only broadcast)."""
    dtype = helper.tensor_dtype_to_np_dtype(tensor.data_type)
    if any(d < 0 for d in tensor.dims):
        raise WorkloadError(where, f"initializer {tensor.name!r} has a negative dimension")
    return np.broadcast_to(np.zeros((), dtype), tuple(int(d) for d in tensor.dims))


def _read_external(tensor: onnx.TensorProto, path: Path, with_weights: bool) -> None:
    """Read ``tensor``'s data from its file beside the model into the tensor."""
    where = str(path)
    info = {entry.key: entry.value for entry in tensor.external_data}
    location = info.get("location", "")
    folder = path.resolve().parent
    file = (folder / location).resolve()
    if not location or Path(location).is_absolute() or folder not in file.parents:
        raise WorkloadError(
            where,
            f"initializer {tensor.name!r}: external data location {location[:80]!r} is not a "
            f"file in the model's folder",
        )
    if not file.is_file():
        need = (
            "a functional run needs the weights (a timing run does not)"
            if with_weights
            else "its values may shape the network, so timing needs it too"
        )
        raise WorkloadError(
            where,
            f"initializer {tensor.name!r} keeps its data in {location[:80]!r}, which is not "
            f"beside the model; {need}",
        )
    dtype = helper.tensor_dtype_to_np_dtype(tensor.data_type)
    try:
        external_data_helper.load_external_data_for_tensor(tensor, str(folder))
    except Exception as exc:
        raise WorkloadError(
            where, f"initializer {tensor.name!r}: cannot read {location[:80]!r}: {exc}"
        ) from None
    if len(tensor.raw_data) != _elements(tensor) * dtype.itemsize:
        raise WorkloadError(
            where,
            f"initializer {tensor.name!r}: {location[:80]!r} holds {len(tensor.raw_data)} bytes "
            f"of it, not {_elements(tensor) * dtype.itemsize} (truncated?)",
        )


def _checkable(model: onnx.ModelProto, unread: set[str]) -> onnx.ModelProto:
    """``model`` for the ONNX checker: initializers whose data was not read become graph
    inputs of the same type and shape (the checker wants their data file otherwise)."""
    if not unread:
        return model
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    graph = copy.graph
    inputs = {value.name for value in graph.input}
    kept = [t for t in graph.initializer if t.name not in unread]
    for tensor in graph.initializer:
        if tensor.name in unread and tensor.name not in inputs:
            graph.input.append(
                helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims))
            )
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return copy


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
            declared = value.type.tensor_type.shape.dim
            if any(d.HasField("dim_value") and d.dim_value == 0 for d in declared):
                raise WorkloadError(
                    where, f"input {value.name!r} has a dimension of size 0: it holds nothing"
                )
            if not dims or any(d is None for d in dims[1:]):
                known = "x".join("?" if d is None else str(d) for d in dims[1:]) or "?"
                raise WorkloadError(
                    where,
                    f"input {value.name!r} has dynamic shape {dims}; give its dimensions after "
                    f"the batch with --input-shape {value.name}={known}, each ? a size "
                    f"(e.g. {value.name}=3x224x224; in Python input_shapes="
                    f"{{{value.name!r}: (3, 224, 224)}})",
                )
            shape = (1, *(int(d) for d in dims[1:]))
        del value.type.tensor_type.shape.dim[:]
        for d in shape:
            value.type.tensor_type.shape.dim.add().dim_value = d
        shapes[value.name] = shape
    return shapes


def import_onnx(
    path: str | Path,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    with_weights: bool = True,
) -> tuple[Graph, dict[str, LayerWeights]]:
    """The Graph of an ONNX file and its layers' parameter values, from one read of the file
    (``load_onnx`` and ``load_onnx_weights`` each keep one of the two). ``with_weights``
    False reads no weight data (for timing): the parameter values come back empty."""
    path = Path(path)
    where = str(path)
    model, placeholders = _read(path, with_weights)
    inputs = _fix_inputs(model, where, input_shapes or {})
    try:
        model = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:
        raise WorkloadError(where, f"ONNX shape inference failed: {exc}".splitlines()[0]) from None
    conv = Converter(model, where, inputs, opset_of(model), placeholders, with_weights)
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
    if not with_weights:
        return graph, {}
    return graph, fold_batchnorm_weights(conv.weights, unfolded, graph)


def load_onnx(path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None) -> Graph:
    """Load an ONNX file as a Graph whose shapes and counts ``shapes.analyze`` can compute.

    ``input_shapes`` fixes dynamic input dimensions, by input name, either with the batch
    axis (``(1, 3, 224, 224)``) or without (``(3, 224, 224)``). Raises WorkloadError naming the
    file for unreadable, corrupt or dynamic-shaped models, and the node for unsupported ops.
    Weights kept in an external data file are not read (timing needs only their shapes).
    """
    return import_onnx(path, input_shapes, with_weights=False)[0]


def load_onnx_weights(
    path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> dict[str, LayerWeights]:
    """The parameter values of the layers of ``load_onnx(path, input_shapes)``, by layer name:
    weight matrices and biases of Conv2d/Linear (BatchNorm folded in), scale and shift of
    LayerNorm and of unfolded BatchNorm (``onnx_weights``). Elementwise constants live in the
    IR itself. A functional run takes them as they are (``cimsim.functional.LayerParams``).
    """
    return import_onnx(path, input_shapes)[1]
