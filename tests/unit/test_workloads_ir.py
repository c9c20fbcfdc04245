"""The IR: op normalisation, graph validation, navigation and BatchNorm folding."""

from __future__ import annotations

import pytest

from workloads.errors import WorkloadError
from workloads.ir import (
    Activation,
    Add,
    BatchNorm,
    Conv2d,
    Flatten,
    Graph,
    Layer,
    Linear,
    Pool,
    Reshape,
    Transpose,
    fold_batchnorm,
    max_pool,
    sequential,
)


def _residual() -> Graph:
    layers = (
        Layer("a", Conv2d(8, (3, 3), padding=(1, 1)), ("x",)),
        Layer("b", Activation("relu"), ("a",)),
        Layer("c", Conv2d(8, (3, 3), padding=(1, 1)), ("b",)),
        Layer("sum", Add(), ("c", "x")),
    )
    return Graph("res", {"x": (8, 6, 6)}, layers, ("sum",))


def test_error_names_where() -> None:
    err = WorkloadError("layer 'fc'", "bad thing")
    assert isinstance(err, ValueError)
    assert (err.where, err.message) == ("layer 'fc'", "bad thing")
    assert str(err) == "layer 'fc': bad thing"


def test_conv_normalises_padding_and_tuples() -> None:
    op = Conv2d(16, [3, 3], stride=[2, 2], padding=(1, 2))
    assert op.kernel == (3, 3) and op.stride == (2, 2)
    assert op.padding == (1, 2, 1, 2)
    assert Conv2d(4, (1, 1), padding=(0, 1, 2, 3)).padding == (0, 1, 2, 3)
    assert Conv2d.op_kind == "conv2d"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Conv2d(0, (3, 3)),
        lambda: Conv2d(6, (3, 3), groups=4),
        lambda: Conv2d(4, (3,)),
        lambda: Conv2d(4, (3, 3), padding=(-1, 0)),
        lambda: Conv2d(4, (3, 3), stride=(0, 1)),
        lambda: Linear(0),
        lambda: Pool("median", (2, 2)),
        lambda: Activation("swish"),
        lambda: Reshape((2, -1, -1)),
        lambda: Transpose((0, 0, 1)),
    ],
)
def test_bad_op_attributes(make) -> None:
    with pytest.raises(WorkloadError):
        make()


def test_pool_stride_defaults_to_kernel() -> None:
    assert Pool("max", (3, 3)).stride == (3, 3)
    assert max_pool(3, 2, 1) == Pool("max", (3, 3), (2, 2), (1, 1, 1, 1))


def test_graph_navigation() -> None:
    g = _residual()
    assert g.inputs == (("x", (8, 6, 6)),)
    assert dict(g.input_shapes) == {"x": (8, 6, 6)}
    assert g.layer_names == ("a", "b", "c", "sum")
    assert g.layer("c").inputs == ("b",)
    assert g.producers("sum") == ("c", "x")
    assert g.consumers("x") == ("a", "sum")
    assert g.consumers("b") == ("c",)
    assert g.consumers("sum") == ()
    assert g.is_input("x") and not g.is_input("a")
    with pytest.raises(WorkloadError, match="no layer named 'zz'"):
        g.layer("zz")
    with pytest.raises(WorkloadError, match="no tensor"):
        g.consumers("zz")


def test_graph_is_frozen_and_hashable_parts() -> None:
    g = _residual()
    with pytest.raises(AttributeError):
        g.name = "other"  # type: ignore[misc]
    assert g == _residual()


def test_duplicate_name_is_rejected() -> None:
    layers = (Layer("a", Flatten(), ("x",)), Layer("a", Flatten(), ("a",)))
    with pytest.raises(WorkloadError, match=r"layer 'a'.*duplicate"):
        Graph("g", {"x": (4,)}, layers, ("a",))


def test_layer_named_like_input_is_rejected() -> None:
    with pytest.raises(WorkloadError, match="duplicate"):
        Graph("g", {"x": (4,)}, (Layer("x", Flatten(), ("x",)),), ("x",))


def test_missing_input_is_rejected_naming_layer() -> None:
    with pytest.raises(WorkloadError, match=r"layer 'b'.*'nope'") as info:
        Graph("g", {"x": (4,)}, (Layer("b", Linear(2), ("nope",)),), ("b",))
    assert info.value.where == "layer 'b'"


def test_out_of_order_layers_are_rejected() -> None:
    layers = (Layer("b", Activation("relu"), ("a",)), Layer("a", Linear(3), ("x",)))
    with pytest.raises(WorkloadError, match="topological order"):
        Graph("g", {"x": (4,)}, layers, ("b",))


def test_bad_outputs_and_inputs() -> None:
    with pytest.raises(WorkloadError, match="output 'q'"):
        Graph("g", {"x": (4,)}, (Layer("a", Linear(3), ("x",)),), ("q",))
    with pytest.raises(WorkloadError, match="at least one input"):
        Graph("g", {}, (), ("x",))
    with pytest.raises(WorkloadError, match="shape"):
        Graph("g", {"x": (4, 0)}, (Layer("a", Linear(3), ("x",)),), ("a",))


def test_wrong_arity_is_rejected() -> None:
    with pytest.raises(WorkloadError, match=r"layer 'add'.*at least 2"):
        Layer("add", Add(), ("x",))
    with pytest.raises(WorkloadError, match="takes 1 input"):
        Layer("fc", Linear(3), ("x", "y"))
    with pytest.raises(WorkloadError, match="op must be"):
        Layer("fc", "linear", ("x",))  # type: ignore[arg-type]


def test_sequential_chains_layers() -> None:
    g = sequential("s", (3, 4, 4), [("c", Conv2d(2, (1, 1))), ("f", Flatten()), ("l", Linear(5))])
    assert g.producers("f") == ("c",) and g.outputs == ("l",)


def test_fold_batchnorm_into_conv_bias() -> None:
    layers = (
        Layer("conv", Conv2d(8, (3, 3), padding=(1, 1), bias=False), ("x",)),
        Layer("bn", BatchNorm(), ("conv",)),
        Layer("relu", Activation("relu"), ("bn",)),
        Layer("bn2", BatchNorm(), ("relu",)),  # follows a ReLU: cannot fold
    )
    g = fold_batchnorm(Graph("g", {"x": (3, 8, 8)}, layers, ("bn2",)))
    assert g.layer_names == ("conv", "relu", "bn2")
    assert g.layer("conv").op.bias is True
    assert g.producers("relu") == ("conv",)


def test_fold_batchnorm_that_is_an_output() -> None:
    layers = (
        Layer("fc", Linear(8, bias=False), ("x",)),
        Layer("bn", BatchNorm(), ("fc",)),
    )
    g = fold_batchnorm(Graph("g", {"x": (3,)}, layers, ("bn",)))
    assert g.layer_names == ("fc",) and g.outputs == ("fc",)
