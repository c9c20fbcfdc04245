"""Energy, area, leakage and speed limit of DACs, sample-and-holds and ADCs (SAR, flash).

All reference figures are at 32 nm and move to other nodes with ``hwmodels.technology``.

ADC energy per conversion (Walden figure of merit, FOM_W = P / (2^ENOB * fs)):

    SAR:    E = FOM_W0 * 2^bits * (1 + fs / f_corner) * k_energy(node)
    flash:  E = (2^bits - 1) * E_comparator * k_energy(node)

The SAR form follows the shape of the FOM_W envelope in B. Murmann, "ADC Performance Survey
1997-2024" (FOM_W vs f_s plot): flat at low sample rates, rising about in proportion to f_s
above a corner frequency; ENOB is taken equal to the resolution. f_corner = 100 MS/s is a
cimsim reading of that plot; FOM_W0 is calibrated so that ISAAC's ADC (8 bit, 1.28 GS/s,
32 nm: 2 mW each, Table I 16 mW / 8, of which 10 % leakage as in the PUMA simulator's
constants.py, adc_pow_leak 0.2 of 2.0 mW) comes out exactly: 1.40625 pJ per conversion,
i.e. FOM_W0 = 0.398 fJ/conversion-step, close to the survey's best low-speed designs.
A flash ADC fires 2^bits - 1 comparators per conversion (standard textbook model, e.g.
B. Razavi, "Principles of Data Conversion System Design", 1995, ch. 4).

ADC speed limit: a SAR makes ``bits`` comparator decisions plus one sampling phase per
conversion, a flash one sampling and one comparison phase:

    fs_max(SAR)   = 1 / ((bits + 1) * t_decision(node))
    fs_max(flash) = 1 / (2 * t_decision(node))

t_decision(32 nm) = 80 ps: Kull et al., "A 3.1 mW 8b 1.2 GS/s single-channel asynchronous
SAR ADC with alternate comparators for enhanced speed in 32 nm digital SOI CMOS", JSSC 48(12),
2013 (the ADC ISAAC scales) reaches 1.2 GS/s with 9 phases, 93 ps each; cimsim allows 15 %
headroom so that ISAAC's stated 1.28 GS/s for the same ADC is admissible. t_decision scales
with gate delay. A faster ADC raises HwModelError on ``sample_rate_gsps``.
"""

from hwmodels.converters.params import AdcParams, DacParams
from hwmodels.cost import ComponentCost
from hwmodels.errors import HwModelError
from hwmodels.technology import scaling

REFERENCE_NODE_NM = 32
"""Node of every reference figure in this module, nm (ISAAC, Table I)."""

ADC_KINDS: tuple[str, ...] = ("sar", "flash")
"""Supported ADC architectures."""

SAR_FOM_W0_PJ = 1.40625 / (2**8 * (1.0 + 1.28 / 0.1))
"""Low-speed Walden FOM of a SAR ADC at 32 nm, pJ per conversion step (calibrated, above)."""
SAR_CORNER_GSPS = 0.1
"""Sample rate above which SAR energy per conversion grows with f_s, GS/s (Murmann survey)."""
SAR_AREA_8BIT_MM2 = 0.0012
"""Area of an 8-bit SAR ADC at 32 nm, mm^2 (ISAAC Table I: 0.0096 mm^2 for 8 ADCs)."""
FLASH_COMPARATOR_PJ = 0.02
"""Energy of one comparator decision in a flash ADC at 32 nm, pJ (cimsim assumption: dynamic
latch comparators of the 32-45 nm generation spend tens of fJ per decision)."""
FLASH_COMPARATOR_AREA_MM2 = 2.0e-5
"""Area of one flash comparator slice (comparator, ladder tap, encoder share) at 32 nm, mm^2
(cimsim assumption, about 20 um^2)."""
ADC_LEAKAGE_FRACTION = 0.1
"""Share of an ADC's busy power that is leakage (PUMA simulator constants.py: 0.2 of 2 mW)."""
DECISION_TIME_32NM_NS = 0.080
"""Minimum comparator decision (phase) time at 32 nm, ns (Kull et al. 2013, see above)."""

DAC_UNIT_ENERGY_PJ = 4.0 * 0.9 / 1024 / 0.01
"""Energy of one 1-bit DAC driving one row for one step, pJ: ISAAC Table I 4 mW for 8x128
DACs each driving once per 100 ns, 90 % dynamic (PUMA simulator constants.py dac_pow_dyn)."""
DAC_UNIT_LEAKAGE_MW = 4.0 * 0.1 / 1024
"""Leakage of one 1-bit DAC, mW (the other 10 % of ISAAC's 4 mW / 1024, as above)."""
DAC_UNIT_AREA_MM2 = 0.00017 / 1024
"""Area of one 1-bit DAC, mm^2 (ISAAC Table I: 0.00017 mm^2 for 8x128)."""
SAMPLE_HOLD_ENERGY_PJ = 0.010 * 0.9 / 1024 / 0.01
"""Energy of one sample of one column, pJ (ISAAC Table I: 10 uW for 8x128 per 100 ns)."""
SAMPLE_HOLD_LEAKAGE_MW = 0.010 * 0.1 / 1024
"""Leakage of one sample-and-hold, mW (10 %, PUMA simulator constants.py snh_pow_leak)."""
SAMPLE_HOLD_AREA_MM2 = 0.00004 / 1024
"""Area of one sample-and-hold, mm^2 (ISAAC Table I: 0.00004 mm^2 for 8x128)."""


