"""Reading architecture files and presets, and applying ``--set`` overrides.

This is the only code that reads configuration files. Every failure becomes a ConfigError
that names the file and the field path, with what is allowed.
"""

import types
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from cimsim.config.fields import unit_of
from cimsim.config.model import ArchConfig
from cimsim.config.yaml_io import load_yaml
from cimsim.errors import ConfigError, brief
from cimsim.paths import exists, is_file


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

    The cost tables the file names (``costs.tables``, relative to it) are read and held
    inline, and the chip is priced (cimsim.config.pricing): a table published for other chip
    fields, or an action without a price, fails here, before any simulation. Raises
    ConfigError naming the file (or preset) and the field at fault.
    """
    origin, raw, folder = _read_raw(spec)
    if isinstance(overrides, Mapping):
        for path, value in overrides.items():
            raw = set_field(raw, str(path), value)
    else:
        for override in overrides:
            raw = apply_override(raw, override, origin)
    return validate_arch(read_cost_tables(raw, folder, origin), origin)


def read_cost_tables(raw: Mapping[str, Any], folder: Path, origin: str) -> dict[str, Any]:
    """``raw`` with every ``costs.tables`` entry that is a path (relative to ``folder``)
    replaced by the file's mapping, which records the file it came from."""
    costs = raw.get("costs")
    tables = costs.get("tables") if isinstance(costs, Mapping) else None
    if not isinstance(tables, list) or all(not isinstance(t, str) for t in tables):
        return dict(raw)
    read = []
    for entry in tables:
        if not isinstance(entry, str):
            read.append(entry)
            continue
        path = folder / entry
        if not path.is_file():
            raise ConfigError(f"{origin}: costs.tables: {entry}: no such file (paths are "
                              f"relative to {folder})")  # fmt: skip
        table = parse_yaml_mapping(_read_text(path), str(path), "source, energy, area, leakage")
        read.append({**table, "file": str(path)})
    result = _deep_copy(raw)
    result["costs"]["tables"] = read
    return result


def _read_raw(spec: str | Path) -> tuple[str, dict[str, Any], Path]:
    """(origin for messages, the file's mapping, the folder its relative paths start from)."""
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or exists(path):
        if not is_file(path):
            raise ConfigError(f"{path}: no such architecture file")
        origin, text = str(path), _read_text(path)
        return origin, parse_yaml_mapping(text, origin, _EXPECTED), path.parent
    else:
        name = str(spec)
        if name not in preset_names():
            raise ConfigError(
                f"unknown architecture preset {brief(name)}; presets: {', '.join(preset_names())} "
                f"(or give the path of a .yaml file)"
            )
        origin = f"preset {name} ({name}.yaml)"
        text = (resources.files("cimsim.config") / "presets" / f"{name}.yaml").read_text()
    return origin, parse_yaml_mapping(text, origin, _EXPECTED), Path.cwd()


_EXPECTED = "sections (clock, noc, memory, tile, costs, ...)"


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
    if not sep or not all(k.strip() for k in path.split(".")):
        raise ConfigError(f"--set {brief(override)}: expected KEY.PATH=VALUE, e.g. tile.adc.bits=6")
    try:
        value = load_yaml(text)
    except yaml.YAMLError:
        value = text
    return set_field(raw, path, value, f"--set {brief(override)}")


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


def unit_of_field(name: str, field: FieldInfo) -> str:
    """The unit a quantity field is stored in (its file key differs from its unit-carrying
    name, e.g. ``size`` / ``size_bytes``), or '' for a plain field."""
    if not field.alias or field.alias == name:
        return ""
    return unit_of(name)


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
                f"{override}: no field {brief('.'.join(keys[: depth + 1]))}; "
                f"fields of {where}: {known}"
            )
        name = next(n for n, f in model.model_fields.items() if f is field)
        canonical.append(field.alias or name)
        if key == name:
            unit = unit_of_field(name, field)
        nested = _section_type(field.annotation)
        annotation = _without_none(field.annotation)
        if depth < len(keys) - 1 and typing.get_origin(annotation) is dict:
            depth += 1  # an entry of a mapping: costs.components.adc
            canonical.append(keys[depth])
            entry = _section_type(typing.get_args(annotation)[1])
            if entry is None:  # free-form values (model parameters): the rest are its keys
                return canonical + list(keys[depth + 1 :]), ""
            if depth == len(keys) - 1:
                raise ConfigError(f"{override}: give a field of {brief('.'.join(keys))}")
            model = entry
        elif depth < len(keys) - 1:
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


def _without_none(annotation: Any) -> Any:
    """``X`` of an optional ``X | None``; any other annotation as it is."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _section_type(annotation: Any) -> type[BaseModel] | None:
    """The section model of a field: itself, or the entries of a list of named sections."""
    annotation = _without_none(annotation)
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
    """Validate a raw mapping into an ArchConfig and price it (cimsim.config.pricing), so
    every command refuses the same files; errors name ``origin`` and the field path."""
    from cimsim.config.pricing import price_chip  # pricing builds on the validated model

    try:
        arch = ArchConfig.model_validate(raw)
    except ValidationError as exc:
        unknown = "unknown field (check the spelling; `cimsim describe` lists the fields)"
        names = _entry_names(raw)
        raise ConfigError(describe_validation_error(exc, origin, unknown, names=names)) from None
    price_chip(arch, origin)
    return arch


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
    entry of a named list is shown by its name (``names``: (section, index) -> name), the
    value shown is cut short (``errors.brief``) and at most ``MAX_ERROR_LINES`` are listed."""
    lines = []
    errors = exc.errors(include_url=False)
    for error in errors[:MAX_ERROR_LINES]:
        loc = list(error["loc"])
        if len(loc) > 1 and names and (str(loc[0]), loc[1]) in names:
            loc[1] = names[(str(loc[0]), loc[1])]
        field = ".".join(brief(part, 40).strip("'") for part in loc) or "(top level)"
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
