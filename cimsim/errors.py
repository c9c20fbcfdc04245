"""The errors cimsim reports to users: each names where the fault is and what is allowed."""


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
