"""Energy of a run: action counts x per-action energy, plus leakage x time (after the run).

The performance model counts; this prices (Timeloop/Accelergy's split): recalibrating a
component never needs a re-simulation. Counters that are bookkeeping (bytes per NoC
message, MVMs per PE) carry no price; a counter that should be priced but has no entry in
the chip's tables is reported under ``unpriced`` instead of silently costing nothing.

Levels: crossbars (array reads), converters (DAC, sample-and-hold, ADC), digital
(shift-and-add, vector unit), tile_buffers, noc (routers and links), global_buffer, dram,
weight_programming (RRAM writes), leakage. Data movement = tile buffers + NoC + global
buffer + DRAM.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from cimsim.trace import CounterRow
from hwmodels.chip import (
    ChipSpec,
    action_energy_pj,
    chip_area_mm2,
    peak_ops_per_s,
    tops_per_mm2,
    tops_per_w,
)

PRICED: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType(
    {
        ("crossbar", "read"): ("crossbar", "mvm_step"),
        ("dac", "drive"): ("dac", "drive"),
        ("sample_hold", "sample"): ("sample_hold", "sample"),
        ("adc", "conversion"): ("adc", "conversion"),
        ("shift_add", "op"): ("shift_add", "op"),
        ("digital", "element_op"): ("digital", "element_op"),
        ("tile_buffer", "read_byte"): ("tile_buffer", "read_byte"),
        ("tile_buffer", "write_byte"): ("tile_buffer", "write_byte"),
        ("global_buffer", "read_byte"): ("global_buffer", "read_byte"),
        ("global_buffer", "write_byte"): ("global_buffer", "write_byte"),
        ("dram", "read_byte"): ("dram", "read_byte"),
        ("dram", "write_byte"): ("dram", "write_byte"),
        ("router", "flit_hop"): ("router", "flit_hop"),
        ("link", "flit_hop"): ("link", "flit_hop"),
        ("rram", "cell_write"): ("rram", "cell_write"),
    }
)
"""Counter (kind, action) -> priced (component, action) of hwmodels.chip.action_energy_pj."""

BOOKKEEPING = frozenset(
    {("noc", "message"), ("noc", "byte"), ("noc", "byte_hop"), ("noc", "injected_byte"),
     ("pe", "mvm"), ("rram", "row_write")}
)  # fmt: skip
"""Counters that describe work already priced elsewhere."""

LEVEL_OF: Mapping[str, str] = MappingProxyType(
    {
        "crossbar": "crossbars",
        "dac": "converters",
        "sample_hold": "converters",
        "adc": "converters",
        "shift_add": "digital",
        "digital": "digital",
        "tile_buffer": "tile_buffers",
        "router": "noc",
        "link": "noc",
        "global_buffer": "global_buffer",
        "dram": "dram",
        "rram": "weight_programming",
    }
)
"""Counter kind -> energy level."""

DATA_MOVEMENT_LEVELS = ("tile_buffers", "noc", "global_buffer", "dram")


@dataclass(frozen=True)
class EnergyReport:
    """Where the energy of a run went, pJ."""

    dynamic_pj: float
    leakage_pj: float
    by_component_pj: dict[str, float]
    by_level_pj: dict[str, float]
    by_layer_pj: dict[str, float]
    by_layer_component_pj: dict[str, dict[str, float]]
    unpriced: tuple[str, ...]

    @property
    def total_pj(self) -> float:
        """Dynamic plus leakage energy."""
        return self.dynamic_pj + self.leakage_pj

    @property
    def data_movement_share(self) -> float:
        """Fraction of the total spent moving data (buffers, NoC, DRAM)."""
        moved = sum(self.by_level_pj.get(level, 0.0) for level in DATA_MOVEMENT_LEVELS)
        return moved / self.total_pj if self.total_pj else 0.0


def price_counters(
    counters: Iterable[CounterRow],
    spec: ChipSpec,
    duration_ns: float,
    powered_pe_fraction: float = 1.0,
    powered_tile_fraction: float = 1.0,
) -> EnergyReport:
    """Price every counter with ``spec``'s per-action energies; add leakage over the run.

    Leakage of PE-level components is scaled by the fraction of PEs powered, tile-level
    ones by the fraction of tiles powered (power gating of unused parts); chip-level and
    external components always leak.
    """
    table = action_energy_pj(spec)
    by_component: dict[str, float] = {}
    by_level: dict[str, float] = {}
    by_layer: dict[str, float] = {}
    by_layer_component: dict[str, dict[str, float]] = {}
    unpriced: list[str] = []
    for row in counters:
        key = (row.kind, row.action)
        if key in BOOKKEEPING:
            continue
        priced = PRICED.get(key)
        if priced is None or priced not in table:
            label = f"{row.kind}.{row.action}"
            if label not in unpriced:
                unpriced.append(label)
            continue
        energy = row.count * table[priced]
        by_component[row.kind] = by_component.get(row.kind, 0.0) + energy
        level = LEVEL_OF[row.kind]
        by_level[level] = by_level.get(level, 0.0) + energy
        by_layer[row.layer] = by_layer.get(row.layer, 0.0) + energy
        per_layer = by_layer_component.setdefault(row.layer, {})
        per_layer[row.kind] = per_layer.get(row.kind, 0.0) + energy
    fraction = {"pe": powered_pe_fraction, "tile": powered_tile_fraction}
    leakage = sum(
        spec.total_count(c) * c.cost.leakage_mw * duration_ns * fraction.get(c.level, 1.0)
        for c in spec.components
    )  # mW x ns = pJ
    by_level["leakage"] = leakage
    return EnergyReport(
        dynamic_pj=sum(by_component.values()),
        leakage_pj=leakage,
        by_component_pj=by_component,
        by_level_pj=by_level,
        by_layer_pj=by_layer,
        by_layer_component_pj=by_layer_component,
        unpriced=tuple(unpriced),
    )


def energy_summary(report: EnergyReport, spec: ChipSpec, pricing: str, batch: int) -> dict:
    """The energy, area and peak figures a run summary carries."""
    return {
        "energy_pj": report.total_pj,
        "energy_per_inference_pj": report.total_pj / batch,
        "energy_dynamic_pj": report.dynamic_pj,
        "energy_leakage_pj": report.leakage_pj,
        "energy_by_level_pj": report.by_level_pj,
        "energy_by_component_pj": report.by_component_pj,
        "energy_by_layer_component_pj": report.by_layer_component_pj,
        "data_movement_share": report.data_movement_share,
        "energy_pricing": pricing,
        "energy_unpriced": list(report.unpriced),
        "area_mm2": chip_area_mm2(spec),
        "peak_tops": peak_ops_per_s(spec) / 1e12,
        "peak_tops_per_w": tops_per_w(spec),
        "peak_tops_per_mm2": tops_per_mm2(spec),
    }


INTERVALS_OF: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "crossbar": ("kind", "mvm"),
        "dac": ("kind", "mvm"),
        "sample_hold": ("kind", "mvm"),
        "adc": ("kind", "mvm"),
        "shift_add": ("kind", "mvm"),
        "digital": ("kind", "digital"),
        "router": ("kind", "message"),
        "link": ("kind", "message"),
        "tile_buffer": ("buffer_access", ".buffer"),
        "global_buffer": ("component", "global_buffer"),
        "dram": ("component", "dram"),
        "rram": ("kind", "program"),
    }
)
"""Priced component -> the interval records its energy is spread over (within a layer)."""

_TIMED_KINDS = ("mvm", "digital", "program")
"""Interval kinds whose energy is spread by duration (the others carry bytes)."""


def interval_energy_pj(
    intervals: pd.DataFrame, by_layer_component_pj: Mapping[str, Mapping[str, float]]
) -> np.ndarray:
    """Dynamic energy of every interval record, pJ.

    Each (layer, component) energy is spread over that layer's records of the matching
    kind (MVM, vector unit, RRAM programming, NoC message, buffer or DRAM access), in
    proportion to their duration for compute and programming and to their bytes for
    transfers. A (layer, component) with no
    matching records (a level the trace did not record) stays out of the trace: with
    ``--trace full`` every priced action has records, so the column sums to the dynamic
    energy of the run.
    """
    energy = np.zeros(len(intervals))
    layer = intervals["layer"].astype(str).to_numpy()
    kind = intervals["kind"].astype(str).to_numpy()
    component = intervals["component"].astype(str).to_numpy()
    duration = (intervals["end_cycle"] - intervals["start_cycle"]).to_numpy(dtype=float)
    size = intervals["bytes"].to_numpy(dtype=float)
    for layer_name, components in by_layer_component_pj.items():
        in_layer = layer == layer_name
        for name, pj in components.items():
            field, value = INTERVALS_OF.get(name, ("kind", ""))
            if field == "kind":
                mask = in_layer & (kind == value)
            elif field == "component":
                mask = in_layer & (component == value)
            else:  # reads and writes of the tile buffers
                on_buffer = np.char.endswith(component.astype(str), value)
                mask = in_layer & on_buffer & ((kind == "read") | (kind == "write"))
            timed = field == "kind" and value in _TIMED_KINDS
            weights = (duration if timed else size)[mask]
            total = weights.sum()
            if total > 0:
                energy[mask] += pj * weights / total
    return energy
