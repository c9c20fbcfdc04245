"""Conversion of physical latencies to integer cycles of the simulation clock."""

import math


def ns_to_cycles(latency_ns: float, clock_ghz: float) -> int:
    """Cycles a latency occupies on a clock of ``clock_ghz`` (ceil; 0 ns -> 0 cycles).

    A tiny tolerance keeps exact multiples exact despite float rounding
    (100 ns at 1.2 GHz is 120 cycles, not 121).
    """
    cycles = latency_ns * clock_ghz
    return max(0, math.ceil(cycles - 1e-9))
