"""The numpy ops of functional runs against hand-checked cases and direct loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cimsim.functional import ops
from cimsim.functional.layers import float_layer, fold, unroll
from cimsim.functional.params import LayerParams
from workloads.ir import Conv2d, Graph, Layer, Linear, Pool
from workloads.ops import NORM_EPS
from workloads.shapes import analyze, output_shape


def direct_conv(x, w, bias, stride, padding, dilation, groups):
    """Convolution by explicit loops; w is (C_out, C_in/groups, kh, kw) as in PyTorch."""
    batch, c_in, h, wd = x.shape
    c_out, per_group, kh, kw = w.shape
    top, left, bottom, right = padding
    xp = np.zeros((batch, c_in, h + top + bottom, wd + left + right))
    xp[:, :, top : top + h, left : left + wd] = x
    ho = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((batch, c_out, ho, wo))
    outs_per_group = c_out // groups
    for b in range(batch):
        for o in range(c_out):
            g = o // outs_per_group
            for p in range(ho):
                for q in range(wo):
                    acc = bias[o]
                    for c in range(per_group):
                        for i in range(kh):
                            for j in range(kw):
                                r = p * stride[0] + i * dilation[0]
                                s = q * stride[1] + j * dilation[1]
                                acc += xp[b, g * per_group + c, r, s] * w[o, c, i, j]
                    out[b, o, p, q] = acc
    return out


@settings(max_examples=40, deadline=None)
@given(
    batch=st.integers(1, 2),
    groups=st.sampled_from([1, 2, 3]),
    per_group_in=st.integers(1, 2),
    per_group_out=st.integers(1, 2),
    size=st.tuples(st.integers(3, 7), st.integers(3, 7)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    seed=st.integers(0, 1000),
)
def test_conv_via_im2col_equals_direct_loops(
    batch, groups, per_group_in, per_group_out, size, kernel, stride, padding, dilation, seed
):
    c_in, c_out = groups * per_group_in, groups * per_group_out
    op = Conv2d(c_out, kernel, stride, padding, dilation, groups)
    try:
        out_shape = output_shape(op, ((c_in, *size),))
    except Exception:  # kernel does not fit: nothing to compare
        return
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, c_in, *size))
    w = rng.normal(size=(c_out, per_group_in, *kernel))
    bias = rng.normal(size=c_out)
    # im2col matrices: group g holds outputs [g * per_group_out, (g + 1) * per_group_out)
    matrices = np.stack(
        [
            w[g * per_group_out : (g + 1) * per_group_out].reshape(per_group_out, -1).T
            for g in range(groups)
        ]
    )
    got = ops.conv2d(x, matrices, bias, kernel, stride, op.padding, dilation, out_shape[1:])
    want = direct_conv(x, w, bias, stride, op.padding, dilation, groups)
    assert got.shape == (batch, *out_shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_im2col_hand_checked_and_int8_padding_is_code_zero():
    x = np.arange(9, dtype=np.int8).reshape(1, 1, 3, 3)  # [[0 1 2] [3 4 5] [6 7 8]]
    cols = ops.im2col(x, (2, 2), (1, 1), (0, 0, 0, 0), (1, 1), 1, (2, 2))
    assert cols.dtype == np.int8
    np.testing.assert_array_equal(cols[0], [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]])
    padded = ops.im2col(x, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1, (2, 2))
    np.testing.assert_array_equal(padded[0, 0], [0, 0, 0, 0, 0, 1, 0, 3, 4])


def test_unroll_fold_round_trip_matches_float_layer():
    graph = Graph(
        "g",
        (("input", (4, 5, 5)),),
        (Layer("conv", Conv2d(6, (3, 3), padding=(1, 1), groups=2), ("input",)),),
        ("conv",),
    )
    li = analyze(graph).layers[0]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 5, 5)).astype(np.float32)
    params = LayerParams(matrices=rng.normal(size=(2, 18, 3)).astype(np.float32), bias=None)
    y = float_layer(li, params, [x])
    again = fold(np.matmul(unroll(x, li), params.matrices), li, 2)
    np.testing.assert_array_equal(y, again)
    assert y.shape == (2, 6, 5, 5)


def test_linear_on_vectors_and_sequences():
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([0.5, -0.5])
    np.testing.assert_allclose(ops.linear(np.array([[1.0, 0.0, 1.0]]), w, b), [[6.5, 7.5]])
    seq = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])  # (B=1, S=2, F=3)
    np.testing.assert_allclose(ops.linear(seq, w, None), [[[1.0, 2.0], [3.0, 4.0]]])
    graph = Graph("g", (("input", (2, 3)),), (Layer("fc", Linear(2), ("input",)),), ("fc",))
    li = analyze(graph).layers[0]
    y = float_layer(li, LayerParams(matrices=w[None], bias=b), [seq])
    np.testing.assert_allclose(y, [[[1.5, 1.5], [3.5, 3.5]]])


def test_max_and_avg_pool_hand_checked():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(
        ops.pool(x, "max", (2, 2), (2, 2), (0, 0, 0, 0), (2, 2))[0, 0], [[5, 7], [13, 15]]
    )
    np.testing.assert_array_equal(
        ops.pool(x, "avg", (2, 2), (2, 2), (0, 0, 0, 0), (2, 2))[0, 0], [[2.5, 4.5], [10.5, 12.5]]
    )
    # 3x3 stride 2 pad 1 (ResNet's max-pool): padding never wins, never counts in averages
    neg = -x - 1
    np.testing.assert_array_equal(
        ops.pool(neg, "max", (3, 3), (2, 2), (1, 1, 1, 1), (2, 2))[0, 0], [[-1, -2], [-5, -6]]
    )
    np.testing.assert_allclose(
        ops.pool(x, "avg", (3, 3), (2, 2), (1, 1, 1, 1), (2, 2))[0, 0],
        [[2.5, 4.0], [8.5, 10.0]],
    )


def test_pool_ceil_mode_runs_past_the_edge():
    op = Pool("max", (2, 2), (2, 2), ceil_mode=True)
    shape = output_shape(op, ((1, 5, 5),))
    assert shape == (1, 3, 3)
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    y = ops.pool(x, "max", op.kernel, op.stride, op.padding, shape[1:])
    np.testing.assert_array_equal(y[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_global_avg_pool():
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    np.testing.assert_array_equal(ops.global_avg_pool(x).ravel(), [1.5, 5.5])


@pytest.mark.parametrize(
    ("kind", "low", "high", "x", "want"),
    [
        ("relu", None, None, [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0]),
        ("relu6", None, None, [-1.0, 3.0, 7.0], [0.0, 3.0, 6.0]),
        ("clip", -0.5, 0.5, [-1.0, 0.25, 2.0], [-0.5, 0.25, 0.5]),
        ("clip", None, 1.0, [-9.0, 2.0], [-9.0, 1.0]),
        ("gelu", None, None, [-1.0, 0.0, 1.0], [-0.15865525, 0.0, 0.84134475]),
        ("silu", None, None, [-1.0, 0.0, 1.0], [-0.26894142, 0.0, 0.73105858]),
        ("sigmoid", None, None, [-1.0, 0.0, 100.0], [0.26894142, 0.5, 1.0]),
        ("tanh", None, None, [-1.0, 0.0, 1.0], [-0.76159416, 0.0, 0.76159416]),
    ],
)
def test_activations(kind, low, high, x, want):
    got = ops.activation(np.array([x], dtype=np.float32), kind, low, high)
    np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-7)


def test_softmax_and_layer_norm():
    x = np.array([[[0.0, np.log(3.0)], [1.0, 1.0]]])  # (B, 2, 2)
    np.testing.assert_allclose(ops.softmax(x, -1), [[[0.25, 0.75], [0.5, 0.5]]])
    np.testing.assert_allclose(ops.softmax(x, 0).sum(axis=1), [[1.0, 1.0]])
    y = ops.layer_norm(np.array([[1.0, 3.0]]), np.array([2.0, 2.0]), np.array([1.0, 0.0]))
    eps = NORM_EPS
    np.testing.assert_allclose(y, [[1 - 2 / np.sqrt(1 + eps), 2 / np.sqrt(1 + eps)]])


def test_batch_norm_and_elementwise_constant():
    x = np.ones((1, 2, 1, 1))
    y = ops.batch_norm(x, np.array([2.0, 3.0]), np.array([0.5, -1.0]))
    np.testing.assert_array_equal(y.ravel(), [2.5, 2.0])
    np.testing.assert_array_equal(ops.elementwise(np.array([2.0]), "pow", 3.0), [8.0])
    np.testing.assert_array_equal(ops.elementwise(np.array([2.0]), "div", 4.0), [0.5])
    np.testing.assert_array_equal(ops.elementwise(np.array([2.0]), "sub", 4.0), [-2.0])


def test_add_mul_broadcast_over_batch_free_shapes():
    a = np.arange(6.0).reshape(1, 2, 3)  # (B, S, D)
    b = np.array([[10.0, 20.0, 30.0]])  # (B, D)
    np.testing.assert_array_equal(ops.add([a, b, b]), [[[20, 41, 62], [23, 44, 65]]])
    np.testing.assert_array_equal(ops.binary("mul", a, b), [[[0, 20, 60], [30, 80, 150]]])
    c = np.ones((1, 2, 1, 1))  # (B, C, 1, 1) against (B, C, H, W)
    np.testing.assert_array_equal(ops.add([np.zeros((1, 2, 2, 2)), c]), np.ones((1, 2, 2, 2)))


def test_matmul_of_activations():
    a = np.arange(12.0).reshape(1, 2, 2, 3)  # (B, H, S, d)
    b = np.ones((1, 2, 3, 2))  # (B, H, d, S)
    np.testing.assert_array_equal(ops.matmul(a, b), [[[[3, 3], [12, 12]], [[21, 21], [30, 30]]]])


def test_data_movement_ops():
    x = np.arange(12.0).reshape(2, 2, 3)  # B=2, batch-free (2, 3)
    assert ops.concat([x, x], 0).shape == (2, 4, 3)
    assert ops.concat([x, x], -1).shape == (2, 2, 6)
    np.testing.assert_array_equal(ops.flatten(x)[1], [6, 7, 8, 9, 10, 11])
    np.testing.assert_array_equal(ops.reshape(x, (3, -1))[0], [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(ops.transpose(x, (1, 0))[0], [[0, 3], [1, 4], [2, 5]])


def test_causal_mask_hides_later_keys_as_a_constant_mask_would() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(2, 3, 4, 6))  # batch, heads, 4 queries, 6 keys (2 cached)
    masked = ops.softmax(ops.causal_mask(scores), -1)
    query, key = np.indices((4, 6))
    later = key > query + 2
    assert (masked[..., later] == 0).all() and (masked[..., ~later] > 0).all()
    constant = np.where(later, -1e9, 0.0)  # the additive mask a torch export carries
    np.testing.assert_allclose(masked, ops.softmax(scores + constant, -1), atol=1e-12)
