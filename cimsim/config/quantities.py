"""Pydantic field types that accept unit strings and store numbers in the named unit.

Each type bounds its value (checked by the parser, so the message carries units): a value
past these bounds is a typo or an overflow (``1e400 ns``), never a chip, and refusing it
here keeps every later conversion to whole cycles and bytes finite and small.
"""

from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from cimsim.units import base_unit, examples_of, parse_quantity

MAX_NS = 1e9
"""Longest latency: 1 s."""
MAX_BYTES = 2.0**40
"""Largest size: 1 TiB."""
MIN_GHZ, MAX_GHZ = 1e-3, 100.0
"""Clock range: 1 MHz to 100 GHz."""
MIN_GBPS, MAX_GBPS = 1e-3, 1e6
"""Bandwidth range: 1 MB/s to 1 PB/s."""
MIN_GSPS, MAX_GSPS = 1e-6, 1e3
"""Conversion-rate range: 1 kS/s to 1 TS/s."""


def _parser(
    dimension: str, low: float, high: float, above_low: bool = False
) -> tuple[BeforeValidator, WithJsonSchema]:
    parse = BeforeValidator(lambda value: parse_quantity(value, dimension, low, high, above_low))
    return parse, quantity_json_schema(dimension)


def quantity_json_schema(dimension: str) -> WithJsonSchema:
    """The JSON Schema of a field of ``dimension``: a number in its base unit, or a string
    with a unit (what ``cimsim schema`` exports for editors)."""
    unit = base_unit(dimension)
    return WithJsonSchema({
        "anyOf": [
            {"type": "number", "description": f"in {unit}"},
            {"type": "string", "pattern": QUANTITY_PATTERN,
             "description": f"a number and a unit ({examples_of(dimension)})"},
        ],
        "x-unit": unit,
    })  # fmt: skip


QUANTITY_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[A-Za-zµμ][A-Za-zµμ/^²0-9]*\s*$"
"""A number and a unit, as cimsim.units parses them (the JSON Schema's string form)."""


Nanoseconds = Annotated[float, *_parser("time", 0.0, MAX_NS)]
"""A time in ns, written in files as "100 ns", "1.5 us"..."""
PositiveNanoseconds = Annotated[float, *_parser("time", 0.0, MAX_NS, above_low=True)]
"""A non-zero time in ns."""
Gigahertz = Annotated[float, *_parser("frequency", MIN_GHZ, MAX_GHZ)]
"""A clock frequency in GHz, written "1.2 GHz", "500 MHz"."""
Bytes = Annotated[float, *_parser("size", 0.0, MAX_BYTES, above_low=True)]
"""A size in bytes, written "64 KiB", "32 bit", "2 MB"."""
GigabytesPerSecond = Annotated[float, *_parser("bandwidth", MIN_GBPS, MAX_GBPS)]
"""A bandwidth in GB/s, written "25.6 GB/s", "100 MiB/s", "10 Gbps"."""
GigasamplesPerSecond = Annotated[float, *_parser("rate", MIN_GSPS, MAX_GSPS)]
"""A conversion rate in GS/s, written "1.28 GS/s"."""
MAX_MW = 1e9
"""Largest power: 1 MW."""
MAX_MM2 = 1e6
"""Largest area: 1 m^2."""
MAX_PJ = 1e15
"""Largest energy of one action: 1 kJ."""
MAX_ACTION_RATE = 1e6
"""Fastest action rate: 10^15 per second."""
MIN_NM, MAX_NM = 1.0, 1e6
"""Lengths (technology nodes, wires): 1 nm to 1 mm."""

Milliwatts = Annotated[float, *_parser("power", 0.0, MAX_MW)]
"""A power in mW, written "2.4 mW", "10.4 W", "10 uW"."""
SquareMillimetres = Annotated[float, *_parser("area", 0.0, MAX_MM2)]
"""An area in mm^2, written "0.0002 mm2", "20 um2"."""
Picojoules = Annotated[float, *_parser("energy", 0.0, MAX_PJ)]
"""An energy in pJ, written "1.2 pJ", "0.88 fJ"."""
ActionRate = Annotated[float, *_parser("action_rate", 0.0, MAX_ACTION_RATE, above_low=True)]
"""Actions per ns of one busy instance, written "9.6 G/s", "1.2 GHz" (bytes: "38.4 GB/s")."""
Nanometres = Annotated[float, *_parser("length", MIN_NM, MAX_NM)]
"""A length in nm (a technology node), written "32 nm"."""
