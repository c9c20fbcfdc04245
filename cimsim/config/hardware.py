"""Translation of a validated ArchConfig into the hwmodels parameter objects."""

from dataclasses import dataclass, replace

from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError, brief
from hwmodels.chip import ChipSpec
from hwmodels.chip_builder import build_model_spec
from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar import CrossbarParams
from hwmodels.crossbar.mvm_params import DeviceNonIdealities, MvmConfig
from hwmodels.digital import DigitalParams
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams, DramParams
from hwmodels.noc import NocParams
from hwmodels.presets import load_preset


@dataclass(frozen=True)
class HardwareParams:
    """Every component model the engine needs, built once from the configuration."""

    clock_ghz: float
    crossbar: CrossbarParams
    dac: DacParams
    adc: AdcParams
    noc: NocParams
    tile_buffer: BufferParams
    global_buffer: BufferParams
    dram: DramParams
    digital: DigitalParams


def hardware_params(arch: ArchConfig) -> HardwareParams:
    """Build the hwmodels parameters; a value hwmodels rejects becomes a ConfigError."""
    tile, chip = arch.tile, arch.chip
    section = ""
    try:
        section = "tile.crossbar"
        crossbar = CrossbarParams(
            rows=tile.crossbar.rows,
            cols=tile.crossbar.cols,
            cell_bits=tile.crossbar.cell_bits,
            read_latency_ns=tile.crossbar.read_latency_ns,
        )
        section = "tile.dac"
        dac = DacParams(bits=tile.dac.bits)
        section = "tile.adc"
        adc = AdcParams(bits=tile.adc.bits, sample_rate_gsps=tile.adc.sample_rate_gsps)
        section = "noc"
        noc = NocParams(
            flit_bytes=int(arch.noc.flit_size_bytes),
            router_latency_ns=arch.noc.router_latency_ns,
            link_bandwidth_gbps=arch.noc.link_bandwidth_gbps,
        )
        section = "tile.buffer"
        tile_buffer = BufferParams(
            size_bytes=int(tile.buffer.size_bytes),
            bandwidth_gbps=tile.buffer.bandwidth_gbps,
            access_latency_ns=tile.buffer.access_latency_ns,
        )
        section = "chip.global_buffer"
        global_buffer = BufferParams(
            size_bytes=int(chip.global_buffer.size_bytes),
            bandwidth_gbps=chip.global_buffer.bandwidth_gbps,
            access_latency_ns=chip.global_buffer.access_latency_ns,
        )
        section = "chip.dram"
        dram = DramParams(
            bandwidth_gbps=chip.dram.bandwidth_gbps,
            access_latency_ns=chip.dram.access_latency_ns,
        )
        section = "tile.digital"
        digital = DigitalParams(lanes=tile.digital.lanes, clock_ghz=arch.clock.frequency_ghz)
    except HwModelError as exc:
        raise ConfigError(f"{arch.name}: {section}.{exc.field}: {exc.message}") from None
    return HardwareParams(
        clock_ghz=arch.clock.frequency_ghz,
        crossbar=crossbar,
        dac=dac,
        adc=adc,
        noc=noc,
        tile_buffer=tile_buffer,
        global_buffer=global_buffer,
        dram=dram,
        digital=digital,
    )


