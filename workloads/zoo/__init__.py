"""Networks built in code, by name: ``available()`` lists them, ``build(name, **params)``.

Each builder's docstring gives the source of its shapes and the MAC and parameter counts it
produces; ``docs/workloads.md`` tabulates them. Where a network is named by a string (the
command line, sweep files), ``from_spec`` reads its parameters from the same string:
``bert_base:layers=12,seq_len=128``, tuples written like shapes (``mlp:hidden=512x256``).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
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
            f"workload {_brief(name)}", f"unknown network; available: {', '.join(builders)}"
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
    for key, value in params.items():
        _check_bounds(key, value, f"workload {name!r}: parameter {key!r}")
    return builder(**params)


SPEC_EXAMPLE = "bert_base:layers=12,seq_len=128"

MAX_INT_PARAMETER = 1 << 20
"""Largest integer parameter of a spec (sizes; the shapes it makes are bounded again by
``shapes.analyze``): a typo such as hidden=99999999999999999999 is refused at once."""
MAX_REPEATS = 128
"""Largest ``layers`` or ``blocks``: the builders loop over them (GPT-3 has 96 layers)."""
MAX_TUPLE = 64
"""Most entries of a tuple parameter (``mlp:hidden=512x256``)."""
_REPEATS = ("layers", "blocks")


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
                f"workload {_brief(spec)}",
                f"{_brief(item)} is not key=value; write e.g. {SPEC_EXAMPLE}",
            )
        if key not in accepted:
            raise WorkloadError(
                f"workload {_brief(spec)}",
                f"unknown parameter {_brief(key)}; accepted: {', '.join(accepted) or 'none'}",
            )
        if key in params:
            raise WorkloadError(f"workload {_brief(spec)}", f"parameter {key!r} is given twice")
        where = f"workload {_brief(spec)}: parameter {key!r}"
        params[key] = _typed(text, accepted[key], where)
        _check_bounds(key, params[key], where)
    return name, params


def _check_bounds(key: str, value: Any, where: str) -> None:
    """Integers in 1..their limit, numbers finite, tuples short: a network's size is bounded
    before it is built (its shapes again by ``shapes.analyze``)."""
    if isinstance(value, tuple):
        if len(value) > MAX_TUPLE:
            raise WorkloadError(where, f"has {len(value)} entries; at most {MAX_TUPLE} allowed")
        for item in value:
            _check_bounds(key, item, where)
    elif isinstance(value, float) and not math.isfinite(value):
        raise WorkloadError(where, f"must be a finite number, got {value}")
    elif isinstance(value, int) and not isinstance(value, bool):
        limit = MAX_REPEATS if key in _REPEATS else MAX_INT_PARAMETER
        if not 1 <= value <= limit:
            raise WorkloadError(
                where, f"must be an integer from 1 to {limit:,}, got {_brief(value)}"
            )


def _brief(value: Any, limit: int = 80) -> str:
    """``repr(value)`` of a string or number, cut short for a message."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _typed(text: str, default: Any, where: str) -> Any:
    """``text`` as a value of ``default``'s type."""
    if isinstance(default, tuple):
        item = default[0] if default else 0
        parts = text.split("x")
        if len(parts) > MAX_TUPLE:
            raise WorkloadError(where, f"has {len(parts)} entries; at most {MAX_TUPLE} allowed")
        return tuple(_typed(part, item, where) for part in parts)
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise WorkloadError(where, f"must be true or false, got {_brief(text)}")
        return text.lower() == "true"
    if isinstance(default, int):
        if not re.fullmatch(r"\s*[+-]?\d{1,30}\s*", text):
            raise WorkloadError(where, f"must be an integer, got {_brief(text)}")
        return int(text)
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise WorkloadError(where, f"must be a number, got {_brief(text)}") from None
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
        raise WorkloadError(f"workload {_brief(spec)}", exc.message) from None
    canonical = format_spec(name, params)
    return dataclasses.replace(graph, name=canonical) if canonical != name else graph
