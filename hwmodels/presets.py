"""Load a ChipSpec from a YAML data file (the presets in ``hwmodels/presets/*.yaml``).

File layout (every number's unit is in its key; every value carries its source in a comment):

    name, source, technology_nm, clock_ghz, tiles, pes_per_tile, crossbars_per_pe,
    adcs_per_pe, weight_bits, input_bits           scalars (ChipSpec fields)
    crossbar: {rows, cols, cell_bits, read_latency_ns}
    dac: {bits}
    adc: {bits, sample_rate_gsps, kind}
    noc: {flit_bytes, router_latency_ns, link_bandwidth_gbps}
    tile_buffer: {size_bytes, bandwidth_gbps, access_latency_ns}
    base: <preset>          optional: start from that preset and override what this file sets
    components:
      <name>:               a component name of hwmodels.chip (e.g. adc, tile_buffer, router)
        level: pe | tile | chip | external
        count: instances per parent
        source: text
        and exactly one of
        table:    {power_mw, area_mm2, instances, leakage_fraction, peak_rate_per_ns}
                  a paper's table row: totals for ``instances`` (default: count) instances,
                  converted by hwmodels.cost.from_table_power
        model:    {...}  parameters of the component's model (see _model_cost)
        explicit: {area_mm2, leakage_mw, energy_pj: {action: pJ}, latency_ns: {action: ns},
                   peak_action, peak_rate_per_ns}   per-instance figures

Any error (unknown key, negative or missing value, unknown technology node, an ADC faster
than its node allows) raises HwModelError whose field starts with the file name and the
key path, e.g. ``isaac.yaml: components.adc.table.power_mw``.
"""

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from hwmodels.chip import ChipSpec, ComponentSpec, default_peak_rate_per_ns
from hwmodels.converters import AdcParams, DacParams
from hwmodels.converters.cost import adc_cost, check_adc_speed, dac_cost, sample_hold_cost
from hwmodels.cost import ComponentCost, from_table_power
from hwmodels.crossbar import CrossbarParams
from hwmodels.crossbar.energy import (
    CrossbarEnergyParams,
    RramWriteParams,
    crossbar_cost,
    rram_write_cost,
)
from hwmodels.digital import DigitalParams, digital_unit_cost, vector_lane_cost
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams
from hwmodels.memory.dram import dram_cost, dram_preset
from hwmodels.memory.sram import buffer_cost
from hwmodels.noc import NocParams
from hwmodels.noc.cost import LinkParams, RouterParams, link_cost, router_cost
from hwmodels.technology import technology
from hwmodels.yaml_io import load_yaml

PRESET_NAMES: tuple[str, ...] = ("isaac", "puma", "neurosim", "compact_4x4", "compact_6x6")
"""Presets shipped in hwmodels/presets/."""

_SCALARS = (
    "technology_nm",
    "clock_ghz",
    "tiles",
    "pes_per_tile",
    "crossbars_per_pe",
    "adcs_per_pe",
    "weight_bits",
    "input_bits",
)
_SECTIONS = ("crossbar", "dac", "adc", "noc", "tile_buffer", "components")
_TOP_KEYS = frozenset((*_SCALARS, *_SECTIONS, "name", "source", "description", "base"))
_COMPONENT_KEYS = frozenset(("level", "count", "source", "table", "model", "explicit"))
_TABLE_KEYS = frozenset(
    ("power_mw", "area_mm2", "instances", "leakage_fraction", "peak_rate_per_ns")
)
_EXPLICIT_KEYS = frozenset(
    ("area_mm2", "leakage_mw", "energy_pj", "latency_ns", "peak_action", "peak_rate_per_ns")
)
_BUFFERS = ("input_register", "output_register", "tile_output_register", "register_file")
_BUFFERS += ("tile_buffer", "global_buffer", "receive_buffer")
_BUFFERS += ("instruction_memory", "tile_instruction_memory")
_CONTROL = ("control", "tile_control", "edram_controller")
_DIGITAL_UNITS = ("shift_add", "tile_shift_add", "activation", "pooling")


def _peak_action(name: str) -> tuple[str, dict[str, float]]:
    """(peak action, other actions as multiples of its energy) of a table-form component."""
    if name == "crossbar":
        return "mvm_step", {"row_activation": 0.0, "column_activation": 0.0}
    fixed = {"dac": "drive", "sample_hold": "sample", "adc": "conversion", "router": "flit_hop"}
    if name in fixed:
        return fixed[name], {}
    if name in _DIGITAL_UNITS:
        return "op", {}
    if name == "digital":
        return "element_op", {}
    if name in _BUFFERS:
        return "read_byte", {"write_byte": 1.0}
    if name in ("tile_bus", "offchip_link"):
        return "transfer_byte", {}
    if name in _CONTROL:
        return "active_cycle", {}
    raise HwModelError("components", f"no table-form actions for component {name!r}")


