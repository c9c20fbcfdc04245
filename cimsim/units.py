"""Parsing of quantity strings ("100 ns", "1.2 pJ", "64 KiB", "10 Gbps") into numbers.

Config files carry units; everything inside cimsim is a plain number whose unit is in its
name. This module is the one place where a unit string becomes a number. A unit is an SI
(or, for sizes, binary) prefix and a symbol, read case-sensitively as SI defines them: "m"
is milli and "M" mega, so "1 mHz" is a millihertz and "5 MW" five megawatts. Bandwidths are
a size per second ("GB/s", "MiB/s", "Gbit/s", "Gbps", "GBps"). A value that is not finite
(``1e400``) or lies outside the range the caller allows is refused with the range in units.

Why not pint: it reads "Gbps" as gigabaud and "GS/s" as gigasiemens per second, counts bytes
and bits as dimensionless (so "25 GHz" would pass for a bandwidth), and adds 0.3 s to every
start; the table below is the whole of what cimsim needs.
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction as F
from typing import Final

from cimsim.errors import UnitError, brief

_MICRO: Final = F(1, 10**6)
_SMALL: Final = {"a": F(1, 10**18), "f": F(1, 10**15), "p": F(1, 10**12), "n": F(1, 10**9),
                 "u": _MICRO, "µ": _MICRO, "μ": _MICRO, "m": F(1, 10**3)}  # fmt: skip
"""SI prefixes below one; micro as "u", the micro sign (U+00B5) or the Greek mu (U+03BC).
Factors are exact fractions, so "3 us" is exactly 3000 ns."""
_LARGE: Final = {"k": F(10**3), "M": F(10**6), "G": F(10**9), "T": F(10**12), "P": F(10**15),
                 "E": F(10**18)}  # fmt: skip
"""SI prefixes above one."""
_BINARY: Final = {"Ki": F(2**10), "Mi": F(2**20), "Gi": F(2**30), "Ti": F(2**40), "Pi": F(2**50)}
"""IEC binary prefixes (sizes and bandwidths)."""
SI_PREFIXES: Final = {**_SMALL, "": F(1), **_LARGE}
"""Every SI prefix a unit may carry, symbol -> factor (case-sensitive)."""

_BYTES: Final = {"B": F(1), "byte": F(1), "bytes": F(1), "b": F(1, 8), "bit": F(1, 8),
                 "bits": F(1, 8)}  # fmt: skip
_SIZE_PREFIXES: Final = {"": F(1), **_LARGE, "K": F(10**3), **_BINARY}
"""Sizes take no prefix below one (a "mB" is a typo); "K" is the common spelling of kilo."""


@dataclass(frozen=True)
class Dimension:
    """The units of one kind of quantity."""

    base: str
    """The unit parsed values are expressed in."""
    units: dict[str, float]
    """Every accepted spelling -> factor to the base unit."""
    examples: str
    """A few spellings for error messages."""


def _prefixed(symbols: dict[str, F], prefixes: dict[str, F], base: F) -> dict[str, F]:
    """Every prefix + symbol, as a factor to a base unit worth ``base`` of the plain symbol."""
    return {p + s: pf * sf / base for s, sf in symbols.items() for p, pf in prefixes.items()}


def _bandwidths() -> dict[str, F]:
    units = {}
    for size, factor in _prefixed(_BYTES, _SIZE_PREFIXES, F(10**9)).items():
        units[f"{size}/s"] = factor
        if size.endswith(("B", "b")) and not size.endswith("ib"):
            units[f"{size}ps"] = factor  # Gbps, GBps, Mbps
    return units


def _areas() -> dict[str, F]:
    lengths = _prefixed({"m": F(1)}, {**_SMALL, "c": F(1, 100), "": F(1)}, F(1, 1000))  # mm
    return {f"{u}{sq}": f * f for u, f in lengths.items() for sq in ("2", "^2", "²")}


def _dimension(base: str, units: dict[str, F], examples: str) -> Dimension:
    return Dimension(base, {u: float(f) for u, f in units.items()}, examples)


_DIMENSIONS: Final[dict[str, Dimension]] = {
    "time": _dimension("ns", _prefixed({"s": F(1)}, {**_SMALL, "": F(1)}, F(1, 10**9)),
                       "ns, us, µs, ms, s"),
    "frequency": _dimension("GHz", _prefixed({"Hz": F(1)}, SI_PREFIXES, F(10**9)), "MHz, GHz"),
    "size": _dimension("bytes", _prefixed(_BYTES, _SIZE_PREFIXES, F(1)), "B, KiB, MB, bit"),
    "bandwidth": _dimension("GB/s", _bandwidths(), "GB/s, MiB/s, Gbit/s, Gbps"),
    "rate": _dimension(
        "GS/s",
        _prefixed({"S/s": F(1), "Sa/s": F(1), "SPS": F(1), "Sps": F(1)}, {"": F(1), **_LARGE},
                  F(10**9)),
        "MS/s, GS/s",
    ),
    "energy": _dimension("pJ", _prefixed({"J": F(1)}, SI_PREFIXES, F(1, 10**12)), "fJ, pJ, nJ"),
    "power": _dimension("mW", _prefixed({"W": F(1)}, SI_PREFIXES, F(1, 10**3)), "uW, mW, W"),
    "area": _dimension("mm2", _areas(), "um2, mm2, mm^2"),
    # Cost figures (the costs section of an architecture file, cimsim.config.costs).
    "length": _dimension("nm", _prefixed({"m": F(1)}, {**_SMALL, "": F(1)}, F(1, 10**9)),
                         "nm, um, mm"),
    "voltage": _dimension("V", _prefixed({"V": F(1)}, SI_PREFIXES, F(1)), "mV, V"),
    "current": _dimension("uA", _prefixed({"A": F(1)}, SI_PREFIXES, _MICRO), "nA, uA, mA"),
    "conductance": _dimension("uS", _prefixed({"S": F(1)}, SI_PREFIXES, _MICRO), "nS, uS, mS"),
    "wire_energy": _dimension(
        "pJ/bit/mm", _prefixed({"J/bit/mm": F(1)}, SI_PREFIXES, F(1, 10**12)), "fJ/bit/mm"
    ),
    "bit_energy": _dimension(
        "pJ/bit", _prefixed({"J/bit": F(1), "J/b": F(1)}, SI_PREFIXES, F(1, 10**12)),
        "fJ/bit, pJ/bit"
    ),
    "action_rate": _dimension(  # actions per ns of one busy instance (bytes per ns for bytes)
        "G/s",
        {**_prefixed({"/s": F(1), "Hz": F(1), "S/s": F(1)}, {"k": F(10**3), **_LARGE}, F(10**9)),
         **_prefixed({"B/s": F(1)}, {"k": F(10**3), **_LARGE}, F(10**9))},
        "G/s, GHz, GB/s",
    ),
}  # fmt: skip

_QUANTITY = re.compile(
    r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ][A-Za-zµμ/^²0-9]*)\s*$"
)


def base_unit(dimension: str) -> str:
    """The unit a parsed quantity of ``dimension`` is expressed in (e.g. "ns" for time)."""
    return _DIMENSIONS[dimension].base


def examples_of(dimension: str) -> str:
    """A few accepted spellings of ``dimension``'s units ("ns, us, µs, ms, s")."""
    return _DIMENSIONS[dimension].examples


