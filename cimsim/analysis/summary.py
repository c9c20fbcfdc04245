"""Run summaries: latency, utilization and bytes moved per level, overall and per layer.

Definitions (after CLSA-CIM, Pelke et al. DATE 2024): PE utilization = sum of PE busy
cycles / (PEs x total cycles); tile utilization likewise, a tile being busy while any of its
PEs or its vector unit works.
"""

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cimsim.mapper import ChipMapping
from cimsim.trace import TraceSink
from workloads.shapes import GraphInfo

LEVEL_COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("tile_buffer_read_bytes", "tile_buffer", "read_byte"),
    ("tile_buffer_write_bytes", "tile_buffer", "write_byte"),
    ("noc_bytes", "noc", "byte"),
    ("noc_byte_hops", "noc", "byte_hop"),
    ("global_buffer_read_bytes", "global_buffer", "read_byte"),
    ("global_buffer_write_bytes", "global_buffer", "write_byte"),
    ("dram_read_bytes", "dram", "read_byte"),
    ("dram_write_bytes", "dram", "write_byte"),
)
"""(summary key, counter kind, counter action) of the data-movement figures."""


def bytes_per_level(sink: TraceSink, layer: str | None = None) -> dict[str, int]:
    """Bytes read and written at each level (and NoC bytes x hops), for one layer or all."""
    return {key: sink.total(kind, action, layer) for key, kind, action in LEVEL_COUNTERS}


def utilization(
    sink: TraceSink, mapping: ChipMapping, tiles: int, total_cycles: int
) -> dict[str, float]:
    """Busy share of the run: PEs (all, and those holding weights), tiles, the busiest NoC
    link, the global-buffer port and the DRAM port. A link or port near 1 is what bounds a
    data-movement-limited run (see ``busiest_link`` for which link)."""
    names = ("pe", "pe_mapped", "tile", "noc_link_max", "global_buffer", "dram")
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
        "global_buffer": busy.get("global_buffer", 0) / total_cycles,
        "dram": busy.get("dram", 0) / total_cycles,
    }


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
            "target": "crossbar" if layer.is_mvm else "digital",
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
        row.update(bytes_per_level(sink, layer.name))
        rows.append(row)
    return pd.DataFrame(rows)
