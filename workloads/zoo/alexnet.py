"""AlexNet for CIFAR-10, the variant of bearpaw/pytorch-classification (models/cifar/alexnet.py).

torchvision's AlexNet feature stack shrunk to 3x32x32 inputs: conv 64@11x11/4 (pad 5), max-pool
2, conv 192@5x5 (pad 2), max-pool 2, convs 384, 256, 256 @3x3 (pad 1), max-pool 2, then a single
FC 256->classes. Published (that repository's README): 2.47 M parameters. Counts here:
14,957,056 MACs, 2,472,266 parameters.
"""

from __future__ import annotations

from workloads.ir import Flatten, Graph, max_pool
from workloads.zoo._builder import GraphBuilder, check_positive


def alexnet(classes: int = 10) -> Graph:
    """AlexNet, CIFAR-10 variant (3x32x32; bearpaw/pytorch-classification): 2.47 M params."""
    check_positive("alexnet", classes=classes)
    b = GraphBuilder("alexnet", (("input", (3, 32, 32)),))
    x = b.conv("conv1", "input", 64, 11, 4, padding=5)
    x = b.add("pool1", max_pool(2), x)
    x = b.conv("conv2", x, 192, 5, padding=2)
    x = b.add("pool2", max_pool(2), x)
    x = b.conv("conv3", x, 384, 3, padding=1)
    x = b.conv("conv4", x, 256, 3, padding=1)
    x = b.conv("conv5", x, 256, 3, padding=1)
    x = b.add("pool5", max_pool(2), x)
    x = b.add("flatten", Flatten(), x)
    b.linear("fc", x, classes)
    return b.build()
