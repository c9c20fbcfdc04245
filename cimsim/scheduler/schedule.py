"""A Schedule and its phases: what every scheduling policy produces (pure data)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.machine import Machine
from cimsim.mapper import ChipMapping, map_network
from cimsim.options import RunOptions
from cimsim.program import Program
from workloads.ir import Graph
from workloads.shapes import GraphInfo

if TYPE_CHECKING:
    from cimsim.scheduler.weight_reuse import Part


@dataclass(frozen=True)
class Phase:
    """(Part of) the network mapped onto the chip and scheduled."""

    info: GraphInfo
    """The (sub)network the phase runs."""
    mapping: ChipMapping
    program: Program
    weight_bytes: Mapping[str, int] | None = None
    """Bytes of one copy of each crossbar layer's weights, loaded before the phase runs
    (None: the weights are on the chip from the start)."""
    part: "Part | None" = None
    """The weight-reuse part the phase runs, if any."""


@dataclass(frozen=True)
class Schedule:
    """What a policy produced: the phases of the run, in order."""

    policy: str
    info: GraphInfo
    """The network as it runs (weight reuse may split layers too large for the chip)."""
    phases: tuple[Phase, ...]
    reuse_mode: str | None = None
    """The weight-reuse mode, for that policy."""


Policy = Callable[[Graph, GraphInfo, ArchConfig, HardwareParams, Machine, RunOptions], Schedule]
"""(graph, its shapes, architecture, component parameters, machine, options) -> Schedule."""

ProgramScheduler = Callable[[GraphInfo, ChipMapping, ArchConfig, int], Program]
"""A policy whose weights stay on the chip: (info, mapping, arch, batch) -> Program."""


def resident(name: str, schedule: ProgramScheduler) -> Policy:
    """The policy that maps every weight onto the chip once and runs ``schedule`` on it."""

    def policy(
        graph: Graph, info: GraphInfo, arch: ArchConfig, hw: HardwareParams, machine: Machine,
        options: RunOptions,
    ) -> Schedule:  # fmt: skip
        mapping = map_network(info, arch, hw, options.duplication, options.placement,
                              options.extra_pes, machine)  # fmt: skip
        program = schedule(info, mapping, arch, options.batch)
        return Schedule(name, info, (Phase(info, mapping, program),))

    return policy
