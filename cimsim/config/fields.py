"""Fields of a validated configuration by their dotted path, as files and ``--set`` write them.

Used where a file names another field: a cost table's ``assumes`` (tile.adc.bits: 8) is
compared with the chip's value of that field, parsed by the field's own type.
"""

import math
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from cimsim.errors import CimsimError

UNIT_OF_SUFFIX: dict[str, str] = {  # longest suffix first: _per_ns before _ns
    "_per_ns": "G/s",
    "_ns": "ns",
    "_ghz": "GHz",
    "_bytes": "B",
    "_gbps": "GB/s",
    "_gsps": "GS/s",
    "_nm": "nm",
    "_mw": "mW",
    "_mm2": "mm2",
    "_pj": "pJ",
}
"""Unit-carrying field-name suffix -> the unit its numbers are in (and written with)."""


def unit_of(name: str) -> str:
    """The unit of a field called ``name`` ("" if its name carries none)."""
    return next((unit for suffix, unit in UNIT_OF_SUFFIX.items() if name.endswith(suffix)), "")


def field_at(model: BaseModel, path: str) -> tuple[Any, FieldInfo, str]:
    """(value, field, field name) of the field at ``path`` (file keys or unit-carrying names;
    a memory level by its name: ``memory.global_buffer.size``). Raises KeyError naming what
    is missing."""
    keys = path.split(".")
    node: Any = model
    info: FieldInfo | None = None
    name = ""
    index = 0
    while index < len(keys):
        key = keys[index]
        if not isinstance(node, BaseModel):
            raise KeyError(f"{'.'.join(keys[:index])} is a value, not a section")
        fields = type(node).model_fields
        name = next((n for n, f in fields.items() if key in (n, f.alias)), "")
        if not name:
            raise KeyError(f"no field {'.'.join(keys[: index + 1])}")
        info = fields[name]
        node = getattr(node, name)
        if isinstance(node, tuple) and node and isinstance(node[0], BaseModel):
            index += 1  # a list of named entries (memory levels): the next key is a name
            entry = keys[index] if index < len(keys) else ""
            named = [e for e in node if getattr(e, "name", None) == entry]
            if not named:
                raise KeyError(f"no entry {'.'.join(keys[: index + 1])}")
            node = named[0]
        elif isinstance(node, dict) and index + 1 < len(keys):
            index += 1
            if keys[index] not in node:
                raise KeyError(f"no entry {'.'.join(keys[: index + 1])}")
            node = node[keys[index]]
        index += 1
    assert info is not None
    return node, info, name


def parse_as(info: FieldInfo, raw: Any) -> Any:
    """``raw`` (as a file writes it) validated by the type of field ``info``."""
    annotated = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    try:
        return TypeAdapter(annotated).validate_python(raw)
    except (ValidationError, CimsimError) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise ValueError(detail.removeprefix("Value error, ")) from None


def same_value(a: Any, b: Any) -> bool:
    """Equal, floats within a relative 1e-9 (a value written "1.2 GHz" or "1200 MHz")."""
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


def show(value: Any, name: str) -> str:
    """A field's value for messages, with its unit ("1.28 GS/s")."""
    unit = unit_of(name)
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g} {unit}"
    return str(value)
