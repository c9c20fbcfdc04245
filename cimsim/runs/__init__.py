"""One run: network -> schedule (map, schedule) -> plan (lower) -> time -> summary.

``run(arch, graph, options)`` is what the command line, sweeps and the Python API call;
``simulate(arch, graph, **options)`` is the same with options as keywords.
"""

import logging
from pathlib import Path
from typing import Any

from cimsim.config.hardware import chip_spec, hardware_params
from cimsim.config.model import ArchConfig
from cimsim.engine import collector_paused
from cimsim.errors import ConfigError, WorkloadInputError
from cimsim.limits import check_work
from cimsim.machine.build import build_machine
from cimsim.options import RunOptions
from cimsim.plan import Resources
from cimsim.plan.lower import Lowering, lower_program
from cimsim.plan.weights import lower_weight_loads
from cimsim.progress import Status
from cimsim.runs.result import RunResult, add_functional, write_results
from cimsim.runs.summary import summarize
from cimsim.runs.timers import EstimateTimer, EventTimer, PhaseRun
from cimsim.runs.workload import is_onnx_file, load_workload, load_workload_with_weights
from cimsim.scheduler import get_scheduler
from cimsim.trace import TraceLevel, TraceSink
from hwmodels.errors import HwModelError
from workloads.errors import WorkloadError
from workloads.ir import Graph
from workloads.shapes import analyze

__all__ = [
    "RunOptions",
    "RunResult",
    "add_functional",
    "is_onnx_file",
    "load_workload",
    "load_workload_with_weights",
    "run",
    "simulate",
    "write_results",
]

log = logging.getLogger(__name__)


def simulate(arch: ArchConfig, graph: Graph, **options: Any) -> RunResult:
    """Run ``graph`` on ``arch`` with ``options`` given as keywords (RunOptions fields, e.g.
    ``scheduler="pipelined", batch=8``); a bad option is a ConfigError naming it."""
    return run(arch, graph, RunOptions.create(**options))


@collector_paused()
def run(
    arch: ArchConfig,
    graph: Graph,
    options: RunOptions | None = None,
    progress: bool = False,
    spill_path: Path | None = None,
) -> RunResult:
    """Simulate ``options.batch`` inferences of ``graph`` on ``arch`` and summarise the run.

    ``progress`` shows a status line while mapping and a task bar while timing, on a
    terminal only (cimsim.progress); long traces spill to ``spill_path`` as
    they grow (dropped if the run fails).
    """
    options = options or RunOptions()
    try:
        info = analyze(graph)
        hw = hardware_params(arch)
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None
    except HwModelError as exc:
        raise ConfigError(f"{arch.name}: {exc}") from None
    check_work(info, options.batch)
    priced = chip_spec(arch, hw)  # a chip that cannot be priced fails here, before simulating
    machine = build_machine(arch)
    with Status(f"mapping and scheduling {info.name} on {arch.name}", enabled=progress):
        schedule = get_scheduler(options.scheduler)(graph, info, arch, hw, machine, options)
    sink = TraceSink(TraceLevel(options.trace), spill_path)
    resources = Resources()  # one table for every phase: they run on the same chip
    flit_bytes = machine.topology.flit_bytes
    timer: EventTimer | EstimateTimer
    if options.mode == "estimate":
        timer = EstimateTimer(sink, resources, flit_bytes)
    else:
        timer = EventTimer(machine, options.seed, sink, resources, options.fine_grained)
        if progress:
            tasks = sum(len(phase.program.tasks) for phase in schedule.phases)
            timer.progress(f"{info.name} on {arch.name}", tasks)
    for phase in schedule.phases:
        mapping = phase.mapping
        log.info(
            "%s on %s: %d crossbars in %d PEs (%s duplication, %s placement); %s: %d tasks",
            phase.info.name, arch.name, mapping.crossbars_used, mapping.pes_used,
            mapping.duplication, mapping.placement, options.scheduler, len(phase.program.tasks),
        )  # fmt: skip
    runs: list[PhaseRun] = []
    bits = arch.precision.activation_bits
    try:
        for index, phase in enumerate(schedule.phases):
            plan = lower_program(phase.program, phase.mapping, phase.info, bits, hw.digital,
                                 resources)  # fmt: skip
            loads = None
            if phase.weight_bytes is not None:
                lowering = Lowering(machine, resources)
                loads = lower_weight_loads(lowering, phase.mapping, phase.weight_bytes)
            runs.append(timer.run(phase.program, plan, loads, f"phase {index}"))
    except BaseException:
        if sink.intervals is not None:
            sink.intervals.discard()
        raise
    finally:
        if isinstance(timer, EventTimer):
            timer.close()
    log.info("%s run: %d cycles, %d SimPy events", options.mode, runs[-1].end_cycle,
             timer.events)  # fmt: skip
    summary, layers = summarize(arch, priced, schedule, runs, sink, options, timer.events)
    return RunResult(summary, layers, arch, options, sink.intervals)
