"""The network IR: frozen op attributes, layers and a validated, topologically ordered graph.

Activations carry no batch dimension: feature maps are ``(C, H, W)``, vectors ``(F,)`` and
sequences ``(S, D)``. Every layer produces exactly one tensor, named after the layer; graph
inputs are named tensors too. The IR holds no weight values: it says what is computed, and
``shapes.analyze`` says how much.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import ClassVar, get_args

import numpy as np

from workloads.errors import WorkloadError

Shape = tuple[int, ...]

ACTIVATION_KINDS = (
    "relu", "relu6", "clip", "gelu", "silu", "sigmoid", "tanh", "sqrt", "erf", "exp", "neg",
    "reciprocal", "abs",
)  # fmt: skip
GELU_APPROXIMATIONS = ("none", "tanh")
ELEMENTWISE_KINDS = ("add", "sub", "mul", "div", "pow")
POOL_KINDS = ("max", "avg")
MAX_CONSTANT_ELEMENTS = 1 << 20
"""Largest constant an Elementwise op keeps (a (1, 512, 512) attention mask has 262,144)."""


def _ints(where: str, name: str, value: Iterable[int], lengths: tuple[int, ...]) -> Shape:
    """``value`` as a tuple of ints whose length is one of ``lengths``."""
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise WorkloadError(where, f"{name} must be a tuple of integers, got {value!r}") from exc
    if len(out) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise WorkloadError(where, f"{name} must have {allowed} entries, got {value!r}")
    return out


def _positive(where: str, name: str, values: Shape) -> None:
    if any(v < 1 for v in values):
        raise WorkloadError(where, f"{name} entries must be >= 1, got {values}")


def _set(obj: object, name: str, value: object) -> None:
    """Normalise a field of a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)


def _normalise_padding(where: str, padding: Iterable[int]) -> Shape:
    """(ph, pw) or (top, left, bottom, right) -> (top, left, bottom, right), all >= 0."""
    pad = _ints(where, "padding", padding, (2, 4))
    if len(pad) == 2:
        pad = (pad[0], pad[1], pad[0], pad[1])
    if any(p < 0 for p in pad):
        raise WorkloadError(where, f"padding must be >= 0, got {pad}")
    return pad


class _OpBase:
    """Class-level facts every op declares: its ``op_kind`` and (min, max) input count."""

    op_kind: ClassVar[str]
    arity: ClassVar[tuple[int, int | None]] = (1, 1)


@dataclass(frozen=True)
class Conv2d(_OpBase):
    """2-D convolution on (C, H, W); a static-weight MVM (im2col) mapped to crossbars.

    ``padding`` is given as (ph, pw) or (top, left, bottom, right) and stored as the latter.
    ``groups`` = C_in with ``out_channels`` a multiple of C_in is a depthwise convolution.
    """

    out_channels: int
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, ...] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    bias: bool = True
    op_kind: ClassVar[str] = "conv2d"

    def __post_init__(self) -> None:
        where = self.op_kind
        for name in ("kernel", "stride", "dilation"):
            value = _ints(where, name, getattr(self, name), (2,))
            _positive(where, name, value)
            _set(self, name, value)
        _set(self, "padding", _normalise_padding(where, self.padding))
        if self.out_channels < 1 or self.groups < 1:
            raise WorkloadError(where, "out_channels and groups must be >= 1")
        if self.out_channels % self.groups:
            raise WorkloadError(
                where, f"out_channels {self.out_channels} not divisible by groups {self.groups}"
            )


@dataclass(frozen=True)
class Linear(_OpBase):
    """Fully connected layer over the last axis (a static-weight MVM mapped to crossbars)."""

    out_features: int
    bias: bool = True
    op_kind: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        if self.out_features < 1:
            raise WorkloadError(self.op_kind, f"out_features must be >= 1, got {self.out_features}")


@dataclass(frozen=True)
class Pool(_OpBase):
    """Max or average pooling on (C, H, W); ``stride`` defaults to ``kernel``."""

    kind: str
    kernel: tuple[int, int]
    stride: tuple[int, int] | None = None
    padding: tuple[int, ...] = (0, 0)
    ceil_mode: bool = False
    op_kind: ClassVar[str] = "pool"

    def __post_init__(self) -> None:
        where = self.op_kind
        if self.kind not in POOL_KINDS:
            raise WorkloadError(where, f"pool kind must be one of {POOL_KINDS}, got {self.kind!r}")
        kernel = _ints(where, "kernel", self.kernel, (2,))
        stride = kernel if self.stride is None else _ints(where, "stride", self.stride, (2,))
        _positive(where, "kernel", kernel)
        _positive(where, "stride", stride)
        _set(self, "kernel", kernel)
        _set(self, "stride", stride)
        _set(self, "padding", _normalise_padding(where, self.padding))


