"""Component models of a tiled RRAM compute-in-memory chip.

What each part costs (energy and latency per action, area, leakage) and computes (the
bit-accurate crossbar kernels). Pure functions over frozen parameter dataclasses; no
simulated time, no SimPy. Cost models: ``technology`` (node scaling), ``cost``
(ComponentCost), ``converters``, ``crossbar.energy``, ``memory``, ``noc``, ``digital``;
``actions`` (the actions a run counts); chip level: ``chip`` (ChipSpec, breakdowns,
price_actions), ``chip_builder`` (a chip from the models alone), ``component_costs`` (a
component from a table row, a model or explicit figures). hwmodels reads no files: the
costs of a chip live in its architecture file (cimsim.config). See docs/hardware-models.md.
"""
