"""cimsim: cycle-level discrete-event simulation of tiled RRAM compute-in-memory chips."""

__version__ = "0.1.0"
