"""Write docs/examples/small_cnn.onnx: a small CNN as an exporter would, for the tutorial.

    python docs/examples/make_example_onnx.py

Conv(3->16, 3x3) + BatchNorm + ReLU, Conv(16->32, 3x3, stride 2) + ReLU, global average
pool, Gemm(32->10), with seeded random weights, opset 17, and a dynamic batch and image size
(``input``: N x 3 x H x W), so a run gives ``--input-shape input=3x32x32``. Needs the onnx
package (``pip install 'cimsim-rram[onnx]'``).
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).with_name("small_cnn.onnx")


def build() -> onnx.ModelProto:
    """The model (deterministic: weights from a seeded generator)."""
    rng = np.random.default_rng(0)

    def tensor(name: str, *shape: int, scale: float = 0.2) -> onnx.TensorProto:
        values = (rng.standard_normal(shape) * scale).astype(np.float32)
        return numpy_helper.from_array(values, name)

    inits = [
        tensor("conv1.weight", 16, 3, 3, 3), tensor("conv1.bias", 16),
        numpy_helper.from_array(np.ones(16, np.float32), "bn1.scale"), tensor("bn1.bias", 16),
        tensor("bn1.mean", 16), numpy_helper.from_array(np.ones(16, np.float32), "bn1.var"),
        tensor("conv2.weight", 32, 16, 3, 3), tensor("conv2.bias", 32),
        tensor("fc.weight", 10, 32), tensor("fc.bias", 10),
    ]  # fmt: skip
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "bn1.scale", "bn1.bias", "bn1.mean",
                                                "bn1.var"], ["b1"], name="bn1"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2.weight", "conv2.bias"], ["c2"], name="conv2",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="cimsim docs/examples")  # fmt: skip
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    onnx.save(build(), str(OUT))
    print(f"wrote {OUT}")
