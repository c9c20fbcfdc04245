"""The sweep file: a base configuration plus axes, resolved into fully validated points.

Every point is resolved before any work starts (arch via ``load_arch(base, overrides)``, each
workload built once), so a bad axis fails in the driver, naming the sweep file and the axis.
"""

import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cimsim.config import ArchConfig, apply_override, load_arch
from cimsim.config.loader import describe_validation_error, parse_yaml_mapping
from cimsim.errors import CimsimError, ConfigError, brief, cut
from cimsim.options import RunOptions
from cimsim.paths import is_file
from cimsim.runs import load_workload
from cimsim.sweep.evaluate import RUN_SETTINGS

MAX_POINTS = 100_000
"""Most points one sweep may have (a typo in a grid should not hang the resolution)."""

SPECIAL_AXES: tuple[str, ...] = ("arch", "workload", *RUN_SETTINGS)
"""Axes that are not architecture fields; every other axis is a dotted field path."""


class SweepFile(BaseModel):
    """A sweep file as written: base run settings and either a ``grid`` or ``points``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    arch: str = Field(min_length=1)
    """Base architecture: a preset name or a .yaml file (relative to the sweep file)."""
    workload: str = Field(min_length=1)
    """Base network: a built-in name or an .onnx file (relative to the sweep file)."""
    scheduler: Any = "layer_by_layer"
    """Scheduling policy of every point that does not sweep it (RunOptions.scheduler);
    this and the run options below are checked per point, as RunOptions."""
    duplication: Any = "none"
    """Weight duplication policy (RunOptions.duplication)."""
    placement: Any = "in_order"
    """Order in which PEs are handed out over the tiles (RunOptions.placement)."""
    extra_pes: Any = None
    """PEs duplication may use beyond one copy of every layer; null: every free PE."""
    batch: Any = 1
    """Inferences per run."""
    seed: Any = 0
    """Random seed of every run."""
    mode: Any = "event"
    """Timing: ``event`` (cycle-level) or ``estimate`` (closed form)."""
    reuse_mode: Any = None
    """Mode of the weight_reuse scheduler: RP, LL or HT (default HT; weight_reuse only)."""
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set")
    """Field overrides applied to every point before its axes, ``dotted.path: value``."""
    grid: dict[str, list[Any]] | None = None
    """Axes swept as a cartesian product, ``axis: [values]``, in file order."""
    points: list[dict[str, Any]] | None = None
    """Explicit points, each a mapping ``axis: value``; unnamed axes keep the base value."""

    @model_validator(mode="after")
    def _grid_or_points(self) -> Self:
        if (self.grid is None) == (self.points is None):
            raise ValueError("give exactly one of `grid` (a cartesian product) or `points`")
        if self.grid is not None and not self.grid:
            raise ValueError("`grid` has no axes")
        if self.points is not None and not self.points:
            raise ValueError("`points` is empty")
        return self


@dataclass(frozen=True)
class SweepPoint:
    """One fully resolved point of a sweep, keyed by a stable hash of what it simulates."""

    index: int
    """Position in the sweep (grid order or list order)."""
    key: str
    """sha256 of the canonical JSON of the resolved arch, the workload and the run settings."""
    axes: tuple[tuple[str, Any], ...]
    """The axis values this point sets, as written in the sweep file."""
    columns: tuple[tuple[str, Any], ...]
    """Result-table identity columns: arch, workload, ..., then each swept field by its
    resolved field path (units in the name, e.g. ``tile.crossbar.read_latency_ns``)."""
    arch: ArchConfig
    workload: str
    """Workload as written (built-in name or file)."""
    workload_ref: str
    """What ``load_workload`` is given: the name, or the file path resolved against the sweep."""
    options: RunOptions
    """Everything else the run is given."""

    @property
    def label(self) -> str:
        """Short human description: the axis values it sets."""
        return _label(dict(self.axes))


def load_sweep(path: Path) -> SweepFile:
    """Read and validate a sweep file; errors are ConfigErrors naming the file and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such sweep file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the sweep file: {exc}") from None
    raw = parse_yaml_mapping(text, str(path), "keys (arch, workload, grid or points, ...)")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as exc:
        allowed = ", ".join(sorted(f.alias or n for n, f in SweepFile.model_fields.items()))
        unknown = f"unknown key; a sweep file has: {allowed}"
        raise ConfigError(describe_validation_error(exc, str(path), unknown, "key")) from None


