"""Chip-level aggregation: area, peak power, peak throughput and energy pricing.

A ``ChipSpec`` is a tiled chip: ``tiles`` tiles of ``pes_per_tile`` PEs, plus the component
instances at each level, each with a ``ComponentCost`` (per instance) and a count per parent:

    level "pe":       count per PE      (total = count * pes_per_tile * tiles)
    level "tile":     count per tile    (total = count * tiles; 0.25 = shared by 4 tiles)
    level "chip":     count per chip
    level "external": priced per action but outside the chip's area and power (DRAM, RRAM
                      programming, wire energy of links)

Peak power of a component = its leakage + the energy of its peak action x the rate at which
that action runs when the component is fully busy (``ComponentSpec.peak_rate_per_ns``; the
defaults are ``default_peak_rate_per_ns``). Peak throughput (``peak_ops_per_s``):

    step_ns    = max(crossbar read, (crossbars_per_pe * cols / adcs_per_pe) * ADC conversion)
    mvm_ns     = ceil(input_bits / dac_bits) * step_ns            (pipelined input steps)
    MACs/mvm   = rows * floor(cols / ceil(weight_bits / cell_bits))   per crossbar
    ops/s      = 2 * tiles * pes_per_tile * crossbars_per_pe * MACs/mvm / mvm_ns   (1 MAC = 2 ops)

Energy pricing (``price_actions``): energy = sum over (component, action) of count x the
component's energy for that action. Action names by component (what the models define):

    crossbar           mvm_step, row_activation, column_activation, cell_read
    dac                drive                (one row, one input step)
    sample_hold        sample               (one column, one input step)
    adc                conversion
    shift_add, tile_shift_add, activation, pooling     op
    digital            element_op, multiply (one lane, one element)
    input_register, output_register, tile_output_register, tile_buffer, global_buffer,
    register_file, receive_buffer, instruction_memory, tile_instruction_memory
                       read_byte, write_byte
    control, tile_control, edram_controller   active_cycle (one clock cycle busy)
    tile_bus, offchip_link                  transfer_byte
    router             flit_hop             (one flit through one router)
    link               flit_hop             (one flit over one link; external)
    dram               read_byte, write_byte (external)
    rram               cell_write           (one cell programmed; external)

A preset defines the components it has; pricing an action of a component it lacks raises
HwModelError naming both.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from hwmodels._validate import require_int_range, require_non_negative, require_positive
from hwmodels.converters import AdcParams, DacParams
from hwmodels.converters.cost import ADC_KINDS, check_adc_speed
from hwmodels.cost import ComponentCost, scale_cost
from hwmodels.crossbar import CrossbarParams, columns_per_weight, input_steps
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams
from hwmodels.noc import NocParams
from hwmodels.technology import scaling, technology

LEVELS: tuple[str, ...] = ("pe", "tile", "chip", "external")
"""Where a component sits; see the module docstring."""


@dataclass(frozen=True)
class ComponentSpec:
    """A component of the chip: its name, where it sits, how many, and what one costs."""

    name: str
    """Component name used in action counts, e.g. ``adc`` (module docstring)."""
    level: str
    """One of LEVELS."""
    count: float
    """Instances per parent (per PE, per tile or per chip); >= 0; fractional = shared."""
    cost: ComponentCost
    """Cost of one instance."""
    peak_rate_per_ns: float
    """Rate of the cost's peak action when one instance is fully busy, per ns; >= 0."""
    source: str = ""
    """Where the figures come from (paper and table, or model)."""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise HwModelError(
                f"{self.name}.level", f"must be one of {', '.join(LEVELS)}, got {self.level!r}"
            )
        require_non_negative(f"{self.name}.count", self.count)
        require_non_negative(f"{self.name}.peak_rate_per_ns", self.peak_rate_per_ns)


