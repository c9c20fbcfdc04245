"""The priced chip (hwmodels ChipSpec) of an architecture, from its ``costs`` section.

One place turns the configuration into prices, before any simulation:

1. ``costs.use: model`` (or no components listed): every component from the hwmodels models
   (hwmodels.chip_builder). Otherwise each listed component as its entry says (table, model
   or explicit); memory levels without an entry are priced by the memory models.
2. A table row or explicit entry whose ``assumes`` differ from the chip is refused, naming
   the component, the field, both values and what to do. Never a silent fallback.
3. ``costs.tables`` (a user's ERT/ART) replace per-action energies, areas and leakages.
4. Every action the machine can count (hwmodels.actions) must have a price.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cimsim.config.cost_tables import apply_cost_table
from cimsim.config.costs import ComponentCosts
from cimsim.config.fields import field_at, parse_as, same_value, show
from cimsim.config.hardware import HardwareParams, hardware_params
from cimsim.config.model import ArchConfig
from cimsim.config.model_params import model_params
from cimsim.errors import ConfigError
from hwmodels.actions import machine_actions
from hwmodels.chip import ChipSpec, ComponentSpec, action_energy_pj
from hwmodels.chip_builder import MemorySpec, build_model_spec, memory_component
from hwmodels.component_costs import ChipContext, explicit_cost, model_cost, table_cost
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams
from hwmodels.technology import technology


@dataclass(frozen=True)
class PricedChip:
    """The priced chip and where each component's prices come from."""

    spec: ChipSpec
    note: str
    """One line on the pricing, for summaries."""
    pricing: Mapping[str, str]
    """Component -> how it is priced ("table", "model", "explicit", "+ <table file>")."""


def load_chip(spec: str, overrides: Sequence[str] = ()) -> ChipSpec:
    """The priced chip of a preset or architecture file (with ``--set`` overrides)."""
    from cimsim.config.loader import load_arch  # the loader prices through this module

    return price_chip(load_arch(spec, overrides)).spec


def price_chip(arch: ArchConfig, origin: str | None = None) -> PricedChip:
    """Price ``arch``; a ConfigError names ``origin`` (default: the architecture's name),
    the field and what to do."""
    where = origin or arch.name
    try:
        return _price(arch, where)
    except HwModelError as exc:
        raise ConfigError(f"{where}: {exc.field}: {exc.message}") from None


def _price(arch: ArchConfig, where: str) -> PricedChip:
    hw = hardware_params(arch)
    costs = arch.costs
    node = _node(arch, where)
    memories = memory_specs(arch)
    if costs.by_model:
        spec = _model_chip(arch, hw, node, memories, where)
        pricing = {c.name: "model" for c in spec.components}
        note = f"component models at {node} nm"
    else:
        _check_assumptions(arch, where)
        spec, pricing = _listed_chip(arch, hw, node, memories)
        note = _note(arch, pricing)
    for table in costs.tables:
        spec, pricing = apply_cost_table(spec, pricing, table)
    if costs.tables:
        note += "; tables " + ", ".join(t.label for t in costs.tables)
    _check_every_action_priced(spec, [m.name for m in memories], arch.noc.link_kinds, where)
    return PricedChip(spec, note, pricing)


def _node(arch: ArchConfig, where: str) -> int:
    try:
        return technology(arch.costs.technology_nm).node_nm
    except HwModelError as exc:
        raise ConfigError(f"{where}: costs.technology: {exc.message}") from None


def _note(arch: ArchConfig, pricing: Mapping[str, str]) -> str:
    forms = [form for form in ("table", "explicit", "model") if form in pricing.values()]
    counts = ", ".join(
        f"{sum(1 for v in pricing.values() if v == form)} by {form}" for form in forms
    )
    unlisted = [name for name in pricing if name not in arch.costs.components]
    note = f"costs of {arch.name}: {counts}"
    if unlisted:
        note += f" ({', '.join(unlisted)}: not listed, by the models)"
    return note


def _model_chip(
    arch: ArchConfig, hw: HardwareParams, node: int, memories: tuple[MemorySpec, ...], where: str
) -> ChipSpec:
    try:
        return build_model_spec(
            **_chip_fields(arch, hw, node), memories=memories, digital=hw.digital,
            link_kinds=arch.noc.link_kinds,
        )
    except HwModelError as exc:
        path = _CONFIG_PATH_OF_MODEL_FIELD.get(exc.field.split(".")[-1])
        field = path or f"costs model: {exc.field}"
        raise ConfigError(f"{where}: {field}: {exc.message}") from None


_CONFIG_PATH_OF_MODEL_FIELD = {
    "sample_rate_gsps": "tile.adc.sample_rate",
    "technology_nm": "costs.technology",
    "node_nm": "costs.technology",
}
"""hwmodels field names -> the configuration path a user sets them by."""


