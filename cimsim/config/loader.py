"""Reading architecture files and presets, and applying ``--set`` overrides.

This is the only code that reads configuration files. Every failure becomes a ConfigError
that names the file and the field path, with what is allowed.
"""

import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError
from hwmodels.presets import YAML_LOADER


def preset_names() -> tuple[str, ...]:
    """Names of the presets shipped with cimsim, sorted."""
    folder = resources.files("cimsim.config") / "presets"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def load_arch(
    spec: str | Path, overrides: Sequence[str] | Mapping[str, Any] = ()
) -> ArchConfig:
    """Load a preset by name, or a YAML file by path, then apply overrides: ``--set`` style
    ``"key.path=value"`` strings (the value read as YAML), or a mapping ``{"key.path":
    value}`` (the value taken as it is: ``{"tile.adc.bits": 6, "memory.dram.bandwidth":
    "51.2 GB/s"}``).

    Raises ConfigError naming the file (or preset) and the field at fault.
    """
    origin, raw = _read_raw(spec)
    if isinstance(overrides, Mapping):
        for path, value in overrides.items():
            raw = set_field(raw, str(path), value)
    else:
        for override in overrides:
            raw = apply_override(raw, override, origin)
    return validate_arch(raw, origin)


def _read_raw(spec: str | Path) -> tuple[str, dict[str, Any]]:
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"{path}: no such architecture file")
        origin, text = str(path), _read_text(path)
    else:
        name = str(spec)
        if name not in preset_names():
            raise ConfigError(
                f"unknown architecture preset {name!r}; presets: {', '.join(preset_names())} "
                f"(or give the path of a .yaml file)"
            )
        origin = f"preset {name} ({name}.yaml)"
        text = (resources.files("cimsim.config") / "presets" / f"{name}.yaml").read_text()
    return origin, parse_yaml_mapping(text, origin, "sections (clock, chip, noc, tile, ...)")


def parse_yaml_mapping(text: str, origin: str, expected: str) -> dict[str, Any]:
    """YAML text that must hold a mapping; ConfigError names ``origin``, line and column."""
    try:
        raw = yaml.load(text, Loader=YAML_LOADER)
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
    if not sep or not all(k.strip() for k in path.split(".")):
        raise ConfigError(f"--set {override!r}: expected KEY.PATH=VALUE, e.g. tile.adc.bits=6")
    try:
        value = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        value = text
    return set_field(raw, path, value, f"--set {override!r}")


def set_field(raw: Mapping[str, Any], path: str, value: Any, what: str = "") -> dict[str, Any]:
    """A copy of ``raw`` with the field at dotted ``path`` set to ``value`` (see
    apply_override); ``what`` names the override in errors (default: the path)."""
    override = what or f"override {path!r}"
    keys = [k.strip() for k in path.split(".")]
    if not all(keys):
        raise ConfigError(f"{override}: expected a dotted field path, e.g. tile.adc.bits")
    keys, unit = _canonical_path(keys, override)
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value} {unit}"
    result = _deep_copy(raw)
    node: dict[str, Any] = result
    for key in keys[:-1]:
        if isinstance(node, list):  # a list of named entries (memory levels): by name
            child = next((e for e in node if isinstance(e, dict) and e.get("name") == key), None)
            if child is None:
                child = {"name": key}
                node.append(child)
            node = child
            continue
        child = node.get(key)
        if not isinstance(child, dict | list):
            child = [] if key in _NAMED_LISTS else {}
            node[key] = child
        node = child
    node[keys[-1]] = value
    return result


_NAMED_LISTS = frozenset({"memory"})
"""Sections that are lists of entries addressed by their ``name`` in overrides."""


_UNIT_OF_SUFFIX = {"_ns": "ns", "_ghz": "GHz", "_bytes": "B", "_gbps": "GB/s", "_gsps": "GS/s"}
"""Unit-carrying field-name suffix -> the unit string a bare override number is read in."""


