"""Terminal rendering of a functional run: the per-layer error table and the summary."""

from collections.abc import Mapping
from typing import Any

import pandas as pd

_COLUMNS = {
    "layer": "layer",
    "op": "op",
    "target": "target",
    "crossbars": "xbars",
    "crossbar_vs_exact_rel_error": "xbar/exact",
    "crossbar_vs_exact_mismatch_fraction": "mismatch",
    "int8_vs_float_rel_error": "int8/float",
    "crossbar_vs_float_rel_error": "xbar/float",
}


def functional_text(summary: Mapping[str, Any], layers: pd.DataFrame) -> str:
    """The functional section printed after a run (relative RMS errors, see docs)."""
    xbar = summary["crossbar"]
    lines = [
        f"functional run: {summary['batch']} inputs ({summary['inputs']}), weights "
        f"{summary['weights']}; crossbars {xbar['rows']}x{xbar['cols']}, "
        f"{xbar['cell_bits']}-bit cells, {xbar['dac_bits']}-bit DAC, ADC {xbar['adc_mode']} "
        f"{xbar['adc_bits']} bits"
        + (", device non-idealities" if xbar["device_nonidealities"] else ""),
        f"  crossbar == exact integer   {'yes' if summary['crossbar_equals_exact'] else 'no'}"
        f" (worst layer rel. error {summary['crossbar_vs_exact_rel_error_max']:.3g})",
        f"  output {summary['output']}: rel. error int8/float "
        f"{_num(summary['output_int8_vs_float_rel_error'])}, crossbar/float "
        f"{_num(summary['output_crossbar_vs_float_rel_error'])}",
        f"  top-1 agreement             crossbar/float "
        f"{summary['top1_agreement_crossbar_vs_float']:.2%}, crossbar/int8 "
        f"{summary['top1_agreement_crossbar_vs_int8']:.2%}, int8/float "
        f"{summary['top1_agreement_int8_vs_float']:.2%}",
    ]
    table = layers.loc[:, list(_COLUMNS)].rename(columns=_COLUMNS)
    text = table.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.3g}")
    return "\n".join([*lines, "", "per layer (relative RMS errors):", text])


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"
