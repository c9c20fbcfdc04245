"""ONNX models end to end through the command line: run, show, and each kind of bad file."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from cimsim.cli import main


def _model(tmp_path: Path, batch: int | str = 1, size: int | str = 16) -> Path:
    """conv -> relu -> maxpool -> flatten -> gemm on 3x16x16 (batch or size may be dynamic)."""
    rng = np.random.default_rng(0)

    def init(name: str, *shape: int) -> onnx.TensorProto:
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["y"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 10])],
        [init("w", 8, 3, 3, 3), init("fc.w", 10, 8 * 8 * 8), init("fc.b", 10)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / "small.onnx"
    onnx.save(model, str(path))
    return path


def test_onnx_model_runs_end_to_end(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    argv = ["run", "--arch", "tiny", "--workload", str(_model(tmp_path)), "--out", str(out),
            "--quiet"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["workload"] == "small"
    assert summary["macs_per_inference"] == 16 * 16 * 8 * 27 + 512 * 10
    assert main(["workloads", "show", str(_model(tmp_path))]) == 0
    assert "conv" in capsys.readouterr().out


def test_dynamic_batch_needs_no_input_shape_but_dynamic_spatial_does(
    tmp_path: Path, capsys
) -> None:
    path = _model(tmp_path, batch="N")
    assert main(["run", "--arch", "tiny", "--workload", str(path), "--quiet"]) == 0
    path = _model(tmp_path, batch="N", size="H")
    assert main(["run", "--arch", "tiny", "--workload", str(path), "--quiet"]) == 2
    assert "--input-shape" in capsys.readouterr().err
    argv = ["run", "--arch", "tiny", "--workload", str(path), "--quiet",
            "--input-shape", "x=3x16x16"]  # fmt: skip
    assert main(argv) == 0


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_onnx_files_exit_2_naming_the_file(tmp_path: Path, damage: str, capsys) -> None:
    path = _model(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"not an onnx file")
    assert main(["run", "--arch", "tiny", "--workload", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "small.onnx" in err and "Traceback" not in err


def test_bad_input_shape_flag_is_a_clear_error(tmp_path: Path, capsys) -> None:
    path = _model(tmp_path)
    argv = ["run", "--arch", "tiny", "--workload", str(path), "--input-shape", "x=3xfoo"]
    assert main(argv) == 2
    assert "--input-shape" in capsys.readouterr().err


def test_functional_run_of_an_onnx_file_uses_its_own_weights(tmp_path: Path) -> None:
    out = tmp_path / "f"
    argv = ["run", "--arch", "tiny", "--workload", str(_model(tmp_path)), "--functional",
            "--functional-batch", "2", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    weights = json.loads((out / "summary.json").read_text())["functional"]["weights"]
    assert "seeded" not in weights


def test_the_dynamic_shape_message_suggests_a_form_the_parser_takes(tmp_path: Path, capsys) -> None:
    """The error names --input-shape NAME=DIMS; that form, filled in, runs."""
    import re

    weight = numpy_helper.from_array(np.ones((8, 3, 3, 3), np.float32), "w")
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [conv], "dyn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8, "H", "W"])], [weight],
    )  # fmt: skip
    path = tmp_path / "dyn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    assert main(["workloads", "show", str(path)]) == 2
    message = capsys.readouterr().err
    suggested = re.search(r"--input-shape (x=\S+),", message)
    assert suggested and suggested.group(1) == "x=3x?x?"
    filled = suggested.group(1).replace("?", "16")
    for form in (filled, "x=1,3,16,16"):
        assert main(["workloads", "show", str(path), "--input-shape", form]) == 0
        assert "conv" in capsys.readouterr().out
