"""Accuracy of a small MLP on the digits data: float, exact INT8, and through the crossbars.

    python -m benchmarks.digits_accuracy [--quick] [--out DIR]

A 64-64-10 ReLU MLP (pure numpy, seeded SGD) is trained on scikit-learn's 8x8 digits,
quantized to INT8 (symmetric per-output-channel weights, per-tensor activations calibrated
on the training set) and evaluated on the test split: in float, with exact integer matmuls
and requantization, and with both matmuls computed bit-accurately by 128x128 crossbars of
2-bit cells (1-bit DAC, two's-complement input steps) for ADC resolutions 3..9 bits and
lognormal conductance variation sigma in {0, 0.05, 0.1, 0.2} (several seeds when sigma > 0).

The full run writes DIR/crossbar-accuracy.md and DIR/img/accuracy_vs_adc_bits.png
(DIR = docs by default); --quick uses fewer seeds and epochs and only prints unless --out
is given.
"""

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwmodels.crossbar.mvm import layer_mvm
from hwmodels.crossbar.mvm_params import DeviceNonIdealities, MvmConfig
from workloads.data import Dataset, load_digits
from workloads.quantize import (
    ActivationQuantization,
    QuantizedWeights,
    calibrate_activations,
    quantize_weights,
    requantize,
)

ADC_BITS = tuple(range(3, 10))
SIGMAS = (0.0, 0.05, 0.1, 0.2)
DESIGNS: tuple[tuple[str, str, str], ...] = (
    # label, weight encoding, ADC mode
    ("offset weights, clip ADC", "offset", "clip"),
    ("offset weights, uniform ADC", "offset", "uniform"),
    ("differential weights, clip ADC", "differential", "clip"),
)
"""clip: LSB of one cell level, codes saturate at 2**bits - 1. uniform: full scale = the
largest possible sum of a 128-row crossbar (128 x 1 x 3 levels), 2**bits - 1 steps."""


@dataclass(frozen=True)
class Mlp:
    """Weights (inputs x outputs) and biases of a two-layer ReLU MLP."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hidden activations and logits."""
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        return hidden, hidden @ self.w2 + self.b2


@dataclass(frozen=True)
class QuantizedMlp:
    """The INT8 version of an Mlp."""

    x_quant: ActivationQuantization
    w1: QuantizedWeights
    b1: np.ndarray
    h_quant: ActivationQuantization
    w2: QuantizedWeights
    b2: np.ndarray


def train_mlp(data: Dataset, hidden: int, epochs: int, seed: int) -> Mlp:
    """Mini-batch SGD with momentum on softmax cross-entropy (He initialisation)."""
    rng = np.random.default_rng(seed)
    n_in, n_out = data.x_train.shape[1], data.n_classes
    params = [
        rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, hidden)),
        np.zeros(hidden),
        rng.normal(0.0, np.sqrt(1.0 / hidden), (hidden, n_out)),
        np.zeros(n_out),
    ]
    velocity = [np.zeros_like(p) for p in params]
    lr, momentum, decay, batch = 0.05, 0.9, 1e-4, 32
    onehot = np.eye(n_out)[data.y_train]
    for _ in range(epochs):
        order = rng.permutation(data.x_train.shape[0])
        for start in range(0, order.size, batch):
            idx = order[start : start + batch]
            x, t = data.x_train[idx], onehot[idx]
            w1, b1, w2, b2 = params
            pre = x @ w1 + b1
            h = np.maximum(pre, 0.0)
            logits = h @ w2 + b2
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d_logits = (p - t) / idx.size
            d_h = (d_logits @ w2.T) * (pre > 0)
            grads = [x.T @ d_h + decay * w1, d_h.sum(0), h.T @ d_logits + decay * w2]
            grads.append(d_logits.sum(0))
            for i, g in enumerate(grads):
                velocity[i] = momentum * velocity[i] - lr * g
                params[i] = params[i] + velocity[i]
    return Mlp(*params)


def quantize_mlp(mlp: Mlp, x_calibration: np.ndarray) -> QuantizedMlp:
    """INT8 weights per output channel; activation scales calibrated on training data."""
    hidden, _ = mlp.forward(x_calibration)
    return QuantizedMlp(
        x_quant=calibrate_activations(x_calibration),
        w1=quantize_weights(mlp.w1),
        b1=mlp.b1,
        h_quant=calibrate_activations(hidden),
        w2=quantize_weights(mlp.w2),
        b2=mlp.b2,
    )


