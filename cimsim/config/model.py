"""The validated architecture model: NoC of tiles -> PEs -> crossbars, and memory levels.

Files use unit strings under short keys (``read_latency: 100 ns``); the validated model
stores numbers under names that carry the unit (``read_latency_ns``). Every field has a
docstring (meaning, unit, range); ``cimsim describe`` prints them. Integers are strict (a
``true`` or ``6.5`` is refused, not read as 1 or 6), every number is finite and bounded.
"""

import math
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from cimsim.config.costs import CostsConfig
from cimsim.config.noc_layout import (
    ChipletsConfig,
    Stack3dConfig,
    check_layout,
    link_kinds,
    router_problem,
    units,
)
from cimsim.config.quantities import (
    Bytes,
    GigabytesPerSecond,
    Gigahertz,
    GigasamplesPerSecond,
    Nanoseconds,
    PositiveNanoseconds,
)
from hwmodels.timing import ns_to_cycles

MAX_PES = 1 << 16
"""Most PEs on one chip (ISAAC has 2,016): every PE is a simulated resource."""
MAX_CROSSBARS = 1 << 20
"""Most crossbars on one chip (ISAAC has 16,128)."""

Int = Annotated[int, Strict()]
"""An integer written as one: not a bool, float or string."""
Real = Annotated[float, Strict()]
"""A number written as one (an integer or a decimal): not a bool or string."""


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )


class ClockConfig(_Section):
    frequency_ghz: Gigahertz = Field(alias="frequency")
    """The simulation clock; every latency is rounded up to whole cycles of it."""

    @property
    def period_ns(self) -> float:
        """One cycle, ns."""
        return 1.0 / self.frequency_ghz


class RouterConfig(_Section):
    """Every router of ``noc.model: routers`` (cimsim.timing.routers), in cycles of the NoC
    clock (a link moves one flit a cycle: flit_size / link_bandwidth). Defaults: BookSim2's
    input-queued router (Jiang et al., ISPASS 2013; its examples/mesh88_lat)."""

    vcs: Int = Field(default=1, ge=1, le=16)
    """Virtual channels per input port."""
    buffer_flits: Int = Field(default=8, ge=1, le=4096)
    """Flits each virtual channel buffers."""
    input_speedup: Int = Field(default=2, ge=1, le=16)
    """Switch inputs per input port (VC v uses input v mod speedup)."""
    credit_delay_cycles: Int = Field(default=2, ge=0, le=1024)
    """Cycles a router takes to use a credit it has received."""
    injection_cycles: Int = Field(default=2, ge=0, le=1024)
    """Cycles from a message's injection to its head flit written into the source router."""
    routing_cycles: Int | None = Field(default=None, ge=0, le=1024)
    """Route computation. The four stage fields default to a split of noc.router_latency:
    one link cycle, then switch traversal, switch and VC allocation one cycle each while
    cycles remain, the rest routing (4 cycles: BookSim's 0 / 1 / 1 / 1 and a 1-cycle link)."""
    vc_alloc_cycles: Int | None = Field(default=None, ge=0, le=1024)
    """VC allocation to switch allocation."""
    switch_alloc_cycles: Int | None = Field(default=None, ge=0, le=1024)
    """Switch allocation to switch traversal."""
    switch_traversal_cycles: Int | None = Field(default=None, ge=0, le=1024)
    """Switch traversal."""
    deadlock_cycles: Int = Field(default=100_000, ge=100, le=100_000_000)
    """No flit moving for this many cycles while messages are in flight stops the run with a
    deadlock error naming the blocked links."""

    STAGES: ClassVar[tuple[str, ...]] = (
        "routing_cycles", "vc_alloc_cycles", "switch_alloc_cycles", "switch_traversal_cycles"
    )

    def stages(self, hop_cycles: int) -> dict[str, int]:
        """The four stage cycles for a hop of ``hop_cycles`` (field docstrings): the given
        ones, else the default split; the link takes what remains (checked by the caller)."""
        given = {name: getattr(self, name) for name in self.STAGES}
        if all(value is None for value in given.values()):
            fill = min(max(hop_cycles - 1, 0), 3)
            split = [0, int(fill >= 3), int(fill >= 2), int(fill >= 1)]
            split[0] = max(hop_cycles - 1 - fill, 0)
            return dict(zip(self.STAGES, split, strict=True))
        return {name: value or 0 for name, value in given.items()}


