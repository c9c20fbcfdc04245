"""Networks built in code, by name: ``available()`` lists them, ``build(name, **params)``.

Each builder's docstring gives the source of its shapes and the MAC and parameter counts it
produces; ``docs/workloads.md`` tabulates them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from workloads.errors import WorkloadError
from workloads.ir import Graph
from workloads.zoo import alexnet, mobilenet, resnet, small, transformer, vgg


def _builders() -> Mapping[str, Callable[..., Graph]]:
    """Name -> builder function, in a fixed order (built on call: no module-level state)."""
    return MappingProxyType(
        {
            "mlp": small.mlp,
            "lenet5": small.lenet5,
            "vgg8": vgg.vgg8,
            "resnet18": resnet.resnet18,
            "alexnet": alexnet.alexnet,
            "vgg16": vgg.vgg16,
            "resnet50": resnet.resnet50,
            "mobilenetv2": mobilenet.mobilenetv2,
            "bert_base": transformer.bert_base,
            "gpt2_prefill": transformer.gpt2_prefill,
            "gpt2_decode": transformer.gpt2_decode,
        }
    )


def available() -> tuple[str, ...]:
    """Names of the zoo networks."""
    return tuple(_builders())


def _builder(name: str) -> Callable[..., Graph]:
    builders = _builders()
    if name not in builders:
        raise WorkloadError(
            f"workload {name!r}", f"unknown network; available: {', '.join(builders)}"
        )
    return builders[name]


def describe(name: str) -> str:
    """First line of the network's docstring, for listings."""
    doc = inspect.getdoc(_builder(name)) or ""
    return doc.splitlines()[0] if doc else ""


def parameters(name: str) -> Mapping[str, Any]:
    """The keyword parameters ``build`` accepts for ``name``, with their defaults."""
    sig = inspect.signature(_builder(name))
    return MappingProxyType({k: p.default for k, p in sig.parameters.items()})


def build(name: str, **params: Any) -> Graph:
    """Build zoo network ``name``; unknown names and parameters raise WorkloadError."""
    builder = _builder(name)
    accepted = parameters(name)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise WorkloadError(
            f"workload {name!r}",
            f"unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(accepted) or 'none'}",
        )
    return builder(**params)
