"""The actions a run counts and prices: one enum, so that a price can be checked before a run.

The engine and the estimate count work as (component, action) pairs; after the run each count
is multiplied by the energy of that action (``hwmodels.chip.action_energy_pj``). ``Action``
lists every pair a run can count. The memory levels of a machine are named by its
configuration, so their two actions (``read_byte``, ``write_byte``) are given per level by
``machine_actions``, and the links between dies (``interposer``, ``tsv``, ``miv``) are
counted only by machines that have them. A configuration that can produce an action without
a price is refused before any simulation (cimsim.config.pricing): a missing price is never a
silent 0.
"""

from collections.abc import Iterable
from enum import Enum


class Action(Enum):
    """A (component, action) pair a run counts; ``MEMORY_*`` stand for every memory level."""

    CROSSBAR_MVM_STEP = ("crossbar", "mvm_step")
    """One input step of one crossbar: every row driven, every column sensed."""
    DAC_DRIVE = ("dac", "drive")
    """One row driven for one input step."""
    SAMPLE_HOLD_SAMPLE = ("sample_hold", "sample")
    """One column sampled for one input step."""
    ADC_CONVERSION = ("adc", "conversion")
    """One analog-to-digital conversion."""
    SHIFT_ADD_OP = ("shift_add", "op")
    """One shift-and-add of a converted column."""
    DIGITAL_ELEMENT_OP = ("digital", "element_op")
    """One element operation of a tile's vector unit (pool, add, activation, compare)."""
    ROUTER_FLIT_HOP = ("router", "flit_hop")
    """One flit through one router."""
    LINK_FLIT_HOP = ("link", "flit_hop")
    """One flit over one on-chip link."""
    INTERPOSER_FLIT_HOP = ("interposer", "flit_hop")
    """One flit over one interposer link between chiplets (machines with chiplets)."""
    TSV_FLIT_HOP = ("tsv", "flit_hop")
    """One flit over one through-silicon-via link between tiers (3-D stacks of dies)."""
    MIV_FLIT_HOP = ("miv", "flit_hop")
    """One flit over one monolithic inter-tier-via link (monolithic 3-D stacks)."""
    RRAM_CELL_WRITE = ("rram", "cell_write")
    """One RRAM cell programmed (write-verify)."""
    MEMORY_READ_BYTE = ("<memory level>", "read_byte")
    """One byte read from a memory level (the component is the level's name)."""
    MEMORY_WRITE_BYTE = ("<memory level>", "write_byte")
    """One byte written into a memory level (the component is the level's name)."""

    @property
    def component(self) -> str:
        """Component name (a placeholder for the memory actions)."""
        return self.value[0]

    @property
    def action(self) -> str:
        """Action name."""
        return self.value[1]

    @property
    def per_memory_level(self) -> bool:
        """Whether the action is counted once per memory level, under the level's name."""
        return self in (Action.MEMORY_READ_BYTE, Action.MEMORY_WRITE_BYTE)

    @property
    def between_dies(self) -> bool:
        """Whether the action is a flit over a link between dies or tiers (counted only by
        machines whose topology has such links)."""
        return self.component in DIE_LINK_KINDS


DIE_LINK_KINDS: tuple[str, ...] = ("interposer", "tsv", "miv")
"""Link kinds between dies or tiers, each a component priced per flit hop."""

FIXED_ACTIONS: tuple[Action, ...] = tuple(
    a for a in Action if not a.per_memory_level and not a.between_dies
)
"""The actions every machine counts (all but the memory levels' and the die links')."""


def machine_actions(
    memory_levels: Iterable[str], link_kinds: Iterable[str] = ()
) -> tuple[tuple[str, str], ...]:
    """Every (component, action) a machine with these memory levels and links of these kinds
    beyond the on-chip ``link`` (``interposer``, ``tsv``, ``miv``) can count, in enum order
    with the memory levels' reads and writes last, level by level."""
    kinds = set(link_kinds)
    unknown = kinds - set(DIE_LINK_KINDS)
    if unknown:
        raise ValueError(f"unknown link kinds {sorted(unknown)}; known: {DIE_LINK_KINDS}")
    pairs = [action.value for action in Action
             if action in FIXED_ACTIONS or action.component in kinds]  # fmt: skip
    for level in memory_levels:
        pairs += [(level, Action.MEMORY_READ_BYTE.action), (level, Action.MEMORY_WRITE_BYTE.action)]
    return tuple(pairs)


ACTIONS_OF: dict[str, frozenset[str]] = {
    "crossbar": frozenset({"mvm_step", "row_activation", "column_activation", "cell_read"}),
    "dac": frozenset({"drive"}),
    "sample_hold": frozenset({"sample"}),
    "adc": frozenset({"conversion"}),
    "shift_add": frozenset({"op"}),
    "tile_shift_add": frozenset({"op"}),
    "activation": frozenset({"op"}),
    "pooling": frozenset({"op"}),
    "digital": frozenset({"element_op", "multiply"}),
    "tile_bus": frozenset({"transfer_byte"}),
    "offchip_link": frozenset({"transfer_byte"}),
    "control": frozenset({"active_cycle"}),
    "tile_control": frozenset({"active_cycle"}),
    "edram_controller": frozenset({"active_cycle"}),
    "router": frozenset({"flit_hop"}),
    "link": frozenset({"flit_hop"}),
    "interposer": frozenset({"flit_hop"}),
    "tsv": frozenset({"flit_hop"}),
    "miv": frozenset({"flit_hop"}),
    "rram": frozenset({"cell_write"}),
}
"""Actions each named component defines (docs/hardware-models.md, "Action names"); a buffer,
register or memory level (any other name) defines ``read_byte`` and ``write_byte``."""

BYTE_ACTIONS: frozenset[str] = frozenset({"read_byte", "write_byte"})
"""The actions of buffers, registers and memory levels."""


def actions_of(component: str) -> frozenset[str]:
    """The actions ``component`` can have a price for."""
    return ACTIONS_OF.get(component, BYTE_ACTIONS)
