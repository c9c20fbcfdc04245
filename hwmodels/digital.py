"""Digital units of a tile: shift-and-add, activation, pooling and element-wise vector ALU."""

import math
from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_positive
from hwmodels.cost import ComponentCost
from hwmodels.errors import HwModelError
from hwmodels.technology import scaling


@dataclass(frozen=True)
class DigitalParams:
    """The digital vector unit of a tile (non-MVM operators: pooling, add, activation)."""

    lanes: int = 32
    """Element operations completed per clock cycle; 1..65536 (cimsim assumption)."""
    clock_ghz: float = 1.2
    """Clock of the digital unit, GHz (ISAAC: digital logic at 1.2 GHz)."""

    def __post_init__(self) -> None:
        require_int_range("lanes", self.lanes, 1, 65536)
        require_positive("clock_ghz", self.clock_ghz)


def vector_op_latency_ns(params: DigitalParams, element_ops: int) -> float:
    """Latency of ``element_ops`` element operations on the vector unit, ns."""
    if element_ops <= 0:
        return 0.0
    return math.ceil(element_ops / params.lanes) / params.clock_ghz


# --- Energy, area and leakage of the digital units -------------------------------------
#
# Anchors at 32 nm, one operation per 1.2 GHz cycle when busy, 10 % of busy power leakage
# (the PUMA simulator's constants.py gives its shift-and-add and sigmoid units 10 %):
#   shift-and-add   ISAAC Table I: 0.05 mW, 0.00006 mm^2 per unit
#   activation      ISAAC Table I: sigmoid, 2 units 0.52 mW, 0.0006 mm^2
#   pooling         ISAAC Table I: max-pool, 1 unit 0.4 mW, 0.00024 mm^2
# Vector ALU lane (element-wise add/compare on ``bits``-bit operands): M. Horowitz,
# "Computing's energy problem", ISSCC 2014, Fig. 1.1.9, 45 nm: 8-bit add 0.03 pJ, 32-bit
# add 0.1 pJ, 8-bit multiply 0.2 pJ, 32-bit multiply 3.1 pJ, so
#   E_add(b) = 0.1 * b / 32 pJ,  E_mul(b) = 3.1 * (b / 32)^2 pJ  at 45 nm;
# lane area = one ISAAC shift-and-add unit per 16 bits of width (cimsim assumption).

DIGITAL_KINDS: tuple[str, ...] = ("shift_add", "activation", "pooling")
"""Fixed-function digital units with an ISAAC anchor; action ``op``."""

_UNIT_ANCHORS: tuple[tuple[str, float, float], ...] = (
    # (kind, busy power mW per unit, area mm^2 per unit) at 32 nm, 1.2 GHz: ISAAC Table I
    ("shift_add", 0.05, 0.00006),
    ("activation", 0.52 / 2, 0.0006 / 2),
    ("pooling", 0.4, 0.00024),
)
DIGITAL_LEAKAGE_FRACTION = 0.1
"""Share of a digital unit's busy power that is leakage (PUMA simulator constants.py)."""
_ANCHOR_CLOCK_GHZ = 1.2


def digital_unit_cost(kind: str, node_nm: int = 32) -> ComponentCost:
    """One fixed-function unit (``shift_add``, ``activation``, ``pooling``): action ``op``."""
    for name, power_mw, area_mm2 in _UNIT_ANCHORS:
        if name == kind:
            factors = scaling(32, node_nm)
            energy_pj = power_mw * (1 - DIGITAL_LEAKAGE_FRACTION) / _ANCHOR_CLOCK_GHZ
            return ComponentCost(
                area_mm2=area_mm2 * factors.area,
                leakage_mw=power_mw * DIGITAL_LEAKAGE_FRACTION * factors.leakage,
                energy_pj={"op": energy_pj * factors.energy},
                peak_action="op",
                latency_ns={"op": 1.0 / _ANCHOR_CLOCK_GHZ * factors.delay},
            )
    raise HwModelError(
        "kind", f"unknown digital unit {kind!r}; supported: {', '.join(DIGITAL_KINDS)}"
    )


def vector_lane_cost(params: DigitalParams, bits: int = 8, node_nm: int = 32) -> ComponentCost:
    """One lane of the vector unit: actions ``element_op`` (add/compare/max) and ``multiply``."""
    require_int_range("bits", bits, 1, 64)
    to_node = scaling(45, node_nm)
    add_pj = 0.1 * bits / 32 * to_node.energy
    mul_pj = 3.1 * (bits / 32) ** 2 * to_node.energy
    busy_mw = add_pj * params.clock_ghz
    return ComponentCost(
        area_mm2=0.00006 * bits / 16 * scaling(32, node_nm).area,
        leakage_mw=busy_mw * DIGITAL_LEAKAGE_FRACTION / (1 - DIGITAL_LEAKAGE_FRACTION),
        energy_pj={"element_op": add_pj, "multiply": mul_pj},
        peak_action="element_op",
        latency_ns={"element_op": 1.0 / params.clock_ghz, "multiply": 1.0 / params.clock_ghz},
    )