def int8_logits(
    q: QuantizedMlp, x: np.ndarray, config: MvmConfig | None, rng: np.random.Generator | None
) -> np.ndarray:
    """Logits with exact integer matmuls (config None) or through crossbars of config."""

    def matmul(a: np.ndarray, w: QuantizedWeights) -> np.ndarray:
        if config is None:
            return a.astype(np.int64) @ w.values.astype(np.int64)
        return layer_mvm(a, w.values, config, rng)

    qx = q.x_quant.quantize(x)
    qh = requantize(matmul(qx, q.w1), q.x_quant.scale, q.w1, q.b1, q.h_quant, relu=True)
    return requantize(matmul(qh, q.w2), q.h_quant.scale, q.w2, q.b2, None)


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose largest logit is the label."""
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def sweep(q: QuantizedMlp, data: Dataset, seeds: int) -> dict[tuple[str, int, float], list[float]]:
    """Test accuracy per (design label, ADC bits, sigma), one value per device seed."""
    results: dict[tuple[str, int, float], list[float]] = {}
    for label, weight_encoding, adc_mode in DESIGNS:
        for bits in ADC_BITS:
            for sigma in SIGMAS:
                config = MvmConfig(
                    rows=128,
                    cols=128,
                    cell_bits=2,
                    dac_bits=1,
                    weight_encoding=weight_encoding,
                    adc_mode=adc_mode,
                    adc_bits=bits,
                    device=DeviceNonIdealities(variation_sigma=sigma),
                )
                runs = seeds if sigma > 0 else 1
                results[label, bits, sigma] = [
                    accuracy(
                        int8_logits(q, data.x_test, config, np.random.default_rng(s)), data.y_test
                    )
                    for s in range(runs)
                ]
    return results


def markdown(
    float_acc: float, int8_acc: float, results: dict, seeds: int, epochs: int, n_test: int
) -> str:
    """The results as docs/crossbar-accuracy.md."""
    lines = [
        "# Digits MLP accuracy through bit-accurate crossbars",
        "",
        "Generated by `python -m benchmarks.digits_accuracy` (do not edit by hand).",
        "",
        f"64-64-10 ReLU MLP, {epochs} epochs of seeded SGD on scikit-learn's 8x8 digits; "
        f"test split of {n_test} images (25 %, seed 0). INT8: symmetric per-output-channel "
        "weights, per-tensor activations calibrated (max-abs) on the training set. Crossbars: "
        "128x128, 2-bit cells, 1-bit DAC, two's-complement input steps; both layers fit one "
        "row tile (64 rows). Variation: lognormal, g = g0 exp(sigma z), drawn per cell; "
        f"accuracies for sigma > 0 are mean ± std over {seeds} device seeds.",
        "",
        f"- float: **{100 * float_acc:.2f} %**",
        f"- exact INT8 (integer matmul + requantization): **{100 * int8_acc:.2f} %**",
        "",
        "ADC modes: *clip* has an LSB of one cell level and saturates at 2^bits - 1 (lossless "
        "from 8 bits here, since 64 rows x 3 levels = 192 <= 255); *uniform* spans the "
        "worst-case sum of a full 128-row crossbar (384 levels) in 2^bits - 1 steps.",
        "",
    ]
    for label, _, _ in DESIGNS:
        lines += [
            f"## {label}",
            "",
            "| ADC bits | " + " | ".join(f"σ = {s}" for s in SIGMAS) + " |",
        ]
        lines.append("|---:|" + "---:|" * len(SIGMAS))
        for bits in ADC_BITS:
            cells = []
            for sigma in SIGMAS:
                values = 100 * np.array(results[label, bits, sigma])
                cell = f"{values.mean():.2f}"
                if values.size > 1:
                    cell += f" ± {values.std():.2f}"
                cells.append(cell)
            lines.append(f"| {bits} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["![accuracy vs ADC bits](img/accuracy_vs_adc_bits.png)", ""]
    return "\n".join(lines)


def plot(float_acc: float, int8_acc: float, results: dict, path: Path) -> None:
    """One panel per design: accuracy vs ADC bits, one line per sigma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(DESIGNS), figsize=(4.2 * len(DESIGNS), 3.6), sharey=True)
    for ax, (label, _, _) in zip(axes, DESIGNS, strict=True):
        for sigma in SIGMAS:
            means = [100 * np.mean(results[label, b, sigma]) for b in ADC_BITS]
            ax.plot(ADC_BITS, means, marker="o", label=f"σ = {sigma}")
        ax.axhline(100 * float_acc, color="k", linestyle="--", linewidth=0.8, label="float")
        ax.axhline(100 * int8_acc, color="gray", linestyle=":", linewidth=1.0, label="INT8")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("ADC bits")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy (%)")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    """Train, quantize, sweep; print the summary and write the docs."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.digits_accuracy", description=__doc__
    )
    parser.add_argument("--quick", action="store_true", help="fewer epochs and seeds; print only")
    parser.add_argument("--out", metavar="DIR", help="docs directory to write (default: docs)")
    args = parser.parse_args(argv)
    epochs, seeds = (30, 2) if args.quick else (100, 5)
    out = (
        Path(args.out) if args.out else (None if args.quick else Path(__file__).parents[1] / "docs")
    )

    data = load_digits(test_fraction=0.25, seed=0)
    mlp = train_mlp(data, hidden=64, epochs=epochs, seed=0)
    float_acc = accuracy(mlp.forward(data.x_test)[1], data.y_test)
    q = quantize_mlp(mlp, data.x_train)
    int8_acc = accuracy(int8_logits(q, data.x_test, None, None), data.y_test)
    results = sweep(q, data, seeds)
    text = markdown(float_acc, int8_acc, results, seeds, epochs, data.x_test.shape[0])
    print(text)
    if out is not None:
        (out / "crossbar-accuracy.md").write_text(text, encoding="utf-8")
        plot(float_acc, int8_acc, results, out / "img" / "accuracy_vs_adc_bits.png")
        print(f"wrote {out / 'crossbar-accuracy.md'} and {out / 'img/accuracy_vs_adc_bits.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
