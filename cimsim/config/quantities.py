"""Pydantic field types that accept unit strings and store numbers in the named unit."""

from typing import Annotated

from pydantic import BeforeValidator, Field

from cimsim.units import parse_quantity


def _parser(dimension: str) -> BeforeValidator:
    return BeforeValidator(lambda value: parse_quantity(value, dimension))


Nanoseconds = Annotated[float, _parser("time"), Field(ge=0)]
"""A time in ns, written in files as "100 ns", "1.5 us"..."""
PositiveNanoseconds = Annotated[float, _parser("time"), Field(gt=0)]
"""A non-zero time in ns."""
Gigahertz = Annotated[float, _parser("frequency"), Field(gt=0, le=100)]
"""A clock frequency in GHz, written "1.2 GHz", "500 MHz"."""
Bytes = Annotated[float, _parser("size"), Field(gt=0)]
"""A size in bytes, written "64 KiB", "32 bit", "2 MB"."""
GigabytesPerSecond = Annotated[float, _parser("bandwidth"), Field(gt=0)]
"""A bandwidth in GB/s, written "25.6 GB/s"."""
GigasamplesPerSecond = Annotated[float, _parser("rate"), Field(gt=0)]
"""A conversion rate in GS/s, written "1.28 GS/s"."""
Milliwatts = Annotated[float, _parser("power"), Field(ge=0)]
"""A power in mW, written "2.4 mW", "10.4 W", "10 uW"."""
SquareMillimetres = Annotated[float, _parser("area"), Field(ge=0)]
"""An area in mm^2, written "0.0002 mm2", "20 um2"."""
Picojoules = Annotated[float, _parser("energy"), Field(ge=0)]
"""An energy in pJ, written "1.2 pJ", "0.88 fJ"."""
ActionRate = Annotated[float, _parser("action_rate"), Field(gt=0)]
"""Actions per ns of one busy instance, written "9.6 G/s", "1.2 GHz" (bytes: "38.4 GB/s")."""
Nanometres = Annotated[float, _parser("length"), Field(gt=0)]
"""A length in nm (a technology node), written "32 nm"."""
