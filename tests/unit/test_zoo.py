"""Zoo networks: exact counts from our conventions and agreement with published figures."""

from __future__ import annotations

import math

import pytest

from workloads import zoo
from workloads.errors import WorkloadError
from workloads.shapes import analyze

# name: (our exact MACs, our exact params, published MACs, published params, tolerance).
# Published: torchvision model docs (ResNet, VGG, MobileNetV2); bearpaw/pytorch-classification
# README (CIFAR AlexNet params); the transformer figures are the per-layer formulas in
# workloads/zoo/transformer.py (params 12D^2 + 13D with D = 768, FFN = 4D).
EXPECTED = {
    "mlp": (234_752, 235_146, 234_752, 235_146, 0.0),
    "lenet5": (416_520, 61_706, 416_520, 61_706, 0.0),
    "vgg8": (615_917_568, 12_973_440, 615_917_568, 12_973_440, 0.0),
    "resnet18": (1_814_073_344, 11_684_712, 1.82e9, 11.69e6, 0.01),
    "alexnet": (14_957_056, 2_472_266, 14_957_056, 2.47e6, 0.02),
    "vgg16": (15_470_264_320, 138_357_544, 15.5e9, 138e6, 0.02),
    "resnet50": (4_089_184_256, 25_530_472, 4.1e9, 25.6e6, 0.02),
    "mobilenetv2": (300_774_272, 3_487_816, 0.30e9, 3.5e6, 0.02),
    "bert_base": (931_135_488, 7_087_872, 931_135_488, 7_087_872, 0.0),
    "gpt2_prefill": (931_135_488, 7_087_872, 931_135_488, 7_087_872, 0.0),
    "gpt2_decode": (7_276_032, 7_087_872, 7_276_032, 7_087_872, 0.0),
}


def test_available_lists_every_network() -> None:
    assert zoo.available() == tuple(EXPECTED)
    assert zoo.available()[:4] == ("mlp", "lenet5", "vgg8", "resnet18")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_counts(name: str) -> None:
    macs, params, pub_macs, pub_params, tol = EXPECTED[name]
    info = analyze(zoo.build(name))
    assert info.total_macs == macs
    assert info.total_params == params
    assert math.isclose(info.total_macs, pub_macs, rel_tol=tol)
    assert math.isclose(info.total_params, pub_params, rel_tol=tol)
    assert not any(layer.op_kind == "batch_norm" for layer in info.layers)
    assert zoo.describe(name)


def test_mlp_shapes() -> None:
    info = analyze(zoo.build("mlp"))
    assert info.inputs == (("input", (784,)),)
    fcs = [i for i in info.layers if i.is_mvm]
    assert [(i.mvm_rows, i.mvm_cols) for i in fcs] == [(784, 256), (256, 128), (128, 10)]
    assert info.layers[-1].output_shape == (10,)


def test_lenet5_shapes() -> None:
    info = analyze(zoo.build("lenet5"))
    shapes = {i.name: i.output_shape for i in info.layers}
    assert shapes["c1"] == (6, 28, 28) and shapes["s2"] == (6, 14, 14)
    assert shapes["c3"] == (16, 10, 10) and shapes["s4"] == (16, 5, 5)
    assert shapes["c5"] == (120, 1, 1) and shapes["output"] == (10,)
    small = analyze(zoo.build("lenet5", input_size=28))
    assert small.total_macs == info.total_macs and small.by_name["c1"].padding == (2, 2, 2, 2)


def test_vgg8_matches_paper_table() -> None:
    info = analyze(zoo.build("vgg8"))
    convs = [i for i in info.layers if i.op_kind == "conv2d"]
    # (input H, W, C, kernel, filters) from docs/references.md#chen-yang.
    table = [
        (32, 32, 3, 3, 128), (32, 32, 128, 3, 128), (16, 16, 128, 3, 256),
        (16, 16, 256, 3, 256), (8, 8, 256, 3, 512), (8, 8, 512, 3, 512),
    ]  # fmt: skip
    got = [(*i.input_shapes[0][1:], i.input_shapes[0][0], i.kernel[0], i.mvm_cols) for i in convs]
    assert got == table
    pools = [i.name for i in info.layers if i.op_kind == "pool"]
    assert pools == ["pool2", "pool4", "pool6"]
    fcs = [(i.mvm_rows, i.mvm_cols) for i in info.layers if i.op_kind == "linear"]
    assert fcs == [(8192, 1024), (1024, 10)]
    relus = [i.inputs[0] for i in info.layers if i.op_kind == "activation"]
    assert relus == ["conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc1"]


