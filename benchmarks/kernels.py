"""Speed of the bit-accurate crossbar kernel, side by side with numpy in one run.

    python -m benchmarks.kernels [--quick] [--json FILE]

Workload: 4096 INT8 input vectors through one 128x128 crossbar of 2-bit cells (offset
weights: 32 INT8 output channels of 4 slices), 1-bit DAC (8 two's-complement input
steps), lossy 6-bit uniform ADC. Compared with (a) a float32 numpy matmul 4096x128x128
and (b) the numpy reference of the same crossbar. Also timed: a 4096x128x128 INT8 layer
through ``layer_mvm`` (4 such crossbars), the same product shape as (a).

Equivalent MACs are counted two ways: ``int8`` = batch x rows x INT8 weights held
(the matmul the crossbar computes), ``cell`` = batch x rows x physical columns.
Each timing is the best of several blocks of runs (see _best_times), so that other load
on the machine inflates the figures as little as possible; medians are reported too.
"""

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from hwmodels.crossbar.mvm import crossbar_mvm, layer_mvm
from hwmodels.crossbar.mvm_params import MvmConfig

BATCH = 4096
CONFIG = MvmConfig(rows=128, cols=128, cell_bits=2, dac_bits=1, adc_mode="uniform", adc_bits=6)


def _best_times(
    functions: dict[str, Callable[[], object]], rounds: int, runs: dict[str, int]
) -> dict:
    """Best and median wall time (s) of each function.

    ``rounds`` rounds; in each, every function runs ``runs[name]`` times in a block after
    one untimed warm-up call, with a pause between blocks. Blocks rather than single calls
    because OpenBLAS threads spin for a while after a GEMM and would slow a parallel numba
    region started at once; several rounds because the best of one block can still fall in
    a burst of other load on the machine.
    """
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            if runs[name] == 0:
                continue
            time.sleep(0.2)
            function()
            for _ in range(runs[name]):
                start = time.perf_counter()
                function()
                samples[name].append(time.perf_counter() - start)
    return {
        name: {"best_s": min(t), "median_s": float(np.median(t)), "runs": len(t)}
        for name, t in samples.items()
    }


def run(quick: bool) -> dict:
    """Time everything once; returns the JSON-ready result."""
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, (BATCH, CONFIG.rows), dtype=np.int8)
    w = rng.integers(-128, 128, (CONFIG.rows, CONFIG.weights_per_crossbar), dtype=np.int8)
    w_layer = rng.integers(-128, 128, (CONFIG.rows, 128), dtype=np.int8)
    a32 = x.astype(np.float32)
    b32 = rng.standard_normal((CONFIG.rows, 128)).astype(np.float32)

    kernel = crossbar_mvm(x, w, CONFIG)  # compiles (or loads the numba cache)
    reference = crossbar_mvm(x, w, CONFIG, backend="reference")
    if not np.array_equal(kernel, reference):
        raise AssertionError("kernel and reference disagree")
    layer_mvm(x, w_layer, CONFIG)

    rounds, fast = (2, 5) if quick else (5, 10)
    functions = {
        "matmul_f32": lambda: a32 @ b32,
        "kernel": lambda: crossbar_mvm(x, w, CONFIG),
        "layer_kernel": lambda: layer_mvm(x, w_layer, CONFIG),
    }
    times = _best_times(functions, rounds, dict.fromkeys(functions, fast))
    reference_fn = {"reference": lambda: crossbar_mvm(x, w, CONFIG, backend="reference")}
    times |= _best_times(reference_fn, 1, {"reference": 1 if quick else 3})
    int8_macs = BATCH * CONFIG.rows * CONFIG.weights_per_crossbar
    cell_macs = BATCH * CONFIG.rows * CONFIG.cols
    f32_macs = BATCH * CONFIG.rows * 128
    best = {name: t["best_s"] for name, t in times.items()}
    rates = {
        "matmul_f32_mac_per_s": f32_macs / best["matmul_f32"],
        "kernel_int8_mac_per_s": int8_macs / best["kernel"],
        "kernel_cell_mac_per_s": cell_macs / best["kernel"],
        "reference_int8_mac_per_s": int8_macs / best["reference"],
        "layer_kernel_int8_mac_per_s": f32_macs / best["layer_kernel"],
    }
    return {
        "workload": {
            "batch": BATCH,
            "crossbar": f"{CONFIG.rows}x{CONFIG.cols}",
            "cell_bits": CONFIG.cell_bits,
            "dac_bits": CONFIG.dac_bits,
            "adc": f"{CONFIG.adc_mode} {CONFIG.adc_bits}-bit",
            "int8_outputs_per_crossbar": CONFIG.weights_per_crossbar,
            "input_steps": CONFIG.input_steps,
        },
        "quick": quick,
        "machine": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "processor": platform.processor() or platform.machine(),
        },
        "times": times,
        "rates": rates,
        "ratios": {
            "kernel_vs_matmul_f32_int8_macs": rates["kernel_int8_mac_per_s"]
            / rates["matmul_f32_mac_per_s"],
            "kernel_vs_matmul_f32_cell_macs": rates["kernel_cell_mac_per_s"]
            / rates["matmul_f32_mac_per_s"],
            "layer_kernel_vs_matmul_f32": rates["layer_kernel_int8_mac_per_s"]
            / rates["matmul_f32_mac_per_s"],
            "kernel_vs_reference": best["reference"] / best["kernel"],
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a summary, optionally write JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kernels", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a few seconds)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    args = parser.parse_args(argv)
    result = run(args.quick)
    for name, t in result["times"].items():
        print(f"{name:>14}: best {t['best_s'] * 1e3:9.2f} ms  median {t['median_s'] * 1e3:9.2f} ms")
    for name, value in result["ratios"].items():
        print(f"{name:>34}: {value:8.3f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
