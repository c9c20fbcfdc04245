"""Component models of a tiled RRAM compute-in-memory chip.

What each part costs (energy, latency, area) and computes (the bit-accurate crossbar
kernels). Pure functions over frozen parameter dataclasses; no simulated time, no SimPy.
"""
