"""The simulation kernel: a thin wrapper over ``simpy.Environment`` in integer cycles.

Same-cycle ordering is SimPy's: events scheduled for the same cycle fire in the order they
were scheduled (SimPy breaks ties by priority, then by a monotonically increasing event id).
cimsim schedules deterministically (processes are created in program order; no iteration
over unordered sets), so the same inputs give the same event order and the same trace.
Randomness comes only from the seeded generator passed in.
"""

import gc
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import simpy

Process = Generator[simpy.Event, Any, Any]
"""A SimPy process body."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a run, and restore it afterwards.

    A run allocates hundreds of thousands of short-lived events and generator frames while
    keeping its program and plan alive; the collector's generation scans over those live
    objects cost 10-15% of a long run and reclaim nothing (reference counting frees the
    events). Whatever cyclic garbage a run leaves is collected once it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Engine:
    """Clock, event queue and seeded randomness of one simulation run."""

    def __init__(self, clock_ghz: float, seed: int = 0) -> None:
        self.env = simpy.Environment()
        self.clock_ghz = clock_ghz
        self.rng = np.random.default_rng(seed)
        # SimPy's own bound methods, not wrappers: these sit on the hot path of every event.
        self.timeout: Callable[[int], simpy.Timeout] = self.env.timeout
        """An event ``cycles`` cycles from now (cycles: a non-negative integer)."""
        self.process: Callable[[Process], simpy.Process] = self.env.process
        """Start a process."""
        self.event: Callable[[], simpy.Event] = self.env.event
        """A plain event to be triggered by hand."""

    @property
    def now_cycles(self) -> int:
        """Current time, cycles (every delay is an integer, so SimPy's clock is one)."""
        return self.env.now  # type: ignore[no-any-return]

    def all_of(self, events: list[simpy.Event]) -> simpy.Event:
        """An event that fires when all ``events`` have."""
        return simpy.AllOf(self.env, events)

    def port(self) -> "FifoPort":
        """A single-server FIFO resource (a buffer port, a link, an ADC bank)."""
        return FifoPort(self.env)

    def run(self) -> int:
        """Run until no events remain; return the final time in cycles."""
        self.env.run()
        return self.now_cycles

    @property
    def events_processed(self) -> int:
        """Events scheduled so far: SimPy's event id counter, read without advancing it."""
        counter = self.env._eid  # SimPy exposes no public counter
        return int(counter.__reduce__()[1][0])

    def cycles_to_seconds(self, cycles: int) -> float:
        """Convert a cycle count to seconds."""
        return cycles / (self.clock_ghz * 1e9)


class FifoPort:
    """A single server granted in request order: a buffer port, a NoC link, an ADC bank.

    The same queueing as a capacity-1 ``simpy.Resource`` (grants in the order of
    ``acquire`` calls, each when the previous holder releases) at a fraction of the cost:
    a free port is granted on the spot, with no event, and a release hands the port
    straight to the next waiter. Usage::

        wait = port.acquire()
        if wait is not None:
            yield wait
        ...  # hold it
        port.release()
    """

    __slots__ = ("_busy", "_env", "_waiting")

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._busy = False
        self._waiting: deque[simpy.Event] = deque()

    def acquire(self) -> simpy.Event | None:
        """Take the port: None when it was free, else an event that fires on the grant."""
        if not self._busy:
            self._busy = True
            return None
        grant = simpy.Event(self._env)
        self._waiting.append(grant)
        return grant

    def release(self) -> None:
        """Give the port to the longest waiter, or free it."""
        if self._waiting:
            self._waiting.popleft().succeed()
        else:
            self._busy = False

    @property
    def busy(self) -> bool:
        """Whether someone holds the port."""
        return self._busy