class NocConfig(_Section):
    topology: Literal["mesh", "torus", "ring", "chiplets", "stack3d"] = "mesh"
    """Router network: mesh (XY routing), torus (dimension order, the shorter way round),
    ring (rows must be 1), chiplets (meshes on an interposer: noc.chiplets) or stack3d
    (meshes in tiers: noc.stack3d); one tile per router (docs/architecture.md)."""
    rows: Int = Field(ge=1, le=256)
    """Router (tile) rows of the mesh (of one chiplet or tier)."""
    cols: Int = Field(ge=1, le=256)
    """Router (tile) columns of the mesh (of one chiplet or tier)."""
    flit_size_bytes: Bytes = Field(alias="flit_size")
    """Flit width, written "32 bit" or "4 B"; whole bytes, up to 256."""
    router_latency_ns: Nanoseconds = Field(alias="router_latency")
    """Latency of one hop (router pipeline and link)."""
    link_bandwidth_gbps: GigabytesPerSecond = Field(alias="link_bandwidth")
    """Payload bandwidth of one link, one direction."""
    chiplets: ChipletsConfig | None = None
    """Topology chiplets: the chiplet grid and the interposer (cimsim.config.noc_layout)."""
    stack3d: Stack3dConfig | None = None
    """Topology stack3d: the tiers and their vertical links (cimsim.config.noc_layout)."""
    model: Literal["path", "routers"] = "path"
    """How messages are timed (docs/architecture.md, "The NoC"): path, a message holds every
    link of its route for its whole duration (fast); routers, flits advance hop by hop
    through input-buffered routers with credits and virtual channels (noc.router)."""
    router: RouterConfig = RouterConfig()
    """The routers of model routers."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if self.flit_size_bytes != int(self.flit_size_bytes) or self.flit_size_bytes > 256:
            raise ValueError("flit_size must be a whole number of bytes between 1 B and 256 B")
        if self.topology == "ring" and self.rows != 1:
            raise ValueError(f"a ring has one row of routers; rows is {self.rows}")
        check_layout(self.topology, self.rows, self.cols, self.chiplets, self.stack3d)
        return self

    @property
    def units(self) -> int:
        """Meshes of rows x cols: chiplets, tiers, or 1."""
        return units(self.topology, self.chiplets, self.stack3d)

    @property
    def tiles(self) -> int:
        """Tiles (one per router)."""
        return self.rows * self.cols * self.units

    @property
    def link_kinds(self) -> tuple[str, ...]:
        """Counter kinds of its links beyond on-chip ``link`` (``interposer``, ``tsv``...)."""
        return link_kinds(self.chiplets, self.stack3d)

    @property
    def flit_ns(self) -> float:
        """One NoC cycle of model routers: a link moving one flit, ns."""
        return self.flit_size_bytes / self.link_bandwidth_gbps

    def hop_cycles(self, clock_ghz: float) -> int:
        """NoC cycles of one hop in model routers: router_latency in whole clock cycles (as
        model path charges it), then in whole NoC cycles."""
        clock_cycles = max(1, round(self.flit_ns * clock_ghz))
        return math.ceil(ns_to_cycles(self.router_latency_ns, clock_ghz) / clock_cycles)


class MemoryLevelConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """Level name (letters, digits, underscores); its bytes are counted and priced under it."""
    scope: Literal["tile", "group", "chip", "off_chip"]
    """Where its instances sit: one in every tile; one per group of tiles; at chosen routers
    of the chip; off chip at chosen routers (memory controllers)."""
    size_bytes: Bytes | None = Field(default=None, alias="size")
    """Capacity of one instance; required on chip, omitted (unbounded) off chip."""
    bandwidth_gbps: GigabytesPerSecond = Field(alias="bandwidth")
    """Bandwidth of one port."""
    access_latency_ns: Nanoseconds = Field(alias="access_latency")
    """Latency of the first word of an access."""
    ports: Int = Field(default=1, ge=1, le=64)
    """Accesses one bank serves at once, each at the full bandwidth."""
    banks: Int = Field(default=1, ge=1, le=1024)
    """Independent banks of an instance; a requesting tile uses bank (tile mod banks)."""
    routers: tuple[Annotated[tuple[Int, ...], Field(min_length=2, max_length=3)], ...] = Field(
        default=((0, 0),), min_length=1, max_length=4096
    )
    """Scope chip or off_chip: the router of each instance, [row, col] (of chiplet or tier
    0), or [chiplet, row, col] / [tier, row, col]; a tile uses the nearest one (serves)."""
    serves: Literal["nearest", "local"] = "nearest"
    """Which instance serves a tile: the nearest (least zero-load latency, then fewest hops;
    ties: the first listed), or local: the nearest on the tile's own chiplet or tier, each
    of which must have one."""
    group: tuple[Int, Int] | None = None
    """Scope group: tiles (rows, cols) per instance, which sits at its block's first router."""
    writes_via: str | None = None
    """A level that data stored into this one passes through first (DRAM behind the global
    buffer); reads stream straight out."""
    technology: Literal["sram", "edram", "lpddr4", "lpddr5", "hbm2"] = "sram"
    """Technology its model-based costs assume: sram or edram on chip, a DRAM kind off chip."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        off_chip = self.scope == "off_chip"
        if self.size_bytes is None and not off_chip:
            raise ValueError(f"size is required for a level of scope {self.scope}")
        if (self.technology in ("sram", "edram")) == off_chip:
            allowed = "lpddr4, lpddr5, hbm2" if off_chip else "sram, edram"
            raise ValueError(f"technology {self.technology} at scope {self.scope}: use {allowed}")
        if (self.scope == "group") != (self.group is not None):
            raise ValueError("group (tiles per instance) is given for, and only for, scope group")
        if self.group is not None and min(self.group) < 1:
            raise ValueError(f"group {list(self.group)}: tiles per instance must be at least 1")
        if self.scope == "tile" and self.banks > 1:
            raise ValueError("banks split a shared level among its requesting tiles; a tile's "
                             "own level has one requester: use ports")  # fmt: skip
        return self


class CrossbarConfig(_Section):
    rows: Int = Field(ge=1, le=4096)
    """Word lines driven in parallel."""
    cols: Int = Field(ge=1, le=4096)
    """Bit lines read in parallel."""
    cell_bits: Int = Field(ge=1, le=8)
    """Bits per RRAM cell."""
    read_latency_ns: PositiveNanoseconds = Field(alias="read_latency")
    """One analog read of all columns (drive, settle, sample-and-hold)."""
    weight_encoding: Literal["offset", "differential", "twos_complement"] = "offset"
    """Signed weights: offset (zero point, corrected digitally), differential column pairs,
    or two's complement with a negative-weighted sign column (sets columns per weight)."""


