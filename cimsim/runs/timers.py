"""The two timers of a Schedule: its phases one after another on one chip.

Each phase first loads its weights (if it has any to load), then runs its Program. The event
timer runs every phase on one Engine, so time, counters and traces continue from phase to
phase; the estimate adds each phase's closed-form time to the last one's end.
"""

import sys
from dataclasses import dataclass, field

from tqdm import tqdm

from cimsim.engine import Engine, Process
from cimsim.machine import Machine
from cimsim.plan import LayerLoadPlan, Plan, Resources
from cimsim.program import Program
from cimsim.timing.estimate import estimate, estimate_weight_loads
from cimsim.timing.event import Holds, ProgramRunner, load_weights
from cimsim.timing.router_clock import RouterClock
from cimsim.trace import TraceSink


@dataclass(frozen=True)
class PhaseRun:
    """When one phase ran, cycles from the start of the run."""

    start_cycle: int
    """The phase began (loading its weights, if any)."""
    loaded_cycle: int
    """Its weights were programmed; its first task could start."""
    end_cycle: int
    """Its last output arrived where it is kept."""
    layer_start_cycles: dict[str, int]
    layer_end_cycles: dict[str, int]
    bound: str = field(default="")
    """Estimate only: what set the phase's time ("critical path" or the busiest port)."""


class EventTimer:
    """Runs phases one after another on one SimPy Engine."""

    def __init__(self, machine: Machine, seed: int, sink: TraceSink, resources: Resources,
                 fine_grained: bool = False) -> None:  # fmt: skip
        """``fine_grained``: one event per MVM and simpy.Resource ports (the reference).
        Messages go through the machine's routers if it has them."""
        self._engine = Engine(machine.clock_ghz, seed, reference_ports=fine_grained)
        routers = None
        if machine.routers is not None:
            routers = RouterClock(self._engine, machine.topology, machine.routers)
        self._holds = Holds(self._engine, sink, resources, machine.topology.flit_bytes, routers)
        self._fine_grained = fine_grained
        self._bar: tqdm | None = None
        self._pe_free_since: dict[str, tuple[int, str]] = {}
        """(cycle, layer) of each traced PE's last task so far (weight loads go on from it)."""

    @property
    def events(self) -> int:
        """SimPy events processed so far."""
        return self._engine.events_processed

    def progress(self, label: str, tasks: int) -> None:
        """Show a progress bar of ``tasks`` tasks on a terminal (after a second)."""
        self._bar = tqdm(total=tasks, desc=label, unit="task", delay=1.0, leave=False,
                         disable=not sys.stderr.isatty())  # fmt: skip

    def close(self) -> None:
        """Remove the progress bar."""
        if self._bar is not None:
            self._bar.close()

    def run(self, program: Program, plan: Plan, loads: tuple[LayerLoadPlan, ...] | None,
            label: str) -> PhaseRun:  # fmt: skip
        """Load the phase's weights (``loads``; None: they are on the chip), then run its
        program until the engine drains."""
        engine = self._engine
        done = self._bar.update if self._bar is not None else None
        runner = ProgramRunner(self._holds, program, plan, done, self._fine_grained)
        start = engine.now_cycles
        loaded: list[int] = []
        if loads is None:
            loaded.append(start)
            runner.start()
        else:
            process = _load_then_run(self._holds, loads, runner, loaded, self._pe_free_since)
            engine.process(process)
        end = engine.run()
        unfinished = sum(1 for event in runner.done if not event.triggered)
        if unfinished:  # a scheduler bug, never a user error: fail loudly
            raise RuntimeError(f"{label}: {unfinished} tasks never ran (a dependency cycle)")
        self._pe_free_since.update(runner.pe_free_since)
        return PhaseRun(start, loaded[0], end, runner.layer_start_cycles,
                        runner.layer_end_cycles)  # fmt: skip


def _load_then_run(
    holds: Holds,
    loads: tuple[LayerLoadPlan, ...],
    runner: ProgramRunner,
    loaded: list[int],
    pe_free_since: dict[str, tuple[int, str]],
) -> Process:
    """Program the phase's weights, note when that finished, then start its Program."""
    yield from load_weights(holds, loads, pe_free_since)
    loaded.append(holds.engine.now_cycles)
    runner.start()


class EstimateTimer:
    """Times phases one after another in closed form (cimsim.timing.estimate)."""

    events = 0

    def __init__(self, sink: TraceSink, resources: Resources, flit_bytes: int) -> None:
        self._sink, self._resources, self._flit_bytes = sink, resources, flit_bytes
        self._now = 0

    def run(self, program: Program, plan: Plan, loads: tuple[LayerLoadPlan, ...] | None,
            label: str) -> PhaseRun:  # fmt: skip
        """The phase's weight load (if any), then its program, from the last one's end."""
        start = self._now
        loaded = start
        if loads is not None:
            loaded += estimate_weight_loads(loads, self._resources, self._flit_bytes, self._sink)
        timing = estimate(program, plan, self._sink)
        self._now = loaded + timing.total_cycles
        return PhaseRun(
            start, loaded, self._now,
            {name: loaded + c for name, c in timing.layer_start_cycles.items()},
            {name: loaded + c for name, c in timing.layer_end_cycles.items()},
            timing.bound,
        )  # fmt: skip
