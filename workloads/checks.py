"""Field checks shared by the IR's frozen dataclasses (ops, layers, graphs)."""

from collections.abc import Iterable

from workloads.errors import WorkloadError

Shape = tuple[int, ...]


def checked_ints(where: str, name: str, value: Iterable[int], lengths: tuple[int, ...]) -> Shape:
    """``value`` as a tuple of ints whose length is one of ``lengths``."""
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise WorkloadError(where, f"{name} must be a tuple of integers, got {value!r}") from exc
    if len(out) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise WorkloadError(where, f"{name} must have {allowed} entries, got {value!r}")
    return out


def check_positive(where: str, name: str, values: Shape) -> None:
    """Every entry of ``values`` is at least 1."""
    if any(v < 1 for v in values):
        raise WorkloadError(where, f"{name} entries must be >= 1, got {values}")


def set_field(obj: object, name: str, value: object) -> None:
    """Normalise a field of a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)
