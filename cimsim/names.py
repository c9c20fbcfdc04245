"""The names the command line offers as choices, without importing what they name.

``cimsim --help`` must start in a fraction of a second, so the parser cannot import the
schedulers, the mapper or pydantic just to list choices. These tuples are the registries'
keys written out once; tests/unit/test_names.py checks they equal the registries
(cimsim.scheduler.SCHEDULERS, cimsim.mapper.DUPLICATIONS and PLACEMENTS, TraceLevel).
"""

from pathlib import Path

SCHEDULERS = ("layer_by_layer", "pipelined", "cross_layer", "weight_reuse")
"""Scheduling policies (cimsim.scheduler.SCHEDULERS)."""
DUPLICATIONS = ("none", "greedy", "dynamic", "neurosim")
"""Weight-duplication policies (cimsim.mapper.DUPLICATIONS)."""
PLACEMENTS = ("in_order", "snake", "hilbert")
"""Placement orders (cimsim.mapper.PLACEMENTS)."""
TRACE_LEVELS = ("off", "summary", "full")
"""Trace levels (cimsim.trace.TraceLevel)."""
REUSE_MODES = ("RP", "LL", "HT")
"""Weight-reuse modes (cimsim.scheduler.weight_reuse)."""
MODES = ("event", "estimate")
"""Timers: the event-driven SimPy run or the closed-form estimate."""

PRESETS_DIR = Path(__file__).parent / "config" / "presets"
"""Where the architecture presets ship (package data of cimsim.config)."""


def preset_names() -> tuple[str, ...]:
    """Names of the presets shipped with cimsim, sorted (what cimsim.config.preset_names
    returns, read without importing the configuration model)."""
    return tuple(sorted(p.stem for p in PRESETS_DIR.glob("*.yaml")))