def resolve_points(sweep: SweepFile, path: Path) -> tuple[SweepPoint, ...]:
    """Every point of ``sweep`` resolved and validated; ``path`` is the sweep file (for
    messages and for resolving relative files). Raises ConfigError on the first bad axis."""
    base_dir = path.parent
    raw_points = _raw_points(sweep, path)
    axis_names = list(dict.fromkeys(name for point in raw_points for name in point))
    for name in sweep.overrides:
        _check_axis_name(name, path, "set key")
    for name in axis_names:
        _check_axis_name(name, path, "axis")
    base_overrides = [_override(k, v) for k, v in sweep.overrides.items()]
    field_axes = [name for name in axis_names if name not in SPECIAL_AXES]
    workloads: dict[str, tuple[str, Any]] = {}
    points: list[SweepPoint] = []
    seen: dict[str, int] = {}
    for index, axes in enumerate(raw_points):
        settings = {name: axes.get(name, getattr(sweep, name)) for name in SPECIAL_AXES}
        where = f"{path}: point {index} ({_label(axes)})"
        options = _options(settings, axes, path)
        overrides = base_overrides + [_override(k, v) for k, v in axes.items() if k in field_axes]
        arch_spec = _relative(str(settings["arch"]), base_dir, (".yaml", ".yml"))
        try:
            arch = load_arch(arch_spec, overrides)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        workload = str(settings["workload"])
        if workload not in workloads:
            workloads[workload] = _check_workload(workload, base_dir, path, "workload" in axes)
        key = _point_key(arch, workloads[workload][1], options)
        if key in seen:
            raise ConfigError(
                f"{where}: resolves to the same configuration as point {seen[key]}; "
                f"remove the duplicate"
            )
        seen[key] = index
        point = SweepPoint(
            index=index,
            key=key,
            axes=tuple(axes.items()),
            columns=_columns(settings, arch, field_axes),
            arch=arch,
            workload=workload,
            workload_ref=workloads[workload][0],
            options=options,
        )
        points.append(point)
    return tuple(points)


def _raw_points(sweep: SweepFile, path: Path) -> list[dict[str, Any]]:
    if sweep.points is not None:
        if len(sweep.points) > MAX_POINTS:
            raise ConfigError(
                f"{path}: {len(sweep.points)} points; at most {MAX_POINTS} are allowed in one "
                f"sweep: split it"
            )
        return [dict(point) for point in sweep.points]
    assert sweep.grid is not None
    names = list(sweep.grid)
    sizes = [len(values) for values in sweep.grid.values()]
    if math.prod(sizes) > MAX_POINTS:
        raise ConfigError(
            f"{path}: the grid has {math.prod(sizes)} points ({' x '.join(map(str, sizes))}); "
            f"at most {MAX_POINTS} are allowed in one sweep: split it or list `points`"
        )
    for name, values in sweep.grid.items():
        if not values:
            raise ConfigError(f"{path}: grid axis {brief(name)} is empty; give at least one value")
        seen: set[str] = set()
        for value in values:
            identity = json.dumps(value, sort_keys=True, default=str)
            if identity in seen:
                raise ConfigError(f"{path}: grid axis {brief(name)} repeats {brief(value)}")
            seen.add(identity)
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*sweep.grid.values())
    ]


def _check_axis_name(name: str, path: Path, kind: str) -> None:
    """A field path must name an architecture field (a typo is an error, not a new key)."""
    if name in SPECIAL_AXES and kind == "axis":
        return
    try:
        apply_override({}, f"{name}=0", str(path))
    except ConfigError as exc:
        detail = re.sub(r"^--set '[^']*': ", "", str(exc))
        special = f" (special axes: {', '.join(SPECIAL_AXES)})" if kind == "axis" else ""
        raise ConfigError(f"{path}: {kind} {brief(name)}: {detail}{special}") from None


