"""MobileNetV2 (Sandler et al., CVPR 2018) for ImageNet, torchvision topology, width 1.0.

Inverted residual blocks: 1x1 expand (ReLU6), 3x3 depthwise (ReLU6), 1x1 linear projection,
with a residual Add when stride is 1 and channels match. BatchNorm is folded into the convs.
Published (torchvision): 0.30 GMAC, 3.50 M parameters (3.49 M after folding BatchNorm).
"""

from __future__ import annotations

from workloads.ir import Add, Flatten, GlobalAvgPool, Graph
from workloads.zoo._builder import GraphBuilder, check_positive

# (expansion t, output channels c, repeats n, first stride s), Table 2 of the paper.
_SETTINGS = (
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
    (6, 160, 3, 2), (6, 320, 1, 1),
)  # fmt: skip


def _inverted_residual(
    b: GraphBuilder, name: str, x: str, c_in: int, c_out: int, stride: int, t: int
) -> str:
    hidden = c_in * t
    y = x
    if t != 1:
        y = b.conv(f"{name}.expand", y, hidden, 1, act="relu6")
    y = b.conv(f"{name}.dw", y, hidden, 3, stride, padding=1, groups=hidden, act="relu6")
    y = b.conv(f"{name}.project", y, c_out, 1, act=None)
    if stride == 1 and c_in == c_out:
        y = b.add(f"{name}.add", Add(), y, x)
    return y


def mobilenetv2(classes: int = 1000, input_size: int = 224) -> Graph:
    """MobileNetV2 1.0 on 3x224x224: 0.30 GMAC, 3.50 M params (torchvision)."""
    check_positive("mobilenetv2", classes=classes, input_size=input_size)
    b = GraphBuilder("mobilenetv2", (("input", (3, input_size, input_size)),))
    x = b.conv("features.0", "input", 32, 3, 2, padding=1, act="relu6")
    c_in, index = 32, 1
    for t, c, n, s in _SETTINGS:
        for i in range(n):
            x = _inverted_residual(b, f"features.{index}", x, c_in, c, s if i == 0 else 1, t)
            c_in, index = c, index + 1
    x = b.conv(f"features.{index}", x, 1280, 1, act="relu6")
    x = b.add("avgpool", GlobalAvgPool(), x)
    x = b.add("flatten", Flatten(), x)
    b.linear("classifier", x, classes)
    return b.build()
