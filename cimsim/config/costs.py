"""The ``costs`` section of an architecture file: what each component of the chip costs.

One file per chip holds its architecture and its costs, in one unit convention (unit strings
in the file, numbers with units in their names here). Each component is priced in one of
three forms:

- ``table``: a paper's row (power and area of a group of ``instances`` when fully busy), with
  ``assumes``: the chip fields the row was published for. Loading fails while the chip
  differs from any of them (cimsim.config.pricing), naming the field and what to do;
- ``model``: the cost models of hwmodels (docs/hardware-models.md), with their parameters;
- ``explicit``: per-action energies, area and leakage of one instance (``assumes`` too).

``use`` picks the form in force when a component gives several (``--set
costs.components.adc.use=model``); ``costs.use: model`` prices the whole chip by the models.
``tables`` are a user's per-action energy and area tables (Accelergy's ERT/ART), applied over
the components' prices; the loader reads them (paths relative to the architecture file) and
holds them inline, so a resolved configuration carries every figure it is priced with.
"""

import math
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cimsim.config.quantities import (
    ActionRate,
    Milliwatts,
    Nanoseconds,
    Picojoules,
    SquareMillimetres,
    quantity_json_schema,
)
from cimsim.units import parse_quantity

FORMS: tuple[str, ...] = ("table", "model", "explicit")
"""How a component can be priced."""


def _node_nm(value: object) -> int:
    """A technology node: a length in whole nm ("32 nm")."""
    nm = parse_quantity(value, "length")
    if not math.isfinite(nm) or nm != int(nm):
        raise ValueError(f"a technology node is a whole number of nm, got {value!r}")
    return int(nm)


TechnologyNode = Annotated[int, BeforeValidator(_node_nm), quantity_json_schema("length")]
"""A CMOS node in nm, written "32 nm"."""


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )


class TableRow(_Section):
    """A paper's row: the power and area of ``instances`` instances when fully busy."""

    power_mw: Milliwatts = Field(alias="power")
    """Power of the group when fully busy (dynamic and leakage)."""
    area_mm2: SquareMillimetres = Field(alias="area")
    """Area of the group."""
    instances: float = Field(gt=0)
    """How many instances the row's figures are for (ISAAC Table I: "8 ADCs, 16 mW")."""
    leakage_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the power that is leakage; the rest is spread over the peak action."""
    peak_rate_per_ns: ActionRate | None = Field(default=None, alias="peak_rate")
    """Peak actions per second of one busy instance ("9.6 G/s"; bytes: "38.4 GB/s"); omitted:
    one per input step (crossbar, DAC, S+H), the sample rate (ADC) or the clock (digital)."""
    assumes: dict[str, Any] = Field(default_factory=dict)
    """Chip fields the figures were published for, ``dotted.path: value`` as in the file;
    loading fails while the chip differs from any of them."""


class ExplicitCosts(_Section):
    """Per-instance figures of a component."""

    energy_pj: dict[str, Picojoules] = Field(alias="energy", min_length=1)
    """Energy of one action, by action name."""
    area_mm2: SquareMillimetres = Field(default=0.0, alias="area")
    """Area of one instance."""
    leakage_mw: Milliwatts = Field(default=0.0, alias="leakage")
    """Static power of one instance."""
    latency_ns: dict[str, Nanoseconds] = Field(default_factory=dict, alias="latency")
    """Latency of one action, by action name (informative; timing comes from the chip)."""
    peak_action: str | None = None
    """The action that runs when the instance is fully busy (default: the usual one)."""
    peak_rate_per_ns: ActionRate | None = Field(default=None, alias="peak_rate")
    """Peak actions per second of one busy instance (as in a table row)."""
    assumes: dict[str, Any] = Field(default_factory=dict)
    """Chip fields the figures were derived for (as in a table row)."""


class ComponentCosts(_Section):
    """How one component is priced, where it sits and how many there are."""

    source: str = Field(min_length=1)
    """Where the figures come from (paper and table, model, measurement)."""
    use: Literal["table", "model", "explicit"] | None = None
    """The form in force; omitted: the one form given."""
    level: Literal["pe", "tile", "chip", "external"] | None = None
    """Where instances sit (external: priced per action, outside the chip's area and
    power); omitted for the components the architecture defines."""
    count: float | None = Field(default=None, ge=0)
    """Instances per PE, tile or chip (fractional: shared, 0.25 = one per 4 tiles); the
    architecture fixes it for crossbar, dac, sample_hold, adc and the memory levels."""
    table: TableRow | None = None
    """A paper's row."""
    model: dict[str, Any] | None = None
    """Parameters of the component's model, ``name: value`` with units (e.g. read_pulse:
    1 ns); empty: the model's defaults."""
    explicit: ExplicitCosts | None = None
    """Per-instance figures."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        given = [form for form in FORMS if getattr(self, form) is not None]
        if self.use is None and len(given) != 1:
            raise ValueError(
                "give one of table, model, explicit"
                if not given
                else f"{' and '.join(given)} are given: choose one with use"
            )
        if self.use in ("table", "explicit") and getattr(self, self.use) is None:
            raise ValueError(f"use is {self.use} but no {self.use} is given")
        return self

    @property
    def form(self) -> str:
        """The form in force: table, model or explicit."""
        if self.use is not None:
            return self.use
        return next(form for form in FORMS if getattr(self, form) is not None)


class CostTable(_Section):
    """A user's per-action energy and per-instance area and leakage table (ERT/ART)."""

    source: str = Field(min_length=1)
    """Where the figures come from."""
    file: str | None = None
    """The file it was read from (set by the loader; informative)."""
    energy_pj: dict[str, dict[str, Picojoules]] = Field(default_factory=dict, alias="energy")
    """component -> action -> energy of one action."""
    area_mm2: dict[str, SquareMillimetres] = Field(default_factory=dict, alias="area")
    """component -> area of one instance."""
    leakage_mw: dict[str, Milliwatts] = Field(default_factory=dict, alias="leakage")
    """component -> static power of one instance."""

    @property
    def label(self) -> str:
        """How messages name the table: its file, or its source."""
        return self.file or f"costs.tables ({self.source})"


class CostsConfig(_Section):
    technology_nm: TechnologyNode = Field(default=32, alias="technology")
    """CMOS node of the periphery ("32 nm"; 7..90 nm); models are scaled to it."""
    adc_kind: Literal["sar", "flash"] = "sar"
    """ADC architecture the ADC model assumes."""
    power_gating: Literal["none", "unused"] = "unused"
    """Leakage: "unused" gates PEs that hold no weights and tiles with no work (their
    leakage is not counted); "none" charges every component of the chip for the whole run."""
    use: Literal["components", "model"] | None = None
    """components: each component as its entry says (memory levels without an entry by the
    models); model: the whole chip by the models, entries ignored (a sweep over fields the
    tables assume); omitted: components if any are listed, else model."""
    assumes: dict[str, Any] = Field(default_factory=dict)
    """Chip fields every table row and explicit entry assumes (the node, the clock)."""
    components: dict[str, ComponentCosts] = Field(default_factory=dict)
    """Priced components by name (docs/hardware-models.md lists the names and actions)."""
    tables: tuple[CostTable, ...] = ()
    """Per-action energy and area tables applied over the components' prices, in order;
    in a file: paths relative to it (or inline mappings)."""

    @property
    def by_model(self) -> bool:
        """Whether the whole chip is priced by the models."""
        return self.use == "model" or (self.use is None and not self.components)
