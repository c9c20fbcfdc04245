"""The cost of one component from a paper's table row, a model, or per-action figures.

Pure constructors from values (no file reading: cimsim.config reads the costs section of an
architecture file and calls these). Three forms, as an architecture file gives them:

- ``table_cost``: a paper's row, the power and area of a group of ``instances`` instances
  when fully busy (hwmodels.cost.from_table_power); the peak action's energy follows from the
  rate at which one busy instance runs it (``ChipContext.default_rate`` or given);
- ``model_cost``: the models of docs/hardware-models.md section 3, with their parameters
  (field names of the parameter dataclasses, units in the names, ``MODEL_FIELDS``);
- ``explicit_cost``: per-action energies, area and leakage of one instance.

Each returns the ComponentCost and the rate of its peak action (per ns, per busy instance).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from hwmodels.actions import actions_of
from hwmodels.chip import default_peak_rate_per_ns
from hwmodels.chip_builder import register_params
from hwmodels.converters import AdcParams, DacParams
from hwmodels.converters.cost import adc_cost, dac_cost, sample_hold_cost
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
from hwmodels.noc.cost import (
    DIE_LINK_BIT_ENERGY_PJ,
    DieLinkParams,
    LinkParams,
    RouterParams,
    die_link_cost,
    die_link_params,
    link_cost,
    router_cost,
)

DIGITAL_UNITS: tuple[str, ...] = ("shift_add", "tile_shift_add", "activation", "pooling")
"""Fixed-function digital units (action ``op``, hwmodels.digital.digital_unit_cost)."""
CONTROL_UNITS: tuple[str, ...] = ("control", "tile_control", "edram_controller")
"""Control logic (action ``active_cycle``, one per busy clock cycle)."""
BUSES: tuple[str, ...] = ("tile_bus", "offchip_link")
"""Wires priced per byte moved (action ``transfer_byte``)."""


@dataclass(frozen=True)
class ChipContext:
    """The chip values a component's cost depends on (node, clock, arrays, converters, NoC)."""

    node_nm: int
    """CMOS node of the periphery, nm."""
    clock_ghz: float
    """Digital clock, GHz."""
    crossbar: CrossbarParams
    dac: DacParams
    adc: AdcParams
    adc_kind: str
    """ADC architecture (hwmodels.converters.cost.ADC_KINDS)."""
    noc: NocParams
    crossbars_per_pe: int
    adcs_per_pe: int
    input_bits: int = 8
    """Bits per input activation (sizes the model's input register)."""

    def default_rate(self, name: str) -> float | None:
        """Busy rate of ``name``'s peak action where a rule exists (hwmodels.chip)."""
        return default_peak_rate_per_ns(
            name,
            crossbar=self.crossbar,
            adc=self.adc,
            crossbars_per_pe=self.crossbars_per_pe,
            adcs_per_pe=self.adcs_per_pe,
            clock_ghz=self.clock_ghz,
        )


def peak_action_of(name: str) -> tuple[str, dict[str, float]]:
    """(peak action, other actions as multiples of its energy) of a table-form component.

    A buffer or register (any name without actions of its own) reads and writes bytes,
    writes costing as much as reads (cimsim assumption, docs/hardware-models.md 3.6).
    """
    if name == "crossbar":
        return "mvm_step", {"row_activation": 0.0, "column_activation": 0.0}
    fixed = {"dac": "drive", "sample_hold": "sample", "adc": "conversion", "router": "flit_hop",
             "link": "flit_hop", "rram": "cell_write", "digital": "element_op"}  # fmt: skip
    if name in fixed:
        return fixed[name], {}
    if name in DIGITAL_UNITS:
        return "op", {}
    if name in BUSES:
        return "transfer_byte", {}
    if name in CONTROL_UNITS:
        return "active_cycle", {}
    return "read_byte", {"write_byte": 1.0}


