"""A small helper that the zoo modules use to write networks layer by layer."""

from __future__ import annotations

from collections.abc import Sequence

from workloads.errors import WorkloadError
from workloads.ir import Activation, Conv2d, Graph, Layer, Linear, Op, Shape


def check_positive(network: str, **values: int) -> None:
    """Raise WorkloadError naming ``network`` if a size parameter is not a positive integer."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise WorkloadError(
                f"workload {network!r}", f"{key} must be an integer >= 1, got {value!r}"
            )


class GraphBuilder:
    """Collects layers in order; each method adds layers and returns the output tensor name.

    Mutable by design but local to one zoo function: ``build`` returns the frozen ``Graph``.
    """

    def __init__(self, name: str, inputs: Sequence[tuple[str, Shape]]) -> None:
        self._name = name
        self._inputs = tuple(inputs)
        self._layers: list[Layer] = []

    def add(self, name: str, op: Op, *inputs: str) -> str:
        """Append ``op`` reading ``inputs``; the output tensor is called ``name``."""
        self._layers.append(Layer(name, op, inputs))
        return name

    def act(self, name: str, x: str, kind: str | None) -> str:
        """Append an activation unless ``kind`` is None."""
        return x if kind is None else self.add(name, Activation(kind), x)

    def conv(
        self,
        name: str,
        x: str,
        out_channels: int,
        kernel: int,
        stride: int = 1,
        padding: int = 0,
        groups: int = 1,
        bias: bool = True,
        act: str | None = "relu",
    ) -> str:
        """Square conv, then an activation called ``<name>.<act>`` (skipped if ``act`` is None)."""
        op = Conv2d(
            out_channels, (kernel, kernel), (stride, stride), (padding, padding),
            groups=groups, bias=bias,
        )  # fmt: skip
        return self.act(f"{name}.{act}", self.add(name, op, x), act)

    def linear(
        self, name: str, x: str, out_features: int, bias: bool = True, act: str | None = None
    ) -> str:
        """Linear, then an optional activation called ``<name>.<act>``."""
        return self.act(f"{name}.{act}", self.add(name, Linear(out_features, bias), x), act)

    def build(self, outputs: Sequence[str] | None = None) -> Graph:
        """The frozen graph; the outputs default to the last layer."""
        outs = tuple(outputs) if outputs is not None else (self._layers[-1].name,)
        return Graph(self._name, self._inputs, tuple(self._layers), outs)
