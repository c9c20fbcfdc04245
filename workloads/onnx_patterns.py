"""Fusing decomposed PyTorch exports back into LayerNormalization and Gelu nodes.

Before opset 17 (LayerNorm) and 20 (Gelu), ``torch.onnx.export`` writes these as chains of
primitive ops. Counting them op by op would overstate the digital work and lose what they
are, so they are matched on the ONNX graph (after constant folding) and replaced by one
fused node, which imports as ``ir.LayerNorm`` or ``ir.Activation("gelu")``:

- LayerNorm: ReduceMean(x, last axis) -> Sub(x, mean) -> Pow(2) (or Mul(d, d)) ->
  ReduceMean -> Add(eps) -> Sqrt -> Div(d, .) [-> Mul(gamma)] [-> Add(beta)];
- GELU (erf): Div(x, sqrt 2) (or Mul(x, 1/sqrt 2)) -> Erf -> Add(1) -> 0.5 * x * (.);
- GELU (tanh): Pow(x, 3) (or x*x*x) -> Mul(0.044715) -> Add(x) -> Mul(sqrt(2/pi)) -> Tanh
  -> Add(1) -> 0.5 * x * (.), with the last product in any association.

A match needs every intermediate tensor to be read only inside the pattern (and not to be a
graph output); anything else is left alone and imports op by op.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper

from workloads.onnx_constants import constant_axes
from workloads.ops import GELU_TANH_COEFF

_SQRT2 = math.sqrt(2.0)
_TANH_SCALE = math.sqrt(2.0 / math.pi)


@dataclass(frozen=True)
class _Match:
    nodes: tuple[int, ...]
    """Indices of the matched nodes; the last one produces the pattern's output."""
    fused: onnx.NodeProto


class _View:
    """Producers and consumers of the tensors of a node list, and its constants."""

    def __init__(
        self,
        nodes: Sequence[onnx.NodeProto],
        consts: MutableMapping[str, np.ndarray],
        outputs: set[str],
        rank: Mapping[str, int],
    ) -> None:
        self.nodes, self.consts, self.outputs, self.rank = nodes, consts, outputs, rank
        self.producer = {o: i for i, n in enumerate(nodes) for o in n.output}
        self.readers: dict[str, list[int]] = {}
        for i, n in enumerate(nodes):
            for name in n.input:
                self.readers.setdefault(name, []).append(i)

    def node(self, tensor: str, op_type: str) -> int | None:
        """Index of the node of ``op_type`` that produces ``tensor``."""
        i = self.producer.get(tensor)
        return i if i is not None and self.nodes[i].op_type == op_type else None

    def users(self, i: int, op_type: str) -> list[int]:
        """Readers of node ``i``'s first output that are of ``op_type``."""
        out = self.nodes[i].output[0]
        return [j for j in self.readers.get(out, []) if self.nodes[j].op_type == op_type]

    def scalar(self, name: str) -> float | None:
        value = self.consts.get(name)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 else None

    def is_scalar(self, name: str, target: float) -> bool:
        value = self.scalar(name)
        return value is not None and math.isclose(value, target, rel_tol=1e-3)

    def binary(self, i: int, op_type: str, const: float) -> str | None:
        """The activation operand of node ``i`` if it is ``op_type`` with a constant ~``const``."""
        n = self.nodes[i]
        if n.op_type != op_type or len(n.input) != 2:
            return None
        a, b = n.input
        if self.is_scalar(b, const):
            return a
        if op_type in ("Add", "Mul") and self.is_scalar(a, const):
            return b
        return None

    def private(self, indices: Sequence[int]) -> bool:
        """Whether every output of ``indices`` except the last node's is read only inside."""
        inside = set(indices)
        for i in indices[:-1]:
            for out in self.nodes[i].output:
                if out in self.outputs or any(j not in inside for j in self.readers.get(out, [])):
                    return False
        return True

    def axes(self, i: int) -> list[int] | None:
        return constant_axes(self.nodes[i], self.consts)

    def keepdims(self, i: int) -> bool:
        return all(a.name != "keepdims" or a.i != 0 for a in self.nodes[i].attribute)

    def last_axis_mean(self, i: int) -> bool:
        """Node ``i`` is ReduceMean over the last axis of its input, keeping dims."""
        x = self.nodes[i].input[0]
        axes = self.axes(i)
        rank = self.rank.get(x)
        return (
            axes is not None
            and len(axes) == 1
            and (axes[0] == -1 or (rank is not None and axes[0] == rank - 1))
            and self.keepdims(i)
        )


