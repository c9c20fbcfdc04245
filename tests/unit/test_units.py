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


# --- SI prefixes, read case-sensitively (issue 20) -------------------------------------------

PREFIXES = {"a": 1e-18, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6,
            "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
            "E": 1e18}  # fmt: skip
"""Every SI prefix the parser knows, with the micro sign (U+00B5) and Greek mu (U+03BC)."""


@pytest.mark.parametrize("prefix", list(PREFIXES))
@pytest.mark.parametrize(
    ("symbol", "dimension", "base"),
    [("Hz", "frequency", 1e9), ("J", "energy", 1e-12), ("W", "power", 1e-3)],
)
def test_every_si_prefix(prefix: str, symbol: str, dimension: str, base: float) -> None:
    assert parse_quantity(f"3 {prefix}{symbol}", dimension) == pytest.approx(
        3 * PREFIXES[prefix] / base, rel=1e-12
    )


@pytest.mark.parametrize("prefix", [p for p in PREFIXES if PREFIXES[p] <= 1])
def test_time_takes_every_prefix_up_to_seconds(prefix: str) -> None:
    assert parse_quantity(f"2 {prefix}s", "time") == pytest.approx(2 * PREFIXES[prefix] * 1e9)


def test_milli_and_mega_differ() -> None:
    assert parse_quantity("1 mHz", "frequency") == pytest.approx(1e-12)
    assert parse_quantity("1 MHz", "frequency") == pytest.approx(1e-3)
    assert parse_quantity("5 MW", "power") == pytest.approx(5e9)
    assert parse_quantity("5 mW", "power") == pytest.approx(5.0)


def test_micro_spellings_are_exact() -> None:
    assert parse_quantity("3 us", "time") == parse_quantity("3 µs", "time") == 3000.0
    assert parse_quantity("3 μs", "time") == 3000.0


@pytest.mark.parametrize(
    ("text", "gbps"),
    [
        ("25.6 GB/s", 25.6),
        ("25.6 GBps", 25.6),
        ("10 Gbps", 1.25),
        ("10 Gb/s", 1.25),
        ("10 Gbit/s", 1.25),
        ("100 Mbps", 0.0125),
        ("1 MiB/s", 2**20 / 1e9),
        ("1 GiB/s", 2**30 / 1e9),
        ("2 TB/s", 2000.0),
        ("512 kB/s", 512e-6),
        ("512 KB/s", 512e-6),
        ("8 B/s", 8e-9),
    ],
)
def test_bandwidth_spellings(text: str, gbps: float) -> None:
    assert parse_quantity(text, "bandwidth") == pytest.approx(gbps)


@pytest.mark.parametrize(
    ("text", "size"),
    [("1 KiB", 1024.0), ("1 MiB", 2.0**20), ("1 GiB", 2.0**30), ("1 TiB", 2.0**40),
     ("1 kB", 1e3), ("1 KB", 1e3), ("1 GB", 1e9), ("16 bits", 2.0), ("1 Mbit", 125e3)],
)  # fmt: skip
def test_size_prefixes(text: str, size: float) -> None:
    assert parse_quantity(text, "size") == size


@pytest.mark.parametrize(
    ("text", "dimension", "fragment"),
    [
        ("1 mhz", "frequency", "case-sensitive.*'mHz' or 'MHz'"),
        ("1 GHZ", "frequency", "did you mean 'GHz'"),
        ("5 mB", "size", "case-sensitive"),
        ("1 gb/s", "bandwidth", "case-sensitive"),
        ("1 GHz", "bandwidth", "'GHz' is a frequency unit"),
        ("1e400 ns", "time", "not a finite number"),
        ("1e300 EB/s", "bandwidth", "too large"),
        ("inf ns", "time", "not a number followed by"),
        ("nan GHz", "frequency", "not a number followed by"),
    ],
)
def test_refuses_wrong_case_other_dimensions_and_infinity(
    text: str, dimension: str, fragment: str
) -> None:
    with pytest.raises(UnitError, match=fragment):
        parse_quantity(text, dimension)


def test_range_is_checked_in_units() -> None:
    assert parse_quantity("1 s", "time", 0.0, 1e9) == 1e9
    with pytest.raises(UnitError, match=r"'2 s' is 2e\+09 ns; allowed: at least 0 and at most"):
        parse_quantity("2 s", "time", 0.0, 1e9)
    with pytest.raises(UnitError, match="above 0"):
        parse_quantity("0 ns", "time", 0.0, 1e9, above_minimum=True)


def test_a_huge_value_is_shown_cut_short() -> None:
    with pytest.raises(UnitError) as caught:
        parse_quantity("9" * 100_000 + " parsecs", "time")
    assert len(str(caught.value)) < 300