def table_cost(
    name: str,
    ctx: ChipContext,
    *,
    power_mw: float,
    area_mm2: float,
    instances: float,
    leakage_fraction: float = 0.0,
    peak_rate_per_ns: float | None = None,
) -> tuple[ComponentCost, float]:
    """A paper's row: ``instances`` instances draw ``power_mw`` fully busy, on ``area_mm2``."""
    rate = peak_rate_per_ns if peak_rate_per_ns is not None else ctx.default_rate(name)
    if rate is None:
        raise HwModelError("peak_rate", f"needed for component {name!r} (no rule gives it)")
    peak_action, others = peak_action_of(name)
    latency: dict[str, float] = {}
    if name == "crossbar":
        others["cell_read"] = 1.0 / (ctx.crossbar.rows * ctx.crossbar.cols)
        latency["mvm_step"] = ctx.crossbar.read_latency_ns
    if name == "adc":
        latency["conversion"] = ctx.adc.conversion_ns
    cost = from_table_power(
        power_mw=power_mw,
        area_mm2=area_mm2,
        count=instances,
        peak_action=peak_action,
        peak_rate_per_ns=rate,
        leakage_fraction=leakage_fraction,
        other_actions=others,
        latency_ns=latency,
    )
    return cost, rate


def explicit_cost(
    name: str,
    ctx: ChipContext,
    *,
    energy_pj: Mapping[str, float],
    area_mm2: float = 0.0,
    leakage_mw: float = 0.0,
    latency_ns: Mapping[str, float] | None = None,
    peak_action: str | None = None,
    peak_rate_per_ns: float | None = None,
) -> tuple[ComponentCost, float]:
    """Per-instance figures as given; the peak action defaults to the component's usual one."""
    if not energy_pj:
        raise HwModelError("energy", "at least one action is needed")
    check_actions(name, energy_pj, "energy")
    peak = peak_action
    if peak is None:
        peak = peak_action_of(name)[0]
        if peak not in energy_pj:
            peak = next(iter(energy_pj))
    cost = ComponentCost(
        area_mm2=area_mm2,
        leakage_mw=leakage_mw,
        energy_pj=energy_pj,
        peak_action=peak,
        latency_ns=latency_ns or {},
    )
    rate = peak_rate_per_ns if peak_rate_per_ns is not None else ctx.default_rate(name) or 0.0
    return cost, rate


def check_actions(name: str, actions: Mapping[str, Any], field: str) -> None:
    """Raise HwModelError unless every key of ``actions`` is an action ``name`` defines."""
    known = actions_of(name)
    for action in actions:
        if action not in known:
            raise HwModelError(
                f"{field}.{action}",
                f"{name} has no action {action!r}; its actions: {', '.join(sorted(known))}",
            )


MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "crossbar": (*(f.name for f in fields(CrossbarEnergyParams)), "area_mm2"),
    "rram": tuple(f.name for f in fields(RramWriteParams)),
    "link": tuple(f.name for f in fields(LinkParams)),
    **{kind: tuple(f.name for f in fields(DieLinkParams)) for kind in DIE_LINK_BIT_ENERGY_PJ},
    "router": ("ports",),
    "digital": ("bits",),
    "buffer": ("technology", *(f.name for f in fields(BufferParams))),
    "memory_level": (),
    "dram": ("technology",),
}
"""Parameters each model takes (units in the names); a fixed-function model (adc, dac,
sample_hold, the digital units) takes none. ``buffer`` is any register or buffer that is not
a memory level of the architecture; ``memory_level`` a level, priced on the size, bandwidth,
latency and technology the architecture gives it."""


def model_kind(name: str, memory_levels: frozenset[str] = frozenset()) -> str:
    """The key of MODEL_FIELDS (or "" for a model without parameters) ``name`` is built by."""
    if name in memory_levels:
        return "memory_level"
    if name in MODEL_FIELDS and name != "buffer":
        return name
    if name in ("adc", "dac", "sample_hold", *DIGITAL_UNITS):
        return ""
    if name in (*BUSES, *CONTROL_UNITS):
        raise HwModelError("model", f"no model for component {name!r}: give a table row")
    return "buffer"


