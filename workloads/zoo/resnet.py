"""ResNet-18 and ResNet-50 for ImageNet, torchvision topology, BatchNorm folded into convs.

He et al., CVPR 2016; torchvision's variant puts the stride of a bottleneck on its 3x3 conv
(ResNet v1.5). Folding BatchNorm gives every conv a bias, so parameter counts are torchvision's
minus one parameter per BN channel (the BN scale folds into the weights, the shift into the bias).
"""

from __future__ import annotations

from workloads.ir import Activation, Add, Flatten, GlobalAvgPool, Graph, Pool
from workloads.zoo._builder import GraphBuilder, check_positive


def _basic(b: GraphBuilder, name: str, x: str, c_in: int, planes: int, stride: int) -> str:
    y = b.conv(f"{name}.conv1", x, planes, 3, stride, padding=1)
    y = b.conv(f"{name}.conv2", y, planes, 3, padding=1, act=None)
    if stride != 1 or c_in != planes:
        x = b.conv(f"{name}.downsample", x, planes, 1, stride, act=None)
    y = b.add(f"{name}.add", Add(), y, x)
    return b.add(f"{name}.relu", Activation("relu"), y)


def _bottleneck(b: GraphBuilder, name: str, x: str, c_in: int, planes: int, stride: int) -> str:
    out = planes * 4
    y = b.conv(f"{name}.conv1", x, planes, 1)
    y = b.conv(f"{name}.conv2", y, planes, 3, stride, padding=1)
    y = b.conv(f"{name}.conv3", y, out, 1, act=None)
    if stride != 1 or c_in != out:
        x = b.conv(f"{name}.downsample", x, out, 1, stride, act=None)
    y = b.add(f"{name}.add", Add(), y, x)
    return b.add(f"{name}.relu", Activation("relu"), y)


def _resnet(name: str, blocks: tuple[int, ...], bottleneck: bool, classes: int,
            input_size: int) -> Graph:  # fmt: skip
    check_positive(name, classes=classes, input_size=input_size)
    b = GraphBuilder(name, (("input", (3, input_size, input_size)),))
    x = b.conv("conv1", "input", 64, 7, 2, padding=3)
    x = b.add("maxpool", Pool("max", (3, 3), (2, 2), (1, 1)), x)
    block, expansion = (_bottleneck, 4) if bottleneck else (_basic, 1)
    c_in = 64
    for stage, count in enumerate(blocks):
        planes = 64 * 2**stage
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            x = block(b, f"layer{stage + 1}.{i}", x, c_in, planes, stride)
            c_in = planes * expansion
    x = b.add("avgpool", GlobalAvgPool(), x)
    x = b.add("flatten", Flatten(), x)
    b.linear("fc", x, classes)
    return b.build()


def resnet18(classes: int = 1000, input_size: int = 224) -> Graph:
    """ResNet-18 on 3x224x224. Published (torchvision): 1.82 GMAC, 11.69 M parameters."""
    return _resnet("resnet18", (2, 2, 2, 2), False, classes, input_size)


def resnet50(classes: int = 1000, input_size: int = 224) -> Graph:
    """ResNet-50 on 3x224x224. Published (torchvision): 4.09 GMAC, 25.56 M parameters."""
    return _resnet("resnet50", (3, 4, 6, 3), True, classes, input_size)
