"""Model parameters as a file writes them (``read_pulse: 1 ns``) -> hwmodels field values.

hwmodels names every parameter with its unit (``read_pulse_ns``, ``write_voltage_v``,
``energy_pj_per_bit_mm``); a file writes the name without the unit and the value with it.
Parameters whose name carries no unit (``ports``, ``bits``, ``write_pulses``,
``cell_area_f2``) are plain numbers or words.
"""

from collections.abc import Mapping
from typing import Any

from cimsim.errors import UnitError
from cimsim.units import parse_quantity
from hwmodels.component_costs import MODEL_FIELDS, model_kind
from hwmodels.errors import HwModelError

_DIMENSION_OF_SUFFIX: tuple[tuple[str, str, float], ...] = (
    ("_pj_per_bit_mm", "wire_energy", 1.0),
    ("_pj_per_bit", "bit_energy", 1.0),
    ("_ns", "time", 1.0),
    ("_pj", "energy", 1.0),
    ("_mm2", "area", 1.0),
    ("_mm", "length", 1e6),
    ("_bytes", "size", 1.0),
    ("_gbps", "bandwidth", 1.0),
    ("_v", "voltage", 1.0),
    ("_ua", "current", 1.0),
    ("_us", "conductance", 1.0),
)
"""Field-name suffix -> (dimension of the unit string, its base unit per field unit)."""


def model_params(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The hwmodels parameters of ``name``'s model from a file's ``model:`` mapping.

    Raises HwModelError with the field ``model.<key>`` for an unknown key or a bad value.
    """
    kind = name if name == "memory_level" else model_kind(name)
    fields = MODEL_FIELDS.get(kind, ())
    params: dict[str, Any] = {}
    for key, raw in given.items():
        field, dimension, factor = _field(key, fields)
        if not field:
            shown = ", ".join(_file_key(f) for f in fields) or "none"
            raise HwModelError(f"model.{key}", f"not a parameter of the {name} model ({shown})")
        if not dimension:
            params[field] = raw
            continue
        try:
            value = parse_quantity(raw, dimension) / factor
        except UnitError as exc:
            raise HwModelError(f"model.{key}", str(exc)) from None
        params[field] = int(value) if field == "size_bytes" else value
    return params


def _field(key: str, fields: tuple[str, ...]) -> tuple[str, str, float]:
    """(field, dimension, factor) a file key names; dimension '' for a unitless field."""
    if key in fields:
        return key, "", 1.0
    for suffix, dimension, factor in _DIMENSION_OF_SUFFIX:
        if key + suffix in fields:
            return key + suffix, dimension, factor
    return "", "", 1.0


def _file_key(field: str) -> str:
    """How a file writes a field: without its unit suffix."""
    for suffix, _, _ in _DIMENSION_OF_SUFFIX:
        if field.endswith(suffix):
            return field.removesuffix(suffix)
    return field
