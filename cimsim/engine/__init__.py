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
from typing import Any, Protocol

import numpy as np
import simpy

Process = Generator[simpy.Event, Any, Any]
"""A SimPy process body."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a run, and restore it afterwards
    (a context manager, or a decorator: ``@collector_paused()``).

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


class Port(Protocol):
    """A single-server FIFO resource: FifoPort, or ResourcePort for reference runs."""

    def acquire(self) -> simpy.Event:
        """Ask for the port: an event that fires when it is granted."""

    def release(self) -> None:
        """Free the port for the next in line."""


class Engine:
    """Clock, event queue and seeded randomness of one simulation run."""

    def __init__(self, clock_ghz: float, seed: int = 0, reference_ports: bool = False) -> None:
        """``reference_ports`` backs every port with a ``simpy.Resource`` (ResourcePort):
        the reference the fast FifoPort is tested against in whole runs."""
        self.env = simpy.Environment()
        self.clock_ghz = clock_ghz
        self.rng = np.random.default_rng(seed)
        self._port_type: Callable[[simpy.Environment, int], Port] = (
            ResourcePort if reference_ports else FifoPort
        )
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

    def port(self, capacity: int = 1) -> Port:
        """A FIFO resource of ``capacity`` servers (a buffer port, a link, an ADC bank)."""
        return self._port_type(self.env, capacity)

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
    """``capacity`` servers granted in request order: a buffer port, a NoC link, an ADC bank.

    Scheduled exactly as a ``simpy.Resource`` of that capacity: a grant is an event that
    fires in the cycle a server is free (after the events already due in that cycle), and a
    release with someone waiting is an event whose processing hands the server to the
    longest waiter (a new request in between hands it over first, as SimPy's put queue
    does). So the same model gives the same cycles and the same order of events as with
    ``simpy.Resource`` (``ResourcePort``, tested), with one event less per uncontended access
    and without SimPy's general put/get-queue machinery. Usage::

        yield port.acquire()
        ...  # hold it
        port.release()
    """

    __slots__ = ("_capacity", "_env", "_in_use", "_waiting")

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        self._env = env
        self._capacity = capacity
        self._in_use = 0
        self._waiting: deque[simpy.Event] = deque()

    def acquire(self) -> simpy.Event:
        """Ask for a server: an event that fires when one is granted."""
        grant = simpy.Event(self._env)
        if self._in_use >= self._capacity or self._waiting:
            self._waiting.append(grant)
            self._grant_next()  # a free server with waiters goes to the longest waiter first
        else:
            self._in_use += 1
            grant.succeed()
        return grant

    def release(self) -> None:
        """Free a server; the longest waiter gets it when the release event is processed.

        With nobody waiting, that event could do nothing (whoever asks next is granted at
        once, and the event would find no free server or nobody waiting), so it is not
        scheduled: other events keep their order.
        """
        self._in_use -= 1
        if self._waiting:
            released = simpy.Event(self._env)
            released.callbacks.append(self._grant_next)
            released.succeed()

    def _grant_next(self, _event: simpy.Event | None = None) -> None:
        if self._in_use < self._capacity and self._waiting:
            self._in_use += 1
            self._waiting.popleft().succeed()

    @property
    def busy(self) -> bool:
        """Whether every server is held."""
        return self._in_use >= self._capacity


class ResourcePort:
    """FifoPort's interface over a ``simpy.Resource``.

    The reference implementation (``Engine(reference_ports=True)``): slower, and what the
    FifoPort must match cycle for cycle.
    """

    __slots__ = ("_held", "_resource")

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        self._resource = simpy.Resource(env, capacity=capacity)
        self._held: deque[simpy.resources.resource.Request] = deque()

    def acquire(self) -> simpy.Event:
        """Request the port: an event that fires when it is granted."""
        request = self._resource.request()
        self._held.append(request)
        return request

    def release(self) -> None:
        """Release the oldest grant (servers are interchangeable: only their count matters)."""
        self._resource.release(self._held.popleft())

    @property
    def busy(self) -> bool:
        """Whether every server is held."""
        return self._resource.count >= self._resource.capacity