class DacConfig(_Section):
    bits: Int = Field(ge=1, le=8)
    """Input bits applied per bit-serial step."""
    input_encoding: Literal["twos_complement", "offset"] = "twos_complement"
    """Signed inputs: two's complement (the sign bit a step of its own) or offset by 128."""


class AdcConfig(_Section):
    bits: Int = Field(ge=1, le=16)
    """ADC resolution."""
    per_pe: Int = Field(ge=1, le=65536)
    """ADCs shared by the columns of all crossbars of one PE (the PE's ADC bank)."""
    sample_rate_gsps: GigasamplesPerSecond = Field(alias="sample_rate")
    """Conversions per second of one ADC."""
    shared_by_pes: Int = Field(default=1, ge=1, le=1024)
    """PEs that share one ADC bank of shared_by_pes x per_pe ADCs, one PE's MVM at a time."""
    mode: Literal["ideal", "clip", "uniform", "isaac_flip"] = "clip"
    """Functional ADC model: ideal, clip to bits, uniform quantisation of full_scale, or
    ISAAC's flipped-weight encoding (lossless 8 bits for 128 rows of 2-bit cells)."""
    full_scale: Real | None = Field(default=None, gt=0, le=1e12)
    """Analog sum mapped to the top ADC code in 'uniform' mode (None: the largest possible)."""


class PeConfig(_Section):
    crossbars: Int = Field(ge=1, le=1024)
    """Crossbars in one processing element; they share its ADC bank."""


class DigitalConfig(_Section):
    lanes: Int = Field(ge=1, le=65536)
    """Element operations per cycle of the tile's digital vector unit (pool, add, act)."""