def chip_spec(arch: ArchConfig, hw: HardwareParams) -> tuple[ChipSpec, str]:
    """The priced chip (hwmodels ChipSpec) for ``arch`` and a note on where prices come from.

    With ``energy.table`` set, the published component table of that hwmodels preset prices
    the actions, provided the architecture still matches the table's components (crossbar
    size and cell bits, DAC and ADC resolution and rate, crossbars and ADCs per PE, PEs per
    tile); the tile count and number formats are taken from ``arch``. Otherwise, or when an
    override broke the match (a sweep over ADC bits, say), every cost comes from the
    component models (hwmodels.chip_builder), and the note says why: never a silent mix.
    """
    energy = arch.energy
    mismatch = ""
    if energy.table is not None:
        try:
            table = load_preset(energy.table)
        except HwModelError as exc:
            raise ConfigError(f"{arch.name}: energy.table: {exc}") from None
        mismatch = _mismatch(arch, hw, table)
        if not mismatch:
            spec = replace(
                table,
                tiles=arch.tiles,
                weight_bits=arch.precision.weight_bits,
                input_bits=arch.precision.activation_bits,
            )
            return spec, f"component tables of hwmodels preset {brief(energy.table)}"
    try:
        spec = build_model_spec(
            name=arch.name,
            technology_nm=energy.technology_nm,
            clock_ghz=hw.clock_ghz,
            tiles=arch.tiles,
            pes_per_tile=arch.tile.pes,
            crossbars_per_pe=arch.tile.pe.crossbars,
            adcs_per_pe=arch.tile.adc.per_pe,
            crossbar=hw.crossbar,
            dac=hw.dac,
            adc=hw.adc,
            noc=hw.noc,
            tile_buffer=hw.tile_buffer,
            global_buffer=hw.global_buffer,
            digital=hw.digital,
            dram_technology=energy.dram_technology,
            adc_kind=energy.adc_kind,
            buffer_kind=energy.buffer_kind,
            weight_bits=arch.precision.weight_bits,
            input_bits=arch.precision.activation_bits,
        )
    except HwModelError as exc:
        path = _CONFIG_PATH_OF_MODEL_FIELD.get(exc.field.split(".")[-1])
        where = path or f"energy model: {exc.field}"
        raise ConfigError(f"{arch.name}: {where}: {exc.message}") from None
    note = f"component models at {energy.technology_nm} nm"
    if mismatch:
        note += f" (table {brief(energy.table)} does not apply: {mismatch})"
    return spec, note


_CONFIG_PATH_OF_MODEL_FIELD = {
    "sample_rate_gsps": "tile.adc.sample_rate",
    "technology_nm": "energy.technology_nm",
    "node_nm": "energy.technology_nm",
}
"""hwmodels field names -> the configuration path a user sets them by."""


def _mismatch(arch: ArchConfig, hw: HardwareParams, table: ChipSpec) -> str:
    """The first configured value that differs from the table's chip, or ''."""
    pairs = (
        ("tile.crossbar.rows", hw.crossbar.rows, table.crossbar.rows),
        ("tile.crossbar.cols", hw.crossbar.cols, table.crossbar.cols),
        ("tile.crossbar.cell_bits", hw.crossbar.cell_bits, table.crossbar.cell_bits),
        ("tile.dac.bits", hw.dac.bits, table.dac.bits),
        ("tile.adc.bits", hw.adc.bits, table.adc.bits),
        ("tile.adc.sample_rate", hw.adc.sample_rate_gsps, table.adc.sample_rate_gsps),
        ("tile.adc.per_pe", arch.tile.adc.per_pe, table.adcs_per_pe),
        ("tile.pe.crossbars", arch.tile.pe.crossbars, table.crossbars_per_pe),
        ("tile.pes", arch.tile.pes, table.pes_per_tile),
        ("energy.technology_nm", arch.energy.technology_nm, table.technology_nm),
    )
    for path, configured, tabled in pairs:
        if configured != tabled:
            return f"{path} is {configured}, the table's is {tabled}"
    return ""


def mvm_config(arch: ArchConfig) -> MvmConfig:
    """The bit-accurate kernel configuration of ``arch``'s crossbars (functional runs).

    The kernels compute INT8 weights and inputs; any other precision, or a cell or DAC
    width the kernels do not model, is a ConfigError naming the field.
    """
    for path, bits in (
        ("precision.weight_bits", arch.precision.weight_bits),
        ("precision.activation_bits", arch.precision.activation_bits),
    ):
        if bits != 8:
            raise ConfigError(f"{arch.name}: {path} is {bits}; functional runs compute INT8 (8)")
    tile, device = arch.tile, arch.device
    try:
        return MvmConfig(
            rows=tile.crossbar.rows,
            cols=tile.crossbar.cols,
            cell_bits=tile.crossbar.cell_bits,
            dac_bits=tile.dac.bits,
            weight_encoding=tile.crossbar.weight_encoding,
            input_encoding=tile.dac.input_encoding,
            adc_mode=tile.adc.mode,
            adc_bits=tile.adc.bits,
            adc_full_scale=tile.adc.full_scale,
            device=DeviceNonIdealities(
                variation_sigma=device.variation_sigma,
                variation_model=device.variation_model,
                stuck_off_rate=device.stuck_off_rate,
                stuck_on_rate=device.stuck_on_rate,
                conductance_levels=device.conductance_levels,
            ),
        )
    except HwModelError as exc:
        raise ConfigError(f"{arch.name}: functional model: {exc}") from None
