"""Translation of a validated ArchConfig into the hwmodels parameter objects."""

from dataclasses import dataclass

from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError
from hwmodels.chip import ChipSpec
from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar import CrossbarParams
from hwmodels.crossbar.mvm_params import DeviceNonIdealities, MvmConfig
from hwmodels.digital import DigitalParams
from hwmodels.errors import HwModelError
from hwmodels.noc import NocParams


@dataclass(frozen=True)
class HardwareParams:
    """Every component model the engine needs, built once from the configuration."""

    clock_ghz: float
    crossbar: CrossbarParams
    dac: DacParams
    adc: AdcParams
    noc: NocParams
    digital: DigitalParams


def hardware_params(arch: ArchConfig) -> HardwareParams:
    """Build the hwmodels parameters; a value hwmodels rejects becomes a ConfigError."""
    tile = arch.tile
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
        digital=digital,
    )


def chip_spec(arch: ArchConfig, hw: HardwareParams | None = None) -> tuple[ChipSpec, str]:
    """The priced chip of ``arch`` and a note on where its prices come from (one line).

    See cimsim.config.pricing: the ``costs`` section of the architecture file prices every
    component; a table published for other chip fields, or an action without a price, is a
    ConfigError. ``hw`` is accepted for the callers that hold it and not needed.
    """
    from cimsim.config.pricing import price_chip  # pricing builds on this module

    priced = price_chip(arch)
    return priced.spec, priced.note


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
