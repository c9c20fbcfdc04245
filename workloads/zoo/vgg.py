"""VGG networks: the CIFAR-10 VGG-8 of compact-CiM studies and ImageNet VGG-16."""

from __future__ import annotations

from workloads.ir import Flatten, Graph, max_pool
from workloads.zoo._builder import GraphBuilder, check_positive

# (filters, pool after?) per 3x3 conv of VGG-8, from Chen & Yang (AICAS 2025;
# docs/references.md#chen-yang).
_VGG8 = ((128, False), (128, True), (256, False), (256, True), (512, False), (512, True))
# Configuration "D" of Simonyan & Zisserman (ICLR 2015), as in torchvision's vgg16.
_VGG16 = (
    (64, False), (64, True), (128, False), (128, True), (256, False), (256, False), (256, True),
    (512, False), (512, False), (512, True), (512, False), (512, False), (512, True),
)  # fmt: skip


def _features(b: GraphBuilder, plan: tuple[tuple[int, bool], ...], bias: bool) -> str:
    x = "input"
    for i, (filters, pool) in enumerate(plan):
        x = b.conv(f"conv{i + 1}", x, filters, 3, padding=1, bias=bias)
        if pool:
            x = b.add(f"pool{i + 1}", max_pool(2), x)
    return b.add("flatten", Flatten(), x)


def vgg8(classes: int = 10, bias: bool = False) -> Graph:
    """VGG-8 for CIFAR-10 (3x32x32), Chen & Yang (AICAS 2025): 0.62 GMAC, 12.97 M params.

    Six 3x3 convs (128, 128, 256, 256, 512, 512; padding 1) with 2x2 max-pool after the 2nd,
    4th and 6th, then FC 8192->1024 and FC 1024->classes; ReLU after all but the last. No
    biases by default, as in the DNN+NeuroSim VGG-8 such studies use. Default counts:
    615,917,568 MACs, 12,973,440 parameters.
    """
    check_positive("vgg8", classes=classes)
    b = GraphBuilder("vgg8", (("input", (3, 32, 32)),))
    x = _features(b, _VGG8, bias)
    x = b.linear("fc1", x, 1024, bias=bias, act="relu")
    b.linear("fc2", x, classes, bias=bias)
    return b.build()


def vgg16(classes: int = 1000) -> Graph:
    """VGG-16 (configuration D) on ImageNet 3x224x224, torchvision topology without dropout.

    Published (torchvision): 15.47 GMAC, 138.36 M parameters.
    """
    check_positive("vgg16", classes=classes)
    b = GraphBuilder("vgg16", (("input", (3, 224, 224)),))
    x = _features(b, _VGG16, bias=True)
    x = b.linear("fc1", x, 4096, act="relu")
    x = b.linear("fc2", x, 4096, act="relu")
    b.linear("fc3", x, classes)
    return b.build()
