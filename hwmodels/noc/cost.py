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
