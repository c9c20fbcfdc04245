"""A user's per-action energy and per-instance area and leakage table over a chip's prices.

The Accelergy ERT/ART idea: a file of ``component -> action -> energy`` and ``component ->
area`` (and leakage) replaces what the chip's costs section gives those entries; an unknown
component or an action the component does not have is an error naming the table and entry.
"""

from collections.abc import Mapping
from dataclasses import replace

from cimsim.config.costs import CostTable
from cimsim.errors import ConfigError
from hwmodels.actions import actions_of
from hwmodels.chip import ChipSpec


def apply_cost_table(
    spec: ChipSpec, pricing: Mapping[str, str], table: CostTable
) -> tuple[ChipSpec, dict[str, str]]:
    """``spec`` with ``table``'s energies, areas and leakages; unknown names are errors."""
    known = {c.name: c for c in spec.components}
    names = ", ".join(sorted(known))
    updated = dict(pricing)
    sections = (("energy", table.energy_pj), ("area", table.area_mm2),
                ("leakage", table.leakage_mw))  # fmt: skip
    for section, entries in sections:
        for name in entries:
            if name not in known:
                raise ConfigError(
                    f"{table.label}: {section}.{name}: the chip has no component {name!r}; "
                    f"its components: {names}"
                )
    components = []
    for component in spec.components:
        name = component.name
        energy = table.energy_pj.get(name)
        if energy is not None:
            allowed = actions_of(name)
            for action in energy:
                if action not in allowed:
                    raise ConfigError(
                        f"{table.label}: energy.{name}.{action}: {name} has no action "
                        f"{action!r}; its actions: {', '.join(sorted(allowed))}"
                    )
        area, leakage = table.area_mm2.get(name), table.leakage_mw.get(name)
        if energy is None and area is None and leakage is None:
            components.append(component)
            continue
        cost = component.cost
        cost = replace(
            cost,
            energy_pj={**cost.energy_pj, **(energy or {})},
            area_mm2=cost.area_mm2 if area is None else area,
            leakage_mw=cost.leakage_mw if leakage is None else leakage,
        )
        components.append(replace(component, cost=cost))
        updated[name] = f"{pricing.get(name, 'model')} + {table.label}"
    return replace(spec, components=tuple(components)), updated
