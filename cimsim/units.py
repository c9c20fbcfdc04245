"""Parsing of quantity strings ("100 ns", "1.2 pJ", "64 KiB", "1.28 GS/s") into numbers.

Config files carry units; everything inside cimsim is a plain number whose unit is in its
name. This module is the one place where a unit string becomes a number.
"""

import re
from typing import Final

from cimsim.errors import UnitError

# dimension -> (base unit, case-sensitive symbols?, symbol -> factor to the base unit).
# Sizes and bandwidths are case-sensitive because "B" (byte) and "b" (bit) differ.
_DIMENSIONS: Final[dict[str, tuple[str, bool, dict[str, float]]]] = {
    "time": ("ns", False, {"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "ns": 1.0, "ps": 1e-3}),
    "frequency": ("GHz", False, {"hz": 1e-9, "khz": 1e-6, "mhz": 1e-3, "ghz": 1.0}),
    "size": (
        "bytes",
        True,
        {
            "bit": 0.125,
            "bits": 0.125,
            "b": 0.125,
            "B": 1.0,
            "byte": 1.0,
            "bytes": 1.0,
            "KB": 1e3,
            "kB": 1e3,
            "MB": 1e6,
            "GB": 1e9,
            "KiB": 1024.0,
            "MiB": 1024.0**2,
            "GiB": 1024.0**3,
        },
    ),
    "energy": ("pJ", False, {"j": 1e12, "mj": 1e9, "uj": 1e6, "nj": 1e3, "pj": 1.0, "fj": 1e-3}),
    "power": ("mW", False, {"w": 1e3, "mw": 1.0, "uw": 1e-3, "nw": 1e-6}),
    "area": ("mm2", False, {"mm2": 1.0, "um2": 1e-6, "cm2": 100.0}),
    "bandwidth": (
        "GB/s",
        True,
        {
            "B/s": 1e-9,
            "KB/s": 1e-6,
            "kB/s": 1e-6,
            "MB/s": 1e-3,
            "GB/s": 1.0,
            "TB/s": 1e3,
            "GiB/s": 1024.0**3 / 1e9,
            "Gbit/s": 0.125,
            "Gb/s": 0.125,
        },
    ),
    "rate": ("GS/s", False, {"s/s": 1e-9, "ks/s": 1e-6, "ms/s": 1e-3, "gs/s": 1.0}),
    # Cost figures (the costs section of an architecture file, cimsim.config.costs).
    "length": ("nm", False, {"nm": 1.0, "um": 1e3, "µm": 1e3, "mm": 1e6}),
    "voltage": ("V", False, {"v": 1.0, "mv": 1e-3}),
    "current": ("uA", False, {"a": 1e6, "ma": 1e3, "ua": 1.0, "µa": 1.0, "na": 1e-3}),
    "conductance": ("uS", True, {"S": 1e6, "mS": 1e3, "uS": 1.0, "µS": 1.0, "nS": 1e-3}),
    "wire_energy": ("pJ/bit/mm", False, {"pj/bit/mm": 1.0, "fj/bit/mm": 1e-3}),
    "action_rate": (  # actions per ns of one busy instance (bytes per ns for byte actions)
        "G/s",
        True,
        {"G/s": 1.0, "M/s": 1e-3, "k/s": 1e-6, "GHz": 1.0, "MHz": 1e-3, "GB/s": 1.0,
         "MB/s": 1e-3, "GS/s": 1.0, "MS/s": 1e-3},
    ),
}

_QUANTITY = re.compile(
    r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ][A-Za-zµ/0-9]*)\s*$"
)


def base_unit(dimension: str) -> str:
    """The unit a parsed quantity of ``dimension`` is expressed in (e.g. "ns" for time)."""
    return _DIMENSIONS[dimension][0]


def parse_quantity(text: object, dimension: str) -> float:
    """Parse ``text`` of the given dimension into its base unit (see :func:`base_unit`).

    Raises UnitError for a bare number, an unknown unit, or a unit of another dimension;
    the message lists the units allowed.
    """
    _base, case_sensitive, factors = _DIMENSIONS[dimension]
    allowed = ", ".join(factors)
    if not isinstance(text, str):
        raise UnitError(f"{text!r} has no unit; a {dimension} needs one of: {allowed}")
    match = _QUANTITY.match(text)
    if match is None:
        raise UnitError(f"{text!r} is not a number followed by a {dimension} unit ({allowed})")
    value, symbol = float(match.group(1)), match.group(2)
    key = symbol if case_sensitive else symbol.lower()
    if key not in factors:
        raise UnitError(f"{text!r}: {symbol!r} is not a {dimension} unit; allowed: {allowed}")
    return value * factors[key]


def format_quantity(value: float, unit: str) -> str:
    """Render a number with its unit for humans ("100 ns"), without float noise."""
    return f"{value:.6g} {unit}"