def _check_keys(data: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    if not isinstance(data, Mapping):
        raise HwModelError(path, f"must be a mapping, got {type(data).__name__}")
    for key in data:
        if key not in allowed:
            raise HwModelError(f"{path}.{key}" if path else key, "unknown field")


def _params(cls: type, data: Mapping[str, Any] | None, path: str) -> Any:
    """Build a parameter dataclass from a mapping; unknown keys are errors."""
    data = data or {}
    fields = frozenset(cls.__dataclass_fields__)
    _check_keys(data, fields, path)
    try:
        return cls(**data)
    except HwModelError as exc:
        raise HwModelError(f"{path}.{exc.field}", exc.message) from None


class _Arch:
    """The architecture part of a preset, needed to build component costs."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.node_nm: int = technology(data["technology_nm"]).node_nm
        self.clock_ghz: float = data["clock_ghz"]
        self.crossbars_per_pe: int = data["crossbars_per_pe"]
        self.adcs_per_pe: int = data["adcs_per_pe"]
        self.crossbar: CrossbarParams = _params(CrossbarParams, data.get("crossbar"), "crossbar")
        self.dac: DacParams = _params(DacParams, data.get("dac"), "dac")
        adc_data = dict(data.get("adc") or {})
        self.adc_kind: str = adc_data.pop("kind", "sar")
        self.adc: AdcParams = _params(AdcParams, adc_data, "adc")
        try:
            check_adc_speed(self.adc, self.adc_kind, self.node_nm)
        except HwModelError as exc:
            raise HwModelError(f"adc.{exc.field}", exc.message) from None
        self.noc: NocParams = _params(NocParams, data.get("noc"), "noc")
        self.tile_buffer: BufferParams = _params(
            BufferParams, data.get("tile_buffer"), "tile_buffer"
        )

    def default_rate(self, name: str) -> float | None:
        return default_peak_rate_per_ns(
            name,
            crossbar=self.crossbar,
            adc=self.adc,
            crossbars_per_pe=self.crossbars_per_pe,
            adcs_per_pe=self.adcs_per_pe,
            clock_ghz=self.clock_ghz,
        )


def _table_cost(name: str, table: Mapping[str, Any], count: float, arch: _Arch) -> ComponentCost:
    _check_keys(table, _TABLE_KEYS, "table")
    for key in ("power_mw", "area_mm2"):
        if key not in table:
            raise HwModelError(f"table.{key}", "missing")
    rate = table.get("peak_rate_per_ns", arch.default_rate(name))
    if rate is None:
        raise HwModelError("table.peak_rate_per_ns", f"needed for component {name!r}")
    peak_action, others = _peak_action(name)
    latency: dict[str, float] = {}
    if name == "crossbar":
        others["cell_read"] = 1.0 / (arch.crossbar.rows * arch.crossbar.cols)
        latency["mvm_step"] = arch.crossbar.read_latency_ns
    if name == "adc":
        latency["conversion"] = arch.adc.conversion_ns
    return from_table_power(
        power_mw=table["power_mw"],
        area_mm2=table["area_mm2"],
        count=table.get("instances", count),
        peak_action=peak_action,
        peak_rate_per_ns=rate,
        leakage_fraction=table.get("leakage_fraction", 0.0),
        other_actions=others,
        latency_ns=latency,
    )


def _explicit_cost(name: str, data: Mapping[str, Any]) -> ComponentCost:
    _check_keys(data, _EXPLICIT_KEYS, "explicit")
    energy_pj = data.get("energy_pj") or {}
    if not energy_pj:
        raise HwModelError("explicit.energy_pj", "at least one action is needed")
    peak = data.get("peak_action")
    if peak is None:
        try:
            peak = _peak_action(name)[0]
        except HwModelError:
            peak = None
        if peak not in energy_pj:
            peak = next(iter(energy_pj))
    return ComponentCost(
        area_mm2=data.get("area_mm2", 0.0),
        leakage_mw=data.get("leakage_mw", 0.0),
        energy_pj=energy_pj,
        peak_action=peak,
        latency_ns=data.get("latency_ns") or {},
    )


def _model_cost(name: str, model: Mapping[str, Any], arch: _Arch) -> ComponentCost:
    model = dict(model or {})
    node = arch.node_nm
    if name == "crossbar":
        area = model.pop("area_mm2", None)
        params = _params(CrossbarEnergyParams, model, "model")
        return crossbar_cost(arch.crossbar, params, node, area)
    if name == "adc":
        _check_keys(model, frozenset(), "model")
        return adc_cost(arch.adc, arch.adc_kind, node)
    if name == "dac":
        _check_keys(model, frozenset(), "model")
        return dac_cost(arch.dac, node)
    if name == "sample_hold":
        _check_keys(model, frozenset(), "model")
        return sample_hold_cost(node)
    if name in _DIGITAL_UNITS:
        _check_keys(model, frozenset(), "model")
        return digital_unit_cost("shift_add" if name == "tile_shift_add" else name, node)
    if name == "digital":
        _check_keys(model, frozenset(("bits",)), "model")
        params = DigitalParams(clock_ghz=arch.clock_ghz)
        return vector_lane_cost(params, model.get("bits", 8), node)
    if name in _BUFFERS:
        kind = model.pop("kind", "sram")
        if name == "tile_buffer" and not model:
            return buffer_cost(arch.tile_buffer, kind, node)
        return buffer_cost(_params(BufferParams, model, "model"), kind, node)
    if name == "router":
        _check_keys(model, frozenset(("ports",)), "model")
        router = RouterParams(ports=model.get("ports", 8), clock_ghz=arch.clock_ghz)
        return router_cost(arch.noc, router, node)
    if name == "link":
        return link_cost(arch.noc, _params(LinkParams, model, "model"), node)
    if name == "dram":
        _check_keys(model, frozenset(("technology",)), "model")
        return dram_cost(dram_preset(model.get("technology", "lpddr4")))
    if name == "rram":
        return rram_write_cost(_params(RramWriteParams, model, "model"))
    raise HwModelError("model", f"no model for component {name!r}")


def _model_rate(name: str, cost: ComponentCost, model: Mapping[str, Any], arch: _Arch) -> float:
    """Busy rate of a model-built component's peak action, per ns."""
    rate = arch.default_rate(name)
    if rate is not None:
        return rate
    if name in _BUFFERS:
        return 1.0 / cost.latency_ns["read_byte"]
    if name == "router":
        return model.get("ports", 8) * arch.clock_ghz
    return 0.0  # external components (link, dram, rram) draw no peak power


def _component(name: str, data: Mapping[str, Any], arch: _Arch) -> ComponentSpec:
    _check_keys(data, _COMPONENT_KEYS, "")
    forms = [form for form in ("table", "model", "explicit") if form in data]
    if len(forms) != 1:
        raise HwModelError("table", "give exactly one of table, model, explicit")
    for key in ("level", "count"):
        if key not in data:
            raise HwModelError(key, "missing")
    count = data["count"]
    form = forms[0]
    try:
        if form == "table":
            cost = _table_cost(name, data["table"], count, arch)
            rate = data["table"].get("peak_rate_per_ns", arch.default_rate(name))
        elif form == "model":
            cost = _model_cost(name, data["model"] or {}, arch)
            rate = _model_rate(name, cost, data["model"] or {}, arch)
        else:
            cost = _explicit_cost(name, data["explicit"])
            rate = data["explicit"].get("peak_rate_per_ns", arch.default_rate(name) or 0.0)
    except HwModelError as exc:
        prefix = "" if exc.field.startswith(form) else f"{form}."
        raise HwModelError(f"{prefix}{exc.field}", exc.message) from None
    return ComponentSpec(
        name=name,
        level=data["level"],
        count=count,
        cost=cost,
        peak_rate_per_ns=rate,
        source=data.get("source", ""),
    )


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive merge: mappings merge key by key, everything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def chip_spec_from_dict(data: Mapping[str, Any], origin: str = "<dict>") -> ChipSpec:
    """Build a ChipSpec from parsed YAML; errors name ``origin`` and the key path."""
    try:
        _check_keys(data, _TOP_KEYS, "")
        if "base" in data:
            base = _read_preset_data(data["base"])
            data = _merge(base, {k: v for k, v in data.items() if k != "base"})
        for key in (*_SCALARS[:6], "components"):
            if key not in data:
                raise HwModelError(key, "missing")
        arch = _Arch(data)
        components = []
        for name, component in sorted(data["components"].items()):
            try:
                components.append(_component(name, component, arch))
            except HwModelError as exc:
                sep = "." if exc.field else ""
                raise HwModelError(f"components.{name}{sep}{exc.field}", exc.message) from None
        return ChipSpec(
            name=data.get("name", origin),
            technology_nm=arch.node_nm,
            clock_ghz=arch.clock_ghz,
            tiles=data["tiles"],
            pes_per_tile=data["pes_per_tile"],
            crossbars_per_pe=arch.crossbars_per_pe,
            adcs_per_pe=arch.adcs_per_pe,
            crossbar=arch.crossbar,
            dac=arch.dac,
            adc=arch.adc,
            components=tuple(components),
            adc_kind=arch.adc_kind,
            weight_bits=data.get("weight_bits", 16),
            input_bits=data.get("input_bits", 16),
            noc=arch.noc,
            tile_buffer=arch.tile_buffer,
            source=data.get("source", ""),
        )
    except HwModelError as exc:
        if exc.field.startswith(f"{origin}: "):
            raise
        raise HwModelError(f"{origin}: {exc.field}", exc.message) from None


def _read_preset_data(name: str) -> dict[str, Any]:
    if name not in PRESET_NAMES:
        raise HwModelError("preset", f"unknown preset {name!r}; known: {', '.join(PRESET_NAMES)}")
    text = resources.files("hwmodels").joinpath("presets", f"{name}.yaml").read_text("utf-8")
    return load_yaml(text)


def load_preset(name: str) -> ChipSpec:
    """The ChipSpec of a shipped preset (one of PRESET_NAMES)."""
    return chip_spec_from_dict(_read_preset_data(name), f"{name}.yaml")


def load_chip_spec(path: str | Path) -> ChipSpec:
    """The ChipSpec described by the YAML file at ``path``."""
    path = Path(path)
    data = load_yaml(path.read_text(encoding="utf-8"))
    return chip_spec_from_dict(data, path.name)