class TileConfig(_Section):
    pes: Int = Field(ge=1, le=1024)
    """Processing elements (ISAAC: IMAs) per tile."""
    pe: PeConfig
    """One processing element."""
    crossbar: CrossbarConfig
    """The crossbar arrays of every PE."""
    dac: DacConfig
    """Row drivers."""
    adc: AdcConfig
    """Column converters."""
    digital: DigitalConfig
    """The tile's digital unit."""

    @model_validator(mode="after")
    def _adcs_fit_columns(self) -> Self:
        columns = self.pe.crossbars * self.crossbar.cols
        if self.adc.per_pe > columns:
            raise ValueError(
                f"adc.per_pe = {self.adc.per_pe} ADCs for {columns} columns in a PE "
                f"({self.pe.crossbars} crossbars x {self.crossbar.cols} columns); "
                f"at most one ADC per column is allowed"
            )
        if self.pes % self.adc.shared_by_pes:
            raise ValueError(
                f"adc.shared_by_pes = {self.adc.shared_by_pes} must divide pes = {self.pes}"
            )
        return self


class PrecisionConfig(_Section):
    weight_bits: Int = Field(default=8, ge=1, le=16)
    """Bits per weight (INT8 by default), sliced over cells of ``cell_bits``."""
    activation_bits: Int = Field(default=8, ge=1, le=16)
    """Bits per input activation, streamed through the DACs."""
    psum_bits: Int = Field(default=24, ge=8, le=64)
    """Width of a partial sum sent between PEs/tiles for accumulation."""


class DeviceConfig(_Section):
    variation_sigma: Real = Field(default=0.0, ge=0.0, le=2.0)
    """Relative sigma of programmed conductance (functional runs; 0 = ideal)."""
    variation_model: Literal["lognormal", "gaussian"] = "lognormal"
    """Shape of the conductance variation."""
    stuck_off_rate: Real = Field(default=0.0, ge=0.0, le=1.0)
    """Fraction of cells stuck at the lowest conductance."""
    stuck_on_rate: Real = Field(default=0.0, ge=0.0, le=1.0)
    """Fraction of cells stuck at the highest conductance."""
    conductance_levels: Int | None = Field(default=None, ge=2, le=65536)
    """Distinct programmable conductances (None: exactly 2**cell_bits levels)."""


