"""The simulation kernel: a thin wrapper over ``simpy.Environment`` in integer cycles.

Same-cycle ordering is SimPy's: events scheduled for the same cycle fire in the order they
were scheduled (SimPy breaks ties by priority, then by a monotonically increasing event id).
cimsim schedules deterministically (processes are created in program order; no iteration
over unordered sets), so the same inputs give the same event order and the same trace.
Randomness comes only from the seeded generator passed in.
"""

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

Process = Generator[simpy.Event, Any, Any]
"""A SimPy process body."""


class Engine:
    """Clock, event queue and seeded randomness of one simulation run."""

    def __init__(self, clock_ghz: float, seed: int = 0) -> None:
        self.env = simpy.Environment()
        self.clock_ghz = clock_ghz
        self.rng = np.random.default_rng(seed)

    @property
    def now_cycles(self) -> int:
        """Current time, cycles."""
        return int(self.env.now)

    def timeout(self, cycles: int) -> simpy.Timeout:
        """An event ``cycles`` cycles from now (cycles must be a non-negative integer)."""
        return self.env.timeout(cycles)

    def process(self, body: Process) -> simpy.Process:
        """Start a process."""
        return self.env.process(body)

    def event(self) -> simpy.Event:
        """A plain event to be triggered by hand."""
        return self.env.event()

    def all_of(self, events: list[simpy.Event]) -> simpy.Event:
        """An event that fires when all ``events`` have."""
        return simpy.AllOf(self.env, events)

    def resource(self, capacity: int = 1) -> simpy.Resource:
        """A FIFO resource (a port, a link, an ADC bank)."""
        return simpy.Resource(self.env, capacity=capacity)

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
