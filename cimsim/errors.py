"""The errors cimsim reports to users: each names where the fault is and what is allowed.

A value shown in a message goes through :func:`brief`, so a huge input (a YAML file of
nested aliases, a long string) never makes a huge message or a slow one.
"""

import reprlib

BRIEF_CHARS = 80
"""Most characters of a value shown in an error message."""


def brief(value: object, limit: int = BRIEF_CHARS) -> str:
    """``repr(value)`` for an error message: nesting, items and length bounded (reprlib),
    then cut to ``limit`` characters, so its cost and size do not grow with the value."""
    shorter = reprlib.Repr()
    shorter.maxlevel, shorter.maxstring, shorter.maxlong, shorter.maxother = 3, 60, 40, 60
    shorter.maxdict = shorter.maxlist = shorter.maxtuple = shorter.maxset = 6
    return cut(shorter.repr(value), limit)


def cut(text: str, limit: int = BRIEF_CHARS) -> str:
    """``text``, cut to ``limit`` characters (the end shown as "...")."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class CimsimError(Exception):
    """Base of every error meant for a user; the CLI prints it and exits with code 2."""


class UnitError(CimsimError, ValueError):
    """A quantity string has no unit, an unknown unit, or a unit of the wrong dimension.

    Also a ValueError, so that validation libraries report it against the field at fault.
    """


class ConfigError(CimsimError):
    """A configuration file or override is malformed or holds an impossible value."""


class WorkloadInputError(CimsimError):
    """A workload name or file cannot be turned into a network."""


class MappingError(CimsimError):
    """The network does not fit on the chip as configured."""


class OutputError(CimsimError):
    """Results cannot be written or read back."""
