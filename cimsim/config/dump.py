"""A validated configuration written back as an architecture file: file keys, unit strings.

``cimsim describe --json`` prints it; loading it again gives the same configuration (the
round trip is tested), cost tables included (they are held inline once loaded).
"""

from typing import Any

import yaml
from pydantic import BaseModel

from cimsim.config.fields import unit_of


def arch_file_dict(model: BaseModel) -> dict[str, Any]:
    """``model`` as a mapping a configuration file could hold: each field under its file key
    (``read_latency``), each number of a unit-carrying field as a unit string ("100.0 ns",
    exact: the float's repr)."""
    return {
        info.alias or name: _file_value(getattr(model, name), unit_of(name))
        for name, info in type(model).model_fields.items()
    }


def _file_value(value: Any, unit: str) -> Any:
    if isinstance(value, BaseModel):
        return arch_file_dict(value)
    if isinstance(value, tuple | list):
        return [_file_value(v, unit) for v in value]
    if isinstance(value, dict):
        return {key: _file_value(v, unit) for key, v in value.items()}
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value!r} {unit}"
    return value


def arch_to_yaml(model: BaseModel) -> str:
    """``model`` as YAML text of an architecture file (fields in model order)."""
    return yaml.safe_dump(arch_file_dict(model), sort_keys=False, allow_unicode=True)
