"""Read energy and area of an RRAM crossbar, and the cost of programming its cells.

Read (one input step, ``r`` rows driven, ``c`` columns sensed):

    E_step(r, c) = r * E_row + c * E_column + r * c * E_cell,
    E_cell       = V_read^2 * G_mean * t_read          (Ohmic cell, device physics)

E_row and E_column are wordline/bitline overheads not already counted in the DAC and the
sample-and-hold; they default to 0 because ISAAC's Table I folds them there. Defaults are
calibrated to ISAAC (Table I: 8 crossbars of 128x128 draw 2.4 mW, one read per 100 ns, so
30 pJ per full read; the PUMA simulator's constants.py gives the crossbar no leakage):
V_read = 0.2 V and t_read = 10 ns are cimsim assumptions, and G_mean = 4.58 uS (about
220 kOhm, a mean over the programmed levels) follows from them.

Area: rows * cols * cell_area_f2 * F^2 / array_efficiency. ISAAC's 0.0002 mm^2 for 8 arrays
(25 um^2 each) is about 1.5 F^2 per cell at 32 nm, so the ISAAC preset gives its area as
data; the model's default is the 4F^2 of a selector-less crossbar cell.

Programming (weight load; RRAM write-verify): each cell needs ``write_pulses`` SET/RESET
pulses, each followed by a verify read; columns of one row are written in parallel:

    E_cell_write  = write_pulses * V_write * I_write * t_pulse
    t_cell_write  = write_pulses * (t_pulse + t_verify)
    t_array_write = rows * t_cell_write

Defaults: V_write = 2 V, I_write = 50 uA, t_pulse = 10 ns, t_verify = 10 ns, 8 pulses per
cell, endurance 1e6 writes: orders of magnitude from H.-S. P. Wong et al., "Metal-oxide
RRAM", Proc. IEEE 100(6), 2012, Sec. IV (sub-10 ns switching, 10-100 uA programming
currents, endurance 1e6-1e12); the pulse count and the conservative end of the endurance
range are cimsim assumptions.
"""

from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_non_negative, require_positive
from hwmodels.cost import ComponentCost
from hwmodels.crossbar.params import CrossbarParams
from hwmodels.errors import HwModelError


@dataclass(frozen=True)
class CrossbarEnergyParams:
    """Electrical parameters of a crossbar read (defaults: calibrated to ISAAC, above)."""

    read_voltage_v: float = 0.2
    """Read voltage across a selected cell, V; (0, 2] (cimsim assumption)."""
    mean_conductance_us: float = 30.0 / (128 * 128) / (0.2**2 * 10.0) * 1e3
    """Mean cell conductance over the stored levels, uS; > 0 (ISAAC-calibrated, 4.58 uS)."""
    read_pulse_ns: float = 10.0
    """Time current flows during one read, ns; > 0 (cimsim assumption)."""
    row_energy_pj: float = 0.0
    """Wordline energy per driven row per step beyond the DAC, pJ; >= 0."""
    column_energy_pj: float = 0.0
    """Bitline energy per sensed column per step beyond the sample-and-hold, pJ; >= 0."""
    cell_area_f2: float = 4.0
    """Cell footprint in units of F^2 (F = technology node); > 0 (4F^2: crossbar cell)."""
    array_efficiency: float = 1.0
    """Cell area / array area; (0, 1]."""

    def __post_init__(self) -> None:
        if not 0.0 < self.read_voltage_v <= 2.0:
            raise HwModelError("read_voltage_v", f"must be in (0, 2] V, got {self.read_voltage_v}")
        require_positive("mean_conductance_us", self.mean_conductance_us)
        require_positive("read_pulse_ns", self.read_pulse_ns)
        require_non_negative("row_energy_pj", self.row_energy_pj)
        require_non_negative("column_energy_pj", self.column_energy_pj)
        require_positive("cell_area_f2", self.cell_area_f2)
        if not 0.0 < self.array_efficiency <= 1.0:
            raise HwModelError(
                "array_efficiency", f"must be in (0, 1], got {self.array_efficiency}"
            )


