"""The IR's op types: frozen, validated attributes of every operation a layer can apply.

Each op knows its kind (``op_kind``) and how many inputs it takes (``arity``); shapes and
costs live in ``workloads.shapes``. ``Op`` is the union of them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, get_args

import numpy as np

from workloads.checks import Shape, check_positive, checked_ints, set_field
from workloads.errors import WorkloadError

ACTIVATION_KINDS = (
    "relu", "relu6", "clip", "gelu", "silu", "sigmoid", "tanh", "sqrt", "erf", "exp", "neg",
    "reciprocal", "abs",
)  # fmt: skip
GELU_APPROXIMATIONS = ("none", "tanh")
ELEMENTWISE_KINDS = ("add", "sub", "mul", "div", "pow")
POOL_KINDS = ("max", "avg")
NORM_EPS = 1e-5
"""Default epsilon added to a variance: PyTorch's and ONNX's (LayerNorm, BatchNorm)."""
GELU_TANH_COEFF = 0.044715
"""x**3 coefficient of GELU's tanh approximation (Hendrycks & Gimpel, arXiv 1606.08415)."""
MAX_CONSTANT_ELEMENTS = 1 << 20
"""Largest constant an Elementwise op keeps (a (1, 512, 512) attention mask has 262,144)."""


def _normalise_padding(where: str, padding: Iterable[int]) -> Shape:
    """(ph, pw) or (top, left, bottom, right) -> (top, left, bottom, right), all >= 0."""
    pad = checked_ints(where, "padding", padding, (2, 4))
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
            value = checked_ints(where, name, getattr(self, name), (2,))
            check_positive(where, name, value)
            set_field(self, name, value)
        set_field(self, "padding", _normalise_padding(where, self.padding))
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
        kernel = checked_ints(where, "kernel", self.kernel, (2,))
        stride = kernel if self.stride is None else checked_ints(where, "stride", self.stride, (2,))
        check_positive(where, "kernel", kernel)
        check_positive(where, "stride", stride)
        set_field(self, "kernel", kernel)
        set_field(self, "stride", stride)
        set_field(self, "padding", _normalise_padding(where, self.padding))


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
        shape = checked_ints(where, "constant_shape", self.constant_shape, tuple(range(0, 9)))
        set_field(self, "constant_shape", shape)
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
        set_field(self, "constant", values)

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
        axes = checked_ints(self.op_kind, "axes", self.axes, tuple(range(1, 9)))
        if len(set(axes)) != len(axes):
            raise WorkloadError(self.op_kind, f"axes must be distinct, got {axes}")
        set_field(self, "axes", axes)


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
        axes = checked_ints(where, "axes", self.axes, tuple(range(1, 9)))
        n = (len(axes),)
        starts = checked_ints(where, "starts", self.starts, n)
        stops = checked_ints(where, "stops", self.stops, n)
        steps = (
            (1,) * len(axes) if self.steps is None else checked_ints(where, "steps", self.steps, n)
        )
        if 0 in steps or len(set(axes)) != len(axes):
            raise WorkloadError(where, f"steps must be non-zero and axes distinct: {self}")
        for name, value in (("axes", axes), ("starts", starts), ("stops", stops)):
            set_field(self, name, value)
        set_field(self, "steps", steps)


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
        shape = checked_ints(self.op_kind, "shape", self.shape, tuple(range(1, 9)))
        if shape.count(-1) > 1 or any(s < -1 or s == 0 for s in shape):
            raise WorkloadError(
                self.op_kind, f"shape needs entries >= 1 and at most one -1: {shape}"
            )
        set_field(self, "shape", shape)


@dataclass(frozen=True)
class Transpose(_OpBase):
    """Permute the axes of the batch-free shape."""

    perm: tuple[int, ...]
    op_kind: ClassVar[str] = "transpose"

    def __post_init__(self) -> None:
        perm = checked_ints(self.op_kind, "perm", self.perm, tuple(range(1, 9)))
        if sorted(perm) != list(range(len(perm))):
            raise WorkloadError(self.op_kind, f"perm must be a permutation of 0..n-1, got {perm}")
        set_field(self, "perm", perm)


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
class CausalMask(_OpBase):
    """Attention scores (..., S, L) with every key after its query masked out.

    Query i of the last S of L positions may attend to keys 0 .. i + L - S; the others are
    set to -inf (so a following softmax gives them weight 0). Decoder self-attention needs
    this rule; keeping it as a rule, not as an (S, L) constant, lets prefill run at any
    sequence length.
    """

    op_kind: ClassVar[str] = "causal_mask"


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
    eps: float = NORM_EPS
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
    | Slice | Concat | Flatten | Reshape | Transpose | Activation | CausalMask | Softmax
    | LayerNorm | BatchNorm | MatMul
)  # fmt: skip
OP_TYPES: tuple[type, ...] = get_args(Op)
