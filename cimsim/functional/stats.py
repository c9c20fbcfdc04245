"""Error statistics of a functional run: sums per chunk, the per-layer table, agreement.

Relative errors are ratios of root-mean-square values, accumulated as sums of squares over
the chunks:  rel(a, b) = sqrt(sum (a - b)^2 / sum b^2)  (0 when both sums are 0).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cimsim.mapper import LayerTiling
from workloads.shapes import GraphInfo

STAT_FIELDS = (
    "float_sq",
    "int8_diff_sq",
    "crossbar_diff_sq",
    "exact_acc_sq",
    "acc_diff_sq",
    "mismatches",
    "accumulators",
)
"""Per-layer sums: float output^2, (int8 - float)^2, (crossbar - float)^2 of the outputs;
exact accumulator^2, (crossbar - exact)^2, unequal and total accumulators."""

COLUMNS = (
    "layer", "op", "target", "macs", "crossbars", "output_scale",
    "crossbar_vs_exact_rel_error", "crossbar_vs_exact_mismatch_fraction",
    "int8_vs_float_rel_error", "crossbar_vs_float_rel_error",
)  # fmt: skip


def rms_sums(reference: np.ndarray, value: np.ndarray) -> tuple[float, float]:
    """(sum reference^2, sum (value - reference)^2) in float64."""
    ref = reference.astype(np.float64, copy=False)
    diff = value.astype(np.float64, copy=False) - ref
    return float(np.sum(ref * ref)), float(np.sum(diff * diff))


def relative(diff_sq: float, ref_sq: float) -> float:
    """sqrt(diff_sq / ref_sq); 0 when both are 0, infinity when only ref_sq is."""
    if ref_sq > 0:
        return float(np.sqrt(diff_sq / ref_sq))
    return 0.0 if diff_sq == 0 else float("inf")


def layer_table(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    sums: np.ndarray,
    scales: Mapping[str, float],
) -> pd.DataFrame:
    """The per-layer error table (columns COLUMNS)."""
    s = {name: sums[:, i] for i, name in enumerate(STAT_FIELDS)}
    rows = []
    for i, li in enumerate(info.layers):
        mvm = li.is_mvm
        count = s["accumulators"][i]
        rows.append(
            {
                "layer": li.name,
                "op": li.op_kind,
                "target": "crossbar" if mvm else "digital",
                "macs": li.macs,
                "crossbars": tilings[li.name].crossbars if mvm else 0,
                "output_scale": scales.get(li.name, np.nan),
                "crossbar_vs_exact_rel_error": (
                    relative(s["acc_diff_sq"][i], s["exact_acc_sq"][i]) if mvm else np.nan
                ),
                "crossbar_vs_exact_mismatch_fraction": (
                    s["mismatches"][i] / count if mvm and count else np.nan
                ),
                "int8_vs_float_rel_error": relative(s["int8_diff_sq"][i], s["float_sq"][i]),
                "crossbar_vs_float_rel_error": relative(s["crossbar_diff_sq"][i], s["float_sq"][i]),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def top1(values: np.ndarray) -> np.ndarray:
    """Index of the largest value along the last axis, per sample and position."""
    return np.argmax(values, axis=-1)


def output_summary(
    name: str, outputs: Mapping[str, np.ndarray], labels: np.ndarray | None
) -> dict[str, Any]:
    """Agreement of the final output between pipelines (and accuracy against labels).

    Top-1 agreement is the fraction of samples (and positions, for sequence outputs) whose
    argmax over the last axis is the same in both pipelines.
    """
    f, i8, xb = (outputs[k] for k in ("float", "int8", "crossbar"))

    def rel(value: np.ndarray, reference: np.ndarray) -> float:
        ref_sq, diff_sq = rms_sums(reference, value)
        return relative(diff_sq, ref_sq)

    out: dict[str, Any] = {
        "output": name,
        "output_int8_vs_float_rel_error": rel(i8, f),
        "output_crossbar_vs_float_rel_error": rel(xb, f),
        "output_crossbar_vs_int8_rel_error": rel(xb, i8),
        "top1_agreement_int8_vs_float": float(np.mean(top1(i8) == top1(f))),
        "top1_agreement_crossbar_vs_float": float(np.mean(top1(xb) == top1(f))),
        "top1_agreement_crossbar_vs_int8": float(np.mean(top1(xb) == top1(i8))),
    }
    if labels is not None:
        y = np.asarray(labels)
        for key, value in (("float", f), ("int8", i8), ("crossbar", xb)):
            out[f"accuracy_{key}"] = float(np.mean(top1(value.reshape(len(y), -1)) == y))
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in out.items()}
