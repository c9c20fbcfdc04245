"""Off-chip DRAM technologies as named presets: energy per bit, bandwidth, latency.

DRAM is priced per byte moved (``read_byte``/``write_byte`` = 8 * pJ/bit); it has no chip
area. Background (standby/refresh) power is not modelled yet (it needs the IDD2N/IDD3N
currents of a concrete device, e.g. via DRAMPower) and is 0.

lpddr4: 13.0 pJ/bit, 25.6 GB/s, 50 ns. Energy: H. Ha, PhD thesis, Stanford University
    (DramDSE model of a 4x8Gb LPDDR4 QDP: 13 pJ/b); bandwidth: JESD209-4, LPDDR4-3200
    on a 64-bit bus.
lpddr5: 10.0 pJ/bit, 136.5 GB/s, 50 ns. Energy: cimsim assumption (LPDDR4 less the ~25 %
    saving vendors quote for LPDDR5's 0.5 V VDDQ); bandwidth: 8533 MT/s x 128 bit, the
    configuration of Chen & Yang, AICAS 2025 (docs/references.md#chen-yang).
hbm2: 3.9 pJ/bit, 256 GB/s, 40 ns. Energy: O'Connor et al., "Fine-grained DRAM", MICRO
    2017, Sec. 2 (HBM2 about 3.9 pJ/b); bandwidth: JESD235A, one stack, 1024 bits at 2 Gb/s.

Latencies (first word of an access, unloaded) are cimsim assumptions of the order of
tRCD + CL for each standard.
"""

from dataclasses import dataclass

from hwmodels._validate import require_non_negative, require_positive
from hwmodels.cost import ComponentCost
from hwmodels.errors import HwModelError
from hwmodels.memory.params import DramParams


@dataclass(frozen=True)
class DramTechnology:
    """One DRAM standard as the chip sees it."""

    name: str
    """Preset name, e.g. ``lpddr4``."""
    energy_pj_per_bit: float
    """Energy of moving one bit between DRAM and the chip (core + I/O), pJ; >= 0."""
    bandwidth_gbps: float
    """Peak bandwidth of the interface, GB/s; > 0."""
    access_latency_ns: float
    """Unloaded latency of the first word of an access, ns; >= 0."""
    background_mw: float = 0.0
    """Standby and refresh power, mW; >= 0 (not modelled yet: 0)."""
    source: str = ""
    """Where the figures come from."""

    def __post_init__(self) -> None:
        require_non_negative("energy_pj_per_bit", self.energy_pj_per_bit)
        require_positive("bandwidth_gbps", self.bandwidth_gbps)
        require_non_negative("access_latency_ns", self.access_latency_ns)
        require_non_negative("background_mw", self.background_mw)

    def params(self) -> DramParams:
        """The timing parameters the engine uses."""
        return DramParams(
            bandwidth_gbps=self.bandwidth_gbps, access_latency_ns=self.access_latency_ns
        )


DRAM_PRESET_NAMES: tuple[str, ...] = ("lpddr4", "lpddr5", "hbm2")
"""Names accepted by ``dram_preset``."""


def dram_preset(name: str) -> DramTechnology:
    """The DRAM technology called ``name`` (table in the module docstring)."""
    if name == "lpddr4":
        return DramTechnology(
            "lpddr4", 13.0, 25.6, 50.0, source="H. Ha, Stanford PhD thesis; JESD209-4"
        )
    if name == "lpddr5":
        return DramTechnology(
            "lpddr5", 10.0, 136.5, 50.0, source="cimsim assumption; Chen & Yang AICAS 2025"
        )
    if name == "hbm2":
        return DramTechnology(
            "hbm2", 3.9, 256.0, 40.0, source="O'Connor et al. MICRO 2017; JESD235A"
        )
    raise HwModelError(
        "dram", f"unknown DRAM technology {name!r}; supported: {', '.join(DRAM_PRESET_NAMES)}"
    )


def dram_cost(tech: DramTechnology) -> ComponentCost:
    """DRAM as a component without area: actions ``read_byte`` and ``write_byte``."""
    per_byte_pj = 8.0 * tech.energy_pj_per_bit
    per_byte_ns = 1.0 / tech.bandwidth_gbps
    return ComponentCost(
        area_mm2=0.0,
        leakage_mw=tech.background_mw,
        energy_pj={"read_byte": per_byte_pj, "write_byte": per_byte_pj},
        peak_action="read_byte",
        latency_ns={"read_byte": per_byte_ns, "write_byte": per_byte_ns},
    )
