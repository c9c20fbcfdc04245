"""Splitting crossbar layers too large for a compact chip into output slices (pure).

Weight reuse cuts a network between layers; a layer whose one copy needs more PEs than the
chip has would never fit any part. Such a layer ``L`` (a Linear, or a Conv2d without
groups) is rewritten as k layers ``L.slice0`` .. ``L.slice<k-1>``, each computing a
contiguous block of L's output channels (features) from the whole input, followed by a
digital ``Concat`` named ``L`` along the channel axis, so every consumer still reads ``L``.
Slices are whole crossbar column tiles, as balanced as possible, and k is the smallest
count whose largest slice fits the chip. Splitting outputs needs no partial sums across
parts (each slice holds every input row of its columns); a layer whose single column of
crossbars is already too large (too many inputs) cannot be helped this way and is a
MappingError.
"""

import math
from dataclasses import replace

from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.errors import MappingError
from cimsim.machine import Machine
from cimsim.machine.build import build_machine
from cimsim.mapper import tile_layer
from workloads.ir import Concat, Conv2d, Graph, Layer, Linear
from workloads.shapes import GraphInfo, LayerInfo

SLICE = "{layer}.slice{index}"
"""Name of slice ``index`` of a split layer."""


def split_oversized_layers(
    graph: Graph,
    info: GraphInfo,
    arch: ArchConfig,
    hw: HardwareParams,
    machine: Machine | None = None,
) -> Graph:
    """``graph`` with every crossbar layer too large for the chip split (module docstring);
    ``graph`` itself when every layer fits. ``machine`` (``arch``'s, built unless given)
    says which layers run on crossbars."""
    machine = machine if machine is not None else build_machine(arch)
    layers: list[Layer] = []
    for layer in graph.layers:
        layer_info = info.by_name[layer.name]
        on_crossbars = machine.on_crossbars(layer_info.work)
        blocks = _output_blocks(layer_info, arch, hw) if on_crossbars else None
        if blocks is None:
            layers.append(layer)
            continue
        names = [SLICE.format(layer=layer.name, index=k) for k in range(len(blocks))]
        layers += [
            Layer(name, _sliced(layer, stop - start), layer.inputs)
            for name, (start, stop) in zip(names, blocks, strict=True)
        ]
        axis = -3 if isinstance(layer.op, Conv2d) else -1  # channels of (C, H, W); features
        layers.append(Layer(layer.name, Concat(axis=axis), tuple(names)))
    if len(layers) == len(graph.layers):
        return graph
    return Graph(graph.name, graph.inputs, tuple(layers), graph.outputs)


def _pes(info: LayerInfo, arch: ArchConfig, hw: HardwareParams) -> int:
    """PEs one copy of ``info``'s weights takes (whole crossbars, grouped per PE)."""
    tiling = tile_layer(
        info, hw.crossbar, arch.precision.weight_bits, arch.tile.crossbar.weight_encoding
    )
    return math.ceil(tiling.crossbars / arch.tile.pe.crossbars)


def _output_blocks(
    info: LayerInfo, arch: ArchConfig, hw: HardwareParams
) -> list[tuple[int, int]] | None:
    """Output-channel blocks [start, stop) of the slices, or None when the layer fits."""
    chip_pes = arch.tiles * arch.tile.pes
    if _pes(info, arch, hw) <= chip_pes:
        return None
    where = f"layer {info.name}"
    if not isinstance(info.op, Linear | Conv2d) or info.mvm_groups > 1:
        raise MappingError(
            f"{where} ({info.op_kind}, {info.mvm_groups} groups) needs "
            f"{_pes(info, arch, hw)} PEs, more than the chip's {chip_pes}, and only Linear "
            f"layers and ungrouped Conv2d layers can be split; use a larger chip"
        )
    outputs = info.mvm_cols
    col_tiles = tile_layer(
        info, hw.crossbar, arch.precision.weight_bits, arch.tile.crossbar.weight_encoding
    ).col_tiles
    per_tile = math.ceil(outputs / col_tiles)  # outputs one column of crossbars holds
    fitting = [
        tiles
        for tiles in range(1, col_tiles)
        if _pes(replace(info, mvm_cols=tiles * per_tile), arch, hw) <= chip_pes
    ]
    if not fitting:
        one = _pes(replace(info, mvm_cols=per_tile), arch, hw)
        raise MappingError(
            f"{where}: even one column of its crossbars ({info.mvm_rows} inputs, "
            f"{per_tile} outputs) needs {one} PEs, more than the chip's {chip_pes}; "
            f"weight_reuse splits a layer's outputs, not its inputs; use a larger chip"
        )
    slices = math.ceil(col_tiles / max(fitting))
    base, extra = divmod(col_tiles, slices)
    blocks, start = [], 0
    for index in range(slices):
        stop = min(outputs, start + (base + (index < extra)) * per_tile)
        blocks.append((start, stop))
        start = stop
    return blocks


def _sliced(layer: Layer, outputs: int) -> Linear | Conv2d:
    """``layer``'s op computing ``outputs`` of its output channels (features)."""
    if isinstance(layer.op, Conv2d):
        return replace(layer.op, out_channels=outputs)
    assert isinstance(layer.op, Linear)
    return replace(layer.op, out_features=outputs)
