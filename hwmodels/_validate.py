"""Small range checks shared by the parameter dataclasses."""

from hwmodels.errors import HwModelError


def require_int_range(field: str, value: int, low: int, high: int) -> None:
    """Raise HwModelError unless ``low <= value <= high`` and value is an integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise HwModelError(field, f"must be an integer, got {value!r}")
    if not low <= value <= high:
        raise HwModelError(field, f"must be between {low} and {high}, got {value}")


def require_positive(field: str, value: float) -> None:
    """Raise HwModelError unless value is a finite number > 0."""
    if not isinstance(value, int | float) or not value > 0 or value != value:
        raise HwModelError(field, f"must be a positive number, got {value!r}")


def require_non_negative(field: str, value: float) -> None:
    """Raise HwModelError unless value is a finite number >= 0."""
    if not isinstance(value, int | float) or not value >= 0:
        raise HwModelError(field, f"must be zero or positive, got {value!r}")
