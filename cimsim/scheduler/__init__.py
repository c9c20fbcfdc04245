"""Scheduling policies: each turns a mapping into a Program. One module per policy."""

from collections.abc import Callable, Mapping
from types import MappingProxyType

from cimsim.config.model import ArchConfig
from cimsim.errors import CimsimError, brief
from cimsim.mapper import ChipMapping
from cimsim.program import Program
from cimsim.scheduler import cross_layer, layer_by_layer, pipelined
from workloads.shapes import GraphInfo

Scheduler = Callable[[GraphInfo, ChipMapping, ArchConfig, int], Program]

SCHEDULERS: Mapping[str, Scheduler] = MappingProxyType(
    {
        layer_by_layer.NAME: layer_by_layer.schedule,
        pipelined.NAME: pipelined.schedule,
        cross_layer.NAME: cross_layer.schedule,
    }
)
"""Policy name -> schedule function (read-only)."""


def get_scheduler(name: str) -> Scheduler:
    """The policy called ``name``; an unknown name is a CimsimError listing the choices."""
    try:
        return SCHEDULERS[name]
    except KeyError:
        raise CimsimError(
            f"unknown scheduler {brief(name)}; choices: {', '.join(SCHEDULERS)}"
        ) from None