def _name(nodes: Sequence[onnx.NodeProto], fallback: str) -> str:
    """Common prefix of the matched nodes' names, e.g. '/encoder/layer.0/LayerNorm'."""
    names = [n.name for n in nodes]  # character-wise on purpose: "ln_mean", "ln_sub" -> "ln"
    prefix = os.path.commonprefix(names).rstrip("/._-")  # noqa: RUF071
    return prefix or fallback


def _gelu_tail(v: _View, add_one: int, x: str) -> list[int] | None:
    """Nodes computing 0.5 * x * (1 + .) from the ``Add(., 1)`` node, in any association."""
    muls = v.users(add_one, "Mul")
    if len(muls) != 1:
        return None
    m1 = v.nodes[muls[0]]
    other = m1.input[1] if m1.input[0] == v.nodes[add_one].output[0] else m1.input[0]
    if other == x:  # (x * a) * 0.5
        halves = [j for j in v.users(muls[0], "Mul") if v.binary(j, "Mul", 0.5)]
        return [muls[0], halves[0]] if halves else None
    if v.is_scalar(other, 0.5):  # (a * 0.5) * x
        finals = [j for j in v.users(muls[0], "Mul") if x in v.nodes[j].input]
        return [muls[0], finals[0]] if finals else None
    h = v.node(other, "Mul")  # (x * 0.5) * a
    if h is not None and v.binary(h, "Mul", 0.5) == x:
        return [h, muls[0]]
    return None


def _gelu(v: _View, i: int) -> _Match | None:
    """GELU around the Erf or Tanh node ``i``."""
    n = v.nodes[i]
    pre: list[int] = []
    if n.op_type == "Erf":
        d = v.producer.get(n.input[0])
        if d is None:
            return None
        x = v.binary(d, "Div", _SQRT2) or v.binary(d, "Mul", 1.0 / _SQRT2)
        pre, approximate = [d], "none"
    else:
        m = v.producer.get(n.input[0])
        if m is None or (u := v.binary(m, "Mul", _TANH_SCALE)) is None:
            return None
        add = v.node(u, "Add")
        if add is None:
            return None
        x = None
        for a, b in (v.nodes[add].input, v.nodes[add].input[::-1]):
            w = v.node(b, "Mul")
            cube_nodes = _cube(v, v.binary(w, "Mul", GELU_TANH_COEFF), a) if w is not None else None
            if cube_nodes is not None:
                x, pre = a, [*cube_nodes, w, add, m]
                break
        approximate = "tanh"
    if x is None or x in v.consts:
        return None
    ones = [j for j in v.users(i, "Add") if v.binary(j, "Add", 1.0)]
    tail = _gelu_tail(v, ones[0], x) if ones else None
    if tail is None:
        return None
    indices = [*sorted({*pre, i, ones[0], *tail[:-1]}), tail[-1]]
    if not v.private(indices):
        return None
    nodes = [v.nodes[j] for j in indices]
    out = v.nodes[tail[-1]].output[0]
    fused = helper.make_node(
        "Gelu", [x], [out], name=_name(nodes, f"gelu_{out}"), approximate=approximate
    )
    return _Match(tuple(indices), fused)


def _cube(v: _View, cube: str | None, x: str) -> list[int] | None:
    """Nodes computing x**3 into ``cube``: Pow(x, 3), x * (x * x) or (x * x) * x."""
    if cube is None:
        return None
    p = v.node(cube, "Pow")
    if p is not None and v.binary(p, "Pow", 3.0) == x:
        return [p]
    m = v.node(cube, "Mul")
    if m is None:
        return None
    a, b = v.nodes[m].input
    inner = b if a == x else a if b == x else None
    sq = v.node(inner, "Mul") if inner is not None else None
    if sq is not None and list(v.nodes[sq].input) == [x, x]:
        return [sq, m]
    return None


