"""A small numpy MLP and its trainer, for accuracy studies on the offline digits data.

A one-hidden-layer ReLU MLP trained by mini-batch SGD with momentum on softmax
cross-entropy (He initialisation, seeded), in pure numpy so no framework is needed.
"""

from dataclasses import dataclass

import numpy as np

from workloads.data import Dataset


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


def train_mlp(data: Dataset, hidden: int, epochs: int, seed: int) -> Mlp:
    """Mini-batch SGD with momentum on softmax cross-entropy (He initialisation).

    Learning rate 0.05, momentum 0.9, weight decay 1e-4, batches of 32; the initial weights
    and the sample order of every epoch come from ``numpy.random.default_rng(seed)``.
    """
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