def _context(arch: ArchConfig, hw: HardwareParams, node: int) -> ChipContext:
    return ChipContext(
        node_nm=node,
        clock_ghz=hw.clock_ghz,
        crossbar=hw.crossbar,
        dac=hw.dac,
        adc=hw.adc,
        adc_kind=arch.costs.adc_kind,
        noc=hw.noc,
        crossbars_per_pe=arch.tile.pe.crossbars,
        adcs_per_pe=arch.tile.adc.per_pe,
        input_bits=arch.precision.activation_bits,
    )


def _listed_chip(
    arch: ArchConfig, hw: HardwareParams, node: int, memories: tuple[MemorySpec, ...]
) -> tuple[ChipSpec, dict[str, str]]:
    """Every listed component in name order, then the memory levels no entry names, then
    (by the models) the components whose actions the machine counts that no entry names."""
    ctx = _context(arch, hw, node)
    by_name = {memory.name: memory for memory in memories}
    components: list[ComponentSpec] = []
    pricing: dict[str, str] = {}
    for name, entry in sorted(arch.costs.components.items()):
        try:
            components.append(_component(name, entry, arch, ctx, by_name.get(name)))
        except HwModelError as exc:
            raise HwModelError(f"costs.components.{name}.{exc.field}", exc.message) from None
        pricing[name] = entry.form
    for memory in memories:
        if memory.name not in arch.costs.components:
            components.append(memory_component(memory, node))
            pricing[memory.name] = "model"
    listed = {component.name for component in components}
    levels = [m.name for m in memories]
    counted = dict.fromkeys(name for name, _ in machine_actions(levels, arch.noc.link_kinds))
    missing = [name for name in counted if name not in listed]
    if missing:  # a file that prices a few of the counted components: models price the rest
        model = _model_chip(arch, hw, node, memories, arch.name)
        for name in missing:
            components.append(model.component(name))
            pricing[name] = "model"
    tile_buffer = memories[0].buffer or BufferParams()
    spec = ChipSpec(**_chip_fields(arch, hw, node), components=tuple(components),
                    tile_buffer=tile_buffer, source=arch.source)  # fmt: skip
    return spec, pricing


def _chip_fields(arch: ArchConfig, hw: HardwareParams, node: int) -> dict[str, Any]:
    """The ChipSpec fields both ways of pricing take from the architecture."""
    return {
        "name": arch.name,
        "technology_nm": node,
        "clock_ghz": hw.clock_ghz,
        "tiles": arch.tiles,
        "pes_per_tile": arch.tile.pes,
        "crossbars_per_pe": arch.tile.pe.crossbars,
        "adcs_per_pe": arch.tile.adc.per_pe,
        "crossbar": hw.crossbar,
        "dac": hw.dac,
        "adc": hw.adc,
        "noc": hw.noc,
        "adc_kind": arch.costs.adc_kind,
        "weight_bits": arch.precision.weight_bits,
        "input_bits": arch.precision.activation_bits,
    }


def _placement(name: str, arch: ArchConfig, memory: MemorySpec | None) -> tuple[str, float, bool]:
    """(level, count, whether the architecture fixes the count) of a component it defines;
    KeyError for a component it does not define."""
    tile = arch.tile
    if memory is not None:
        return memory.level, memory.count, True
    fixed = {
        "crossbar": ("pe", tile.pe.crossbars),
        "dac": ("pe", tile.pe.crossbars * tile.crossbar.rows),
        "sample_hold": ("pe", tile.pe.crossbars * tile.crossbar.cols),
        "adc": ("pe", tile.adc.per_pe),
    }
    if name in fixed:
        return (*fixed[name], True)
    defaults = {  # what hwmodels.chip_builder builds
        "shift_add": ("pe", tile.adc.per_pe),
        "input_register": ("pe", 1),
        "output_register": ("pe", 1),
        "router": ("tile", 1),
        "digital": ("tile", tile.digital.lanes),
        "activation": ("tile", 2),
        "pooling": ("tile", 1),
        "link": ("external", 1),
        "interposer": ("external", 1),
        "tsv": ("external", 1),
        "miv": ("external", 1),
        "rram": ("external", 1),
    }
    return (*defaults[name], False)


def _component(
    name: str, entry: ComponentCosts, arch: ArchConfig, ctx: ChipContext, memory: MemorySpec | None
) -> ComponentSpec:
    try:
        level, count, fixed = _placement(name, arch, memory)
    except KeyError:
        if entry.level is None or entry.count is None:
            raise HwModelError(
                "count", "the architecture does not define this component: give level and count"
            ) from None
        level, count, fixed = entry.level, entry.count, False
    if entry.count is not None:
        if fixed:
            raise HwModelError("count", f"is fixed by the architecture ({count:g}); remove it")
        count = entry.count
    level = entry.level or level
    form = entry.form
    if form == "table":
        row = entry.table
        assert row is not None
        cost, rate = table_cost(name, ctx, power_mw=row.power_mw, area_mm2=row.area_mm2,
                                instances=row.instances, leakage_fraction=row.leakage_fraction,
                                peak_rate_per_ns=row.peak_rate_per_ns)  # fmt: skip
    elif form == "explicit":
        given = entry.explicit
        assert given is not None
        cost, rate = explicit_cost(name, ctx, energy_pj=given.energy_pj, area_mm2=given.area_mm2,
                                   leakage_mw=given.leakage_mw, latency_ns=given.latency_ns,
                                   peak_action=given.peak_action,
                                   peak_rate_per_ns=given.peak_rate_per_ns)  # fmt: skip
    elif memory is not None:
        model_params("memory_level", entry.model or {})  # no parameters of its own
        spec = memory_component(replace(memory, level=level), ctx.node_nm)
        return replace(spec, source=entry.source)
    else:
        cost, rate = model_cost(name, ctx, model_params(name, entry.model or {}))
    return ComponentSpec(name, level, count, cost, rate, entry.source)