def _layer_norm(v: _View, i: int) -> _Match | None:
    """LayerNorm starting at the ReduceMean node ``i`` (the mean)."""
    if not v.last_axis_mean(i):
        return None
    x, mean = v.nodes[i].input[0], v.nodes[i].output[0]
    subs = [j for j in v.users(i, "Sub") if list(v.nodes[j].input) == [x, mean]]
    if len(subs) != 1:
        return None
    s = subs[0]
    d = v.nodes[s].output[0]
    sq = [j for j in v.readers.get(d, []) if v.binary(j, "Pow", 2.0) == d]
    sq += [j for j in v.users(s, "Mul") if list(v.nodes[j].input) == [d, d]]
    divs = [j for j in v.users(s, "Div") if v.nodes[j].input[0] == d]
    if len(sq) != 1 or len(divs) != 1:
        return None
    var = v.users(sq[0], "ReduceMean")
    if len(var) != 1 or not v.last_axis_mean(var[0]):
        return None
    adds = v.users(var[0], "Add")
    if len(adds) != 1:
        return None
    eps_add = adds[0]
    a, b = v.nodes[eps_add].input
    eps = v.scalar(b) if a == v.nodes[var[0]].output[0] else v.scalar(a)
    roots = v.users(eps_add, "Sqrt")
    if eps is None or len(roots) != 1 or v.nodes[divs[0]].input[1] != v.nodes[roots[0]].output[0]:
        return None
    indices = [i, s, sq[0], var[0], eps_add, roots[0], divs[0]]
    scale = shift = ""
    last = indices[-1]
    gamma = _affine(v, last, "Mul")
    if gamma is not None:
        last, scale = gamma
        indices.append(last)
    beta = _affine(v, last, "Add")
    if beta is not None:
        last, shift = beta
        indices.append(last)
    if not v.private(indices):
        return None
    nodes = [v.nodes[j] for j in indices]
    out = v.nodes[last].output[0]
    fused = helper.make_node(
        "LayerNormalization", [x, scale, shift], [out], name=_name(nodes, f"layer_norm_{out}"),
        axis=-1, epsilon=eps,
    )  # fmt: skip
    return _Match(tuple(indices), fused)


def _affine(v: _View, i: int, op_type: str) -> tuple[int, str] | None:
    """The single ``op_type`` reader of node ``i`` with a per-feature constant, and that
    constant's name (a (D,) vector, possibly with leading 1s)."""
    users = v.users(i, op_type)
    if len(users) != 1 or len(v.readers.get(v.nodes[i].output[0], [])) != 1:
        return None
    a, b = v.nodes[users[0]].input
    const = b if a == v.nodes[i].output[0] else a
    value = v.consts.get(const)
    if value is None or value.ndim < 1 or any(d != 1 for d in value.shape[:-1]):
        return None
    name = f"{const}.feature"
    v.consts[name] = value.reshape(-1)
    return users[0], name


def fuse_patterns(
    nodes: Sequence[onnx.NodeProto],
    consts: MutableMapping[str, np.ndarray],
    outputs: set[str],
    rank: Mapping[str, int],
) -> list[onnx.NodeProto]:
    """``nodes`` with every LayerNorm and GELU pattern replaced by one fused node (placed
    where the pattern's last node was). ``consts`` may gain per-feature scale/shift
    vectors; ``rank`` gives the full rank of activations where known."""
    v = _View(nodes, consts, outputs, rank)
    matches: list[_Match] = []
    used: set[int] = set()
    for i, n in enumerate(nodes):
        match = None
        if n.op_type == "ReduceMean":
            match = _layer_norm(v, i)
        elif n.op_type in ("Erf", "Tanh"):
            match = _gelu(v, i)
        if match is not None and not used.intersection(match.nodes):
            matches.append(match)
            used.update(match.nodes)
    replace = {m.nodes[-1]: m.fused for m in matches}
    return [replace.get(i, n) for i, n in enumerate(nodes) if i not in used or i in replace]
