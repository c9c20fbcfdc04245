"""Small networks for quick runs and hand-checkable tests: an MLP and LeNet-5."""

from __future__ import annotations

from collections.abc import Sequence

from workloads.errors import WorkloadError
from workloads.ir import Flatten, Graph, Pool
from workloads.zoo._builder import GraphBuilder, check_positive


def mlp(input_features: int = 784, hidden: Sequence[int] = (256, 128), classes: int = 10) -> Graph:
    """Multi-layer perceptron on a flat (784,) MNIST image: 784-256-128-10, ReLU between.

    Default counts: 234,752 MACs, 235,146 parameters.
    """
    check_positive("mlp", input_features=input_features, classes=classes)
    for width in hidden:
        check_positive("mlp", hidden=width)
    b = GraphBuilder("mlp", (("input", (input_features,)),))
    x = "input"
    for i, width in enumerate(hidden):
        x = b.linear(f"fc{i + 1}", x, width, act="relu")
    b.linear(f"fc{len(hidden) + 1}", x, classes)
    return b.build()


def lenet5(input_size: int = 32, classes: int = 10, activation: str = "tanh") -> Graph:
    """LeNet-5 (LeCun et al., Proc. IEEE 1998): C1 6@5x5, S2, C3 16@5x5, S4, C5 120, F6 84.

    Subsampling is 2x2 average pooling and C3 is fully connected to S2 (the common modern
    reading; the paper's sparse C3 table has 1,516 instead of 2,416 weights). ``input_size``
    32 is the paper's padded input; 28 (raw MNIST) pads C1 by 2 so the shapes stay the same.
    Default counts: 416,520 MACs, 61,706 parameters.
    """
    if input_size not in (28, 32):
        raise WorkloadError("workload 'lenet5'", f"input_size must be 28 or 32, got {input_size}")
    check_positive("lenet5", classes=classes)
    pad = (32 - input_size) // 2
    b = GraphBuilder("lenet5", (("input", (1, input_size, input_size)),))
    x = b.conv("c1", "input", 6, 5, padding=pad, act=activation)
    x = b.add("s2", Pool("avg", (2, 2)), x)
    x = b.conv("c3", x, 16, 5, act=activation)
    x = b.add("s4", Pool("avg", (2, 2)), x)
    x = b.conv("c5", x, 120, 5, act=activation)
    x = b.add("flatten", Flatten(), x)
    x = b.linear("f6", x, 84, act=activation)
    b.linear("output", x, classes)
    return b.build()
