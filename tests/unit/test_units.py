import pytest

from cimsim.errors import UnitError
from cimsim.units import parse_quantity


@pytest.mark.parametrize(
    ("text", "dimension", "expected"),
    [
        ("100 ns", "time", 100.0),
        ("1.5us", "time", 1500.0),
        ("2 ms", "time", 2e6),
        ("1.2 GHz", "frequency", 1.2),
        ("500 MHz", "frequency", 0.5),
        ("64 KiB", "size", 65536.0),
        ("32 bit", "size", 4.0),
        ("2 MB", "size", 2e6),
        ("25.6 GB/s", "bandwidth", 25.6),
        ("8 Gbit/s", "bandwidth", 1.0),
        ("1.28 GS/s", "rate", 1.28),
        ("1.2 pJ", "energy", 1.2),
        ("3 nJ", "energy", 3000.0),
        ("16 mW", "power", 16.0),
        ("0.372 mm2", "area", 0.372),
    ],
)
def test_parses_to_the_base_unit(text: str, dimension: str, expected: float) -> None:
    assert parse_quantity(text, dimension) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "dimension", "fragment"),
    [
        (100, "time", "has no unit"),
        ("100", "time", "not a number followed by"),
        ("100 parsecs", "time", "not a time unit"),
        ("64 ns", "size", "not a size unit"),
        ("fast GHz", "frequency", "not a number followed by"),
    ],
)
def test_rejects_bad_quantities(value: object, dimension: str, fragment: str) -> None:
    with pytest.raises(UnitError, match=fragment):
        parse_quantity(value, dimension)


def test_byte_and_bit_are_case_sensitive() -> None:
    assert parse_quantity("8 B", "size") == 8.0
    assert parse_quantity("8 b", "size") == 1.0
