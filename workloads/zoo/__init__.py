"""Networks built in code, by name: ``available()`` lists them, ``build(name, **params)``.

Each builder's docstring gives the source of its shapes and the MAC and parameter counts it
produces; ``docs/workloads.md`` tabulates them. Where a network is named by a string (the
command line, sweep files), ``from_spec`` reads its parameters from the same string:
``bert_base:layers=12,seq_len=128``, tuples written like shapes (``mlp:hidden=512x256``).
"""

from __future__ import annotations

import dataclasses
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


SPEC_EXAMPLE = "bert_base:layers=12,seq_len=128"


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``name:key=value,...`` -> (name, typed parameters); each value is read as the type of
    the parameter's default (int, float, bool as true/false, str, tuple as 512x256)."""
    name, colon, listed = spec.partition(":")
    accepted = parameters(name)
    if not colon:
        return name, {}
    params: dict[str, Any] = {}
    for item in listed.split(","):
        key, equals, text = (part.strip() for part in item.partition("="))
        if not equals or not key or not text:
            raise WorkloadError(
                f"workload {spec!r}", f"{item!r} is not key=value; write e.g. {SPEC_EXAMPLE}"
            )
        if key not in accepted:
            raise WorkloadError(
                f"workload {spec!r}",
                f"unknown parameter {key!r}; accepted: {', '.join(accepted) or 'none'}",
            )
        if key in params:
            raise WorkloadError(f"workload {spec!r}", f"parameter {key!r} is given twice")
        params[key] = _typed(text, accepted[key], f"workload {spec!r}: parameter {key!r}")
    return name, params


def _typed(text: str, default: Any, where: str) -> Any:
    """``text`` as a value of ``default``'s type."""
    if isinstance(default, tuple):
        item = default[0] if default else 0
        return tuple(_typed(part, item, where) for part in text.split("x"))
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise WorkloadError(where, f"must be true or false, got {text!r}")
        return text.lower() == "true"
    for kind, what in ((int, "an integer"), (float, "a number")):
        if isinstance(default, kind):
            try:
                return kind(text)
            except ValueError:
                raise WorkloadError(where, f"must be {what}, got {text!r}") from None
    return text


def format_spec(name: str, params: Mapping[str, Any]) -> str:
    """The canonical spec string (``parse_spec``'s inverse): parameters that differ from their
    defaults, in the builder's order, so one network has one spec."""
    shown = [
        f"{key}={spec_value_text(params[key])}"
        for key, default in parameters(name).items()
        if key in params and params[key] != default
    ]
    return f"{name}:{','.join(shown)}" if shown else name


def spec_value_text(value: Any) -> str:
    """A parameter value as a spec writes it (512x256, true)."""
    if isinstance(value, tuple):
        return "x".join(spec_value_text(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def from_spec(spec: str) -> Graph:
    """The network a spec string names, with its parameters; a network built with parameters
    is named by its canonical spec (``format_spec``), so reports say which one ran."""
    name, params = parse_spec(spec)
    try:
        graph = build(name, **params)
    except WorkloadError as exc:
        raise WorkloadError(f"workload {spec!r}", exc.message) from None
    canonical = format_spec(name, params)
    return dataclasses.replace(graph, name=canonical) if canonical != name else graph