@dataclass(frozen=True)
class ChipSpec:
    """A whole chip: architecture, component parameters and the components' costs."""

    name: str
    """Preset or design name."""
    technology_nm: int
    """CMOS node of the periphery, nm; one of hwmodels.technology.SUPPORTED_NODES_NM."""
    clock_ghz: float
    """Digital clock, GHz; > 0."""
    tiles: int
    """Tiles on the chip; >= 1."""
    pes_per_tile: int
    """PEs (ISAAC: IMAs; PUMA: cores) per tile; >= 1."""
    crossbars_per_pe: int
    """Crossbar arrays per PE; >= 1."""
    adcs_per_pe: int
    """ADCs per PE, shared evenly by the PE's columns; >= 1."""
    crossbar: CrossbarParams
    """One crossbar array."""
    dac: DacParams
    """Row DACs."""
    adc: AdcParams
    """Column ADCs."""
    components: tuple[ComponentSpec, ...]
    """Every priced component, names unique; must include crossbar, dac and adc."""
    adc_kind: str = "sar"
    """ADC architecture, one of hwmodels.converters.cost.ADC_KINDS."""
    weight_bits: int = 16
    """Weight precision that defines one MAC for peak throughput; 1..32."""
    input_bits: int = 16
    """Input precision streamed per MVM; 1..32."""
    noc: NocParams = field(default_factory=NocParams)
    """Mesh routers and links (timing)."""
    tile_buffer: BufferParams = field(default_factory=BufferParams)
    """Tile buffer (timing)."""
    source: str = ""
    """Where the figures come from."""

    def __post_init__(self) -> None:
        technology(self.technology_nm)
        require_positive("clock_ghz", self.clock_ghz)
        require_int_range("tiles", self.tiles, 1, 1_000_000)
        require_int_range("pes_per_tile", self.pes_per_tile, 1, 100_000)
        require_int_range("crossbars_per_pe", self.crossbars_per_pe, 1, 100_000)
        require_int_range("adcs_per_pe", self.adcs_per_pe, 1, 1_000_000)
        require_int_range("weight_bits", self.weight_bits, 1, 32)
        require_int_range("input_bits", self.input_bits, 1, 32)
        if self.adc_kind not in ADC_KINDS:
            raise HwModelError("adc_kind", f"must be one of {', '.join(ADC_KINDS)}")
        try:
            check_adc_speed(self.adc, self.adc_kind, self.technology_nm)
        except HwModelError as exc:
            raise HwModelError(f"adc.{exc.field}", exc.message) from None
        names = [component.name for component in self.components]
        for name in names:
            if names.count(name) > 1:
                raise HwModelError("components", f"component {name!r} appears twice")
        for required in ("crossbar", "dac", "adc"):
            if required not in names:
                raise HwModelError("components", f"missing required component {required!r}")
        expected = {"crossbar": self.crossbars_per_pe, "adc": self.adcs_per_pe}
        for name, count in expected.items():
            component = self.component(name)
            if component.level != "pe" or component.count != count:
                raise HwModelError(
                    f"components.{name}",
                    f"must be at level 'pe' with count {count}, got "
                    f"{component.level!r} x {component.count}",
                )

    @property
    def dacs_per_pe(self) -> float:
        """Row DACs per PE (the count of the ``dac`` component)."""
        return self.component("dac").count

    def component(self, name: str) -> ComponentSpec:
        """The component called ``name``; unknown names raise HwModelError listing the known."""
        for component in self.components:
            if component.name == name:
                return component
        known = ", ".join(c.name for c in self.components)
        raise HwModelError("component", f"{self.name} has no component {name!r}; known: {known}")

    def total_count(self, component: ComponentSpec) -> float:
        """Instances of ``component`` on the whole chip (external components: their count)."""
        if component.level == "pe":
            return component.count * self.pes_per_tile * self.tiles
        if component.level == "tile":
            return component.count * self.tiles
        return component.count


def cols_per_adc(crossbar: CrossbarParams, crossbars_per_pe: int, adcs_per_pe: int) -> float:
    """Columns each ADC converts per input step (the PE's columns shared evenly)."""
    return crossbars_per_pe * crossbar.cols / adcs_per_pe


def step_ns(
    crossbar: CrossbarParams, adc: AdcParams, crossbars_per_pe: int, adcs_per_pe: int
) -> float:
    """Time of one pipelined input step: max(array read, conversions per ADC x conversion), ns."""
    conversions = cols_per_adc(crossbar, crossbars_per_pe, adcs_per_pe)
    return max(crossbar.read_latency_ns, conversions * adc.conversion_ns)


def default_peak_rate_per_ns(
    name: str,
    *,
    crossbar: CrossbarParams,
    adc: AdcParams,
    crossbars_per_pe: int,
    adcs_per_pe: int,
    clock_ghz: float,
) -> float | None:
    """Busy rate of a component's peak action, per ns per instance, where a rule exists.

    crossbar, dac, sample_hold: one action per input step; adc: its sample rate; digital
    units (shift_add, tile_shift_add, activation, pooling, digital) and control units: one
    action per clock cycle.
    Others (buffers, registers, buses, routers, links) return None: their rate follows from
    their bandwidth and is given where the component is built.
    """
    if name in ("crossbar", "dac", "sample_hold"):
        return 1.0 / step_ns(crossbar, adc, crossbars_per_pe, adcs_per_pe)
    if name == "adc":
        return adc.sample_rate_gsps
    if name in ("shift_add", "tile_shift_add", "activation", "pooling", "digital"):
        return clock_ghz
    if name in ("control", "tile_control", "edram_controller"):
        return clock_ghz
    return None


def _sorted_values(breakdown: Mapping[str, float]) -> list[float]:
    """Values of a breakdown in name order, so that sums are reproducible bit for bit."""
    return [breakdown[name] for name in sorted(breakdown)]


def _on_chip(spec: ChipSpec) -> tuple[ComponentSpec, ...]:
    return tuple(c for c in spec.components if c.level != "external")


def area_breakdown_mm2(spec: ChipSpec) -> dict[str, float]:
    """Area of all instances of each on-chip component, mm^2, by component name."""
    return {c.name: spec.total_count(c) * c.cost.area_mm2 for c in _on_chip(spec)}


