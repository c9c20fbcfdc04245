"""The trace sink components report to: always-on counters and busy-time accounting.

Counters are integers keyed by (layer, component kind, action), e.g.
("conv1", "adc", "conversion") or ("conv1", "noc", "flit_hop"); energy is priced from them
after the run. Busy time is accounted per component id (a PE, a link, a buffer port) and per
tile as the union of its PEs' busy intervals. Nothing is written to disk here.
"""

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CounterRow:
    """One counter: how many times ``action`` happened on ``kind`` for ``layer``."""

    layer: str
    kind: str
    action: str
    count: int


class TraceSink:
    """Collects what components did. One sink per run; components receive it."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str], int] = {}
        self._busy_cycles: dict[str, int] = {}
        self._tile_active: dict[int, int] = {}
        self._tile_since: dict[int, int] = {}
        self._tile_busy_cycles: dict[int, int] = {}

    def count(self, layer: str, kind: str, action: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter (layer, kind, action)."""
        key = (layer, kind, action)
        self._counts[key] = self._counts.get(key, 0) + amount

    def busy(self, component: str, cycles: int) -> None:
        """Add ``cycles`` of busy time to ``component``."""
        self._busy_cycles[component] = self._busy_cycles.get(component, 0) + cycles

    def tile_work_started(self, tile: int, now_cycles: int) -> None:
        """A unit of work began on ``tile`` (tile busy time is the union of such spans)."""
        active = self._tile_active.get(tile, 0)
        if active == 0:
            self._tile_since[tile] = now_cycles
        self._tile_active[tile] = active + 1

    def tile_work_finished(self, tile: int, now_cycles: int) -> None:
        """A unit of work ended on ``tile``."""
        active = self._tile_active[tile] - 1
        self._tile_active[tile] = active
        if active == 0:
            span = now_cycles - self._tile_since[tile]
            self._tile_busy_cycles[tile] = self._tile_busy_cycles.get(tile, 0) + span

    def counters(self) -> Iterator[CounterRow]:
        """Every counter, in the order first counted (deterministic)."""
        for (layer, kind, action), count in self._counts.items():
            yield CounterRow(layer, kind, action, count)

    def total(self, kind: str, action: str, layer: str | None = None) -> int:
        """Sum of a counter over layers (or for one layer)."""
        return sum(
            n
            for (lay, k, a), n in self._counts.items()
            if k == kind and a == action and (layer is None or lay == layer)
        )

    def busy_cycles(self) -> dict[str, int]:
        """Busy cycles per component id."""
        return dict(self._busy_cycles)

    def tile_busy_cycles(self) -> dict[int, int]:
        """Busy cycles per tile (union of the tile's units of work)."""
        return dict(self._tile_busy_cycles)