def _require_kind(kind: str) -> None:
    if kind not in ADC_KINDS:
        raise HwModelError("kind", f"unknown ADC kind {kind!r}; supported: {', '.join(ADC_KINDS)}")


def adc_max_sample_rate_gsps(bits: int, kind: str = "sar", node_nm: int = 32) -> float:
    """Fastest single-channel ADC of this kind at this node, GS/s (module docstring)."""
    _require_kind(kind)
    decision_ns = DECISION_TIME_32NM_NS * scaling(REFERENCE_NODE_NM, node_nm).delay
    phases = bits + 1 if kind == "sar" else 2
    return 1.0 / (phases * decision_ns)


def check_adc_speed(adc: AdcParams, kind: str = "sar", node_nm: int = 32) -> None:
    """Raise HwModelError on ``sample_rate_gsps`` if the ADC is faster than ``node_nm`` allows."""
    limit_gsps = adc_max_sample_rate_gsps(adc.bits, kind, node_nm)
    if adc.sample_rate_gsps > limit_gsps * (1.0 + 1e-9):
        raise HwModelError(
            "sample_rate_gsps",
            f"{adc.sample_rate_gsps} GS/s exceeds the {adc.bits}-bit {kind} ADC limit of "
            f"{limit_gsps:.3f} GS/s at {node_nm} nm",
        )


def adc_energy_pj(adc: AdcParams, kind: str = "sar", node_nm: int = 32) -> float:
    """Energy of one conversion, pJ (module docstring); checks the speed limit first."""
    check_adc_speed(adc, kind, node_nm)
    k_energy = scaling(REFERENCE_NODE_NM, node_nm).energy
    if kind == "sar":
        speed = 1.0 + adc.sample_rate_gsps / SAR_CORNER_GSPS
        return SAR_FOM_W0_PJ * 2**adc.bits * speed * k_energy
    return (2**adc.bits - 1) * FLASH_COMPARATOR_PJ * k_energy


def adc_area_mm2(bits: int, kind: str = "sar", node_nm: int = 32) -> float:
    """Area of one ADC, mm^2.

    SAR: half resolution-independent (comparator, logic), half capacitor DAC ~ 2^bits,
    anchored at ISAAC's 8-bit ADC: A = A_8 * (0.5 + 0.5 * 2^(bits - 8)). Flash: 2^bits - 1
    comparator slices.
    """
    _require_kind(kind)
    k_area = scaling(REFERENCE_NODE_NM, node_nm).area
    if kind == "sar":
        return SAR_AREA_8BIT_MM2 * (0.5 + 0.5 * 2.0 ** (bits - 8)) * k_area
    return (2**bits - 1) * FLASH_COMPARATOR_AREA_MM2 * k_area


def adc_cost(adc: AdcParams, kind: str = "sar", node_nm: int = 32) -> ComponentCost:
    """One ADC: action ``conversion`` (energy, latency = 1 / sample rate); leakage 10 %."""
    energy_pj = adc_energy_pj(adc, kind, node_nm)
    dynamic_mw = energy_pj * adc.sample_rate_gsps
    leakage_mw = dynamic_mw * ADC_LEAKAGE_FRACTION / (1.0 - ADC_LEAKAGE_FRACTION)
    return ComponentCost(
        area_mm2=adc_area_mm2(adc.bits, kind, node_nm),
        leakage_mw=leakage_mw,
        energy_pj={"conversion": energy_pj},
        peak_action="conversion",
        latency_ns={"conversion": adc.conversion_ns},
    )


def dac_cost(dac: DacParams, node_nm: int = 32) -> ComponentCost:
    """One row DAC: action ``drive`` (one row, one input step).

    A ``bits``-bit unit-element DAC has 2^bits - 1 unit elements; energy, leakage and area
    are those of ISAAC's 1-bit DAC times that number.
    """
    units = 2**dac.bits - 1
    factors = scaling(REFERENCE_NODE_NM, node_nm)
    return ComponentCost(
        area_mm2=DAC_UNIT_AREA_MM2 * units * factors.area,
        leakage_mw=DAC_UNIT_LEAKAGE_MW * units * factors.leakage,
        energy_pj={"drive": DAC_UNIT_ENERGY_PJ * units * factors.energy},
        peak_action="drive",
    )


def sample_hold_cost(node_nm: int = 32) -> ComponentCost:
    """One column sample-and-hold: action ``sample`` (ISAAC Table I, scaled to ``node_nm``)."""
    factors = scaling(REFERENCE_NODE_NM, node_nm)
    return ComponentCost(
        area_mm2=SAMPLE_HOLD_AREA_MM2 * factors.area,
        leakage_mw=SAMPLE_HOLD_LEAKAGE_MW * factors.leakage,
        energy_pj={"sample": SAMPLE_HOLD_ENERGY_PJ * factors.energy},
        peak_action="sample",
    )
