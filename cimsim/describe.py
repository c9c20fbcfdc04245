"""``cimsim describe``: every field of a resolved architecture, as a reader needs it.

Each field is printed under the key an architecture file (and ``--set``) uses, with its
value in its unit and sizes in binary multiples ("2 MiB"), the values or range it accepts,
and its whole description (the model's field docstring), wrapped and indented below it.
"""

import textwrap
import typing
from typing import Any, Literal

from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from cimsim.units import format_quantity

WIDTH = 96
"""Columns of the wrapped descriptions."""


def field_rows(model: BaseModel, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(file key, shown value, allowed values, description) of every leaf field of ``model``;
    named entries of lists (memory levels) appear under their names."""
    rows: list[tuple[str, str, str, str]] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{info.alias or name}"
        if isinstance(value, BaseModel):
            rows += field_rows(value, f"{key}.")
        elif isinstance(value, tuple) and value and all(hasattr(v, "name") for v in value):
            for entry in value:
                rows += [row for row in field_rows(entry, f"{key}.{entry.name}.")  # type: ignore[attr-defined]
                         if not row[0].endswith(".name")]  # fmt: skip
        else:
            doc = " ".join((info.description or "").split())
            if isinstance(value, dict) and any(isinstance(v, BaseModel) for v in value.values()):
                shown = f"{len(value)} entries, priced below"  # costs.components
            elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
                shown = ", ".join(getattr(v, "label", type(v).__name__) for v in value)
            else:
                shown = show_value(value, unit_of(info))
            rows.append((key, shown, allowed_values(info), doc))
    return rows


def describe_fields_text(model: BaseModel) -> list[str]:
    """The field rows as text: ``key: value  (allowed)`` and the description below."""
    lines = []
    for key, shown, allowed, doc in field_rows(model):
        if key in ("name", "source", "description"):
            continue
        head = f"  {key}: {shown}" + (f"    [{allowed}]" if allowed else "")
        lines.append(head)
        if doc:
            lines += textwrap.wrap(doc, WIDTH, initial_indent="      ", subsequent_indent="      ")
    return lines


def unit_of(info: FieldInfo) -> str | None:
    """The unit a quantity field is stored in (from its JSON Schema's ``x-unit``), if any."""
    for item in _metadata(info):
        if isinstance(item, WithJsonSchema) and isinstance(item.json_schema, dict):
            unit = item.json_schema.get("x-unit")
            if isinstance(unit, str):
                return unit
    return None


def allowed_values(info: FieldInfo) -> str:
    """The values or range a field accepts ("one of: mesh, torus, ring", "1 to 16")."""
    choices = _literal_choices(info.annotation)
    if choices:
        return "one of: " + ", ".join(str(c) for c in choices)
    low = high = None
    low_op, high_op = "", ""
    for item in _metadata(info):  # pydantic's Ge, Gt, Le, Lt constraints, by attribute
        for attribute, op in (("ge", ">="), ("gt", ">")):
            if getattr(item, attribute, None) is not None:
                low, low_op = getattr(item, attribute), op
        for attribute, op in (("le", "<="), ("lt", "<")):
            if getattr(item, attribute, None) is not None:
                high, high_op = getattr(item, attribute), op
    if low is not None and high is not None and low_op == ">=" and high_op == "<=":
        return f"{_number(low)} to {_number(high)}"
    parts = [f"{op} {_number(v)}" for op, v in ((low_op, low), (high_op, high)) if v is not None]
    return ", ".join(parts)


def show_value(value: Any, unit: str | None) -> str:
    """A value as a reader writes it: with its unit, sizes in binary multiples."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if unit == "bytes" and isinstance(value, int | float):
        return human_bytes(float(value))
    if unit and isinstance(value, int | float):
        return format_quantity(float(value), unit)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def human_bytes(value: float) -> str:
    """65536 -> "64 KiB", 2097152 -> "2 MiB", 4 -> "4 B", 1500 -> "1,500 B"."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= size and value % size == 0:
            return f"{value / size:g} {unit}"
        if value >= size:
            return f"{value / size:.4g} {unit} ({value:,.0f} B)"
    return f"{value:,.6g} B"


def _metadata(info: FieldInfo) -> list[Any]:
    """The field's constraints, including those inside Optional[Annotated[...]]."""
    items = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        items += list(getattr(arg, "__metadata__", ()))
    return items


def _literal_choices(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    for arg in typing.get_args(annotation):
        choices = _literal_choices(arg)
        if choices:
            return choices
    return ()


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