def max_pool(kernel: int, stride: int | None = None, padding: int = 0) -> Pool:
    """Square max pooling, the common case, without spelling out tuples."""
    return Pool(
        "max", (kernel, kernel), None if stride is None else (stride, stride), (padding, padding)
    )


def avg_pool(kernel: int, stride: int | None = None, padding: int = 0) -> Pool:
    """Square average pooling."""
    return Pool(
        "avg", (kernel, kernel), None if stride is None else (stride, stride), (padding, padding)
    )


@dataclass(frozen=True)
class GlobalAvgPool(_OpBase):
    """Average over H and W: (C, H, W) -> (C, 1, 1), as ONNX GlobalAveragePool."""

    op_kind: ClassVar[str] = "global_avg_pool"


@dataclass(frozen=True)
class Add(_OpBase):
    """Element-wise sum of two or more activations (residual connections); broadcasts."""

    op_kind: ClassVar[str] = "add"
    arity: ClassVar[tuple[int, int | None]] = (2, None)


@dataclass(frozen=True)
class Mul(_OpBase):
    """Element-wise product of two activations (gating); broadcasts."""

    op_kind: ClassVar[str] = "mul"
    arity: ClassVar[tuple[int, int | None]] = (2, 2)


@dataclass(frozen=True, repr=False)
class Elementwise(_OpBase):
    """One activation combined element-wise with a constant (e.g. attention scaling 1/sqrt(d)).

    ``kind`` is one of add, sub, mul, div, pow. ``constant`` holds the constant's values in
    C order (a float is a scalar) and ``constant_shape`` its batch-free shape, which must
    broadcast against the activation; ``None`` means the value is not known (zoo networks; a
    functional run then uses the identity constant). ``constant_first`` computes
    ``constant (op) x`` instead of ``x (op) constant`` (e.g. ``1 - mask``).
    """

    kind: str
    constant: tuple[float, ...] | float | None = None
    constant_shape: tuple[int, ...] = ()
    constant_first: bool = False
    op_kind: ClassVar[str] = "elementwise"

    def __post_init__(self) -> None:
        where = self.op_kind
        if self.kind not in ELEMENTWISE_KINDS:
            raise WorkloadError(
                where, f"kind must be one of {ELEMENTWISE_KINDS}, got {self.kind!r}"
            )
        shape = _ints(where, "constant_shape", self.constant_shape, tuple(range(0, 9)))
        _set(self, "constant_shape", shape)
        if self.constant is None:
            if shape:
                raise WorkloadError(where, "constant_shape given without a constant")
            return
        values = (self.constant,) if np.ndim(self.constant) == 0 else self.constant
        try:
            values = tuple(float(v) for v in values)
        except (TypeError, ValueError) as exc:
            raise WorkloadError(where, f"constant must be numbers, got {self.constant!r}") from exc
        if len(values) != math.prod(shape) or any(d < 1 for d in shape):
            raise WorkloadError(
                where, f"constant of {len(values)} values does not have shape {shape}"
            )
        if len(values) > MAX_CONSTANT_ELEMENTS:
            raise WorkloadError(
                where, f"constant of {len(values)} elements exceeds {MAX_CONSTANT_ELEMENTS}"
            )
        _set(self, "constant", values)

    @classmethod
    def of(cls, kind: str, constant: object, constant_first: bool = False) -> Elementwise:
        """An op with the constant taken from an array-like (its shape is kept)."""
        array = np.asarray(constant, dtype=np.float64)
        return cls(kind, tuple(array.ravel().tolist()), array.shape, constant_first)

    def constant_array(self) -> np.ndarray | None:
        """The constant as a float64 array of ``constant_shape``, or None when unknown."""
        if self.constant is None:
            return None
        return np.asarray(self.constant, dtype=np.float64).reshape(self.constant_shape)

    def __repr__(self) -> str:
        if self.constant is None:
            value = "None"
        elif len(self.constant) <= 8:
            value = repr(self.constant)
        else:
            value = f"<{len(self.constant)} values>"
        return (
            f"Elementwise(kind={self.kind!r}, constant={value}, "
            f"constant_shape={self.constant_shape!r}, constant_first={self.constant_first!r})"
        )


