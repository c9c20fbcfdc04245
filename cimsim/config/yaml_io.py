"""Reading YAML text: the one loader for every YAML file, with aliases refused.

A YAML alias (``*name``) repeats an anchored node by reference, so a few lines of nested
aliases (a "billion laughs" file) stand for a structure of billions of items that every
later walk over it (validation, an error message) would take forever to visit. No cimsim
or hwmodels file needs one, so they are refused where they are read, with their position.
"""

from typing import Any

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it: 9x faster than the pure-Python one on
the isaac preset (measured, 1.6 ms against 13.7 ms)."""


class YamlAliasError(yaml.YAMLError):
    """The text uses a YAML alias; ``problem`` and ``problem_mark`` say what and where."""

    def __init__(self, name: str, mark: Any) -> None:
        self.problem = (
            f"YAML aliases (*{name}) are not allowed: write the value out in full "
            f"(nested aliases can expand without bound)"
        )
        self.problem_mark = mark
        super().__init__(self.problem)


def load_yaml(text: str) -> Any:
    """The data of one YAML document (safe types only); YamlAliasError for an alias, any
    other yaml.YAMLError for malformed text."""
    for event in yaml.parse(text, Loader=YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise YamlAliasError(str(event.anchor)[:40], event.start_mark)
    return yaml.load(text, Loader=YAML_LOADER)
