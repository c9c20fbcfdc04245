"""Scheduling policies: each turns a network on a machine into a Schedule. One module per
policy; all share one signature (``Policy``), so a run treats them alike.

A Schedule is a sequence of phases run one after another on the chip; a phase is a mapping
of (part of) the network, its Program, and the weights to load before it (weight reuse
loads a part's weights into the crossbars; the other policies hold every weight from the
start and have one phase).
"""

from collections.abc import Mapping
from types import MappingProxyType

from cimsim.errors import CimsimError, brief
from cimsim.scheduler import cross_layer, layer_by_layer, pipelined, weight_reuse
from cimsim.scheduler.schedule import Phase, Policy, ProgramScheduler, Schedule, resident

__all__ = ["SCHEDULERS", "Phase", "Policy", "Schedule", "get_scheduler", "program_scheduler"]

SCHEDULERS: Mapping[str, Policy] = MappingProxyType(
    {
        layer_by_layer.NAME: resident(layer_by_layer.NAME, layer_by_layer.schedule),
        pipelined.NAME: resident(pipelined.NAME, pipelined.schedule),
        cross_layer.NAME: resident(cross_layer.NAME, cross_layer.schedule),
        weight_reuse.NAME: weight_reuse.schedule_parts,
    }
)
"""Policy name -> policy (read-only)."""


def get_scheduler(name: str) -> Policy:
    """The policy called ``name``; an unknown name is a CimsimError listing the choices."""
    try:
        return SCHEDULERS[name]
    except KeyError:
        raise CimsimError(
            f"unknown scheduler {brief(name)}; choices: {', '.join(SCHEDULERS)}"
        ) from None


def program_scheduler(name: str) -> ProgramScheduler:
    """The Program builder of a resident policy (tests and benchmarks that build Programs)."""
    builders = {m.NAME: m.schedule for m in (layer_by_layer, pipelined, cross_layer)}
    if name not in builders:
        raise CimsimError(f"unknown scheduler {brief(name)}; choices: {', '.join(builders)}")
    return builders[name]