@dataclass(frozen=True)
class Sub(_OpBase):
    """Element-wise difference of two activations (first minus second); broadcasts."""

    op_kind: ClassVar[str] = "sub"
    arity: ClassVar[tuple[int, int | None]] = (2, 2)


@dataclass(frozen=True)
class Div(_OpBase):
    """Element-wise quotient of two activations (first over second); broadcasts."""

    op_kind: ClassVar[str] = "div"
    arity: ClassVar[tuple[int, int | None]] = (2, 2)


@dataclass(frozen=True)
class ReduceMean(_OpBase):
    """Mean over ``axes`` (batch-free; negative count from the end); ``keepdims`` keeps them
    as size-1 axes. Outside a LayerNorm pattern (which imports as ``LayerNorm``)."""

    axes: tuple[int, ...] = (-1,)
    keepdims: bool = True
    op_kind: ClassVar[str] = "reduce_mean"

    def __post_init__(self) -> None:
        axes = _ints(self.op_kind, "axes", self.axes, tuple(range(1, 9)))
        if len(set(axes)) != len(axes):
            raise WorkloadError(self.op_kind, f"axes must be distinct, got {axes}")
        _set(self, "axes", axes)


@dataclass(frozen=True)
class Slice(_OpBase):
    """``x[start:stop:step]`` along each of ``axes`` (batch-free), numpy/ONNX clamping.

    ONNX Slice, and each output of Split (one Slice layer per part), import as this op.
    """

    axes: tuple[int, ...]
    starts: tuple[int, ...]
    stops: tuple[int, ...]
    steps: tuple[int, ...] | None = None
    op_kind: ClassVar[str] = "slice"

    def __post_init__(self) -> None:
        where = self.op_kind
        axes = _ints(where, "axes", self.axes, tuple(range(1, 9)))
        n = (len(axes),)
        starts = _ints(where, "starts", self.starts, n)
        stops = _ints(where, "stops", self.stops, n)
        steps = (1,) * len(axes) if self.steps is None else _ints(where, "steps", self.steps, n)
        if 0 in steps or len(set(axes)) != len(axes):
            raise WorkloadError(where, f"steps must be non-zero and axes distinct: {self}")
        for name, value in (("axes", axes), ("starts", starts), ("stops", stops)):
            _set(self, name, value)
        _set(self, "steps", steps)


@dataclass(frozen=True)
class Concat(_OpBase):
    """Concatenation along ``axis`` (of the batch-free shape; negative counts from the end)."""

    axis: int = 0
    op_kind: ClassVar[str] = "concat"
    arity: ClassVar[tuple[int, int | None]] = (1, None)


@dataclass(frozen=True)
class Flatten(_OpBase):
    """Flatten the whole activation to a vector (ONNX Flatten with axis=1)."""

    op_kind: ClassVar[str] = "flatten"


@dataclass(frozen=True)
class Reshape(_OpBase):
    """Reshape to ``shape`` (batch-free; at most one -1, inferred)."""

    shape: tuple[int, ...]
    op_kind: ClassVar[str] = "reshape"

    def __post_init__(self) -> None:
        shape = _ints(self.op_kind, "shape", self.shape, tuple(range(1, 9)))
        if shape.count(-1) > 1 or any(s < -1 or s == 0 for s in shape):
            raise WorkloadError(
                self.op_kind, f"shape needs entries >= 1 and at most one -1: {shape}"
            )
        _set(self, "shape", shape)


@dataclass(frozen=True)
class Transpose(_OpBase):
    """Permute the axes of the batch-free shape."""

    perm: tuple[int, ...]
    op_kind: ClassVar[str] = "transpose"

    def __post_init__(self) -> None:
        perm = _ints(self.op_kind, "perm", self.perm, tuple(range(1, 9)))
        if sorted(perm) != list(range(len(perm))):
            raise WorkloadError(self.op_kind, f"perm must be a permutation of 0..n-1, got {perm}")
        _set(self, "perm", perm)


