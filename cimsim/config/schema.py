"""The JSON Schema of an architecture file, for editors that complete and check YAML.

``cimsim schema > cimsim-arch.schema.json``, then point the editor at it (VS Code's YAML
extension: ``# yaml-language-server: $schema=cimsim-arch.schema.json`` as the file's first
line). Unit fields accept a number in the field's unit or a string with a unit ("100 ns");
their schema says both (``x-unit`` names the unit a bare number is read in).
"""

from typing import Any

from cimsim.config.model import ArchConfig

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def arch_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every architecture file satisfies."""
    schema = ArchConfig.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "cimsim architecture file",
        "description": "A chip for cimsim (docs/tutorial.md; `cimsim describe PRESET` prints "
        "every field of a preset with its value).",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }
