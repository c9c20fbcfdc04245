"""CMOS technology nodes and the rule that scales component costs between them.

The rule is first-order (classical, Dennard-style) scaling with each node's real nominal
supply voltage, since Vdd stopped scaling with feature size below about 90 nm:

    area      ~ L^2                       (every layout dimension shrinks with L)
    energy    ~ C * Vdd^2 ~ L * Vdd^2     (switched capacitance shrinks with L)
    delay     ~ L                         (gate delay; constant-field scaling)
    leakage   ~ L * Vdd^2                 (cimsim choice: leakage power is scaled like
                                          dynamic power at a fixed clock)

    factor(from -> to) = (L_to / L_from)^k * (Vdd_to / Vdd_from)^m

Sources: R. H. Dennard et al., "Design of ion-implanted MOSFETs with very small physical
dimensions", IEEE JSSC 9(5), 1974, Table I (scaling rules); nominal Vdd per node as tabulated
by A. Stillmaker and B. Baas, "Scaling equations for the accurate prediction of CMOS device
performance from 180 nm to 7 nm", Integration 58, 2017 (high-performance device tables). The
Stillmaker-Baas fitted polynomials are more accurate below 22 nm, where L^2 area scaling is
optimistic; cimsim keeps the simpler rule and says so (docs/hardware-models.md).

RRAM cell read energy is device physics (V^2 * G * t) and is not scaled by this rule.
"""

from dataclasses import dataclass

from hwmodels.errors import HwModelError

# Nominal supply voltage per node, V (Stillmaker & Baas 2017, HP device tables; see above).
_VDD_V_BY_NODE_NM: tuple[tuple[int, float], ...] = (
    (90, 1.2),
    (65, 1.1),
    (45, 1.0),
    (32, 0.9),
    (22, 0.8),
    (14, 0.8),
    (10, 0.75),
    (7, 0.7),
)

SUPPORTED_NODES_NM: tuple[int, ...] = tuple(node for node, _ in _VDD_V_BY_NODE_NM)
"""Technology nodes cimsim can scale between, nm (largest first)."""


@dataclass(frozen=True)
class TechNode:
    """One CMOS technology node."""

    node_nm: int
    """Feature size (the node's name), nm; one of SUPPORTED_NODES_NM."""
    vdd_v: float
    """Nominal supply voltage, V (Stillmaker & Baas 2017)."""


@dataclass(frozen=True)
class ScalingFactors:
    """Multipliers that move a cost from one node to another (see the module docstring)."""

    area: float
    """Multiplier of an area, (L_to/L_from)^2."""
    energy: float
    """Multiplier of a dynamic energy per action, (L_to/L_from) * (Vdd_to/Vdd_from)^2."""
    delay: float
    """Multiplier of a gate-limited latency, L_to/L_from."""
    leakage: float
    """Multiplier of a leakage power, equal to ``energy`` (cimsim choice)."""


def technology(node_nm: int, field: str = "technology_nm") -> TechNode:
    """The TechNode of ``node_nm``; an unsupported node raises HwModelError naming ``field``."""
    for node, vdd_v in _VDD_V_BY_NODE_NM:
        if node == node_nm and not isinstance(node_nm, bool):
            return TechNode(node_nm=node, vdd_v=vdd_v)
    supported = ", ".join(str(node) for node in SUPPORTED_NODES_NM)
    raise HwModelError(field, f"unsupported technology node {node_nm!r} nm; supported: {supported}")


def scaling(from_nm: int, to_nm: int) -> ScalingFactors:
    """Factors that scale a cost computed at ``from_nm`` to ``to_nm``."""
    src = technology(from_nm, "from_nm")
    dst = technology(to_nm, "to_nm")
    length = dst.node_nm / src.node_nm
    voltage_sq = (dst.vdd_v / src.vdd_v) ** 2
    energy = length * voltage_sq
    return ScalingFactors(area=length**2, energy=energy, delay=length, leakage=energy)


def scale_energy_pj(energy_pj: float, from_nm: int, to_nm: int) -> float:
    """Dynamic energy per action moved from ``from_nm`` to ``to_nm``, pJ."""
    return energy_pj * scaling(from_nm, to_nm).energy


def scale_area_mm2(area_mm2: float, from_nm: int, to_nm: int) -> float:
    """Area moved from ``from_nm`` to ``to_nm``, mm^2."""
    return area_mm2 * scaling(from_nm, to_nm).area


def scale_delay_ns(delay_ns: float, from_nm: int, to_nm: int) -> float:
    """Gate-limited latency moved from ``from_nm`` to ``to_nm``, ns."""
    return delay_ns * scaling(from_nm, to_nm).delay


def scale_leakage_mw(leakage_mw: float, from_nm: int, to_nm: int) -> float:
    """Leakage power moved from ``from_nm`` to ``to_nm``, mW."""
    return leakage_mw * scaling(from_nm, to_nm).leakage