@dataclass(frozen=True)
class Activation(_OpBase):
    """Element-wise non-linearity; ``low``/``high`` are the bounds of ``clip``."""

    kind: str
    low: float | None = None
    high: float | None = None
    approximate: str = "none"
    """GELU only: "none" (the erf form) or "tanh" (the tanh approximation)."""
    op_kind: ClassVar[str] = "activation"

    def __post_init__(self) -> None:
        if self.kind not in ACTIVATION_KINDS:
            raise WorkloadError(
                self.op_kind, f"activation must be one of {ACTIVATION_KINDS}, got {self.kind!r}"
            )
        if self.approximate not in GELU_APPROXIMATIONS or (
            self.approximate != "none" and self.kind != "gelu"
        ):
            raise WorkloadError(
                self.op_kind,
                f"approximate must be one of {GELU_APPROXIMATIONS} (tanh only for gelu), "
                f"got {self.approximate!r}",
            )


@dataclass(frozen=True)
class Softmax(_OpBase):
    """Softmax along ``axis`` (batch-free; default the last)."""

    axis: int = -1
    op_kind: ClassVar[str] = "softmax"


@dataclass(frozen=True)
class LayerNorm(_OpBase):
    """Layer normalisation over the last axis; ``affine`` adds a scale and shift per feature.

    ``eps`` is added to the variance (1e-5 is PyTorch's default, BERT uses 1e-12)."""

    affine: bool = True
    eps: float = 1e-5
    op_kind: ClassVar[str] = "layer_norm"


@dataclass(frozen=True)
class BatchNorm(_OpBase):
    """Inference batch normalisation per channel (axis 0); ``fold_batchnorm`` removes it."""

    op_kind: ClassVar[str] = "batch_norm"


@dataclass(frozen=True)
class MatMul(_OpBase):
    """Product of two activations (..., M, K) x (..., K, N), e.g. Q.K^T in attention.

    Both operands change per inference, so this is digital work (or needs crossbar writes),
    never a static-weight MVM.
    """

    op_kind: ClassVar[str] = "matmul"
    arity: ClassVar[tuple[int, int | None]] = (2, 2)


Op = (
    Conv2d | Linear | Pool | GlobalAvgPool | Add | Mul | Sub | Div | Elementwise | ReduceMean
    | Slice | Concat | Flatten | Reshape | Transpose | Activation | Softmax | LayerNorm
    | BatchNorm | MatMul
)  # fmt: skip
OP_TYPES: tuple[type, ...] = get_args(Op)


@dataclass(frozen=True)
class Layer:
    """One operation: ``op`` applied to the tensors named in ``inputs``; its output is ``name``."""

    name: str
    op: Op
    inputs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise WorkloadError(f"layer {self.name!r}", "a layer name must be a non-empty string")
        where = f"layer {self.name!r}"
        if not isinstance(self.op, OP_TYPES):
            raise WorkloadError(where, f"op must be one of the IR op types, got {self.op!r}")
        inputs = (self.inputs,) if isinstance(self.inputs, str) else tuple(self.inputs)
        if not all(isinstance(i, str) for i in inputs):
            raise WorkloadError(where, f"inputs must be tensor names, got {self.inputs!r}")
        low, high = self.op.arity
        if len(inputs) < low or (high is not None and len(inputs) > high):
            expected = f"{low}" if low == high else f"at least {low}"
            raise WorkloadError(
                where, f"{self.op.op_kind} takes {expected} input(s), got {len(inputs)}"
            )
        _set(self, "inputs", inputs)


