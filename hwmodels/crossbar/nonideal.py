"""Device non-idealities applied to a programmed conductance matrix (seeded, deterministic).

Conductances are in units of one cell level: an ideal cell at level ``c`` conducts ``c``,
level 0 conducts nothing (infinite on/off ratio). Applied in this order, one random draw
per cell for each of variation and faults, always in the same order:

1. limited levels: ``c -> round(c * (n - 1) / L) * L / (n - 1)``, n conductance levels, L max;
2. variation: lognormal ``g = c * exp(sigma * z)`` (median preserved) or gaussian
   ``g = max(0, c * (1 + sigma * z))``, z ~ N(0, 1);
3. stuck faults: with u ~ U[0, 1), ``u < stuck_off_rate`` -> 0, the next ``stuck_on_rate``
   -> L;
4. snap to a grid of 2**-GRID_BITS levels, so every analog column sum is an exact float64
   whatever the summation order (the kernel and the reference then agree bit for bit).
"""

import numpy as np

from hwmodels.crossbar.mvm_params import DeviceNonIdealities
from hwmodels.errors import HwModelError

GRID_BITS = 16
"""Conductances are multiples of 2**-GRID_BITS levels (far below any physical resolution)."""
_EXACT_LIMIT = 2.0**53


def apply_nonidealities(
    levels: np.ndarray,
    cell_bits: int,
    dac_max: int,
    device: DeviceNonIdealities,
    rng: np.random.Generator,
) -> np.ndarray:
    """Real-valued conductances (float64, same shape) of cells programmed to ``levels``.

    ``levels`` are integer target levels in 0..2**cell_bits - 1 (rows x physical columns).
    Raises HwModelError if a column sum could lose float64 exactness (never in practice).
    """
    cell_max = (1 << cell_bits) - 1
    g = levels.astype(np.float64)
    if device.conductance_levels is not None:
        steps = device.conductance_levels - 1
        g = np.rint(g * (steps / cell_max)) * (cell_max / steps)
    z = rng.standard_normal(g.shape)
    u = rng.random(g.shape)
    sigma = float(device.variation_sigma)
    if sigma > 0:
        if device.variation_model == "lognormal":
            g = g * np.exp(sigma * z)
        else:
            g = np.maximum(0.0, g * (1.0 + sigma * z))
    g = np.where(u < device.stuck_off_rate, 0.0, g)
    stuck_on = (u >= device.stuck_off_rate) & (u < device.stuck_off_rate + device.stuck_on_rate)
    g = np.where(stuck_on, float(cell_max), g)
    scale = float(1 << GRID_BITS)
    g = np.rint(g * scale) / scale
    worst = float(g.max(initial=0.0)) * g.shape[0] * dac_max * scale
    if worst >= _EXACT_LIMIT:
        raise HwModelError("device", "conductances too large for exact column sums")
    return g
