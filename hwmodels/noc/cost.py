"""Energy, area and leakage of NoC routers (per flit) and links (per bit per mm).

Router, anchored at ISAAC (Shafiee et al., ISCA 2016, Table I): 8 ports, 32-bit flits,
42 mW and 0.151 mm^2 at 32 nm, busy when every port forwards one flit per 1.2 GHz cycle;
2 % of it is leakage (the PUMA simulator's constants.py gives its 8-port router 51.48 mW
dynamic and 1.04 mW leakage). Energy per flit hop grows with the flit width (buffer write,
read and crossbar traversal are per bit); area grows with ports^1.3 (PUMA simulator:
0.047 mm^2 at 4 ports, 0.116 mm^2 at 8 ports, a ratio of 2^1.30) and with flit width:

    E_flit = E_bit * flit_bits * k_energy(node),   E_bit = 42 * 0.98 / (8 * 1.2) / 32 pJ
    area   = 0.151 * (ports / 8)^1.3 * (flit_bits / 32) * k_area(node)

Link: a full-swing repeated wire, energy per bit per mm of 0.1 pJ at 32 nm (cimsim
assumption, the order of magnitude given for 40-45 nm on-chip wires by S. W. Keckler et
al., "GPUs and the future of parallel computing", IEEE Micro 31(5), 2011), times the hop
length (tile pitch). Links have no area of their own (they run over the tiles) and no
leakage beyond their repeaters, which cimsim ignores.

Links between dies or tiers (``die_link_cost``), an energy per bit:

- ``interposer``: 0.54 pJ/bit, the ground-referenced signalling link of J. W. Poulton et
  al., "A 0.54 pJ/b 20 Gb/s Ground-Referenced Single-Ended Short-Reach Serial Link in 28 nm
  CMOS for Advanced Packaging Applications", IEEE JSSC, Dec. 2013 (20 Gb/s per lane over
  4.5 mm of package channel; the paper names organic packages and silicon interposers).
- ``tsv``: one through-silicon via switched per bit, alpha x C x V^2 = 0.5 x 50 fF x
  (1 V)^2 = 0.025 pJ/bit (cimsim assumption: 50 fF within the 15-500 fF range of TSV
  capacitances M. Said et al. evaluate, Microprocessors and Microsystems 43, 2016; activity
  0.5 and a 1 V swing).
- ``miv``: a monolithic inter-tier via, the size of a local via, 0.5 x 1 fF x (1 V)^2 =
  0.0005 pJ/bit (cimsim assumption: 1 fF, a few hundred nanometres of local wire).

These are I/O and via figures, not logic: cimsim does not scale them with the technology
node. No area (the interposer's wires and the vias lie outside the tiles' area) and no
leakage.
"""

from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_non_negative, require_positive
from hwmodels.cost import ComponentCost
from hwmodels.noc.params import NocParams
from hwmodels.technology import scaling

ROUTER_REF_POWER_MW = 42.0
"""ISAAC Table I router power at 32 nm, mW."""
ROUTER_REF_AREA_MM2 = 0.151
"""ISAAC Table I router area at 32 nm, mm^2."""
ROUTER_LEAKAGE_FRACTION = 1.04 / (51.48 + 1.04)
"""Share of router power that is leakage (PUMA simulator constants.py, 8 ports)."""
ROUTER_PORT_AREA_EXPONENT = 1.30
"""Area ~ ports^1.30 (PUMA simulator constants.py, 4 vs 8 ports)."""
ROUTER_BIT_ENERGY_PJ = ROUTER_REF_POWER_MW * (1 - ROUTER_LEAKAGE_FRACTION) / (8 * 1.2) / 32
"""Energy of one bit of a flit crossing one router at 32 nm, pJ (ISAAC-anchored)."""


@dataclass(frozen=True)
class RouterParams:
    """One router of the mesh."""

    ports: int = 8
    """Input/output port pairs; 2..64 (ISAAC: 8, one per tile of 4 plus 4 mesh links)."""
    clock_ghz: float = 1.2
    """Router clock; one flit per port per cycle, GHz (ISAAC: 1.2)."""

    def __post_init__(self) -> None:
        require_int_range("ports", self.ports, 2, 64)
        require_positive("clock_ghz", self.clock_ghz)


