"""The ``noc`` sub-sections of hierarchical topologies: chiplets (2.5-D) and stacks (3-D).

``noc.rows`` x ``noc.cols`` is one mesh: a chiplet's, a tier's. Routers of memory levels
are written [row, col] (in chiplet or tier 0) or [chiplet, row, col] / [tier, row, col].
Machines: cimsim.machine.hierarchy (routing, deadlock freedom, the sources of the design).
"""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from cimsim.config.quantities import GigabytesPerSecond, Nanoseconds

Int = Annotated[int, Strict()]
MAX_UNITS = 64
"""Most chiplets or tiers of one machine."""


class _Section(BaseModel):  # the configuration of cimsim.config.model's sections
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True, allow_inf_nan=False)  # fmt: skip


class ChipletsConfig(_Section):
    grid: tuple[Int, Int]
    """Chiplets (rows, cols) on the interposer, 2 to 64 in all; chiplet k sits at grid
    position divmod(k, cols), each a noc.rows x noc.cols mesh."""
    interposer: Literal["mesh", "sfc"] = "mesh"
    """Interposer links: between neighbouring chiplets of the grid (routed along the grid
    row, then the column), or sfc: along a Hilbert curve over the grid (Floret), routed
    along it."""
    gateway: tuple[Int, Int] | None = None
    """(row, col) of the router of every chiplet that carries its interposer links; default
    the middle router (rows // 2, cols // 2)."""
    link_bandwidth_gbps: GigabytesPerSecond = Field(alias="link_bandwidth")
    """Payload bandwidth of one interposer link, one direction."""
    link_latency_ns: Nanoseconds = Field(alias="link_latency")
    """Latency of one interposer hop (transmitter, wire and receiver)."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        rows, cols = self.grid
        if min(rows, cols) < 1 or rows * cols < 2 or rows * cols > MAX_UNITS:
            raise ValueError(f"grid {list(self.grid)}: 2 to {MAX_UNITS} chiplets in all, "
                             f"at least one per row and column")  # fmt: skip
        return self

    @property
    def count(self) -> int:
        """Chiplets."""
        return self.grid[0] * self.grid[1]


class Stack3dConfig(_Section):
    tiers: Int = Field(ge=2, le=16)
    """Tiers of the stack (2 to 16), each a noc.rows x noc.cols mesh; tier 0 at the bottom."""
    vertical: Literal["tsv", "miv"] = "tsv"
    """Vertical links: through-silicon vias (stacked dies) or monolithic inter-tier vias
    (monolithic 3-D); their flits are counted and priced under this name."""
    layout: Literal["mesh", "sfc"] = "mesh"
    """mesh: a 3-D mesh (vertical links at every router, or at the elevators), routed X,
    then Y, then Z; sfc: links only between routers consecutive along a 3-D space-filling
    curve (a Hilbert curve per tier, every other tier reversed; TEFLON), routed along it."""
    elevators: tuple[tuple[Int, Int], ...] | None = None
    """Layout mesh: (row, col) of the one position with vertical links (messages go XY to
    it, up or down, XY on); omitted: every router has them."""
    link_bandwidth_gbps: GigabytesPerSecond = Field(alias="link_bandwidth")
    """Payload bandwidth of one vertical link, one direction."""
    link_latency_ns: Nanoseconds = Field(alias="link_latency")
    """Latency of one vertical hop."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        elevators = self.elevators
        if elevators is None:
            return self
        if self.layout != "mesh":
            raise ValueError("elevators place the vertical links of layout mesh; layout sfc "
                             "lays them along its curve: remove elevators")  # fmt: skip
        if not elevators:
            raise ValueError("elevators: [] leaves the tiers unconnected; give one position "
                             "or omit the field (vertical links at every router)")  # fmt: skip
        if len(elevators) > 1:
            raise ValueError(
                f"elevators: {len(elevators)} positions; routing each message through its "
                "nearest elevator can deadlock (a message passes one elevator on its way from "
                "another, and the links' dependencies form a cycle through the tiers): give "
                "one position, or omit the field for vertical links at every router"
            )
        return self


def check_layout(topology: str, rows: int, cols: int, chiplets: ChipletsConfig | None,
                 stack3d: Stack3dConfig | None) -> None:  # fmt: skip
    """Refuse a sub-section given for another topology, or one that does not fit the mesh
    (ValueError with the field path under noc)."""
    for name, section in (("chiplets", chiplets), ("stack3d", stack3d)):
        if (section is not None) != (topology == name):
            given = "is given" if section is not None else "is required"
            raise ValueError(f"{name} {given} for topology {topology}: a {name} section goes "
                             f"with, and only with, topology: {name}")  # fmt: skip
    points = []
    if chiplets is not None and chiplets.gateway is not None:
        points.append(("chiplets.gateway", chiplets.gateway))
    if stack3d is not None and stack3d.elevators:
        points += [("stack3d.elevators", rc) for rc in stack3d.elevators]
    for field, (row, col) in points:
        if not (0 <= row < rows and 0 <= col < cols):
            raise ValueError(f"{field}: [{row}, {col}] is outside the {rows}x{cols} mesh "
                             f"of one {'chiplet' if 'chiplets' in field else 'tier'}")  # fmt: skip


def units(topology: str, chiplets: ChipletsConfig | None, stack3d: Stack3dConfig | None) -> int:
    """Meshes of noc.rows x noc.cols: chiplets, tiers, or 1."""
    if topology == "chiplets" and chiplets is not None:
        return chiplets.count
    if topology == "stack3d" and stack3d is not None:
        return stack3d.tiers
    return 1


def link_kinds(chiplets: ChipletsConfig | None, stack3d: Stack3dConfig | None) -> tuple[str, ...]:
    """Counter kinds of the links beyond the on-chip ``link``."""
    if chiplets is not None:
        return ("interposer",)
    if stack3d is not None:
        return (stack3d.vertical,)
    return ()


def router_problem(router: tuple[int, ...], topology: str, rows: int, cols: int,
                   unit_count: int) -> str:  # fmt: skip
    """What is wrong with a memory instance's router address, or ''."""
    shown = f"[{', '.join(str(v) for v in router)}]"
    if len(router) == 3:
        noun = {"chiplets": "chiplet", "stack3d": "tier"}.get(topology)
        if noun is None:
            return (f"{shown}: a [unit, row, col] address names a chiplet or tier; a "
                    f"{topology} has one mesh: write [row, col]")  # fmt: skip
        unit, row, col = router
        if not 0 <= unit < unit_count:
            return f"{shown}: {noun} {unit} does not exist ({noun}s 0 to {unit_count - 1})"
    else:
        row, col = router
    if not (0 <= row < rows and 0 <= col < cols):
        where = "" if topology in ("mesh", "torus", "ring") else " of one chiplet or tier"
        return f"{shown} is outside the {rows}x{cols} {topology}{where}"
    return ""
