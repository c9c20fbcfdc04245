"""Layers -> crossbars -> PEs -> tiles (pure; no SimPy)."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.errors import MappingError, brief
from cimsim.machine import Machine
from cimsim.machine.build import build_machine
from cimsim.mapper.costs import CopyCosts, copy_costs
from cimsim.mapper.curves import PLACEMENTS
from cimsim.mapper.curves import tile_order as tiles_in_order
from cimsim.mapper.duplication import DUPLICATIONS
from cimsim.mapper.placement import (
    CopyPlacement,
    CrossbarGroup,
    digital_home_tiles,
    place_layers,
)
from cimsim.mapper.tiling import LayerTiling, tile_layer
from workloads.shapes import GraphInfo

T = TypeVar("T")

__all__ = [
    "DUPLICATIONS",
    "PLACEMENTS",
    "ChipMapping",
    "CopyCosts",
    "CopyPlacement",
    "CrossbarGroup",
    "LayerTiling",
    "map_network",
    "tile_layer",
]


@dataclass(frozen=True)
class ChipMapping:
    """A network placed on a chip: tilings, copies, tiles of digital layers, costs."""

    tilings: Mapping[str, LayerTiling]
    """Crossbar layers -> how one copy covers crossbars."""
    copies: Mapping[str, tuple[CopyPlacement, ...]]
    """Crossbar layers -> their placed copies."""
    costs: Mapping[str, tuple[CopyCosts, ...]]
    """Crossbar layers -> per-vector costs of each copy."""
    digital_tiles: Mapping[str, int]
    """Layers of the vector unit -> the tile whose vector unit runs them."""
    units: Mapping[str, str]
    """Every layer -> the name of the compute unit that runs it (chosen by its work class
    from what the machine offers: ``Machine.unit_for``)."""
    input_tile: int
    """Tile whose router the global buffer and DRAM hang off."""
    crossbars_total: int
    """Crossbars on the chip."""
    pes_total: int
    """PEs on the chip."""
    shared_adc_banks: Mapping[tuple[str, int], tuple[tuple[int, int], ...]]
    """(layer, copy) -> its ADC banks that PEs of other copies also convert on."""
    machine: Machine
    """The machine the network is mapped onto."""
    duplication: str = "none"
    """The duplication policy that chose the copies."""
    placement: str = "in_order"
    """The placement policy that ordered the tiles."""

    def has_home(self, name: str) -> bool:
        """Whether ``name`` is a layer of the mapping (not a graph input)."""
        return name in self.copies or name in self.digital_tiles

    @property
    def crossbars_used(self) -> int:
        """Crossbars holding weights, over all copies."""
        return sum(t.crossbars * len(self.copies[name]) for name, t in self.tilings.items())

    @property
    def pes_used(self) -> int:
        """PEs holding weights."""
        return sum(len(c.groups) for copies in self.copies.values() for c in copies)

    def home_tile(self, layer: str, copy: int = 0) -> int:
        """The tile that sends ``layer``'s outputs (copy ``copy``)."""
        if layer in self.copies:
            return self.copies[layer][copy].home_tile
        return self.digital_tiles[layer]


def map_network(
    info: GraphInfo,
    arch: ArchConfig,
    hw: HardwareParams,
    duplication: str = "none",
    placement: str = "in_order",
    extra_pes: int | None = None,
    machine: Machine | None = None,
) -> ChipMapping:
    """Tile every crossbar layer, choose copies, place them and price them.

    ``duplication`` and ``placement`` name policies (DUPLICATIONS, PLACEMENTS);
    ``extra_pes`` caps the PEs duplication may use beyond one copy of everything (default:
    every free PE); ``machine`` is ``arch``'s, built here unless given. Raises MappingError
    when even one copy of everything does not fit.
    """
    machine = machine if machine is not None else build_machine(arch)
    planner = _choice(DUPLICATIONS, duplication, "duplication")
    _choice(PLACEMENTS, placement, "placement")
    tile_order = tiles_in_order(placement, machine.topology)
    units = {layer.name: machine.unit_for(layer.work).name for layer in info.layers}
    tilings = {
        layer.name: tile_layer(
            layer, hw.crossbar, arch.precision.weight_bits, arch.tile.crossbar.weight_encoding
        )
        for layer in info.layers
        if machine.on_crossbars(layer.work)
    }
    single = {name: 1 for name in tilings}
    placed = place_layers(info, tilings, single, machine, tile_order)
    copies = single
    if duplication != "none":
        used = sum(len(p.groups) for ps in placed.values() for p in ps)
        free = machine.tiles * machine.crossbar.pes_per_tile - used
        free = free if extra_pes is None else min(free, max(extra_pes, 0))
        cycles = {n: copy_costs(ps[0], tilings[n], arch, hw).mvm_cycles for n, ps in placed.items()}
        copies = planner(info, tilings, cycles, machine.crossbar.crossbars_per_pe, free)
        placed = place_layers(info, tilings, copies, machine, tile_order)
    input_tile = machine.io_tile
    unit = machine.crossbar
    costs = {
        name: tuple(copy_costs(p, tilings[name], arch, hw) for p in placements)
        for name, placements in placed.items()
    }
    users = Counter(bank for ps in placed.values() for p in ps for bank in p.adc_banks)
    shared = {
        (name, p.copy): tuple(bank for bank in p.adc_banks if users[bank] > 1)
        for name, ps in placed.items()
        for p in ps
    }
    return ChipMapping(
        tilings=tilings,
        copies=placed,
        costs=costs,
        digital_tiles=digital_home_tiles(info, placed, input_tile),
        units=units,
        input_tile=input_tile,
        crossbars_total=machine.tiles * unit.pes_per_tile * unit.crossbars_per_pe,
        pes_total=machine.tiles * unit.pes_per_tile,
        shared_adc_banks=shared,
        machine=machine,
        duplication=duplication,
        placement=placement,
    )


def _choice(options: Mapping[str, T], name: str, what: str) -> T:
    if name not in options:
        raise MappingError(f"unknown {what} policy {brief(name)}; choices: {', '.join(options)}")
    return options[name]
