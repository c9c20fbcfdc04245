"""Data-movement ONNX ops for the importer: reshapes, transposes, slices, splits, gathers.

Functions of the ``onnx_convert.Converter`` whose node they convert; none of them computes
anything (element_ops 0). Reshape targets come from shape inference or a constant (folded)
shape; a tensor whose ONNX first axis is 1 after a reshape is taken to keep the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx

from workloads import ir
from workloads.ir import Shape
from workloads.onnx_constants import constant_axes

if TYPE_CHECKING:
    from workloads.onnx_convert import Converter


def concat(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    xs = [c.act(node, i) for i in node.input]
    c.emit(node, ir.Concat(c.axis(node, xs[0], int(a["axis"]))), xs)


def reshape(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    x = c.act(node, node.input[0])
    target = c.onnx_shapes.get(node.output[0])
    if target is None and node.op_type == "Reshape" and node.input[1] in c.consts:
        full = c.full_shape(node.input[0])
        assert full is not None
        spec = [int(v) for v in c.const(node, 1, "shape")]
        spec = [full[i] if v == 0 and i < len(full) else v for i, v in enumerate(spec)]
        if -1 in spec:
            known = math.prod(v for v in spec if v != -1)
            spec[spec.index(-1)] = math.prod(full) // max(known, 1)
        target = tuple(spec)
    if target is None and node.op_type in ("Squeeze", "Unsqueeze"):
        target = _squeezed(c, node, a)
    if target is None:
        raise c.fail(node, "output shape could not be inferred")
    reshape_to(c, node, x, target)


def _squeezed(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> Shape | None:
    """Output shape of a Squeeze/Unsqueeze from its constant axes (attribute or input)."""
    full = c.full_shape(node.input[0])
    axes = constant_axes(node, c.consts)
    if full is None or (axes is None and node.op_type == "Unsqueeze"):
        return None
    probe = np.empty(full, dtype=np.bool_)
    if node.op_type == "Unsqueeze":
        return tuple(np.expand_dims(probe, tuple(int(v) for v in axes)).shape)
    return tuple(np.squeeze(probe, None if not axes else tuple(int(v) for v in axes)).shape)


def reshape_to(c: Converter, node: onnx.NodeProto, x: str, target: Shape, suffix: str = "") -> None:
    """A Reshape of ``x`` to the ONNX (batch-first when its first axis is 1) ``target``."""
    batched = len(target) > 1 and target[0] == 1
    op = ir.Reshape(target[1:] if batched else target)
    c.emit(node, op, [x], batched, suffix=suffix)


def flatten(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    x = c.act(node, node.input[0])
    full = c.full_shape(node.input[0])
    assert full is not None
    axis = int(a.get("axis", 1))
    axis = axis + len(full) if axis < 0 else axis
    if axis in (0, 1) and c.batched[x]:
        c.emit(node, ir.Flatten(), [x], True)
        return
    reshape_to(c, node, x, (math.prod(full[:axis]), math.prod(full[axis:])))


def transpose(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    x = c.act(node, node.input[0])
    rank = len(c.shapes[x]) + c.batched[x]
    perm = [int(p) for p in a.get("perm", range(rank - 1, -1, -1))]
    if c.batched[x]:
        if perm[0] != 0:
            raise c.fail(node, f"perm {perm} moves the batch axis")
        perm = [p - 1 for p in perm[1:]]
    c.emit(node, ir.Transpose(tuple(perm)), [x])


def slice_(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    x = c.act(node, node.input[0])
    starts = [int(v) for v in c.const(node, 1, "starts").reshape(-1)]
    stops = [int(v) for v in c.const(node, 2, "ends").reshape(-1)]
    axes_c = c.opt_const(node, 3, "axes")
    steps_c = c.opt_const(node, 4, "steps")
    axes = list(range(len(starts))) if axes_c is None else [int(v) for v in axes_c.ravel()]
    steps = [1] * len(starts) if steps_c is None else [int(v) for v in steps_c.ravel()]
    parts: list[tuple[int, int, int, int]] = []
    rank = len(c.shapes[x]) + c.batched[x]
    for axis, start, stop, step in zip(axes, starts, stops, steps, strict=True):
        if c.batched[x] and axis % rank == 0:
            if list(range(*slice(start, stop, step).indices(1))) != [0]:
                raise c.fail(node, "slicing the batch axis is not supported")
            continue
        parts.append((c.axis(node, x, axis), start, stop, step))
    if not parts:
        c.alias[node.output[0]] = x
        return
    ax, st, sp, stp = (tuple(p[i] for p in parts) for i in range(4))
    c.emit(node, ir.Slice(ax, st, sp, stp), [x])


def split(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    x = c.act(node, node.input[0])
    axis = c.axis(node, x, int(a.get("axis", 0)))
    size = c.shapes[x][axis]
    sizes = c.opt_const(node, 1, "split")
    if sizes is None and "split" in a:
        sizes = np.asarray(a["split"])
    n = len(node.output)
    if sizes is None:
        part = -(-size // n)
        sizes = np.array([min(part, size - k * part) for k in range(n)])
    start = 0
    for k, (out, length) in enumerate(zip(node.output, sizes.ravel(), strict=True)):
        op = ir.Slice((axis,), (start,), (start + int(length),))
        if out:
            c.emit(node, op, [x], output=out, suffix=f"_{k}")
        start += int(length)


def gather(c: Converter, node: onnx.NodeProto, a: dict[str, Any]) -> None:
    if node.input[0] in c.consts:
        raise c.fail(
            node,
            "a lookup in a constant table (an embedding) is not supported: give the "
            "embedded sequence as the model input",
        )
    x = c.act(node, node.input[0])
    index = c.const(node, 1, "indices").astype(np.int64)
    axis = c.axis(node, x, int(a.get("axis", 0)))
    size = c.shapes[x][axis]
    flat = [int(i) % size for i in index.reshape(-1)]
    if index.ndim > 1 or flat != list(range(flat[0], flat[0] + len(flat))):
        raise c.fail(node, "only a scalar index or a contiguous 1-D range is supported")
    op = ir.Slice((axis,), (flat[0],), (flat[0] + len(flat),))
    if index.ndim == 1:
        c.emit(node, op, [x])
        return
    full = c.full_shape(node.input[0])
    assert full is not None
    sliced = c.emit(node, op, [x], suffix="_slice")
    target = full[: axis + c.batched[x]] + full[axis + c.batched[x] + 1 :]
    reshape_to(c, node, sliced, target if target else (1,))


MOVEMENT: dict[str, Callable[[Converter, onnx.NodeProto, dict[str, Any]], None]] = {
    "Concat": concat, "Flatten": flatten, "Gather": gather, "Reshape": reshape,
    "Slice": slice_, "Split": split, "Squeeze": reshape, "Transpose": transpose,
    "Unsqueeze": reshape,
}  # fmt: skip
"""ONNX op type -> converter function."""