def unit_of_field(name: str, field: FieldInfo) -> str:
    """The unit a quantity field is stored in (its file key differs from its unit-carrying
    name, e.g. ``size`` / ``size_bytes``), or '' for a plain field."""
    if not field.alias or field.alias == name:
        return ""
    return next((unit for suffix, unit in _UNIT_OF_SUFFIX.items() if name.endswith(suffix)), "")


def _canonical_path(keys: Sequence[str], override: str) -> tuple[list[str], str]:
    """The file keys of the field ``keys`` names, and the unit of a unit-named last key.

    A list of named sections (``memory``) takes an entry's name as its next key: an existing
    level is changed, a new one appended. Raises ConfigError unless ``keys`` names a field.
    """
    model: type[BaseModel] = ArchConfig
    canonical: list[str] = []
    unit = ""
    depth = 0
    while depth < len(keys):
        key = keys[depth]
        by_key = {(f.alias or n): f for n, f in model.model_fields.items()}
        by_key.update(model.model_fields)
        field = by_key.get(key)
        if field is None:
            where = ".".join(keys[:depth]) or "the top level"
            known = ", ".join(sorted(f.alias or n for n, f in model.model_fields.items()))
            raise ConfigError(
                f"{override}: no field {'.'.join(keys[: depth + 1])!r}; "
                f"fields of {where}: {known}"
            )
        name = next(n for n, f in model.model_fields.items() if f is field)
        canonical.append(field.alias or name)
        if key == name:
            unit = unit_of_field(name, field)
        nested = _section_type(field.annotation)
        if depth < len(keys) - 1:
            if nested is None:
                raise ConfigError(
                    f"{override}: {'.'.join(keys[: depth + 1])!r} is a value, not a section"
                )
            if typing.get_origin(field.annotation) is tuple:  # a named entry, e.g. memory.l2
                depth += 1
                canonical.append(keys[depth])
                if depth == len(keys) - 1:
                    raise ConfigError(
                        f"{override}: give a field of {'.'.join(keys)!r}, e.g. "
                        f"{'.'.join(keys)}.size=1MiB"
                    )
            model = nested
        depth += 1
    return canonical, unit


def _section_type(annotation: Any) -> type[BaseModel] | None:
    """The section model of a field: itself, or the entries of a list of named sections."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is tuple:
        entry = typing.get_args(annotation)[0]
        if isinstance(entry, type) and issubclass(entry, BaseModel):
            return entry
    return None


def _deep_copy(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return {k: _deep_copy(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_deep_copy(v) for v in raw]
    return raw


def validate_arch(raw: Mapping[str, Any], origin: str) -> ArchConfig:
    """Validate a raw mapping into an ArchConfig; errors name ``origin`` and the field path."""
    try:
        return ArchConfig.model_validate(raw)
    except ValidationError as exc:
        unknown = "unknown field (check the spelling; `cimsim describe` lists the fields)"
        names = _entry_names(raw)
        raise ConfigError(describe_validation_error(exc, origin, unknown, names=names)) from None


def _entry_names(raw: Mapping[str, Any]) -> dict[tuple[str, int], str]:
    """(section, index) -> name of each entry of the named lists, for error messages."""
    names = {}
    for section in _NAMED_LISTS:
        entries = raw.get(section)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                    names[(section, index)] = entry["name"]
    return names


def describe_validation_error(
    exc: ValidationError,
    origin: str,
    unknown_field: str,
    noun: str = "field",
    names: Mapping[tuple[str, int], str] | None = None,
) -> str:
    """One line per pydantic error: ``origin: field.path: what is wrong (got value)``; an
    entry of a named list is shown by its name (``names``: (section, index) -> name)."""
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) > 1 and names and (str(loc[0]), loc[1]) in names:
            loc[1] = names[(str(loc[0]), loc[1])]
        field = ".".join(str(part) for part in loc) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = unknown_field
        elif error["type"] == "missing":
            message = f"required {noun} is missing"
        got = error.get("input")
        shown = "" if error["type"] in ("missing",) or isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{origin}: {field}: {message}{shown}")
    return "\n".join(lines)
