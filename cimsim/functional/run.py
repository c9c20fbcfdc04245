"""A functional run: a whole network in float, in exact INT8, and through its crossbars.

Three pipelines run side by side, layer by layer, on the same inputs:

- ``float``: float32 reference (cimsim.functional.ops).
- ``int8``: INT8 weights (per output channel) and activations (per tensor); each
  static-weight layer's product computed exactly in integers.
- ``crossbar``: the same INT8 network with every static-weight product computed by
  ``hwmodels.crossbar.mvm.layer_mvm`` with the architecture's ``mvm_config``, tiled into
  crossbars exactly as ``cimsim.mapper.tile_layer`` tiles the layer.

Every tensor read by a static-weight layer (graph inputs included) is stored as INT8 codes
of its per-tensor scale, calibrated (max |x| / 127) on float activations of the calibration
inputs; all its readers see those values. Other tensors (a conv output before its ReLU, the
inside of a softmax) stay real-valued: the digital units work on dequantized values at
their own precision. Graph outputs are real-valued (logits).

Per layer, errors compare like with like (docs/functional.md):

- ``crossbar_vs_exact_*``: the crossbar accumulators against the exact integer product of
  the *same* INT8 input (the crossbar pipeline's), i.e. the error the crossbars add here.
- ``*_vs_float_rel_error``: the layer's output in a quantized pipeline against the float
  network's output of the same layer (accumulated through all earlier layers).

The batch is processed in chunks, so memory is bounded by one chunk's activations.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cimsim.config.hardware import hardware_params, mvm_config
from cimsim.config.model import ArchConfig
from cimsim.errors import ConfigError, WorkloadInputError
from cimsim.functional import layers as fl
from cimsim.functional.data import InputsLike, chunk_size, given_inputs, random_inputs
from cimsim.functional.params import LayerParams, generate_params, merge_params
from cimsim.functional.stats import (
    STAT_FIELDS,
    layer_table,
    output_summary,
    rms_sums,
)
from cimsim.limits import MAX_FUNCTIONAL_BATCH, MAX_SEED, check_integer
from cimsim.mapper import LayerTiling, tile_layer
from hwmodels.crossbar.mvm_params import MvmConfig
from hwmodels.errors import HwModelError
from workloads.errors import WorkloadError
from workloads.ir import Graph
from workloads.quantize import ActivationQuantization, calibrate_activations
from workloads.shapes import GraphInfo, LayerInfo, analyze

PIPELINES = ("float", "int8", "crossbar")


@dataclass(frozen=True)
class FunctionalReport:
    """What a functional run produced."""

    layers: pd.DataFrame
    """One row per layer: layer, op, target, macs, crossbars, output_scale,
    crossbar_vs_exact_rel_error, crossbar_vs_exact_mismatch_fraction,
    int8_vs_float_rel_error, crossbar_vs_float_rel_error (NaN where not applicable)."""
    summary: dict[str, Any]
    """JSON-ready scalars: setup, totals, final-output agreement (and accuracy with labels)."""
    outputs: Mapping[str, np.ndarray]
    """The first graph output per pipeline ("float", "int8", "crossbar"), batched."""


def run_functional(
    arch: ArchConfig,
    graph: Graph,
    batch: int = 4,
    seed: int = 0,
    inputs: InputsLike | None = None,
    *,
    calibration: InputsLike | None = None,
    weights: Mapping[str, LayerParams] | None = None,
    labels: np.ndarray | None = None,
    chunk: int | None = None,
) -> FunctionalReport:
    """Run ``graph`` numerically on ``arch``'s crossbars and report the errors per layer.

    inputs: batched arrays (B, *shape) per graph input (a bare array for one input), or
    None for ``batch`` seeded standard-normal samples. calibration: the data the activation
    scales are calibrated on (default: the inputs). weights: trained parameters per layer
    (default: seeded He-normal, see cimsim.functional.params). labels: (B,) classes of the
    inputs, to report accuracies. chunk: samples per chunk (default: sized from the network).
    Raises ConfigError (architecture not INT8 or not modelled) or WorkloadInputError.
    """
    check_integer("--seed", seed, 0, MAX_SEED)
    config = mvm_config(arch)
    try:
        info = analyze(graph)
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None
    tilings = _tilings(arch, info, config)
    params = generate_params(graph, info, seed)
    if weights is not None:
        params = merge_params(info, params, weights)
    if inputs is None:
        check_integer("--functional-batch", batch, 1, MAX_FUNCTIONAL_BATCH)
        data = random_inputs(info, batch, seed)
    else:
        data = given_inputs(info, inputs, "inputs")
    n = next(iter(data.values())).shape[0]
    calib = data if calibration is None else given_inputs(info, calibration, "calibration")
    if labels is not None and np.shape(labels) != (n,):
        raise WorkloadInputError(f"labels must have shape ({n},), got {np.shape(labels)}")
    step = chunk if chunk is not None else chunk_size(info)
    if step < 1:
        raise ConfigError(f"functional chunk must be >= 1, got {step}")
    quantized = _quantized_tensors(graph, info)
    scales = _calibrate(graph, info, params, calib, quantized, step)
    qlayers = {li.name: fl.quantize_layer(params[li.name]) for li in info.layers if li.is_mvm}
    run = _Run(graph, info, params, scales, qlayers, config, seed)
    sums = np.zeros((len(info.layers), len(STAT_FIELDS)))
    first = graph.outputs[0]
    collected: dict[str, list[np.ndarray]] = {p: [] for p in PIPELINES}
    for start in range(0, n, step):
        part = {k: v[start : start + step] for k, v in data.items()}
        chunk_sums, outs = run.chunk(part, first)
        sums += chunk_sums
        for p in PIPELINES:
            collected[p].append(outs[p])
    outputs = {p: np.concatenate(collected[p]) for p in PIPELINES}
    table = layer_table(info, tilings, sums, scales)
    summary = _summary(arch, graph, info, config, n, seed, inputs, weights, table, sums)
    summary["input_scales"] = {name: scales[name] for name, _ in info.inputs if name in scales}
    summary.update(output_summary(first, outputs, labels))
    return FunctionalReport(layers=table, summary=summary, outputs=outputs)


@dataclass(frozen=True)
class _Run:
    """Everything fixed during the evaluation of the chunks."""

    graph: Graph
    info: GraphInfo
    params: Mapping[str, LayerParams]
    scales: Mapping[str, float]
    qlayers: Mapping[str, fl.QuantizedLayer]
    config: MvmConfig
    seed: int

    def chunk(
        self, data: Mapping[str, np.ndarray], first: str
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Per-layer error sums (STAT_FIELDS) of one chunk, and its first graph output."""
        tensors: dict[str, dict[str, np.ndarray]] = {p: {} for p in PIPELINES}
        for name, x in data.items():
            tensors["float"][name] = x
            q = _fake_quant(x, self.scales.get(name))
            tensors["int8"][name] = tensors["crossbar"][name] = q
        last_use = _last_use(self.graph)
        sums = np.zeros((len(self.info.layers), len(STAT_FIELDS)))
        for index, (layer, li) in enumerate(zip(self.graph.layers, self.info.layers, strict=True)):
            p = self.params.get(layer.name)
            args = {k: [tensors[k][i] for i in layer.inputs] for k in PIPELINES}
            ref = fl.float_layer(li, p, args["float"])
            acc_sums = np.zeros(4)
            if li.is_mvm:
                scale = self.scales[layer.inputs[0]]
                q = self.qlayers[layer.name]
                int8 = self._exact(li, q, scale, args["int8"][0])
                xbar, acc_sums = self._crossbar(li, q, scale, args["crossbar"][0], index)
            else:
                int8 = fl.digital_layer(li, p, args["int8"])
                xbar = fl.digital_layer(li, p, args["crossbar"])
            out_scale = self.scales.get(layer.name)
            int8, xbar = _fake_quant(int8, out_scale), _fake_quant(xbar, out_scale)
            ref_sq, int8_sq = rms_sums(ref, int8)
            _, xbar_sq = rms_sums(ref, xbar)
            sums[index] = (ref_sq, int8_sq, xbar_sq, *acc_sums)
            for k, value in zip(PIPELINES, (ref, int8, xbar), strict=True):
                tensors[k][layer.name] = value
            for name in set(layer.inputs):
                if last_use[name] == index and name not in self.graph.outputs:
                    for k in PIPELINES:
                        del tensors[k][name]
        return sums, {k: tensors[k][first] for k in PIPELINES}

    def _exact(
        self, li: LayerInfo, q: fl.QuantizedLayer, scale: float, x: np.ndarray
    ) -> np.ndarray:
        """Dequantized output of the exact integer product."""
        codes = fl.unroll(ActivationQuantization(scale).quantize(x), li)
        acc = fl.exact_accumulators(codes, q)
        return fl.fold(fl.dequantize(acc, scale, q), li, x.shape[0]).astype(np.float32)

    def _crossbar(
        self, li: LayerInfo, q: fl.QuantizedLayer, scale: float, x: np.ndarray, index: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Dequantized output through the crossbars, and the accumulator error sums
        (exact^2, (crossbar - exact)^2, mismatches, count) against the same input."""
        codes = fl.unroll(ActivationQuantization(scale).quantize(x), li)
        exact = fl.exact_accumulators(codes, q)
        # a fresh generator per chunk: every chunk sees the same programmed crossbars
        rng = np.random.default_rng([self.seed, 1, index]) if self.config.device.enabled else None
        acc = fl.crossbar_accumulators(codes, q, self.config, rng)
        exact_f = exact.astype(np.float64)
        diff = acc.astype(np.float64) - exact_f
        sums = np.array(
            [np.sum(exact_f**2), np.sum(diff**2), np.count_nonzero(diff), diff.size],
            dtype=np.float64,
        )
        y = fl.fold(fl.dequantize(acc, scale, q), li, x.shape[0]).astype(np.float32)
        return y, sums


def _fake_quant(x: np.ndarray, scale: float | None) -> np.ndarray:
    """x stored as INT8 codes of ``scale`` and read back (unchanged when scale is None)."""
    if scale is None:
        return x
    q = ActivationQuantization(scale)
    return q.dequantize(q.quantize(x)).astype(np.float32)


def _last_use(graph: Graph) -> dict[str, int]:
    """Tensor -> index of the last layer that reads it."""
    last: dict[str, int] = {}
    for index, layer in enumerate(graph.layers):
        for name in layer.inputs:
            last[name] = index
    return last


def _quantized_tensors(graph: Graph, info: GraphInfo) -> tuple[str, ...]:
    """Tensors read by a static-weight layer: these are stored as INT8 codes."""
    names: list[str] = []
    for li in info.layers:
        if li.is_mvm and li.inputs[0] not in names:
            names.append(li.inputs[0])
    return tuple(names)


def _calibrate(
    graph: Graph,
    info: GraphInfo,
    params: Mapping[str, LayerParams],
    data: Mapping[str, np.ndarray],
    names: tuple[str, ...],
    step: int,
) -> dict[str, float]:
    """Per-tensor scales max|x| / 127 over the float network's activations on ``data``."""
    peaks = dict.fromkeys(names, 0.0)
    last_use = _last_use(graph)
    n = next(iter(data.values())).shape[0]
    for start in range(0, n, step):
        tensors = {k: v[start : start + step] for k, v in data.items()}
        for name in names:
            if name in tensors:
                peaks[name] = max(peaks[name], _peak(tensors[name]))
        for index, (layer, li) in enumerate(zip(graph.layers, info.layers, strict=True)):
            y = fl.float_layer(li, params.get(layer.name), [tensors[i] for i in layer.inputs])
            tensors[layer.name] = y
            if layer.name in peaks:
                peaks[layer.name] = max(peaks[layer.name], _peak(y))
            for name in set(layer.inputs):
                if last_use[name] == index:
                    del tensors[name]
    return {name: calibrate_activations(np.array([peak])).scale for name, peak in peaks.items()}


def _peak(x: np.ndarray) -> float:
    """max |x|; WorkloadInputError when the float network produced NaN or infinity."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if not np.isfinite(peak):
        raise WorkloadInputError("the float network produced NaN or infinity on the inputs")
    return peak


def _tilings(arch: ArchConfig, info: GraphInfo, config: MvmConfig) -> dict[str, LayerTiling]:
    """The mapper's tiling of every static-weight layer; it must be the kernels' tiling."""
    try:
        crossbar = hardware_params(arch).crossbar
    except HwModelError as exc:
        raise ConfigError(f"{arch.name}: {exc}") from None
    tilings: dict[str, LayerTiling] = {}
    for li in info.layers:
        if not li.is_mvm:
            continue
        tiling = tile_layer(li, crossbar, 8, arch.tile.crossbar.weight_encoding)
        row_tiles = -(-li.mvm_rows // config.rows)
        col_tiles = -(-li.mvm_cols // config.weights_per_crossbar)
        if (tiling.row_tiles, tiling.col_tiles, tiling.slices) != (
            row_tiles,
            col_tiles,
            config.columns_per_weight,
        ):  # a disagreement between mapper and kernels is a bug, never a user error
            raise AssertionError(f"layer {li.name}: mapper {tiling} != kernel tiling")
        tilings[li.name] = tiling
    return tilings


def _summary(
    arch: ArchConfig,
    graph: Graph,
    info: GraphInfo,
    config: MvmConfig,
    n: int,
    seed: int,
    inputs: InputsLike | None,
    weights: Mapping[str, LayerParams] | None,
    table: pd.DataFrame,
    sums: np.ndarray,
) -> dict[str, Any]:
    """Setup and totals of the run (JSON-ready)."""
    mvm = table["target"] == "crossbar"
    acc = sums[mvm.to_numpy()]
    worst = table.loc[mvm, "crossbar_vs_exact_rel_error"]
    return {
        "workload": graph.name,
        "arch": arch.name,
        "batch": n,
        "seed": seed,
        "inputs": "given" if inputs is not None else "seeded standard normal",
        "weights": _weights_source(info, weights),
        "crossbar": {
            "rows": config.rows,
            "cols": config.cols,
            "cell_bits": config.cell_bits,
            "dac_bits": config.dac_bits,
            "weight_encoding": config.weight_encoding,
            "input_encoding": config.input_encoding,
            "adc_mode": config.adc_mode,
            "adc_bits": config.adc_bits,
            "device_nonidealities": config.device.enabled,
        },
        "crossbar_layers": int(mvm.sum()),
        "crossbars": int(table["crossbars"].sum()),
        "macs_per_inference": int(info.total_macs),
        "crossbar_equals_exact": bool(acc[:, STAT_FIELDS.index("mismatches")].sum() == 0),
        "crossbar_vs_exact_rel_error_max": float(worst.max()) if len(worst) else 0.0,
    }


def _weights_source(info: GraphInfo, weights: Mapping[str, LayerParams] | None) -> str:
    mvm = {li.name for li in info.layers if li.is_mvm}
    given = set(weights or ())
    if mvm and mvm <= given:
        return "given"
    return "seeded He-normal" + (" (some given)" if given else "")
