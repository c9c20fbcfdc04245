"""Parameters of a bit-accurate INT8 crossbar MVM: encodings, ADC model, device non-idealities.

Cell levels and DAC levels are small integers; an analog column sum is counted in units of
one cell level times one DAC level (``sum_r dac_level[r] * cell_level[r, col]``), so an ideal
device gives integer sums and every ADC full scale below is in those units.
"""

from dataclasses import dataclass, field
from typing import Literal

from hwmodels._validate import require_int_range, require_non_negative
from hwmodels.errors import HwModelError

WeightEncoding = Literal["offset", "differential", "twos_complement"]
InputEncoding = Literal["twos_complement", "offset"]
AdcMode = Literal["ideal", "clip", "uniform", "isaac_flip"]
VariationModel = Literal["lognormal", "gaussian"]

WEIGHT_ENCODINGS: tuple[str, ...] = ("offset", "differential", "twos_complement")
INPUT_ENCODINGS: tuple[str, ...] = ("twos_complement", "offset")
ADC_MODES: tuple[str, ...] = ("ideal", "clip", "uniform", "isaac_flip")
VARIATION_MODELS: tuple[str, ...] = ("lognormal", "gaussian")

# Which unsigned 8-bit code a bit field is cut from (see BitField.source).
SOURCE_PATTERN = 0
"""The two's-complement bit pattern of the INT8 value (``x & 0xFF``)."""
SOURCE_OFFSET = 1
"""The value plus 128 (``x + 128``, in 0..255)."""
SOURCE_POSITIVE = 2
"""``max(x, 0)`` (differential: the positive column of a pair)."""
SOURCE_NEGATIVE = 3
"""``max(-x, 0)`` (differential: the negative column of a pair, 0..128)."""


@dataclass(frozen=True)
class BitField:
    """One input step or one weight slice: ``level = (code(source) >> shift) & (2**width - 1)``.

    Its digital shift-add weight is ``weight`` (a signed power of two; -128 for a sign bit).
    """

    source: int
    """One of the SOURCE_* codes above."""
    shift: int
    """Lowest bit of the field in the 8-bit code; 0..7."""
    width: int
    """Bits in the field; 1..8."""
    weight: int
    """Signed digital weight of the field in the shift-add."""


@dataclass(frozen=True)
class DeviceNonIdealities:
    """Optional RRAM device non-idealities, applied when the conductances are programmed.

    All off by default. When any is on, the MVM needs a seed or ``numpy.random.Generator``
    and computes on real-valued conductances (in units of one cell level).
    """

    variation_sigma: float = 0.0
    """Relative programming variation of each cell's conductance (sigma / nominal); 0..1."""
    variation_model: VariationModel = "lognormal"
    """'lognormal': g = g0 * exp(sigma * z); 'gaussian': g = max(0, g0 * (1 + sigma * z))."""
    stuck_off_rate: float = 0.0
    """Fraction of cells stuck at zero conductance (level 0); 0..1."""
    stuck_on_rate: float = 0.0
    """Fraction of cells stuck at the highest conductance (level 2**cell_bits - 1); 0..1."""
    conductance_levels: int | None = None
    """Distinct programmable conductances, evenly spaced over the cell's range; 2..256.
    None means 2**cell_bits (every level reachable). Fewer levels round the target level."""

    def __post_init__(self) -> None:
        if not isinstance(self.variation_sigma, int | float) or not 0 <= self.variation_sigma <= 1:
            raise HwModelError(
                "variation_sigma", f"must be between 0 and 1, got {self.variation_sigma!r}"
            )
        if self.variation_model not in VARIATION_MODELS:
            raise HwModelError(
                "variation_model",
                f"must be one of {VARIATION_MODELS}, got {self.variation_model!r}",
            )
        for name in ("stuck_off_rate", "stuck_on_rate"):
            value = getattr(self, name)
            require_non_negative(name, value)
            if value > 1:
                raise HwModelError(name, f"must be at most 1, got {value!r}")
        if self.stuck_off_rate + self.stuck_on_rate > 1:
            raise HwModelError("stuck_on_rate", "stuck_off_rate + stuck_on_rate must be <= 1")
        if self.conductance_levels is not None:
            require_int_range("conductance_levels", self.conductance_levels, 2, 256)

    @property
    def enabled(self) -> bool:
        """True when any non-ideality changes the programmed conductances."""
        return (
            self.variation_sigma > 0
            or self.stuck_off_rate > 0
            or self.stuck_on_rate > 0
            or self.conductance_levels is not None
        )