def units_of(dimension: str) -> dict[str, float]:
    """Every spelling accepted for ``dimension`` -> its factor to the base unit."""
    return dict(_DIMENSIONS[dimension].units)


def parse_quantity(
    text: object,
    dimension: str,
    minimum: float | None = None,
    maximum: float | None = None,
    above_minimum: bool = False,
) -> float:
    """Parse ``text`` of the given dimension into its base unit (see :func:`base_unit`).

    ``minimum`` and ``maximum`` (base unit, inclusive; ``above_minimum``: the minimum itself
    excluded) bound the value. Raises UnitError for a bare number, an unknown unit, a unit of
    another dimension, a value that is not finite or out of range; the message says what is
    allowed.
    """
    dim = _DIMENSIONS[dimension]
    if not isinstance(text, str):
        raise UnitError(f"{brief(text)} has no unit; a {dimension} needs one, e.g. {dim.examples}")
    match = _QUANTITY.match(text)
    if match is None:
        raise UnitError(
            f"{brief(text)} is not a number followed by a {dimension} unit ({dim.examples})"
        )
    number, symbol = float(match.group(1)), match.group(2)
    factor = dim.units.get(symbol)
    if factor is None:
        raise UnitError(f"{brief(text)}: {_unknown(symbol, dimension)}")
    if not math.isfinite(number):
        raise UnitError(f"{brief(text)} is not a finite number")
    value = number * factor
    if not math.isfinite(value):
        raise UnitError(f"{brief(text)} is too large to be a {dimension}")
    _check_range(text, value, dim.base, minimum, maximum, above_minimum)
    return value


def _unknown(symbol: str, dimension: str) -> str:
    """Why ``symbol`` is not a unit of ``dimension``, with what comes closest."""
    same_case = [u for u in _DIMENSIONS[dimension].units if u.lower() == symbol.lower()]
    examples = _DIMENSIONS[dimension].examples
    if same_case:
        return (
            f"{symbol!r} is not a {dimension} unit: units are case-sensitive (m = milli, "
            f"M = mega); did you mean {' or '.join(repr(u) for u in same_case)}?"
        )
    other = [name for name, d in _DIMENSIONS.items() if symbol in d.units and name != dimension]
    also = f" ({symbol!r} is a {other[0]} unit)" if other else ""
    return (
        f"{brief(symbol)} is not a {dimension} unit{also}; write an SI prefix and a symbol, "
        f"e.g. {examples}"
    )


def _check_range(
    text: str,
    value: float,
    unit: str,
    minimum: float | None,
    maximum: float | None,
    above_minimum: bool,
) -> None:
    too_small = minimum is not None and (value <= minimum if above_minimum else value < minimum)
    too_large = maximum is not None and value > maximum
    if not (too_small or too_large):
        return
    low = "" if minimum is None else f"{'above' if above_minimum else 'at least'} {minimum:g}"
    high = "" if maximum is None else f"at most {maximum:g}"
    allowed = " and ".join(part for part in (low, high) if part)
    raise UnitError(f"{brief(text)} is {value:g} {unit}; allowed: {allowed} {unit}")


def format_quantity(value: float, unit: str) -> str:
    """Render a number with its unit for humans ("100 ns"), without float noise."""
    return f"{value:.6g} {unit}"
