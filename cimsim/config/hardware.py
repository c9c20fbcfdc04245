"""Translation of a validated ArchConfig into the hwmodels parameter objects."""

from dataclasses import dataclass

from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError
from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar import CrossbarParams
from hwmodels.digital import DigitalParams
from hwmodels.errors import HwModelError
from hwmodels.memory import BufferParams, DramParams
from hwmodels.noc import NocParams


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