class ArchConfig(_Section):
    name: str = Field(min_length=1)
    """Short name of the architecture."""
    source: str = Field(min_length=1)
    """Where the figures come from (paper, table); required for every preset."""
    description: str = ""
    """Free text."""
    clock: ClockConfig
    """The simulation clock."""
    noc: NocConfig
    """The network-on-chip: topology, size, flits, links."""
    memory: tuple[MemoryLevelConfig, ...] = Field(min_length=2)
    """Memory levels in order from the tiles outward; the first is every tile's own buffer
    (scope tile), the last holds the network's inputs and outputs."""
    tile: TileConfig
    """One tile (all tiles are identical)."""
    precision: PrecisionConfig = PrecisionConfig()
    """Number formats."""
    costs: CostsConfig = CostsConfig()
    """What each component costs: energy per action, area, leakage (cimsim.config.costs)."""
    device: DeviceConfig = DeviceConfig()
    """RRAM device non-idealities for functional runs (all off by default)."""

    @model_validator(mode="before")
    @classmethod
    def _no_old_sections(cls, data: Any) -> Any:
        if isinstance(data, dict) and "chip" in data:
            raise ValueError(
                "the chip section was replaced: the mesh size is noc.rows and noc.cols, and "
                "the global buffer and DRAM are levels of the memory section (see "
                "docs/architecture.md, 'The architecture file')"
            )
        if isinstance(data, dict) and "energy" in data:
            raise ValueError(
                "the energy section was replaced by costs: energy.technology_nm is "
                "costs.technology (\"32 nm\"), energy.adc_kind and energy.power_gating are "
                "costs.adc_kind and costs.power_gating, and the component table energy.table "
                "named lives in costs.components of this file (docs/hardware-models.md)"
            )
        tile = data.get("tile") if isinstance(data, dict) else None
        if isinstance(tile, dict) and "buffer" in tile:
            raise ValueError(
                "tile.buffer was replaced by the first level of the memory section "
                "(memory.tile_buffer, scope tile)"
            )
        return data

    @model_validator(mode="after")
    def _memory_fits_the_chip(self) -> Self:
        names = [level.name for level in self.memory]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"memory: level names must differ; repeated: {', '.join(repeated)}")
        first = self.memory[0]
        if first.scope != "tile":
            raise ValueError(f"memory.{first.name}: the first level must have scope tile")
        if first.size_bytes is not None and first.size_bytes < self.tile.crossbar.rows:
            raise ValueError(
                f"memory.{first.name}.size ({first.size_bytes:g} B) cannot hold one crossbar "
                f"input vector of {self.tile.crossbar.rows} bytes"
            )
        noc = self.noc
        for level in self.memory:
            name = level.name
            for router in level.routers:
                problem = router_problem(router, noc.topology, noc.rows, noc.cols, noc.units)
                if problem:
                    raise ValueError(f"memory.{name}.routers: {problem}")
            if level.serves == "local":
                self._check_local(level)
            if level.writes_via is not None and level.writes_via not in names[:names.index(name)]:
                raise ValueError(
                    f"memory.{name}.writes_via: {level.writes_via!r} is not a level before it "
                    f"(levels: {', '.join(names)})"
                )
        return self

    def _check_local(self, level: MemoryLevelConfig) -> None:
        """Every chiplet or tier of a machine has an instance of a level that serves locally."""
        noun = {"chiplets": "chiplet", "stack3d": "tier"}.get(self.noc.topology)
        if level.scope not in ("chip", "off_chip") or noun is None:
            raise ValueError(f"memory.{level.name}.serves: local picks an instance on a tile's "
                             f"own chiplet or tier: for scope chip or off_chip on topology "
                             f"chiplets or stack3d")  # fmt: skip
        have = {router[0] if len(router) == 3 else 0 for router in level.routers}
        for unit in range(self.noc.units):
            if unit not in have:
                raise ValueError(
                    f"memory.{level.name}.routers: {noun} {unit} has no {level.name} instance, "
                    f"and serves: local keeps its tiles off the other {noun}s' instances: add "
                    f"a router [{unit}, row, col], or serve the nearest (serves: nearest)"
                )

    @model_validator(mode="after")
    def _routers_fit_the_clock(self) -> Self:
        noc = self.noc
        if noc.model != "routers":
            return self
        clock_cycles = noc.flit_ns * self.clock.frequency_ghz
        if clock_cycles < 1 - 1e-9 or abs(clock_cycles - round(clock_cycles)) > 1e-6:
            raise ValueError(
                f"noc.model routers steps the routers once per flit time, flit_size / "
                f"link_bandwidth = {noc.flit_ns:g} ns, which must be a whole number (at least 1) "
                f"of clock cycles ({1 / self.clock.frequency_ghz:g} ns); it is "
                f"{clock_cycles:g}: change noc.link_bandwidth, noc.flit_size or clock.frequency"
            )
        hop_cycles = noc.hop_cycles(self.clock.frequency_ghz)
        stages = noc.router.stages(hop_cycles)
        if hop_cycles < sum(stages.values()) + 1:
            raise ValueError(
                f"noc.model routers: a hop of noc.router_latency ({noc.router_latency_ns:g} ns"
                f" = {hop_cycles} NoC cycles of {noc.flit_ns:g} ns) must hold the router "
                f"pipeline ({sum(stages.values())} cycles: "
                + ", ".join(f"noc.router.{k} {v}" for k, v in stages.items())
                + ") and at least one link cycle"
            )
        return self

    @model_validator(mode="after")
    def _chip_size(self) -> Self:
        pes, crossbars = self.tiles * self.tile.pes, self.tiles * self.crossbars_per_tile
        units = f"{self.noc.units} x " if self.noc.units > 1 else ""
        if pes > MAX_PES or crossbars > MAX_CROSSBARS:
            raise ValueError(
                f"the chip has {pes:,} PEs and {crossbars:,} crossbars (noc {units}"
                f"{self.noc.rows}x{self.noc.cols}, tile.pes {self.tile.pes}, "
                f"tile.pe.crossbars {self.tile.pe.crossbars}); at most {MAX_PES:,} PEs and "
                f"{MAX_CROSSBARS:,} crossbars are allowed"
            )
        return self

    @property
    def tiles(self) -> int:
        """Tiles on the chip."""
        return self.noc.tiles

    def memory_level(self, name: str) -> MemoryLevelConfig:
        """The memory level called ``name``."""
        for level in self.memory:
            if level.name == name:
                return level
        raise KeyError(name)

    @property
    def crossbars_per_tile(self) -> int:
        """Crossbars in one tile."""
        return self.tile.pes * self.tile.pe.crossbars