def power_breakdown_mw(spec: ChipSpec) -> dict[str, float]:
    """Peak power (all components fully busy, plus leakage) by component name, mW."""
    return {
        c.name: spec.total_count(c) * c.cost.peak_power_mw(c.peak_rate_per_ns)
        for c in _on_chip(spec)
    }


def leakage_breakdown_mw(spec: ChipSpec) -> dict[str, float]:
    """Leakage power by component name (external ones included), mW."""
    return {c.name: spec.total_count(c) * c.cost.leakage_mw for c in spec.components}


def chip_area_mm2(spec: ChipSpec) -> float:
    """Total chip area, mm^2."""
    return sum(_sorted_values(area_breakdown_mm2(spec)))


def chip_power_mw(spec: ChipSpec) -> float:
    """Total peak chip power, mW."""
    return sum(_sorted_values(power_breakdown_mw(spec)))


def _tile_share(spec: ChipSpec, values: Mapping[str, float]) -> float:
    total = 0.0
    for component in _on_chip(spec):
        if component.level in ("pe", "tile"):
            total += values[component.name]
    return total / spec.tiles


def tile_area_mm2(spec: ChipSpec) -> float:
    """Area of one tile (its PEs, its tile-level components and its share of shared ones)."""
    return _tile_share(spec, area_breakdown_mm2(spec))


def tile_power_mw(spec: ChipSpec) -> float:
    """Peak power of one tile, mW (as tile_area_mm2)."""
    return _tile_share(spec, power_breakdown_mw(spec))


def peak_macs_per_s(spec: ChipSpec) -> float:
    """Peak multiply-accumulates per second of ``weight_bits`` x ``input_bits`` (docstring)."""
    per_weight = columns_per_weight(spec.weight_bits, spec.crossbar.cell_bits)
    macs_per_mvm = spec.crossbar.rows * (spec.crossbar.cols // per_weight)
    mvm_ns = input_steps(spec.input_bits, spec.dac.bits) * step_ns(
        spec.crossbar, spec.adc, spec.crossbars_per_pe, spec.adcs_per_pe
    )
    crossbars = spec.tiles * spec.pes_per_tile * spec.crossbars_per_pe
    return crossbars * macs_per_mvm / mvm_ns * 1e9


def peak_ops_per_s(spec: ChipSpec) -> float:
    """Peak operations per second; one MAC counts as two operations."""
    return 2.0 * peak_macs_per_s(spec)


def tops_per_w(spec: ChipSpec) -> float:
    """Peak throughput per peak watt, TOPS/W."""
    return peak_ops_per_s(spec) / 1e12 / (chip_power_mw(spec) / 1e3)


def tops_per_mm2(spec: ChipSpec) -> float:
    """Peak throughput per mm^2 of chip, TOPS/mm^2."""
    return peak_ops_per_s(spec) / 1e12 / chip_area_mm2(spec)


def action_energy_pj(spec: ChipSpec) -> dict[tuple[str, str], float]:
    """Energy of one action, pJ, for every (component, action) the spec defines."""
    return {
        (c.name, action): energy
        for c in spec.components
        for action, energy in sorted(c.cost.energy_pj.items())
    }


def price_actions(counts: Mapping[tuple[str, str], int], spec: ChipSpec) -> dict[str, float]:
    """Dynamic energy by component, pJ: sum of count x energy of each (component, action).

    Components that appear in ``counts`` appear in the result (summed over their actions);
    an unknown component or action, or a negative count, raises HwModelError.
    """
    energy_by_component: dict[str, float] = {}
    for key in sorted(counts):
        component_name, action = key
        count = counts[key]
        if isinstance(count, bool) or not isinstance(count, int | float) or count < 0:
            raise HwModelError(f"counts[{component_name}.{action}]", f"must be >= 0, got {count!r}")
        energy = spec.component(component_name).cost.energy_of(action)
        energy_by_component[component_name] = (
            energy_by_component.get(component_name, 0.0) + count * energy
        )
    return energy_by_component


def leakage_energy_pj(spec: ChipSpec, duration_ns: float) -> float:
    """Leakage energy of every component over ``duration_ns``, pJ (mW x ns = pJ)."""
    require_non_negative("duration_ns", duration_ns)
    breakdown = leakage_breakdown_mw(spec)
    return sum(_sorted_values(breakdown)) * duration_ns


def rescale_technology(spec: ChipSpec, node_nm: int) -> ChipSpec:
    """``spec`` moved to another node (hwmodels.technology). The crossbar keeps its read
    energy (device physics) and scales its area; external components stay as they are."""
    area_factor = scaling(spec.technology_nm, node_nm).area
    components = []
    for c in spec.components:
        if c.level == "external":
            cost = c.cost
        elif c.name == "crossbar":
            cost = replace(c.cost, area_mm2=c.cost.area_mm2 * area_factor)
        else:
            cost = scale_cost(c.cost, spec.technology_nm, node_nm)
        components.append(replace(c, cost=cost))
    return replace(spec, technology_nm=node_nm, components=tuple(components))
