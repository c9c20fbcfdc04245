"""Constant folding for the ONNX importer: nodes computed from constants and static shapes.

PyTorch exports compute many values at run time that are constant for fixed input shapes:
``x.view(x.size(0), -1)`` becomes Shape -> Gather -> Unsqueeze -> Concat -> Reshape, an
attention mask ConstantOfShape -> Cast -> Sub -> Mul, a scale Sqrt(Constant). A node whose
inputs are all constants (initializers, Constant nodes or folded outputs) is evaluated here
with ``onnx.reference``; Shape and Size of an activation read its static shape. Folded nodes
produce no IR layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx.reference import ReferenceEvaluator

from workloads.errors import WorkloadError

ShapeOf = Callable[[str], tuple[int, ...] | None]
"""Full (batch-first) static shape of an activation tensor, or None when unknown."""


def attrs(node: onnx.NodeProto) -> dict[str, Any]:
    """A node's attributes by name, as Python values."""
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def constant_axes(node: onnx.NodeProto, consts: Mapping[str, np.ndarray]) -> list[int] | None:
    """A node's ``axes``: its attribute (older opsets) or its second input when that is a
    constant (newer ones); None when it has neither."""
    axes = attrs(node).get("axes")
    if axes is None and len(node.input) > 1 and node.input[1] in consts:
        axes = consts[node.input[1]].reshape(-1)
    return None if axes is None else [int(v) for v in axes]


def _shape_value(node: onnx.NodeProto, shape: tuple[int, ...]) -> np.ndarray:
    if node.op_type == "Size":
        return np.array(int(np.prod(shape)), dtype=np.int64)
    a = attrs(node)
    start, end = int(a.get("start", 0)), a.get("end")
    dims = shape[start:] if end is None else shape[start : int(end)]
    return np.array(dims, dtype=np.int64)


def fold_node(
    node: onnx.NodeProto,
    consts: MutableMapping[str, np.ndarray],
    shape_of: ShapeOf,
    opset: int,
    where: str,
) -> bool:
    """Evaluate ``node`` into ``consts`` if its outputs are constant; whether it was folded.

    Shape and Size of an activation fold when ``shape_of`` knows its shape; other nodes fold
    when every (non-empty) input is a constant. Nodes of other domains are never folded. A
    constant node that onnx.reference cannot evaluate raises WorkloadError naming it.
    """
    if node.domain not in ("", "ai.onnx"):
        return False
    if node.op_type in ("Shape", "Size"):
        src = node.input[0]
        shape = tuple(consts[src].shape) if src in consts else shape_of(src)
        if shape is None:
            return False
        consts[node.output[0]] = _shape_value(node, shape)
        return True
    inputs = [i for i in node.input if i]
    if not inputs and node.op_type != "Constant":
        return False  # e.g. random generators: not a constant
    if not all(i in consts for i in inputs):
        return False
    try:
        values = ReferenceEvaluator(node, opsets={"": opset}).run(
            None, {i: consts[i] for i in inputs}
        )
    except Exception as exc:  # any evaluation failure of a constant node
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(
            f"{where}: node {node.name or node.output[0]!r} ({node.op_type})",
            f"cannot evaluate this constant computation: {first}",
        ) from None
    for name, value in zip(node.output, values, strict=False):
        if name:
            consts[name] = np.asarray(value)
    return True


def fold_constants(
    nodes: Sequence[onnx.NodeProto],
    consts: MutableMapping[str, np.ndarray],
    shape_of: ShapeOf,
    opset: int,
    where: str,
) -> list[onnx.NodeProto]:
    """Fold every constant node (in order) into ``consts``; the nodes that remain."""
    return [n for n in nodes if not fold_node(n, consts, shape_of, opset, where)]


def opset_of(model: onnx.ModelProto) -> int:
    """The model's default-domain opset version."""
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return 13
