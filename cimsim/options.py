"""What a run is asked to do, besides the chip and the network: one typed record shared by
the command line, sweeps and the Python API (each option honoured, or refused here)."""

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cimsim.errors import ConfigError, brief
from cimsim.limits import MAX_BATCH, MAX_EXTRA_PES, MAX_SEED

Scheduler = Literal["layer_by_layer", "pipelined", "cross_layer", "weight_reuse"]
Duplication = Literal["none", "greedy", "dynamic", "neurosim"]
Placement = Literal["in_order", "snake", "hilbert"]
ReuseMode = Literal["RP", "LL", "HT"]
Mode = Literal["event", "estimate"]
TraceChoice = Literal["off", "summary", "full"]

class RunOptions(BaseModel):
    """How to map, schedule and time a network (docs/api.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    scheduler: Scheduler = "layer_by_layer"
    """layer_by_layer (a barrier after every layer); pipelined (inter-layer pipeline across
    a batch); cross_layer (CLSA-CIM: each output row as soon as its inputs exist);
    weight_reuse (chips that cannot hold every weight: the network in parts)."""
    reuse_mode: ReuseMode | None = None
    """weight_reuse only: RP (parts run layer after layer per input), LL (each layer gets
    the whole chip in turn), HT (a part's layers pipelined across the batch; default)."""
    duplication: Duplication = "none"
    """Weight duplication: none; greedy (CLSA-CIM); dynamic (compact-chip bubble
    mitigation); neurosim (each layer fills its whole tiles)."""
    extra_pes: int | None = Field(default=None, ge=0, le=MAX_EXTRA_PES, strict=True)
    """PEs duplication may use beyond one copy of every layer (None: every free PE)."""
    placement: Placement = "in_order"
    """Order in which PEs are handed out over the tiles: in_order, snake, hilbert."""
    batch: int = Field(default=1, ge=1, le=MAX_BATCH, strict=True)
    """Inferences in the run."""
    seed: int = Field(default=0, ge=0, le=MAX_SEED, strict=True)
    """Seed of every random choice (functional runs: weights, inputs, devices)."""
    mode: Mode = "event"
    """event: the cycle-level SimPy run; estimate: closed-form timing of the same plan."""
    trace: TraceChoice = "off"
    """Interval records besides counters: off, summary (PE busy and idle with causes), full
    (also NoC, buffer and DRAM transfers). Event mode only."""
    fine_grained: bool = Field(default=False, strict=True)
    """One event per MVM and simpy.Resource ports: the reference run that the fast engine
    is tested against (slower; same results)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.reuse_mode is not None and self.scheduler != "weight_reuse":
            raise ValueError(
                f"reuse_mode {self.reuse_mode} applies to the weight_reuse scheduler only "
                f"(scheduler is {self.scheduler})"
            )
        if self.extra_pes is not None and self.duplication == "none":
            raise ValueError(
                "extra_pes caps the PEs duplication may add; with duplication none there is "
                "nothing to cap (choose a duplication policy, or drop extra_pes)"
            )
        if self.trace != "off" and self.mode == "estimate":
            raise ValueError("mode estimate records no trace; use trace off")
        return self

    @property
    def weight_reuse_mode(self) -> ReuseMode:
        """The weight_reuse mode in force (HT unless set)."""
        return self.reuse_mode or "HT"

    @classmethod
    def create(cls, **fields: Any) -> "RunOptions":
        """RunOptions from keyword fields; a bad value is a ConfigError naming the option."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            lines = []
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"])
                flag = f" (--{field.replace('_', '-')})" if field in cls.model_fields else ""
                message = error["msg"].removeprefix("Value error, ")
                got = error.get("input")
                if not field:  # a rule across options
                    lines.append(f"run options: {message}")
                    continue
                shown = "" if isinstance(got, dict) else f" (got {brief(got)})"
                lines.append(f"run option {field}{flag}: {message}{shown}")
            raise ConfigError("\n".join(lines)) from None
