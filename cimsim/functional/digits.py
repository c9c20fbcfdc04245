"""Accuracy of a trained digits MLP through the functional path, over ADC bits and variation.

The MLP of benchmarks/digits_accuracy.py (workloads.train; 64-64-10, ReLU) is trained on
scikit-learn's 8x8 digits, written as a ``workloads`` Graph with its trained weights and run
by ``run_functional`` on the test split, with activation scales calibrated on the training
split. So the accuracies come from the same code as ``cimsim run --functional``.
"""

from collections.abc import Iterable

import pandas as pd

from cimsim.config.model import ArchConfig
from cimsim.functional.params import linear_params
from cimsim.functional.run import run_functional
from workloads.data import load_digits
from workloads.ir import Activation, Graph, Linear, sequential
from workloads.train import Mlp, train_mlp

SWEEP_COLUMNS = (
    "adc_bits", "variation_sigma", "device_seed", "float_accuracy", "int8_accuracy",
    "crossbar_accuracy", "top1_agreement_crossbar_vs_int8", "crossbar_vs_exact_rel_error_max",
)  # fmt: skip


def digits_mlp_graph(features: int = 64, hidden: int = 64, classes: int = 10) -> Graph:
    """The digits MLP as a Graph: fc1 (Linear) -> fc1.relu -> fc2 (Linear, logits)."""
    return sequential(
        "digits_mlp",
        (features,),
        [("fc1", Linear(hidden)), ("fc1.relu", Activation("relu")), ("fc2", Linear(classes))],
    )


def with_adc_and_variation(arch: ArchConfig, adc_bits: int, sigma: float) -> ArchConfig:
    """``arch`` with ``tile.adc.bits`` and ``device.variation_sigma`` replaced.

    The ranges are checked when ``mvm_config`` builds the kernel configuration.
    """
    adc = arch.tile.adc.model_copy(update={"bits": adc_bits})
    tile = arch.tile.model_copy(update={"adc": adc})
    device = arch.device.model_copy(update={"variation_sigma": sigma})
    return arch.model_copy(update={"tile": tile, "device": device})


def digits_accuracy_sweep(
    arch: ArchConfig,
    adc_bits: Iterable[int] = range(3, 10),
    sigmas: Iterable[float] = (0.0, 0.05, 0.1, 0.2),
    seed: int = 0,
    *,
    epochs: int = 100,
    hidden: int = 64,
    device_seeds: int = 1,
) -> pd.DataFrame:
    """Test accuracy of the digits MLP in float, exact INT8 and through ``arch``'s crossbars.

    One row per (ADC bits, variation sigma, device seed): ``tile.adc.bits`` and
    ``device.variation_sigma`` of ``arch`` are replaced, everything else (crossbar size,
    cells, DAC, encodings, ADC mode) is the architecture's. The data split and the training
    use ``seed``; with sigma > 0, ``device_seeds`` chips are drawn (seeds seed, seed+1, ...).
    Columns: SWEEP_COLUMNS.
    """
    data = load_digits(test_fraction=0.25, seed=seed)
    mlp: Mlp = train_mlp(data, hidden=hidden, epochs=epochs, seed=seed)
    graph = digits_mlp_graph(data.x_train.shape[1], hidden, data.n_classes)
    weights = {"fc1": linear_params(mlp.w1, mlp.b1), "fc2": linear_params(mlp.w2, mlp.b2)}
    rows = []
    for bits in adc_bits:
        for sigma in sigmas:
            variant = with_adc_and_variation(arch, int(bits), float(sigma))
            for device_seed in range(seed, seed + (device_seeds if sigma > 0 else 1)):
                report = run_functional(
                    variant,
                    graph,
                    seed=device_seed,
                    inputs=data.x_test,
                    calibration=data.x_train,
                    weights=weights,
                    labels=data.y_test,
                )
                s = report.summary
                rows.append(
                    {
                        "adc_bits": int(bits),
                        "variation_sigma": float(sigma),
                        "device_seed": device_seed,
                        "float_accuracy": s["accuracy_float"],
                        "int8_accuracy": s["accuracy_int8"],
                        "crossbar_accuracy": s["accuracy_crossbar"],
                        "top1_agreement_crossbar_vs_int8": s["top1_agreement_crossbar_vs_int8"],
                        "crossbar_vs_exact_rel_error_max": s["crossbar_vs_exact_rel_error_max"],
                    }
                )
    return pd.DataFrame(rows, columns=list(SWEEP_COLUMNS))