def test_resnet18_topology() -> None:
    g = zoo.build("resnet18")
    info = analyze(g)
    mvm = [i for i in info.layers if i.is_mvm]
    assert len(mvm) == 21  # 17 3x3/7x7 convs, 3 downsample 1x1 convs, fc
    assert sum(i.output_vectors for i in mvm) == 30_234  # docs/architecture.md, The engine
    crossbars = sum(math.ceil(i.mvm_rows / 128) * math.ceil(i.mvm_cols * 4 / 128) for i in mvm)
    assert crossbars == 2864  # INT8 weights on 128x128, 2-bit cells (docs/architecture.md)
    adds = [i for i in info.layers if i.op_kind == "add"]
    assert len(adds) == 8
    downs = [i for i in mvm if i.name.endswith("downsample")]
    assert [(i.kernel, i.stride, i.output_shape) for i in downs] == [
        ((1, 1), (2, 2), (128, 28, 28)),
        ((1, 1), (2, 2), (256, 14, 14)),
        ((1, 1), (2, 2), (512, 7, 7)),
    ]
    assert g.producers("layer2.0.add") == ("layer2.0.conv2", "layer2.0.downsample")
    assert g.producers("layer1.0.add") == ("layer1.0.conv2", "maxpool")
    assert info.by_name["maxpool"].output_shape == (64, 56, 56)
    assert info.by_name["fc"].mvm_rows == 512


def test_mobilenetv2_depthwise() -> None:
    info = analyze(zoo.build("mobilenetv2"))
    dw = [i for i in info.layers if i.name.endswith(".dw")]
    assert len(dw) == 17
    assert all(i.mvm_groups == i.input_shapes[0][0] and i.mvm_rows == 9 for i in dw)
    assert sum(1 for i in info.layers if i.op_kind == "add") == 10
    assert info.by_name["features.18"].output_shape == (1280, 7, 7)


def test_transformer_shapes() -> None:
    info = analyze(zoo.build("bert_base", seq_len=64))
    b = info.by_name
    assert b["layer0.attn.q"].output_shape == (64, 768) and b["layer0.attn.q"].is_mvm
    scores = b["layer0.attn.scores"]
    assert scores.input_shapes == ((12, 64, 64), (12, 64, 64))
    assert scores.output_shape == (12, 64, 64) and not scores.is_mvm
    assert scores.macs == 12 * 64 * 64 * 64
    assert b["layer0.attn.context"].output_shape == (12, 64, 64)
    assert b["layer0.ffn.fc1"].output_shape == (64, 3072)
    assert info.layers[-1].output_shape == (64, 768)
    two = analyze(zoo.build("bert_base", seq_len=64, layers=2))
    assert two.total_params == 2 * info.total_params
    large = analyze(zoo.build("bert_base", hidden=1024, heads=16, ffn=4096))
    assert large.total_params == 12 * 1024**2 + 13 * 1024


def test_layer_norm_epsilons_are_the_published_ones() -> None:
    """BERT's released config uses 1e-12, GPT-2's 1e-5 (PyTorch's default)."""
    for name, eps in (("bert_base", 1e-12), ("gpt2_prefill", 1e-5), ("gpt2_decode", 1e-5)):
        norms = [x.op for x in zoo.build(name).layers if type(x.op).__name__ == "LayerNorm"]
        assert len(norms) == 2 and all(op.eps == eps for op in norms), name


def test_gpt2_decode_uses_kv_cache() -> None:
    g = zoo.build("gpt2_decode", kv_len=100, blocks=2)
    assert dict(g.input_shapes) == {
        "input": (1, 768),
        "block0.k_cache": (12, 100, 64),
        "block0.v_cache": (12, 100, 64),
        "block1.k_cache": (12, 100, 64),
        "block1.v_cache": (12, 100, 64),
    }
    info = analyze(g)
    assert info.by_name["block1.attn.scores"].output_shape == (12, 1, 101)
    assert info.total_macs == 2 * (7_077_888 + 1536 * 101)
    prefill = analyze(zoo.build("gpt2_prefill", seq_len=16))
    assert "block0.attn.mask" in prefill.by_name
    long_prefill = analyze(zoo.build("gpt2_prefill", seq_len=2048))  # the mask is a rule
    assert long_prefill.by_name["block0.attn.mask"].output_shape == (12, 2048, 2048)


