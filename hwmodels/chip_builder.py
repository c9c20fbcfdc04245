"""Build a ChipSpec for any architecture from the component models alone.

For configurations that have no paper table (a user's own design, a test chip), every
component cost comes from the models of hwmodels (ADC Walden-FOM model, CACTI-like SRAM/eDRAM
rule, ISAAC-anchored DAC, sample-and-hold, router and digital units, technology-scaled to
``technology_nm``). Per PE: crossbars, one DAC per row and one sample-and-hold per column of
every crossbar, the ADCs, one shift-and-add per ADC, an input and an output register. Per
tile: the tile buffer, a router (``tiles_per_router`` tiles share one), ``digital_lanes``
vector lanes, ``activation_units`` and ``pooling_units``. Memory levels as given
(``MemorySpec``: a tile's own buffer per tile, shared on-chip levels per chip, off-chip
memory external). External: links (on-chip, and ``link_kinds`` between dies or tiers:
interposer, tsv, miv) and RRAM programming. Busy rates of registers follow from the
crossbar step (input register: one DAC word per row per step; output register: one byte
per ADC conversion).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hwmodels.chip import ChipSpec, ComponentSpec, default_peak_rate_per_ns, step_ns
from hwmodels.converters import AdcParams, DacParams, adc_cost, dac_cost, sample_hold_cost
from hwmodels.crossbar import CrossbarParams
from hwmodels.crossbar.energy import (
    CrossbarEnergyParams,
    RramWriteParams,
    crossbar_cost,
    rram_write_cost,
)
from hwmodels.digital import DigitalParams, digital_unit_cost, vector_lane_cost
from hwmodels.memory import BufferParams, buffer_cost, dram_cost, dram_preset
from hwmodels.noc import (
    LinkParams,
    NocParams,
    RouterParams,
    die_link_cost,
    die_link_params,
    link_cost,
    router_cost,
)
from hwmodels.technology import technology


@dataclass(frozen=True)
class MemorySpec:
    """A memory level to price with the models: on chip an SRAM/eDRAM buffer
    (hwmodels.memory.sram), off chip a DRAM technology (hwmodels.memory.dram)."""

    name: str
    """Component name (the level's name; its reads and writes are counted under it)."""
    level: str
    """"tile" (one per tile), "chip" (``count`` per chip) or "external" (off chip)."""
    count: float
    """Instances per tile (level tile) or per chip."""
    technology: str
    """sram or edram on chip; lpddr4, lpddr5 or hbm2 off chip."""
    buffer: BufferParams | None = None
    """Size, bandwidth and latency of an on-chip instance (None off chip)."""


def memory_component(memory: MemorySpec, node_nm: int) -> ComponentSpec:
    """The priced component of one memory level."""
    if memory.buffer is None:
        cost = dram_cost(dram_preset(memory.technology))
        return ComponentSpec(memory.name, "external", memory.count, cost, 0.0,
                             "hwmodels.memory.dram model (docs/hardware-models.md)")  # fmt: skip
    cost = buffer_cost(memory.buffer, memory.technology, node_nm)
    return ComponentSpec(memory.name, memory.level, memory.count, cost,
                         memory.buffer.bandwidth_gbps,
                         "hwmodels.memory.sram model (docs/hardware-models.md)")  # fmt: skip


def register_params(
    crossbar: CrossbarParams,
    dac: DacParams,
    adc: AdcParams,
    crossbars_per_pe: int,
    adcs_per_pe: int,
    input_bits: int,
) -> tuple[BufferParams, BufferParams]:
    """A PE's input and output registers as the models size them: the input register holds
    one input vector per crossbar and feeds one DAC word per row per input step; the output
    register holds one byte per column and takes one byte per ADC conversion."""
    step = step_ns(crossbar, adc, crossbars_per_pe, adcs_per_pe)
    input_register = BufferParams(
        size_bytes=max(64, crossbars_per_pe * crossbar.rows * math.ceil(input_bits / 8)),
        bandwidth_gbps=crossbars_per_pe * crossbar.rows * dac.bits / 8 / step,
    )
    output_register = BufferParams(
        size_bytes=max(64, crossbars_per_pe * crossbar.cols),
        bandwidth_gbps=adcs_per_pe * adc.sample_rate_gsps * math.ceil(adc.bits / 8),
    )
    return input_register, output_register


def build_model_spec(
    *,
    name: str,
    technology_nm: int,
    clock_ghz: float,
    tiles: int,
    pes_per_tile: int,
    crossbars_per_pe: int,
    adcs_per_pe: int,
    crossbar: CrossbarParams,
    dac: DacParams,
    adc: AdcParams,
    noc: NocParams,
    memories: Sequence[MemorySpec],
    digital: DigitalParams,
    adc_kind: str = "sar",
    weight_bits: int = 8,
    input_bits: int = 8,
    tiles_per_router: int = 1,
    router_ports: int = 5,
    activation_units: int = 2,
    pooling_units: int = 1,
    crossbar_energy: CrossbarEnergyParams | None = None,
    rram_write: RramWriteParams | None = None,
    link: LinkParams | None = None,
    link_kinds: Sequence[str] = (),
) -> ChipSpec:
    """A ChipSpec whose every cost comes from a model (module docstring)."""
    node = technology(technology_nm).node_nm
    if crossbar_energy is None:
        pulse_ns = min(CrossbarEnergyParams().read_pulse_ns, crossbar.read_latency_ns)
        crossbar_energy = CrossbarEnergyParams(read_pulse_ns=pulse_ns)
    input_register, output_register = register_params(
        crossbar, dac, adc, crossbars_per_pe, adcs_per_pe, input_bits
    )
    if link is None:
        link = LinkParams()

    def rate(component: str) -> float:
        value = default_peak_rate_per_ns(
            component,
            crossbar=crossbar,
            adc=adc,
            crossbars_per_pe=crossbars_per_pe,
            adcs_per_pe=adcs_per_pe,
            clock_ghz=clock_ghz,
        )
        return 0.0 if value is None else value

    entries = [
        ("crossbar", "pe", crossbars_per_pe, crossbar_cost(crossbar, crossbar_energy, node), None),
        ("dac", "pe", crossbars_per_pe * crossbar.rows, dac_cost(dac, node), None),
        ("sample_hold", "pe", crossbars_per_pe * crossbar.cols, sample_hold_cost(node), None),
        ("adc", "pe", adcs_per_pe, adc_cost(adc, adc_kind, node), None),
        ("shift_add", "pe", adcs_per_pe, digital_unit_cost("shift_add", node), None),
        (
            "input_register",
            "pe",
            1,
            buffer_cost(input_register, "sram", node),
            input_register.bandwidth_gbps,
        ),
        (
            "output_register",
            "pe",
            1,
            buffer_cost(output_register, "sram", node),
            output_register.bandwidth_gbps,
        ),
        (
            "router",
            "tile",
            1 / tiles_per_router,
            router_cost(noc, RouterParams(ports=router_ports, clock_ghz=clock_ghz), node),
            router_ports * clock_ghz,
        ),
        ("digital", "tile", digital.lanes, vector_lane_cost(digital, input_bits, node), None),
        ("activation", "tile", activation_units, digital_unit_cost("activation", node), None),
        ("pooling", "tile", pooling_units, digital_unit_cost("pooling", node), None),
        ("link", "external", 1, link_cost(noc, link, node), 0.0),
        *((kind, "external", 1, die_link_cost(noc, die_link_params(kind)), 0.0)
          for kind in link_kinds),
        ("rram", "external", 1, rram_write_cost(rram_write), 0.0),
    ]
    modelled = [
        ComponentSpec(
            name=component,
            level=level,
            count=count,
            cost=cost,
            peak_rate_per_ns=rate(component) if peak is None else peak,
            source="hwmodels model (docs/hardware-models.md)",
        )
        for component, level, count, cost, peak in entries
    ]
    components: list[ComponentSpec] = []
    for component in modelled:  # memories after the last component of their level
        components.append(component)
        placed = {"output_register": "tile", "pooling": "chip", "link": "external"}
        if component.name in placed:
            components += [
                memory_component(m, node) for m in memories if m.level == placed[component.name]
            ]
    tile_buffer = next((m.buffer for m in memories if m.level == "tile" and m.buffer), None)
    return ChipSpec(
        name=name,
        technology_nm=node,
        clock_ghz=clock_ghz,
        tiles=tiles,
        pes_per_tile=pes_per_tile,
        crossbars_per_pe=crossbars_per_pe,
        adcs_per_pe=adcs_per_pe,
        crossbar=crossbar,
        dac=dac,
        adc=adc,
        components=tuple(components),
        adc_kind=adc_kind,
        weight_bits=weight_bits,
        input_bits=input_bits,
        noc=noc,
        tile_buffer=tile_buffer or BufferParams(),
        source="hwmodels component models",
    )
