"""``python -m cimsim``: the command line."""

from cimsim.cli import entry_point

entry_point()