def _check_assumptions(arch: ArchConfig, where: str) -> None:
    """Refuse table rows and explicit entries published for another chip: one line per
    component at fault (each field, the figures' value and the chip's), then what to do."""
    problems: list[str] = []
    names: list[str] = []
    for name, entry in sorted(arch.costs.components.items()):
        form = entry.form
        if form == "model":
            continue
        given = entry.table if form == "table" else entry.explicit
        assert given is not None
        assumed = {**arch.costs.assumes, **given.assumes}
        differing = {path: _differs(arch, path, raw) for path, raw in assumed.items()}
        differences = [text for text in differing.values() if text]
        if differences:
            own = any(differing[path] for path in given.assumes)
            field = f"costs.components.{name}.{form}.assumes" if own else "costs.assumes"
            problems.append(f"{where}: {field}: the {form} figures of {name} are for "
                            f"{'; '.join(differences)}")  # fmt: skip
            names.append(name)
    if problems:
        switches = " ".join(f"--set costs.components.{n}.use=model" for n in names)
        problems.append(
            f"  what to do: price {'it' if len(names) == 1 else 'them'} by the models "
            f"({switches}), give figures for this chip (use: explicit, or a costs.tables "
            f"file), or price every component by the models (--set costs.use=model)"
        )
        raise ConfigError("\n".join(problems))


def _differs(arch: ArchConfig, path: str, raw: Any) -> str:
    """'' if the chip's ``path`` equals ``raw``; else 'path = table value, the chip has X'."""
    try:
        value, info, name = field_at(arch, path)
    except KeyError as exc:
        raise ConfigError(f"{arch.name}: assumes: {exc.args[0]} (a dotted field path, as "
                          f"--set takes it)") from None  # fmt: skip
    try:
        expected = parse_as(info, raw)
    except ValueError as exc:
        raise ConfigError(f"{arch.name}: assumes: {path}: {raw!r}: {exc}") from None
    if same_value(expected, value):
        return ""
    return f"{path} = {raw}, the chip has {show(value, name)}"


def _check_every_action_priced(
    spec: ChipSpec, levels: list[str], link_kinds: Sequence[str], where: str
) -> None:
    """Every (component, action) the machine can count has a price, or a ConfigError."""
    priced = action_energy_pj(spec)
    names = {c.name for c in spec.components}
    for component, action in machine_actions(levels, link_kinds):
        if (component, action) in priced:
            continue
        if component not in names:
            problem = f"the chip has no component {component!r} to price it"
        else:
            have = ", ".join(sorted(a for c, a in priced if c == component))
            problem = f"component {component} prices only {have}"
        raise ConfigError(
            f"{where}: costs: the machine counts {component}.{action} but {problem}; add it "
            f"under costs.components.{component} or in a costs.tables file (energy: "
            f"{component}: {action}: <pJ>)"
        )


def memory_specs(arch: ArchConfig) -> tuple[MemorySpec, ...]:
    """Every memory level of ``arch`` as the cost models price it."""
    specs = []
    for level in arch.memory:
        name = level.name
        if level.scope == "off_chip":
            specs.append(MemorySpec(name, "external", len(level.routers), level.technology))
            continue
        try:
            buffer = BufferParams(
                size_bytes=int(level.size_bytes or 0),
                bandwidth_gbps=level.bandwidth_gbps,
                access_latency_ns=level.access_latency_ns,
            )
        except HwModelError as exc:
            raise ConfigError(f"{arch.name}: memory.{name}.{exc.field}: {exc.message}") from None
        if level.scope == "tile":
            specs.append(MemorySpec(name, "tile", 1, level.technology, buffer))
        else:
            instances = len(level.routers) if level.scope == "chip" else _groups(arch, level.group)
            specs.append(MemorySpec(name, "chip", instances, level.technology, buffer))
    return tuple(specs)


def _groups(arch: ArchConfig, group: tuple[int, int] | None) -> int:
    """Instances of a group level: blocks of each chiplet's or tier's mesh."""
    rows, cols = group or (1, 1)
    return -(-arch.noc.rows // rows) * -(-arch.noc.cols // cols) * arch.noc.units