@dataclass(frozen=True)
class MvmConfig:
    """One crossbar computing an INT8 x INT8 matrix-vector product bit-serially.

    Each input step drives the rows with ``dac_bits``-bit levels; every physical column's
    analog sum goes through the ADC model; the digital side shift-adds the ADC outputs over
    weight slices (columns) and input steps. See docs/crossbar-kernels.md.
    """

    rows: int = 128
    """Word lines of the crossbar (rows of the weight matrix held at once); 1..4096."""
    cols: int = 128
    """Physical bit lines; each INT8 weight takes ``columns_per_weight`` of them; 1..4096."""
    cell_bits: int = 2
    """Bits stored per cell (levels 0..2**cell_bits - 1); one of 1, 2, 4."""
    dac_bits: int = 1
    """Input bits applied per step by the row DACs; one of 1, 2, 4, 8."""
    weight_encoding: WeightEncoding = "offset"
    """'offset': w + 128 stored, zero point corrected digitally; 'differential': max(w, 0)
    and max(-w, 0) in column pairs, subtracted digitally; 'twos_complement': bits 0..6 in
    slices plus a sign-bit slice weighted -128."""
    input_encoding: InputEncoding = "twos_complement"
    """'twos_complement': bits 0..6 in dac_bits chunks plus one sign-bit step weighted -128
    (ceil(7 / dac_bits) + 1 steps); 'offset': x + 128 in 8 / dac_bits steps, corrected
    digitally by 128 * column sum of the weights."""
    adc_mode: AdcMode = "ideal"
    """'ideal': round to the nearest level, no range limit; 'clip': LSB of one level, codes
    0..2**adc_bits - 1; 'uniform': LSB = adc_full_scale / (2**adc_bits - 1), codes clipped to
    0..2**adc_bits - 1; 'isaac_flip': 'clip' on columns stored flipped (level -> max - level)
    when their level sum exceeds half the maximum (ISAAC, Shafiee et al. ISCA 2016, Sec. 5)."""
    adc_bits: int = 8
    """ADC resolution (used by 'clip', 'uniform', 'isaac_flip'); 1..16."""
    adc_full_scale: float | None = None
    """Analog sum mapped to the top code in 'uniform' mode, in level units (> 0). None
    means the largest possible sum, rows * (2**dac_bits - 1) * (2**cell_bits - 1)."""
    device: DeviceNonIdealities = field(default_factory=DeviceNonIdealities)
    """Optional device non-idealities (off by default)."""

    def __post_init__(self) -> None:
        require_int_range("rows", self.rows, 1, 4096)
        require_int_range("cols", self.cols, 1, 4096)
        require_int_range("cell_bits", self.cell_bits, 1, 4)
        if self.cell_bits not in (1, 2, 4):
            raise HwModelError("cell_bits", f"must be 1, 2 or 4, got {self.cell_bits}")
        require_int_range("dac_bits", self.dac_bits, 1, 8)
        if self.dac_bits not in (1, 2, 4, 8):
            raise HwModelError("dac_bits", f"must be 1, 2, 4 or 8, got {self.dac_bits}")
        if self.weight_encoding not in WEIGHT_ENCODINGS:
            raise HwModelError(
                "weight_encoding",
                f"must be one of {WEIGHT_ENCODINGS}, got {self.weight_encoding!r}",
            )
        if self.input_encoding not in INPUT_ENCODINGS:
            raise HwModelError(
                "input_encoding", f"must be one of {INPUT_ENCODINGS}, got {self.input_encoding!r}"
            )
        if self.adc_mode not in ADC_MODES:
            raise HwModelError("adc_mode", f"must be one of {ADC_MODES}, got {self.adc_mode!r}")
        require_int_range("adc_bits", self.adc_bits, 1, 16)
        if self.adc_full_scale is not None:
            fs = self.adc_full_scale
            if isinstance(fs, bool) or not isinstance(fs, int | float) or not 0 < fs < 1e12:
                raise HwModelError("adc_full_scale", f"must be a positive number, got {fs!r}")
        if not isinstance(self.device, DeviceNonIdealities):
            raise HwModelError("device", f"must be a DeviceNonIdealities, got {self.device!r}")
        if self.columns_per_weight > self.cols:
            raise HwModelError(
                "cols",
                f"{self.cols} columns cannot hold one weight ({self.columns_per_weight} needed)",
            )

    @property
    def cell_max(self) -> int:
        """Highest cell level, 2**cell_bits - 1."""
        return (1 << self.cell_bits) - 1

    @property
    def dac_max(self) -> int:
        """Highest DAC level, 2**dac_bits - 1."""
        return (1 << self.dac_bits) - 1

    @property
    def input_fields(self) -> tuple[BitField, ...]:
        """The input steps, in the order applied."""
        return _fields(self.input_encoding, self.dac_bits)

    @property
    def weight_fields(self) -> tuple[BitField, ...]:
        """The physical columns (slices) of one weight, left to right."""
        return _fields(self.weight_encoding, self.cell_bits)

    @property
    def input_steps(self) -> int:
        """Bit-serial input steps per MVM (array reads)."""
        return len(self.input_fields)

    @property
    def columns_per_weight(self) -> int:
        """Physical columns one INT8 weight occupies."""
        return len(self.weight_fields)

    @property
    def weights_per_crossbar(self) -> int:
        """Output channels (logical columns) one crossbar holds: cols // columns_per_weight."""
        return self.cols // self.columns_per_weight

    @property
    def input_offset(self) -> int:
        """Offset added to the inputs before the array (128 for 'offset', else 0)."""
        return 128 if self.input_encoding == "offset" else 0

    @property
    def weight_offset(self) -> int:
        """Offset added to the weights before programming (128 for 'offset', else 0)."""
        return 128 if self.weight_encoding == "offset" else 0

    @property
    def max_analog_sum(self) -> int:
        """Largest possible column sum: rows * dac_max * cell_max (level units)."""
        return self.rows * self.dac_max * self.cell_max

    @property
    def adc_levels(self) -> int:
        """Highest ADC code, 2**adc_bits - 1."""
        return (1 << self.adc_bits) - 1

    @property
    def adc_lsb(self) -> float:
        """Analog step of one ADC code (level units): full scale / (2**adc_bits - 1) in
        'uniform' mode, else 1."""
        if self.adc_mode != "uniform":
            return 1.0
        full_scale = self.max_analog_sum if self.adc_full_scale is None else self.adc_full_scale
        return float(full_scale) / float(self.adc_levels)


def _fields(encoding: str, bits: int) -> tuple[BitField, ...]:
    """Cut an INT8 value into ``bits``-wide fields according to ``encoding``."""
    if encoding == "offset":
        return tuple(
            BitField(SOURCE_OFFSET, shift, bits, 1 << shift) for shift in range(0, 8, bits)
        )
    if encoding == "differential":
        positive = [
            BitField(SOURCE_POSITIVE, shift, bits, 1 << shift) for shift in range(0, 8, bits)
        ]
        negative = [
            BitField(SOURCE_NEGATIVE, shift, bits, -(1 << shift)) for shift in range(0, 8, bits)
        ]
        return tuple(positive + negative)
    # two's complement: magnitude bits 0..6 in chunks, then the sign bit (weight -2**7)
    magnitude = [
        BitField(SOURCE_PATTERN, shift, min(bits, 7 - shift), 1 << shift)
        for shift in range(0, 7, bits)
    ]
    return (*magnitude, BitField(SOURCE_PATTERN, 7, 1, -128))
