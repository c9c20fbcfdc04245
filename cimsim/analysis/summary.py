"""Run summaries: latency, utilization and bytes moved per level, overall and per layer.

Definitions (after CLSA-CIM, Pelke et al. DATE 2024): PE utilization = sum of PE busy
cycles / (PEs x total cycles); tile utilization likewise, a tile being busy while any of its
PEs or its vector unit works.
"""

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cimsim.machine import MemoryHierarchy, MemoryLevel
from cimsim.mapper import ChipMapping
from cimsim.trace import TraceSink
from workloads.shapes import GraphInfo


def level_counters(memory: MemoryHierarchy) -> tuple[tuple[str, str, str], ...]:
    """(summary key, counter kind, counter action) of the data-movement figures: reads and
    writes of every memory level (``<level>_read_bytes``), and NoC bytes and bytes x hops
    after the tile level."""
    counters: list[tuple[str, str, str]] = []
    for index, level in enumerate(memory.levels):
        counters += [
            (f"{level.name}_read_bytes", level.name, "read_byte"),
            (f"{level.name}_write_bytes", level.name, "write_byte"),
        ]
        if index == 0:
            counters += [("noc_bytes", "noc", "byte"), ("noc_byte_hops", "noc", "byte_hop")]
    return tuple(counters)


def bytes_per_level(
    sink: TraceSink, memory: MemoryHierarchy, layer: str | None = None
) -> dict[str, int]:
    """Bytes read and written at each level (and NoC bytes x hops), for one layer or all."""
    return {
        key: sink.total(kind, action, layer) for key, kind, action in level_counters(memory)
    }


def utilization(
    sink: TraceSink, mapping: ChipMapping, tiles: int, total_cycles: int
) -> dict[str, float]:
    """Busy share of the run: PEs (all, and those holding weights), tiles, the busiest NoC
    link, and the busiest port of every memory level beyond the tiles (by level name; busy
    time over all its servers, so a port of k servers is full at 1). A
    link or port near 1 is what bounds a data-movement-limited run (see ``busiest_link``
    for which link)."""
    shared = [level for level in mapping.machine.memory.levels[1:]]
    names = ("pe", "pe_mapped", "tile", "noc_link_max", *(level.name for level in shared))
    if total_cycles <= 0:
        return dict.fromkeys(names, 0.0)
    busy = sink.busy_cycles()
    pe_busy = sum(cycles for name, cycles in busy.items() if ".pe" in name)
    tile_busy = sum(sink.tile_busy_cycles().values())
    link = busiest_link(sink)
    return {
        "pe": pe_busy / (mapping.pes_total * total_cycles),
        "pe_mapped": pe_busy / (max(mapping.pes_used, 1) * total_cycles),
        "tile": tile_busy / (tiles * total_cycles),
        "noc_link_max": (busy[link] if link else 0) / total_cycles,
        **{
            level.name: _busiest_port(busy, level) / (level.ports * total_cycles)
            for level in shared
        },
    }


def _busiest_port(busy: dict[str, int], level: MemoryLevel) -> int:
    """Busy cycles of the busiest port (instance and bank) of ``level``."""
    return max(
        (
            busy.get(level.port_name(instance, bank), 0)
            for instance in range(len(level.routers))
            for bank in range(level.banks)
        ),
        default=0,
    )


def busiest_link(sink: TraceSink) -> str:
    """Name ("link<from>-<to>") of the NoC link that carried messages longest; "" if none."""
    links = [
        (cycles, name) for name, cycles in sink.busy_cycles().items() if name.startswith("link")
    ]
    return max(links)[1] if links else ""


def layer_table(
    info: GraphInfo,
    mapping: ChipMapping,
    sink: TraceSink,
    start_cycles: Mapping[str, int],
    end_cycles: Mapping[str, int],
) -> pd.DataFrame:
    """One row per layer: what it computes, where it sits, when it ran, what it moved."""
    rows: list[dict[str, Any]] = []
    for layer in info.layers:
        copies = mapping.copies.get(layer.name, ())
        tiling = mapping.tilings.get(layer.name)
        start = start_cycles.get(layer.name, 0)
        end = end_cycles.get(layer.name, start)
        row: dict[str, Any] = {
            "layer": layer.name,
            "op": layer.op_kind,
            "target": mapping.units[layer.name],
            "output_shape": "x".join(str(d) for d in layer.output_shape),
            "macs": layer.macs,
            "output_vectors": layer.output_vectors,
            "copies": len(copies),
            "crossbars": tiling.crossbars * len(copies) if tiling else 0,
            "pes": sum(len(c.groups) for c in copies),
            "home_tile": mapping.home_tile(layer.name),
            "start_cycle": start,
            "end_cycle": end,
            "cycles": end - start,
            "adc_conversions": sink.total("adc", "conversion", layer.name),
        }
        row.update(bytes_per_level(sink, mapping.machine.memory, layer.name))
        rows.append(row)
    return pd.DataFrame(rows)
