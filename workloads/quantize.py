"""INT8 quantization of weights and activations (pure numpy).

- Weights: symmetric, per output channel: ``w[:, c] ~= scale[c] * q[:, c]`` with
  ``q = clip(rint(w / scale), -127, 127)`` and ``scale[c] = max |w[:, c]| / 127`` (-128 is
  left unused so that the grid is symmetric; Jacob et al., CVPR 2018; Krishnamoorthi 2018).
- Activations: symmetric, per tensor: ``x ~= scale * q``, ``q = clip(rint(x / scale),
  -128, 127)``; the scale is calibrated on data as a percentile of ``|x|`` divided by 127.
- A layer computes the integer product ``acc = q_x @ q_w`` (int64, exact) and requantizes:
  ``y = acc * (s_x * s_w[c]) + bias``, then ReLU and the next tensor's quantization.
"""

from dataclasses import dataclass

import numpy as np

from workloads.errors import WorkloadError

INT8_MIN = -128
INT8_MAX = 127
WEIGHT_MAX = 127
"""Largest weight code; the symmetric grid -127..127 leaves -128 unused."""


@dataclass(frozen=True)
class QuantizedWeights:
    """An INT8 weight matrix (inputs x outputs) with one scale per output channel."""

    values: np.ndarray
    """(inputs, outputs) int8 codes in -127..127."""
    scale: np.ndarray
    """(outputs,) float64 > 0: real weight per code step of each output channel."""

    def dequantize(self) -> np.ndarray:
        """Real-valued weights, ``values * scale`` (float64)."""
        return self.values.astype(np.float64) * self.scale[None, :]


@dataclass(frozen=True)
class ActivationQuantization:
    """Per-tensor symmetric INT8 quantization of an activation tensor."""

    scale: float
    """Real value per code step (> 0); codes are clipped to -128..127."""

    def __post_init__(self) -> None:
        if not np.isfinite(self.scale) or self.scale <= 0:
            raise WorkloadError("quantize", f"activation scale must be > 0, got {self.scale!r}")

    def quantize(self, x: np.ndarray) -> np.ndarray:
        """INT8 codes of ``x``: clip(rint(x / scale), -128, 127)."""
        x = _finite("activations", x)
        return np.clip(np.rint(x / self.scale), INT8_MIN, INT8_MAX).astype(np.int8)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        """Real values of INT8 codes, ``q * scale`` (float64)."""
        return q.astype(np.float64) * self.scale


def quantize_weights(weights: np.ndarray) -> QuantizedWeights:
    """Symmetric per-output-channel INT8 quantization of a (inputs, outputs) matrix.

    An all-zero channel gets scale 1 (its codes are all 0).
    """
    w = _finite("weights", weights)
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
        raise WorkloadError("quantize", f"weights must be a non-empty 2-D array, got {w.shape}")
    peak = np.abs(w).max(axis=0)
    scale = np.where(peak > 0, peak / WEIGHT_MAX, 1.0)
    values = np.clip(np.rint(w / scale[None, :]), -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8)
    return QuantizedWeights(values=values, scale=scale)


def calibrate_activations(samples: np.ndarray, percentile: float = 100.0) -> ActivationQuantization:
    """Per-tensor scale from calibration data: percentile of |x| / 127.

    ``percentile`` in (0, 100]; 100 (the default) is max-abs calibration, lower values clip
    outliers. All-zero data gets scale 1.
    """
    x = _finite("activations", samples)
    if x.size == 0:
        raise WorkloadError("quantize", "calibration data is empty")
    if not 0 < percentile <= 100:
        raise WorkloadError("quantize", f"percentile must be in (0, 100], got {percentile!r}")
    peak = float(np.percentile(np.abs(x), percentile))
    return ActivationQuantization(scale=peak / INT8_MAX if peak > 0 else 1.0)


def requantize(
    acc: np.ndarray,
    input_scale: float,
    weights: QuantizedWeights,
    bias: np.ndarray | None,
    output: ActivationQuantization | None,
    relu: bool = False,
) -> np.ndarray:
    """Integer accumulators of ``q_x @ q_w`` back to the next layer's input.

    ``y = acc * input_scale * weights.scale + bias`` (then ReLU if ``relu``); returns INT8
    codes of ``output`` or, when ``output`` is None, the real values (e.g. logits).
    """
    acc = np.asarray(acc)
    if acc.ndim != 2 or acc.shape[1] != weights.scale.shape[0]:
        raise WorkloadError(
            "quantize",
            f"accumulators of shape {acc.shape} do not match {weights.scale.shape[0]} outputs",
        )
    y = acc.astype(np.float64) * (input_scale * weights.scale)[None, :]
    if bias is not None:
        y = y + np.asarray(bias, dtype=np.float64)[None, :]
    if relu:
        y = np.maximum(y, 0.0)
    return y if output is None else output.quantize(y)


def _finite(what: str, x: np.ndarray) -> np.ndarray:
    """``x`` as a float64 array; raise WorkloadError on NaN or infinity."""
    arr = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise WorkloadError("quantize", f"{what} contain NaN or infinity")
    return arr