def test_unknown_name_lists_available() -> None:
    with pytest.raises(WorkloadError, match="available: mlp, lenet5") as info:
        zoo.build("resnet19")
    assert info.value.where == "workload 'resnet19'"


def test_bad_parameters() -> None:
    with pytest.raises(WorkloadError, match=r"unknown parameter.*seq_len.*accepted: classes"):
        zoo.build("resnet18", seq_len=3)
    with pytest.raises(WorkloadError, match="'seq_len': must be an integer from 1 to 1,048,576"):
        zoo.build("bert_base", seq_len=0)
    with pytest.raises(WorkloadError, match="input_size must be 28 or 32"):
        zoo.build("lenet5", input_size=30)
    assert dict(zoo.parameters("gpt2_decode")) == {"kv_len": 128, "blocks": 1}


@pytest.mark.parametrize(
    ("spec", "params", "canonical"),
    [
        ("bert_base:layers=2,seq_len=16", {"layers": 2, "seq_len": 16},
         "bert_base:seq_len=16,layers=2"),
        ("mlp:hidden=64x32", {"hidden": (64, 32)}, "mlp:hidden=64x32"),
        ("vgg8:bias=true", {"bias": True}, "vgg8:bias=true"),
        ("vgg8:bias=false", {"bias": False}, "vgg8"),  # the default: the bare name
        ("lenet5:activation=relu, input_size=28", {"activation": "relu", "input_size": 28},
         "lenet5:input_size=28,activation=relu"),
        ("resnet18", {}, "resnet18"),
    ],
)  # fmt: skip
def test_spec_strings_carry_typed_parameters(spec: str, params: dict, canonical: str) -> None:
    name, parsed = zoo.parse_spec(spec)
    assert parsed == params and type(parsed) is dict
    assert zoo.format_spec(name, parsed) == canonical
    assert zoo.parse_spec(canonical)[1] == {
        k: v for k, v in params.items() if v != zoo.parameters(name)[k]
    }
    graph = zoo.from_spec(spec)
    assert graph.name == canonical
    assert graph.layers == zoo.build(name, **params).layers


def test_a_spec_with_more_layers_builds_more_layers() -> None:
    one, three = zoo.from_spec("bert_base:seq_len=8"), zoo.from_spec("bert_base:seq_len=8,layers=3")
    assert len(three.layers) == 3 * len(one.layers)
    assert analyze(three).total_macs == 3 * analyze(one).total_macs


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bert_base:layers", r"'layers' is not key=value; write e.g. bert_base:layers=12"),
        ("bert_base:", r"'' is not key=value"),
        ("bert_base:layer=2", r"unknown parameter 'layer'; accepted: seq_len, layers"),
        ("bert_base:layers=two", r"parameter 'layers': must be an integer, got 'two'"),
        ("vgg8:bias=1", r"parameter 'bias': must be true or false, got '1'"),
        ("mlp:hidden=64xx", r"parameter 'hidden': must be an integer, got ''"),
        ("bert_base:layers=1,layers=2", r"parameter 'layers' is given twice"),
        ("bert_base:layers=0", r"'layers': must be an integer from 1 to 128, got 0"),
        ("bert_base:layers=129", r"'layers': must be an integer from 1 to 128, got 129"),
        ("mlp:hidden=99999999999999999999", r"'hidden': must be an integer from 1 to 1,048,576"),
        ("mlp:hidden=" + "x".join(["8"] * 65), r"'hidden': has 65 entries; at most 64"),
        ("bert_base:heads=5", r"not divisible by 5"),
        ("resnet19:classes=10", r"unknown network; available"),
    ],
)
def test_bad_spec_strings_name_the_spec_and_what_is_allowed(spec: str, message: str) -> None:
    with pytest.raises(WorkloadError, match=message) as info:
        zoo.from_spec(spec)
    named = "workload 'resnet19'" if spec.startswith("resnet19") else f"workload {spec!r}"
    assert info.value.where.startswith(named[:60])  # a long spec is shown cut short
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("resnet18:input_size=100000", r"input 'input': too large: 30,000,000,000 elements"),
        ("mlp:hidden=1000000", r"layer 'fc1' \(linear\): too large: 785,000,000 weights"),
        ("gpt2_prefill:seq_len=65536", r"too large: .* output elements \(at most 2,147,483,648\)"),
    ],
)
def test_networks_too_large_to_simulate_are_refused_by_shape_analysis(spec: str, message: str):
    from workloads.shapes import analyze

    with pytest.raises(WorkloadError, match=message):
        analyze(zoo.from_spec(spec))
