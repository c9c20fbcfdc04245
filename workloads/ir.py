"""The network IR: frozen op attributes, layers and a validated, topologically ordered graph.

Activations carry no batch dimension: feature maps are ``(C, H, W)``, vectors ``(F,)`` and
sequences ``(S, D)``. Every layer produces exactly one tensor, named after the layer; graph
inputs are named tensors too. The IR holds no weight values: it says what is computed, and
``shapes.analyze`` says how much.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from workloads.checks import check_positive, checked_ints, set_field
from workloads.errors import WorkloadError
from workloads.ops import (
    ACTIVATION_KINDS,
    ELEMENTWISE_KINDS,
    GELU_APPROXIMATIONS,
    MAX_CONSTANT_ELEMENTS,
    OP_TYPES,
    POOL_KINDS,
    Activation,
    Add,
    BatchNorm,
    CausalMask,
    Concat,
    Conv2d,
    Div,
    Elementwise,
    Flatten,
    GlobalAvgPool,
    LayerNorm,
    Linear,
    MatMul,
    Mul,
    Op,
    Pool,
    ReduceMean,
    Reshape,
    Shape,
    Slice,
    Softmax,
    Sub,
    Transpose,
    avg_pool,
    max_pool,
)

__all__ = [
    "ACTIVATION_KINDS",
    "ELEMENTWISE_KINDS",
    "GELU_APPROXIMATIONS",
    "MAX_CONSTANT_ELEMENTS",
    "OP_TYPES",
    "POOL_KINDS",
    "Activation",
    "Add",
    "BatchNorm",
    "CausalMask",
    "Concat",
    "Conv2d",
    "Div",
    "Elementwise",
    "Flatten",
    "GlobalAvgPool",
    "Graph",
    "Layer",
    "LayerNorm",
    "Linear",
    "MatMul",
    "Mul",
    "Op",
    "Pool",
    "ReduceMean",
    "Reshape",
    "Shape",
    "Slice",
    "Softmax",
    "Sub",
    "Transpose",
    "avg_pool",
    "fold_batchnorm",
    "max_pool",
    "sequential",
]


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
        set_field(self, "inputs", inputs)


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
            shape_t = checked_ints(f"{where} input {name!r}", "shape", shape, tuple(range(1, 9)))
            check_positive(f"{where} input {name!r}", "shape", shape_t)
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
        set_field(self, "inputs", tuple(inputs))
        set_field(self, "layers", layers)
        set_field(self, "outputs", outputs)
        set_field(self, "_index", MappingProxyType(index))
        set_field(self, "_consumers", MappingProxyType({k: tuple(v) for k, v in consumers.items()}))

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
