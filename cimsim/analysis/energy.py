"""Energy of a run: action counts x per-action energy, plus leakage x time (after the run).

The performance model counts; this prices (Timeloop/Accelergy's split): recalibrating a
component never needs a re-simulation. Counters that are bookkeeping (bytes per NoC
message, MVMs per PE) carry no price; every other counter is one of hwmodels.actions, and
loading the configuration already refused a machine that could count an action without a
price (cimsim.config.pricing), so a counter without a price here is a bug and raises.

Levels: crossbars (array reads), converters (DAC, sample-and-hold, ADC), digital
(shift-and-add, vector unit), tile_buffers, noc (routers and links), global_buffer, dram,
weight_programming (RRAM writes), leakage. Data movement = tile buffers + NoC + global
buffer + DRAM.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
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

RENAMED: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType(
    {("crossbar", "read"): ("crossbar", "mvm_step")}
)
"""Counters priced under another (component, action) of hwmodels.chip.action_energy_pj;
every other counter is priced under its own (kind, action): a memory level's reads and
writes under the component of the level's name."""

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
        "interposer": "noc",
        "tsv": "noc",
        "miv": "noc",
        "rram": "weight_programming",
    }
)
"""Counter kind -> energy level; any other kind (a memory level) is a level of its own."""


def level_of(kind: str) -> str:
    """The energy level a counter kind's energy is reported under."""
    return LEVEL_OF.get(kind, kind)


@dataclass(frozen=True)
class EnergyReport:
    """Where the energy of a run went, pJ."""

    dynamic_pj: float
    leakage_pj: float
    by_component_pj: dict[str, float]
    by_level_pj: dict[str, float]
    by_layer_pj: dict[str, float]
    by_layer_component_pj: dict[str, dict[str, float]]
    movement_levels: tuple[str, ...] = ()
    """Energy levels that move data (memory levels and the NoC), in hierarchy order."""

    @property
    def total_pj(self) -> float:
        """Dynamic plus leakage energy."""
        return self.dynamic_pj + self.leakage_pj

    @property
    def data_movement_share(self) -> float:
        """Fraction of the total spent moving data (buffers, NoC, DRAM)."""
        moved = sum(self.by_level_pj.get(level, 0.0) for level in self.movement_levels)
        return moved / self.total_pj if self.total_pj else 0.0


def price_counters(
    counters: Iterable[CounterRow],
    spec: ChipSpec,
    duration_ns: float,
    memory_levels: Sequence[str],
    powered_pe_fraction: float = 1.0,
    powered_tile_fraction: float = 1.0,
) -> EnergyReport:
    """Price every counter with ``spec``'s per-action energies; add leakage over the run.

    ``memory_levels``: the machine's memory level names, from the tiles outward (their
    energy and the NoC's is data movement).

    Leakage of PE-level components is scaled by the fraction of PEs powered, tile-level
    ones by the fraction of tiles powered (power gating of unused parts); chip-level and
    external components always leak.
    """
    table = action_energy_pj(spec)
    by_component: dict[str, float] = {}
    by_level: dict[str, float] = {}
    by_layer: dict[str, float] = {}
    by_layer_component: dict[str, dict[str, float]] = {}
    for row in counters:
        key = (row.kind, row.action)
        if key in BOOKKEEPING:
            continue
        priced = RENAMED.get(key, key)
        if priced not in table:  # cimsim.config.pricing checks every action before a run
            raise RuntimeError(f"counter {row.kind}.{row.action} has no price in {spec.name}")
        energy = row.count * table[priced]
        by_component[row.kind] = by_component.get(row.kind, 0.0) + energy
        level = level_of(row.kind)
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
    movement = [level_of(name) for name in memory_levels]
    movement.insert(1 if movement else 0, "noc")
    return EnergyReport(
        dynamic_pj=sum(by_component.values()),
        leakage_pj=leakage,
        by_component_pj=by_component,
        by_level_pj=by_level,
        by_layer_pj=by_layer,
        by_layer_component_pj=by_layer_component,
        movement_levels=tuple(movement),
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
        "energy_unpriced": [],  # always empty (prices are checked at load); kept for the format
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
        "interposer": ("kind", "message"),
        "tsv": ("kind", "message"),
        "miv": ("kind", "message"),
        "rram": ("kind", "program"),
    }
)
"""Priced component -> the interval records its energy is spread over (within a layer); any
other component is a memory level, whose energy is spread over the reads and writes of its
instances (``tile3.buffer`` for the tile level ``tile_buffer``, ``dram`` or ``dram1``)."""


def _instance_pattern(level: str) -> re.Pattern[str]:
    """Trace names of a memory level's ports (cimsim.machine.memory.MemoryLevel.port_name)."""
    short = re.escape(level.removeprefix("tile_"))
    return re.compile(rf"^(tile\d+\.{short}|{re.escape(level)}\d*)(\.bank\d+)?$")


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
    names, name_index = np.unique(component, return_inverse=True)
    is_access = (kind == "read") | (kind == "write")
    levels: dict[str, np.ndarray] = {}  # memory level -> which records are its accesses
    for layer_name, components in by_layer_component_pj.items():
        in_layer = layer == layer_name
        for name, pj in components.items():
            field, value = INTERVALS_OF.get(name, ("memory", name))
            if field == "kind":
                mask = in_layer & (kind == value)
            else:  # reads and writes of a memory level's instances
                on_level = levels.get(value)
                if on_level is None:
                    pattern = _instance_pattern(value)
                    matched = np.array([bool(pattern.match(n)) for n in names], dtype=bool)
                    on_level = levels[value] = matched[name_index] & is_access
                mask = in_layer & on_level
            weights = (duration if value in _TIMED_KINDS else size)[mask]
            total = weights.sum()
            if total > 0:
                energy[mask] += pj * weights / total
    return energy
