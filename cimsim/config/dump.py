"""An architecture written back as a file that loads to the same configuration.

Fields are written under their file keys, quantities as unit strings in their base unit
(``size: 65536.0 B``): the base units convert with factor 1, so ``repr`` of the stored
float reads back to the same float, and a run from the written file reproduces the
original run to the byte.
"""

from typing import Any

import yaml
from pydantic import BaseModel

from cimsim.config.loader import unit_of_field
from cimsim.config.model import ArchConfig


def arch_to_file_dict(arch: ArchConfig) -> dict[str, Any]:
    """``arch`` as the mapping an architecture file holds (what ``load_arch`` reads)."""
    return _section(arch)


def arch_to_yaml(arch: ArchConfig) -> str:
    """``arch`` as YAML text (fields in model order, one level per list entry)."""
    return yaml.safe_dump(arch_to_file_dict(arch), sort_keys=False, allow_unicode=True)


def _section(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        out[field.alias or name] = _value(value, unit_of_field(name, field))
    return out


def _value(value: Any, unit: str) -> Any:
    if isinstance(value, BaseModel):
        return _section(value)
    if isinstance(value, tuple):
        return [_value(item, "") for item in value]
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value)!r} {unit}"
    return value
