"""Parameters of DACs and ADCs."""

from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_positive


@dataclass(frozen=True)
class DacParams:
    """Input drivers of a crossbar's rows. Default: ISAAC's 1-bit DAC (Table I)."""

    bits: int = 1
    """Input bits applied per step; 1..8."""

    def __post_init__(self) -> None:
        require_int_range("bits", self.bits, 1, 8)


@dataclass(frozen=True)
class AdcParams:
    """Column ADCs of a crossbar group. Default: ISAAC's 8-bit SAR ADC at 1.28 GS/s."""

    bits: int = 8
    """Resolution; 1..16."""
    sample_rate_gsps: float = 1.28
    """Conversions per second per ADC, in GS/s (ISAAC Sec. 5: 1.28 GS/s)."""

    def __post_init__(self) -> None:
        require_int_range("bits", self.bits, 1, 16)
        require_positive("sample_rate_gsps", self.sample_rate_gsps)

    @property
    def conversion_ns(self) -> float:
        """Time of one conversion, ns."""
        return 1.0 / self.sample_rate_gsps