def model_cost(
    name: str, ctx: ChipContext, params: Mapping[str, Any]
) -> tuple[ComponentCost, float]:
    """``name`` priced by its model with ``params`` (MODEL_FIELDS; defaults where omitted).

    Memory levels of the architecture are priced by cimsim.config on their own parameters;
    this prices every other component.
    """
    kind = model_kind(name)
    allowed = MODEL_FIELDS.get(kind, ())
    for key in params:
        if key not in allowed:
            shown = ", ".join(allowed) or "none"
            raise HwModelError(f"model.{key}", f"not a parameter of the {name} model ({shown})")
    values = dict(params)
    node = ctx.node_nm
    rate = ctx.default_rate(name)
    if name == "crossbar":
        area = values.pop("area_mm2", None)
        if "read_pulse_ns" not in values:  # the current flows for the whole read at most
            default_pulse = CrossbarEnergyParams().read_pulse_ns
            values["read_pulse_ns"] = min(default_pulse, ctx.crossbar.read_latency_ns)
        cost = crossbar_cost(ctx.crossbar, _build(CrossbarEnergyParams, values), node, area)
    elif name == "adc":
        cost = adc_cost(ctx.adc, ctx.adc_kind, node)
    elif name == "dac":
        cost = dac_cost(ctx.dac, node)
    elif name == "sample_hold":
        cost = sample_hold_cost(node)
    elif name in DIGITAL_UNITS:
        cost = digital_unit_cost("shift_add" if name == "tile_shift_add" else name, node)
    elif name == "digital":
        lane = DigitalParams(clock_ghz=ctx.clock_ghz)
        cost = vector_lane_cost(lane, values.get("bits", 8), node)
    elif name == "router":
        router = RouterParams(ports=values.get("ports", 8), clock_ghz=ctx.clock_ghz)
        cost, rate = router_cost(ctx.noc, router, node), router.ports * ctx.clock_ghz
    elif name == "link":
        cost, rate = link_cost(ctx.noc, _build(LinkParams, values), node), 0.0
    elif name in DIE_LINK_BIT_ENERGY_PJ:
        try:
            link = die_link_params(name, values.get("energy_pj_per_bit"))
        except HwModelError as exc:
            raise HwModelError(f"model.{exc.field}", exc.message) from None
        cost, rate = die_link_cost(ctx.noc, link), 0.0
    elif name == "dram":
        cost, rate = dram_cost(dram_preset(values.get("technology", "lpddr4"))), 0.0
    elif name == "rram":
        cost, rate = rram_write_cost(_build(RramWriteParams, values)), 0.0
    else:
        technology = values.pop("technology", "sram")
        registers = register_params(ctx.crossbar, ctx.dac, ctx.adc, ctx.crossbars_per_pe,
                                    ctx.adcs_per_pe, ctx.input_bits)  # fmt: skip
        sized = dict(zip(("input_register", "output_register"), registers, strict=True))
        base = asdict(sized[name]) if name in sized else {}  # a register sized by the chip
        cost = buffer_cost(_build(BufferParams, {**base, **values}), technology, node)
        rate = 1.0 / cost.latency_ns["read_byte"]
    return cost, 0.0 if rate is None else rate


def _build(cls: type, values: Mapping[str, Any]) -> Any:
    """A parameter dataclass from its field values (HwModelError names a bad field)."""
    try:
        return cls(**values)
    except HwModelError as exc:
        raise HwModelError(f"model.{exc.field}", exc.message) from None


def override_cost(
    cost: ComponentCost,
    *,
    energy_pj: Mapping[str, float] | None = None,
    area_mm2: float | None = None,
    leakage_mw: float | None = None,
) -> ComponentCost:
    """``cost`` with the given per-action energies, area or leakage replaced (a user's
    energy and area table over a preset's, the Accelergy ERT/ART idea)."""
    energies = {**cost.energy_pj, **(energy_pj or {})}
    return replace(
        cost,
        energy_pj=energies,
        area_mm2=cost.area_mm2 if area_mm2 is None else area_mm2,
        leakage_mw=cost.leakage_mw if leakage_mw is None else leakage_mw,
    )