@dataclass(frozen=True)
class LinkParams:
    """One mesh link between neighbouring routers."""

    energy_pj_per_bit_mm: float = 0.1
    """Energy of one bit over one mm of wire at 32 nm, pJ (cimsim assumption, above); >= 0."""
    length_mm: float = 1.0
    """Hop length (router pitch), mm; >= 0."""

    def __post_init__(self) -> None:
        require_non_negative("energy_pj_per_bit_mm", self.energy_pj_per_bit_mm)
        require_non_negative("length_mm", self.length_mm)


DIE_LINK_BIT_ENERGY_PJ: dict[str, float] = {
    "interposer": 0.54,  # Poulton et al., JSSC 2013 (module docstring)
    "tsv": 0.5 * 50e-15 * 1.0**2 * 1e12,  # cimsim assumption: alpha C V^2, C = 50 fF
    "miv": 0.5 * 1e-15 * 1.0**2 * 1e12,  # cimsim assumption: alpha C V^2, C = 1 fF
}
"""Energy of one bit over one link between dies or tiers, by link kind, pJ."""


@dataclass(frozen=True)
class DieLinkParams:
    """One link between dies (interposer) or tiers (TSV, MIV)."""

    energy_pj_per_bit: float
    """Energy of one bit over the link, pJ; >= 0 (DIE_LINK_BIT_ENERGY_PJ by kind)."""

    def __post_init__(self) -> None:
        require_non_negative("energy_pj_per_bit", self.energy_pj_per_bit)


def die_link_params(kind: str, energy_pj_per_bit: float | None = None) -> DieLinkParams:
    """The parameters of a link of ``kind`` (interposer, tsv, miv); the figure of the
    module docstring unless ``energy_pj_per_bit`` is given."""
    if energy_pj_per_bit is None:
        energy_pj_per_bit = DIE_LINK_BIT_ENERGY_PJ[kind]
    return DieLinkParams(energy_pj_per_bit)


def die_link_cost(noc: NocParams, link: DieLinkParams) -> ComponentCost:
    """One link between dies or tiers: action ``flit_hop`` (bits x pJ/bit, not scaled with
    the node; latency = one flit's serialization at the on-chip link bandwidth)."""
    return ComponentCost(
        area_mm2=0.0,
        leakage_mw=0.0,
        energy_pj={"flit_hop": noc.flit_bytes * 8 * link.energy_pj_per_bit},
        peak_action="flit_hop",
        latency_ns={"flit_hop": noc.flit_bytes / noc.link_bandwidth_gbps},
    )


def router_flit_energy_pj(noc: NocParams, node_nm: int = 32) -> float:
    """Energy of one flit crossing one router, pJ."""
    return ROUTER_BIT_ENERGY_PJ * noc.flit_bytes * 8 * scaling(32, node_nm).energy


def router_cost(noc: NocParams, router: RouterParams, node_nm: int = 32) -> ComponentCost:
    """One router: action ``flit_hop`` (latency = the router's pipeline latency)."""
    factors = scaling(32, node_nm)
    flit_bits = noc.flit_bytes * 8
    energy_pj = router_flit_energy_pj(noc, node_nm)
    dynamic_mw = energy_pj * router.ports * router.clock_ghz
    leakage_mw = dynamic_mw * ROUTER_LEAKAGE_FRACTION / (1 - ROUTER_LEAKAGE_FRACTION)
    area_mm2 = (
        ROUTER_REF_AREA_MM2
        * (router.ports / 8) ** ROUTER_PORT_AREA_EXPONENT
        * (flit_bits / 32)
        * factors.area
    )
    return ComponentCost(
        area_mm2=area_mm2,
        leakage_mw=leakage_mw,
        energy_pj={"flit_hop": energy_pj},
        peak_action="flit_hop",
        latency_ns={"flit_hop": noc.router_latency_ns},
    )


def link_flit_energy_pj(noc: NocParams, link: LinkParams, node_nm: int = 32) -> float:
    """Energy of one flit over one link, pJ: bits * pJ/bit/mm * mm * k_energy."""
    bits = noc.flit_bytes * 8
    return bits * link.energy_pj_per_bit_mm * link.length_mm * scaling(32, node_nm).energy


def link_cost(noc: NocParams, link: LinkParams, node_nm: int = 32) -> ComponentCost:
    """One link: action ``flit_hop`` (latency = one flit's serialization time)."""
    return ComponentCost(
        area_mm2=0.0,
        leakage_mw=0.0,
        energy_pj={"flit_hop": link_flit_energy_pj(noc, link, node_nm)},
        peak_action="flit_hop",
        latency_ns={"flit_hop": noc.flit_bytes / noc.link_bandwidth_gbps},
    )
