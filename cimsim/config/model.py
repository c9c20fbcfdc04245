"""The validated architecture model: chip -> NoC mesh of tiles -> PEs -> crossbars.

Files use unit strings under short keys (``read_latency: 100 ns``); the validated model
stores numbers under names that carry the unit (``read_latency_ns``). Every field has a
docstring (meaning, unit, range); ``cimsim describe`` prints them. Integers are strict (a
``true`` or ``6.5`` is refused, not read as 1 or 6), every number is finite and bounded.
"""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from cimsim.config.quantities import (
    Bytes,
    GigabytesPerSecond,
    Gigahertz,
    GigasamplesPerSecond,
    Nanoseconds,
    PositiveNanoseconds,
)
from hwmodels.technology import SUPPORTED_NODES_NM

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


class MeshConfig(_Section):
    rows: Int = Field(ge=1, le=256)
    """Tile rows of the 2-D mesh."""
    cols: Int = Field(ge=1, le=256)
    """Tile columns of the 2-D mesh."""


class GlobalBufferConfig(_Section):
    size_bytes: Bytes = Field(alias="size")
    """Capacity of the chip's shared on-chip buffer (activations that do not fit tiles)."""
    bandwidth_gbps: GigabytesPerSecond = Field(alias="bandwidth")
    """Port bandwidth of the global buffer."""
    access_latency_ns: Nanoseconds = Field(alias="access_latency")
    """Latency of the first word of an access."""
    router: tuple[Int, Int] = (0, 0)
    """Mesh position (row, col) of the router the global buffer and DRAM hang off."""


class DramConfig(_Section):
    bandwidth_gbps: GigabytesPerSecond = Field(alias="bandwidth")
    """Sustained off-chip bandwidth."""
    access_latency_ns: Nanoseconds = Field(alias="access_latency")
    """Latency of the first word of an access."""


class ChipConfig(_Section):
    mesh: MeshConfig
    """The tiles, laid out on a 2-D mesh NoC."""
    global_buffer: GlobalBufferConfig
    """The chip-level buffer."""
    dram: DramConfig
    """Off-chip memory."""


class NocConfig(_Section):
    flit_size_bytes: Bytes = Field(alias="flit_size")
    """Flit width, written "32 bit" or "4 B"; whole bytes, up to 256."""
    router_latency_ns: Nanoseconds = Field(alias="router_latency")
    """Pipeline latency of one router hop."""
    link_bandwidth_gbps: GigabytesPerSecond = Field(alias="link_bandwidth")
    """Payload bandwidth of one link, one direction."""

    @model_validator(mode="after")
    def _whole_flit(self) -> Self:
        if self.flit_size_bytes != int(self.flit_size_bytes) or self.flit_size_bytes > 256:
            raise ValueError("flit_size must be a whole number of bytes between 1 B and 256 B")
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


class TileBufferConfig(_Section):
    size_bytes: Bytes = Field(alias="size")
    """Capacity of the tile's activation buffer."""
    bandwidth_gbps: GigabytesPerSecond = Field(alias="bandwidth")
    """Port bandwidth of the tile buffer."""
    access_latency_ns: Nanoseconds = Field(alias="access_latency")
    """Latency of the first word of an access."""


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
    buffer: TileBufferConfig
    """The tile's activation buffer."""
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
        if self.buffer.size_bytes < self.crossbar.rows:
            raise ValueError(
                f"buffer.size ({self.buffer.size_bytes:g} B) cannot hold one crossbar input "
                f"vector of {self.crossbar.rows} bytes"
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


class EnergyConfig(_Section):
    table: str | None = None
    """Name of a hwmodels preset whose published component tables price the actions (e.g.
    isaac); used only while the architecture still matches it (see cimsim.config.hardware)."""
    technology_nm: Int = 32
    """CMOS node of the model-based costs used without a matching table; 7..90 nm."""
    adc_kind: Literal["sar", "flash"] = "sar"
    """ADC architecture of the model-based costs."""
    buffer_kind: Literal["sram", "edram"] = "sram"
    """Tile buffer technology of the model-based costs."""
    dram_technology: Literal["lpddr4", "lpddr5", "hbm2"] = "lpddr4"
    """DRAM technology of the model-based costs."""
    power_gating: Literal["none", "unused"] = "unused"
    """Leakage: "unused" gates PEs that hold no weights and tiles with no work (their
    leakage is not counted); "none" charges every component of the chip for the whole run."""

    @field_validator("technology_nm")
    @classmethod
    def _known_node(cls, node_nm: int) -> int:
        if node_nm not in SUPPORTED_NODES_NM:
            supported = ", ".join(str(node) for node in SUPPORTED_NODES_NM)
            raise ValueError(f"unsupported technology node {node_nm} nm; supported: {supported}")
        return node_nm


class ArchConfig(_Section):
    name: str = Field(min_length=1)
    """Short name of the architecture."""
    source: str = Field(min_length=1)
    """Where the figures come from (paper, table); required for every preset."""
    description: str = ""
    """Free text."""
    clock: ClockConfig
    """The simulation clock."""
    chip: ChipConfig
    """The chip: mesh, global buffer, DRAM."""
    noc: NocConfig
    """The network-on-chip."""
    tile: TileConfig
    """One tile (all tiles are identical)."""
    precision: PrecisionConfig = PrecisionConfig()
    """Number formats."""
    energy: EnergyConfig = EnergyConfig()
    """How actions are priced into energy (and the chip's area and power)."""
    device: DeviceConfig = DeviceConfig()
    """RRAM device non-idealities for functional runs (all off by default)."""

    @model_validator(mode="after")
    def _global_buffer_on_mesh(self) -> Self:
        row, col = self.chip.global_buffer.router
        if not (0 <= row < self.chip.mesh.rows and 0 <= col < self.chip.mesh.cols):
            raise ValueError(
                f"chip.global_buffer.router {list(self.chip.global_buffer.router)} is outside "
                f"the {self.chip.mesh.rows}x{self.chip.mesh.cols} mesh"
            )
        return self

    @model_validator(mode="after")
    def _chip_size(self) -> Self:
        pes, crossbars = self.tiles * self.tile.pes, self.tiles * self.crossbars_per_tile
        if pes > MAX_PES or crossbars > MAX_CROSSBARS:
            raise ValueError(
                f"the chip has {pes:,} PEs and {crossbars:,} crossbars (mesh "
                f"{self.chip.mesh.rows}x{self.chip.mesh.cols}, tile.pes {self.tile.pes}, "
                f"tile.pe.crossbars {self.tile.pe.crossbars}); at most {MAX_PES:,} PEs and "
                f"{MAX_CROSSBARS:,} crossbars are allowed"
            )
        return self

    @property
    def tiles(self) -> int:
        """Tiles on the chip."""
        return self.chip.mesh.rows * self.chip.mesh.cols

    @property
    def crossbars_per_tile(self) -> int:
        """Crossbars in one tile."""
        return self.tile.pes * self.tile.pe.crossbars
