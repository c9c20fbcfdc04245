"""Component models of a tiled RRAM compute-in-memory chip.

What each part costs (energy and latency per action, area, leakage) and computes (the
bit-accurate crossbar kernels). Pure functions over frozen parameter dataclasses; no
simulated time, no SimPy. Cost models: ``technology`` (node scaling), ``cost``
(ComponentCost), ``converters``, ``crossbar.energy``, ``memory``, ``noc``, ``digital``;
chip level: ``chip`` (ChipSpec, breakdowns, price_actions), ``chip_builder``, ``presets``
(YAML presets in hwmodels/presets/). See docs/hardware-models.md.
"""