def _options(settings: Mapping[str, Any], axes: Mapping[str, Any], path: Path) -> RunOptions:
    """The point's run options; a bad one is a ConfigError naming the file and the axis or
    key that set it."""
    for name in ("arch", "workload"):
        if not isinstance(settings[name], str) or not settings[name]:
            what = f"axis {name!r}" if name in axes else f"key {name!r}"
            raise ConfigError(
                f"{path}: {what}: must be a preset/network name or a file path "
                f"(got {brief(settings[name])})"
            )
    try:
        return RunOptions(**{name: settings[name] for name in RUN_SETTINGS})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if name in settings:
                what = f"axis {name!r}" if name in axes else f"key {name!r}"
                lines.append(f"{path}: {what}: {message} (got {brief(settings[name])})")
            else:
                lines.append(f"{path}: run options {_label(axes)}: {message}")
        raise ConfigError("\n".join(lines)) from None


def _check_workload(workload: str, base_dir: Path, path: Path, is_axis: bool) -> tuple[str, Any]:
    """(reference for load_workload, identity for the key); builds the network once."""
    ref = _relative(workload, base_dir, (".onnx",))
    try:
        graph = load_workload(ref)
    except CimsimError as exc:
        what = "axis 'workload'" if is_axis else "key 'workload'"
        raise ConfigError(f"{path}: {what}: {exc}") from None
    file = Path(ref)
    if is_file(file):
        return ref, {"file": file.name, "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}
    return ref, graph.name  # a zoo network's canonical spec: one key however it is written


def _relative(spec: str, base_dir: Path, suffixes: Sequence[str]) -> str:
    """A file named relative to the sweep file, if it exists there; else ``spec`` unchanged."""
    candidate = base_dir / spec
    if spec.endswith(tuple(suffixes)) and not Path(spec).is_absolute() and is_file(candidate):
        return str(candidate)
    return spec


def _override(name: str, value: Any) -> str:
    """``name=value`` for ``load_arch``; JSON is valid YAML, so values keep their type."""
    return f"{name}={json.dumps(value, default=str)}"


def _label(axes: Mapping[str, Any]) -> str:
    return cut(", ".join(f"{k}={cut(str(v), 40)}" for k, v in axes.items()) or "base", 200)


def _columns(
    settings: Mapping[str, Any], arch: ArchConfig, field_axes: Sequence[str]
) -> tuple[tuple[str, Any], ...]:
    columns: list[tuple[str, Any]] = [(name, settings[name]) for name in SPECIAL_AXES]
    for name in field_axes:
        field_path, value = _resolved_field(arch, name)
        columns.append((field_path, value))
    return tuple(columns)


def _resolved_field(arch: ArchConfig, dotted: str) -> tuple[str, Any]:
    """(field-name path, resolved value) of a file path like ``tile.crossbar.read_latency``."""
    node: Any = arch
    names = []
    for key in dotted.split("."):
        fields = type(node).model_fields
        name = next((n for n, f in fields.items() if key in (n, f.alias)), key)
        names.append(name)
        node = getattr(node, name)
    if isinstance(node, BaseModel):
        node = node.model_dump(mode="json")
    if not isinstance(node, str | int | float | bool) or node is None:
        node = json.dumps(node, sort_keys=True, default=str)
    return ".".join(names), node


def _point_key(arch: ArchConfig, workload: Any, settings: RunOptions) -> str:
    """The stable identity of a point: sha256 of canonical JSON of everything simulated.

    ``workload`` is the network's identity: its name, or a file's name and content hash.
    """
    identity = {
        "arch": arch.model_dump(mode="json"),
        "workload": workload,
        **settings.model_dump(mode="json", include=set(RUN_SETTINGS)),
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
