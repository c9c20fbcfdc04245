"""Real data that ships offline: scikit-learn's 8x8 handwritten digits.

``load_digits`` (UCI optical recognition of handwritten digits, 1,797 images of 8x8
pixels with values 0..16, 10 classes) is bundled with scikit-learn, so no download is
needed. scikit-learn is imported only when the data is loaded.
"""

from dataclasses import dataclass

import numpy as np

from workloads.errors import WorkloadError


@dataclass(frozen=True)
class Dataset:
    """A classification data set split into train and test parts."""

    x_train: np.ndarray
    """(n_train, features) float64."""
    y_train: np.ndarray
    """(n_train,) int64 class labels."""
    x_test: np.ndarray
    """(n_test, features) float64."""
    y_test: np.ndarray
    """(n_test,) int64 class labels."""
    n_classes: int
    """Number of classes (labels are 0..n_classes - 1)."""


def load_digits(test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """The digits images as 64 features scaled to [0, 1] (pixel / 16), split at random.

    The split is a permutation drawn from ``numpy.random.default_rng(seed)``; the last
    ``round(test_fraction * n)`` samples of it form the test set. ``test_fraction`` in (0, 1).
    """
    if not 0 < test_fraction < 1:
        raise WorkloadError("digits", f"test_fraction must be in (0, 1), got {test_fraction!r}")
    try:
        from sklearn import datasets
    except ImportError:
        raise WorkloadError(
            "digits", "needs scikit-learn: pip install 'cimsim-rram[accuracy]'"
        ) from None

    bunch = datasets.load_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(x.shape[0])
    n_test = round(test_fraction * x.shape[0])
    train, test = order[: x.shape[0] - n_test], order[x.shape[0] - n_test :]
    return Dataset(
        x_train=x[train],
        y_train=y[train],
        x_test=x[test],
        y_test=y[test],
        n_classes=int(y.max()) + 1,
    )