@dataclass(frozen=True)
class RramWriteParams:
    """Programming of RRAM cells (defaults: module docstring, Wong et al. 2012)."""

    write_voltage_v: float = 2.0
    """Programming pulse amplitude, V; (0, 5]."""
    write_current_ua: float = 50.0
    """Cell current during a programming pulse, uA; > 0."""
    write_pulse_ns: float = 10.0
    """Width of one programming pulse, ns; > 0."""
    verify_read_ns: float = 10.0
    """Verify read after each pulse, ns; >= 0."""
    write_pulses: int = 8
    """Pulses per cell write (write-verify iterations); 1..1000 (cimsim assumption)."""
    endurance_cycles: float = 1e6
    """Writes a cell survives; >= 1 (Wong 2012: 1e6-1e12; conservative end)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.write_voltage_v <= 5.0:
            raise HwModelError(
                "write_voltage_v", f"must be in (0, 5] V, got {self.write_voltage_v}"
            )
        require_positive("write_current_ua", self.write_current_ua)
        require_positive("write_pulse_ns", self.write_pulse_ns)
        require_non_negative("verify_read_ns", self.verify_read_ns)
        require_int_range("write_pulses", self.write_pulses, 1, 1000)
        if not self.endurance_cycles >= 1:
            raise HwModelError("endurance_cycles", f"must be >= 1, got {self.endurance_cycles}")


def cell_read_energy_pj(params: CrossbarEnergyParams) -> float:
    """Energy of reading one cell once, pJ: V^2 * G * t (uS * V^2 * ns = fJ, so / 1000)."""
    return params.read_voltage_v**2 * params.mean_conductance_us * params.read_pulse_ns / 1e3


def mvm_step_energy_pj(
    xbar: CrossbarParams,
    params: CrossbarEnergyParams,
    active_rows: int | None = None,
    active_cols: int | None = None,
) -> float:
    """Energy of one input step with ``active_rows`` x ``active_cols`` in use (default all), pJ."""
    rows = xbar.rows if active_rows is None else active_rows
    cols = xbar.cols if active_cols is None else active_cols
    if not 0 <= rows <= xbar.rows:
        raise HwModelError("active_rows", f"must be in [0, {xbar.rows}], got {rows}")
    if not 0 <= cols <= xbar.cols:
        raise HwModelError("active_cols", f"must be in [0, {xbar.cols}], got {cols}")
    return (
        rows * params.row_energy_pj
        + cols * params.column_energy_pj
        + rows * cols * cell_read_energy_pj(params)
    )


def crossbar_area_mm2(xbar: CrossbarParams, params: CrossbarEnergyParams, node_nm: int) -> float:
    """Array area, mm^2: rows * cols * cell_area_f2 * F^2 / efficiency (F in nm -> 1e-12 mm^2)."""
    cell_mm2 = params.cell_area_f2 * (node_nm * 1e-6) ** 2
    return xbar.rows * xbar.cols * cell_mm2 / params.array_efficiency


def cell_write_energy_pj(write: RramWriteParams) -> float:
    """Energy to program one cell, pJ: pulses * V * I * t (V * uA * ns = fJ, so / 1000)."""
    pulse_fj = write.write_voltage_v * write.write_current_ua * write.write_pulse_ns
    return write.write_pulses * pulse_fj / 1e3


def cell_write_latency_ns(write: RramWriteParams) -> float:
    """Time to program one cell (all write-verify iterations), ns."""
    return write.write_pulses * (write.write_pulse_ns + write.verify_read_ns)


def array_write_latency_ns(xbar: CrossbarParams, write: RramWriteParams) -> float:
    """Time to program a whole array, one row at a time with its columns in parallel, ns."""
    return xbar.rows * cell_write_latency_ns(write)


def wearout_fraction(write: RramWriteParams, writes_per_cell: float) -> float:
    """Share of a cell's endurance that ``writes_per_cell`` programmings use up (1.0 = worn)."""
    require_non_negative("writes_per_cell", writes_per_cell)
    return writes_per_cell / write.endurance_cycles


def crossbar_cost(
    xbar: CrossbarParams,
    params: CrossbarEnergyParams | None = None,
    node_nm: int = 32,
    area_mm2: float | None = None,
) -> ComponentCost:
    """One crossbar: actions ``mvm_step`` (all rows, all columns), ``row_activation``,
    ``column_activation`` and ``cell_read`` (for partly used arrays; see mvm_step_energy_pj).

    ``area_mm2`` overrides the cell-area model (e.g. a paper's figure). No leakage.
    """
    params = params or CrossbarEnergyParams()
    if params.read_pulse_ns > xbar.read_latency_ns:
        raise HwModelError(
            "read_pulse_ns",
            f"{params.read_pulse_ns} ns exceeds the read latency of {xbar.read_latency_ns} ns",
        )
    return ComponentCost(
        area_mm2=crossbar_area_mm2(xbar, params, node_nm) if area_mm2 is None else area_mm2,
        leakage_mw=0.0,
        energy_pj={
            "mvm_step": mvm_step_energy_pj(xbar, params),
            "row_activation": params.row_energy_pj,
            "column_activation": params.column_energy_pj,
            "cell_read": cell_read_energy_pj(params),
        },
        peak_action="mvm_step",
        latency_ns={"mvm_step": xbar.read_latency_ns},
    )


def rram_write_cost(write: RramWriteParams | None = None) -> ComponentCost:
    """RRAM programming as a pseudo-component (no area): action ``cell_write``."""
    write = write or RramWriteParams()
    return ComponentCost(
        area_mm2=0.0,
        leakage_mw=0.0,
        energy_pj={"cell_write": cell_write_energy_pj(write)},
        peak_action="cell_write",
        latency_ns={"cell_write": cell_write_latency_ns(write)},
    )
