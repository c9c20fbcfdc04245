"""ONNX models that keep their weights in an external data file (issue 20): timing reads only
their shapes, functional runs read them when the file is there, a clear error when not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from cimsim.cli import main
from workloads.errors import WorkloadError
from workloads.onnx_import import load_onnx, load_onnx_weights


def _model() -> onnx.ModelProto:
    """conv (weights 432 floats) -> relu -> reshape (int64 shape) -> gemm (10 x 1024)."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((16, 3, 3, 3)).astype(np.float32), "w"),
        numpy_helper.from_array(rng.standard_normal((10, 1024)).astype(np.float32), "fc"),
        numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "shape"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Reshape", ["r", "shape"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "fc"], ["y"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "ext", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits,
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _save(folder: Path, threshold: int = 1024, location: str = "ext.data") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ext.onnx"
    onnx.save(_model(), str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location=location, size_threshold=threshold)  # fmt: skip
    return path


@pytest.fixture()
def inline(tmp_path: Path) -> Path:
    path = tmp_path / "inline" / "ext.onnx"
    path.parent.mkdir()
    onnx.save(_model(), str(path))
    return path


def test_timing_needs_no_data_file(tmp_path: Path, inline: Path) -> None:
    path = _save(tmp_path / "m")
    (tmp_path / "m" / "ext.data").unlink()
    assert load_onnx(path).layers == load_onnx(inline).layers


def test_weights_are_read_when_the_data_file_is_there(tmp_path: Path, inline: Path) -> None:
    path = _save(tmp_path / "m")
    assert load_onnx(path).layers == load_onnx(inline).layers
    ours, theirs = load_onnx_weights(path), load_onnx_weights(inline)
    assert ours.keys() == theirs.keys()
    for name, weights in ours.items():
        np.testing.assert_array_equal(weights.matrices, theirs[name].matrices)


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda d: (d / "ext.data").unlink(), "'w' keeps its data in 'ext.data', which is not"),
        (lambda d: (d / "ext.data").write_bytes(b"\0" * 100), r"cannot read .ext.data.: External"),
    ],
)
def test_a_functional_read_names_the_missing_or_short_file(tmp_path: Path, damage, fragment):
    path = _save(tmp_path / "m")
    damage(tmp_path / "m")
    with pytest.raises(WorkloadError, match=fragment):
        load_onnx_weights(path)


def test_integer_tensors_are_read_even_for_timing(tmp_path: Path) -> None:
    path = _save(tmp_path / "m", threshold=0)  # the int64 reshape target is external too
    assert load_onnx(path).layers
    (tmp_path / "m" / "ext.data").unlink()
    with pytest.raises(WorkloadError, match=r"'shape'.*its values may shape the network"):
        load_onnx(path)


def test_a_location_outside_the_model_folder_is_refused(tmp_path: Path) -> None:
    path = _save(tmp_path / "m")
    model = onnx.load(str(path), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../elsewhere.data"
    onnx.save(model, str(path))
    (tmp_path / "elsewhere.data").write_bytes((tmp_path / "m" / "ext.data").read_bytes())
    with pytest.raises(WorkloadError, match="is not a file in the model's folder"):
        load_onnx_weights(path)


def test_cli_times_without_the_file_and_says_what_a_functional_run_needs(
    tmp_path: Path, capsys
) -> None:
    path = _save(tmp_path / "m")
    (tmp_path / "m" / "ext.data").unlink()
    argv = ["run", "--arch", "tiny", "--workload", str(path), "--quiet"]
    assert main(argv) == 0
    assert main([*argv, "--functional"]) == 2
    assert "a functional run needs the weights (a timing run does not)" in capsys.readouterr().err
