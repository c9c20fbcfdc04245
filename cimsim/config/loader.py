"""Reading architecture files and presets, and applying ``--set`` overrides.

This is the only code that reads configuration files. Every failure becomes a ConfigError
that names the file and the field path, with what is allowed.
"""

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from cimsim.config.hardware import chip_spec, hardware_params
from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError, brief
from cimsim.paths import exists, is_file
from hwmodels.yaml_io import load_yaml


def preset_names() -> tuple[str, ...]:
    """Names of the presets shipped with cimsim, sorted."""
    folder = resources.files("cimsim.config") / "presets"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def load_arch(spec: str | Path, overrides: Sequence[str] = ()) -> ArchConfig:
    """Load a preset by name, or a YAML file by path, then apply ``key.path=value`` overrides.

    Raises ConfigError naming the file (or preset) and the field at fault.
    """
    origin, raw = _read_raw(spec)
    for override in overrides:
        raw = apply_override(raw, override, origin)
    return validate_arch(raw, origin)


def _read_raw(spec: str | Path) -> tuple[str, dict[str, Any]]:
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or exists(path):
        if not is_file(path):
            raise ConfigError(f"{path}: no such architecture file")
        origin, text = str(path), _read_text(path)
    else:
        name = str(spec)
        if name not in preset_names():
            raise ConfigError(
                f"unknown architecture preset {brief(name)}; presets: {', '.join(preset_names())} "
                f"(or give the path of a .yaml file)"
            )
        origin = f"preset {name} ({name}.yaml)"
        text = (resources.files("cimsim.config") / "presets" / f"{name}.yaml").read_text()
    return origin, parse_yaml_mapping(text, origin, "sections (clock, chip, noc, tile, ...)")


def parse_yaml_mapping(text: str, origin: str, expected: str) -> dict[str, Any]:
    """YAML text that must hold a mapping; ConfigError names ``origin``, line and column."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{origin}:{where}: malformed YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: expected a mapping of {expected} at the top level")
    return raw


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def apply_override(raw: Mapping[str, Any], override: str, origin: str) -> dict[str, Any]:
    """Return a copy of ``raw`` with ``dotted.path=value`` set; the value is parsed as YAML.

    The path must name a field of the architecture model (a typo is an error, not a new
    key), by its file key (``read_latency``) or by its unit-carrying name
    (``read_latency_ns``, as ``cimsim describe`` prints it); a bare number given for a
    unit-carrying name is read in that unit.
    """
    path, sep, text = override.partition("=")
    keys = [k.strip() for k in path.split(".")]
    if not sep or not all(keys):
        raise ConfigError(f"--set {brief(override)}: expected KEY.PATH=VALUE, e.g. tile.adc.bits=6")
    try:
        value = load_yaml(text)
    except yaml.YAMLError:
        value = text
    keys, unit = _canonical_path(keys, override)
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value} {unit}"
    result = _deep_copy(raw)
    node: dict[str, Any] = result
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = value
    return result


_UNIT_OF_SUFFIX = {"_ns": "ns", "_ghz": "GHz", "_bytes": "B", "_gbps": "GB/s", "_gsps": "GS/s"}
"""Unit-carrying field-name suffix -> the unit string a bare override number is read in."""


def _canonical_path(keys: Sequence[str], override: str) -> tuple[list[str], str]:
    """The file keys of the field ``keys`` names, and the unit of a unit-named last key.

    Raises ConfigError unless ``keys`` names a field of the architecture model.
    """
    model: type[BaseModel] = ArchConfig
    canonical: list[str] = []
    unit = ""
    for depth, key in enumerate(keys):
        by_key = {(f.alias or n): f for n, f in model.model_fields.items()}
        by_key.update(model.model_fields)
        field = by_key.get(key)
        if field is None:
            where = ".".join(keys[:depth]) or "the top level"
            known = ", ".join(sorted(f.alias or n for n, f in model.model_fields.items()))
            raise ConfigError(
                f"--set {brief(override)}: no field {brief('.'.join(keys[: depth + 1]))}; "
                f"fields of {where}: {known}"
            )
        name = next(n for n, f in model.model_fields.items() if f is field)
        canonical.append(field.alias or name)
        if key == name and field.alias and key != field.alias:
            unit = next((u for s, u in _UNIT_OF_SUFFIX.items() if name.endswith(s)), "")
        nested = field.annotation
        if depth < len(keys) - 1:
            if not (isinstance(nested, type) and issubclass(nested, BaseModel)):
                section = brief(".".join(keys[: depth + 1]))
                raise ConfigError(f"--set {brief(override)}: {section} is a value, not a section")
            model = nested
    return canonical, unit


def _deep_copy(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, Mapping) else v for k, v in raw.items()}


def validate_arch(raw: Mapping[str, Any], origin: str) -> ArchConfig:
    """Validate a raw mapping into an ArchConfig that the component models can also build
    and price (so every command refuses the same files); errors name ``origin`` and the
    field path."""
    try:
        arch = ArchConfig.model_validate(raw)
    except ValidationError as exc:
        unknown = "unknown field (check the spelling; `cimsim describe` lists the fields)"
        raise ConfigError(describe_validation_error(exc, origin, unknown)) from None
    try:
        chip_spec(arch, hardware_params(arch))
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {str(exc).removeprefix(f'{arch.name}: ')}") from None
    return arch


def describe_validation_error(
    exc: ValidationError, origin: str, unknown_field: str, noun: str = "field"
) -> str:
    """One line per pydantic error: ``origin: field.path: what is wrong (got value)``; the
    value shown is cut short (``errors.brief``) and at most ``MAX_ERROR_LINES`` are listed."""
    lines = []
    errors = exc.errors(include_url=False)
    for error in errors[:MAX_ERROR_LINES]:
        field = ".".join(brief(part, 40).strip("'") for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = unknown_field
        elif error["type"] == "missing":
            message = f"required {noun} is missing"
        got = brief(error.get("input"))
        omit = error["type"] == "missing" or isinstance(error.get("input"), dict) or got in message
        lines.append(f"{origin}: {field}: {message}{'' if omit else f' (got {got})'}")
    if len(errors) > MAX_ERROR_LINES:
        lines.append(f"{origin}: ... and {len(errors) - MAX_ERROR_LINES} more errors")
    return "\n".join(lines)


MAX_ERROR_LINES = 10
"""Most validation errors one message lists."""
