"""The cost record of one component instance: area, leakage, and per-action energy/latency.

Every component model returns a ``ComponentCost``; ``hwmodels.chip`` multiplies them by
counts. Two ways to build one:

- from a model (``hwmodels.converters.cost``, ``hwmodels.memory.sram``, ...), or
- from a paper's table row with ``from_table_power``: a group of ``count`` instances that
  together draw ``power_mw`` when fully busy. Of that, ``leakage_fraction`` is leakage; the
  rest is dynamic and is spread over the component's main (peak) action, which runs
  ``peak_rate_per_ns`` times per ns per instance when busy:

      leakage_mw = power_mw / count * leakage_fraction
      energy_pj[peak_action] = power_mw / count * (1 - leakage_fraction) / peak_rate_per_ns

  (mW = pJ/ns), so the peak power ``leakage_mw + energy_pj * peak_rate_per_ns`` gives the
  table's figure back exactly.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from hwmodels._validate import require_non_negative, require_positive
from hwmodels.errors import HwModelError
from hwmodels.technology import scaling
from hwmodels.timing import ns_to_cycles


class FrozenMapping(Mapping[str, float]):
    """An immutable, hashable str -> float mapping that iterates in key order."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, float] | None = None) -> None:
        self._items = tuple(sorted(dict(items or {}).items()))

    def __getitem__(self, key: str) -> float:
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMapping({dict(self._items)!r})"

    def __reduce__(self) -> tuple[type, tuple[dict[str, float]]]:
        return (FrozenMapping, (dict(self._items),))


@dataclass(frozen=True)
class ComponentCost:
    """Cost figures of ONE instance of a component."""

    area_mm2: float
    """Silicon area of one instance, mm^2; >= 0."""
    leakage_mw: float
    """Static power of one instance whenever the chip is on, mW; >= 0."""
    energy_pj: Mapping[str, float]
    """Dynamic energy of one action, pJ, by action name; every value >= 0 (stored frozen)."""
    peak_action: str
    """The action that runs continuously when the instance is fully busy (for peak power)."""
    latency_ns: Mapping[str, float] = field(default_factory=FrozenMapping)
    """Latency of one action, ns, by action name (actions absent here take no modelled time)."""

    def __post_init__(self) -> None:
        require_non_negative("area_mm2", self.area_mm2)
        require_non_negative("leakage_mw", self.leakage_mw)
        object.__setattr__(self, "energy_pj", FrozenMapping(self.energy_pj))
        object.__setattr__(self, "latency_ns", FrozenMapping(self.latency_ns))
        for action, energy_pj in self.energy_pj.items():
            require_non_negative(f"energy_pj.{action}", energy_pj)
        for action, latency_ns in self.latency_ns.items():
            require_non_negative(f"latency_ns.{action}", latency_ns)
        if self.peak_action not in self.energy_pj:
            raise HwModelError(
                "peak_action",
                f"{self.peak_action!r} is not one of the actions {sorted(self.energy_pj)}",
            )

    def energy_of(self, action: str) -> float:
        """Energy of one ``action``, pJ; an unknown action raises HwModelError."""
        try:
            return self.energy_pj[action]
        except KeyError:
            known = ", ".join(sorted(self.energy_pj))
            raise HwModelError("action", f"unknown action {action!r}; known: {known}") from None

    def latency_of(self, action: str) -> float:
        """Latency of one ``action``, ns (0 for actions without a modelled latency)."""
        self.energy_of(action)
        return self.latency_ns.get(action, 0.0)

    def latency_cycles(self, action: str, clock_ghz: float) -> int:
        """Latency of one ``action`` in cycles of a ``clock_ghz`` clock (rounded up)."""
        return ns_to_cycles(self.latency_of(action), clock_ghz)

    def peak_power_mw(self, peak_rate_per_ns: float) -> float:
        """Power when the peak action runs ``peak_rate_per_ns`` times per ns, mW."""
        return self.leakage_mw + self.energy_pj[self.peak_action] * peak_rate_per_ns


def from_table_power(
    *,
    power_mw: float,
    area_mm2: float,
    count: float,
    peak_action: str,
    peak_rate_per_ns: float,
    leakage_fraction: float = 0.0,
    other_actions: Mapping[str, float] | None = None,
    latency_ns: Mapping[str, float] | None = None,
) -> ComponentCost:
    """A ComponentCost from a table row giving totals for a group of ``count`` instances.

    ``other_actions`` gives further actions as multiples of the peak action's energy (e.g.
    ``{"write_byte": 1.0}`` for a buffer whose writes cost as much as its reads).
    """
    require_non_negative("power_mw", power_mw)
    require_non_negative("area_mm2", area_mm2)
    require_positive("count", count)
    require_positive("peak_rate_per_ns", peak_rate_per_ns)
    if not 0.0 <= leakage_fraction <= 1.0:
        raise HwModelError("leakage_fraction", f"must be in [0, 1], got {leakage_fraction!r}")
    power_each_mw = power_mw / count
    peak_energy_pj = power_each_mw * (1.0 - leakage_fraction) / peak_rate_per_ns
    energy_pj = {peak_action: peak_energy_pj}
    for action, ratio in (other_actions or {}).items():
        require_non_negative(f"other_actions.{action}", ratio)
        energy_pj[action] = peak_energy_pj * ratio
    return ComponentCost(
        area_mm2=area_mm2 / count,
        leakage_mw=power_each_mw * leakage_fraction,
        energy_pj=energy_pj,
        peak_action=peak_action,
        latency_ns=latency_ns or {},
    )


def scale_cost(cost: ComponentCost, from_nm: int, to_nm: int) -> ComponentCost:
    """``cost`` moved between technology nodes by ``hwmodels.technology.scaling``."""
    factors = scaling(from_nm, to_nm)
    return ComponentCost(
        area_mm2=cost.area_mm2 * factors.area,
        leakage_mw=cost.leakage_mw * factors.leakage,
        energy_pj={action: e * factors.energy for action, e in cost.energy_pj.items()},
        peak_action=cost.peak_action,
        latency_ns={action: t * factors.delay for action, t in cost.latency_ns.items()},
    )