@dataclass(frozen=True)
class Graph:
    """A network: named inputs with batch-free shapes, layers in topological order, outputs.

    ``inputs`` may be given as a mapping or as (name, shape) pairs; it is stored as a tuple of
    pairs in the given order. Construction checks that names are unique, that every layer reads
    only graph inputs or earlier layers, and that every output exists; shapes are checked by
    ``workloads.shapes.analyze``.
    """

    name: str
    inputs: tuple[tuple[str, Shape], ...]
    layers: tuple[Layer, ...]
    outputs: tuple[str, ...]
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _consumers: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"graph {self.name!r}"
        pairs = self.inputs.items() if isinstance(self.inputs, Mapping) else self.inputs
        inputs: list[tuple[str, Shape]] = []
        for pair in pairs:
            name, shape = pair
            shape_t = _ints(f"{where} input {name!r}", "shape", shape, tuple(range(1, 9)))
            _positive(f"{where} input {name!r}", "shape", shape_t)
            inputs.append((str(name), shape_t))
        if not inputs:
            raise WorkloadError(where, "a graph needs at least one input")
        layers = tuple(self.layers)
        outputs = (self.outputs,) if isinstance(self.outputs, str) else tuple(self.outputs)
        seen: set[str] = set()
        for name, _ in inputs:
            if name in seen:
                raise WorkloadError(f"{where} input {name!r}", "duplicate input name")
            seen.add(name)
        index: dict[str, int] = {}
        consumers: dict[str, list[str]] = {name: [] for name, _ in inputs}
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise WorkloadError(where, f"layers must be Layer objects, got {layer!r}")
            if layer.name in seen:
                raise WorkloadError(f"layer {layer.name!r}", "duplicate layer or tensor name")
            for src in layer.inputs:
                if src not in seen:
                    raise WorkloadError(
                        f"layer {layer.name!r}",
                        f"input {src!r} is not a graph input or an earlier layer "
                        "(layers must be in topological order)",
                    )
                consumers[src].append(layer.name)
            seen.add(layer.name)
            index[layer.name] = i
            consumers[layer.name] = []
        if not outputs:
            raise WorkloadError(where, "a graph needs at least one output")
        for out in outputs:
            if out not in seen:
                raise WorkloadError(where, f"output {out!r} is not a layer or graph input")
        _set(self, "inputs", tuple(inputs))
        _set(self, "layers", layers)
        _set(self, "outputs", outputs)
        _set(self, "_index", MappingProxyType(index))
        _set(self, "_consumers", MappingProxyType({k: tuple(v) for k, v in consumers.items()}))

    @property
    def input_shapes(self) -> Mapping[str, Shape]:
        """Graph input name -> batch-free shape."""
        return MappingProxyType(dict(self.inputs))

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Layer names in topological order."""
        return tuple(layer.name for layer in self.layers)

    def is_input(self, name: str) -> bool:
        """Whether ``name`` is a graph input (rather than a layer)."""
        return any(name == n for n, _ in self.inputs)

    def layer(self, name: str) -> Layer:
        """The layer called ``name``."""
        try:
            return self.layers[self._index[name]]
        except KeyError:
            raise WorkloadError(f"graph {self.name!r}", f"no layer named {name!r}") from None

    def producers(self, name: str) -> tuple[str, ...]:
        """Names of the tensors layer ``name`` reads: earlier layers or graph inputs."""
        return self.layer(name).inputs

    def consumers(self, name: str) -> tuple[str, ...]:
        """Names of the layers that read tensor ``name`` (a layer or graph input), in order."""
        try:
            return self._consumers[name]
        except KeyError:
            raise WorkloadError(f"graph {self.name!r}", f"no tensor named {name!r}") from None


def fold_batchnorm(graph: Graph) -> Graph:
    """Fold every BatchNorm that directly follows a Conv2d/Linear into that layer's bias.

    The folded layer keeps its own name and gets ``bias=True``; readers of the BatchNorm read
    the folded layer instead. A BatchNorm whose producer is not a conv/linear, or whose
    producer has other readers or is a graph output, stays as a digital layer.
    """
    renamed: dict[str, str] = {}
    biased: set[str] = set()
    for layer in graph.layers:
        if not isinstance(layer.op, BatchNorm):
            continue
        src = layer.inputs[0]
        if graph.is_input(src) or src in graph.outputs:
            continue
        if isinstance(graph.layer(src).op, Conv2d | Linear) and len(graph.consumers(src)) == 1:
            renamed[layer.name] = src
            biased.add(src)
    if not renamed:
        return graph
    layers: list[Layer] = []
    for layer in graph.layers:
        if layer.name in renamed:
            continue
        op = replace(layer.op, bias=True) if layer.name in biased else layer.op
        inputs = tuple(renamed.get(i, i) for i in layer.inputs)
        layers.append(Layer(layer.name, op, inputs))
    outputs = tuple(renamed.get(o, o) for o in graph.outputs)
    return Graph(graph.name, graph.inputs, tuple(layers), outputs)


def sequential(name: str, input_shape: Sequence[int], ops: Sequence[tuple[str, Op]]) -> Graph:
    """A chain of layers, each reading the previous one; the last is the output."""
    if not ops:
        raise WorkloadError(f"graph {name!r}", "a sequential graph needs at least one layer")
    layers: list[Layer] = []
    prev = "input"
    for layer_name, op in ops:
        layers.append(Layer(layer_name, op, (prev,)))
        prev = layer_name
    return Graph(name, (("input", tuple(input_shape)),), tuple(layers), (prev,))
