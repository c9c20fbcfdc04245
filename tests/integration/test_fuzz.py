"""Fuzzing the command line (issue 20): mutated presets, --set values, workload specs, ONNX
files built with onnx.helper, sweep files and flag combinations.

Every run must end in exit 0 with a complete, finite result (a run directory that
``open_run`` reads and whose invariants hold) or in exit 2 with one message and no files
written; never a traceback (any other exception fails the test), a hang or a partial
folder. Runs are in-process and small (the tiny preset, networks of a few layers), and the
examples are derandomized (the same ones every run) and bounded, so the whole module takes
well under a minute; ``HYPOTHESIS_PROFILE=fuzz-long`` runs many more, at random.
"""

import contextlib
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from cimsim.analysis.invariants import run_violations
from cimsim.analysis.rundir import open_run
from cimsim.cli import main
from cimsim.errors import CimsimError
from cimsim.sweep.evaluate import OK, PointTask, evaluate_point
from cimsim.sweep.spec import load_sweep, resolve_points

settings.register_profile(
    "fuzz-ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz-long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz-ci"))

TINY_YAML = Path(__file__).parents[2] / "cimsim" / "config" / "presets" / "tiny.yaml"

# --- one run, judged -----------------------------------------------------------------------


def _finite(value: Any, where: str = "summary") -> None:
    """Every number in a JSON-like value is finite."""
    if isinstance(value, float):
        assert math.isfinite(value), f"{where} = {value}"
    elif isinstance(value, dict):
        for key, item in value.items():
            _finite(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _finite(item, f"{where}[{index}]")


def judge(argv: Sequence[str], out: Path | None = None) -> int:
    """Run the CLI on ``argv``; assert it ended cleanly, as the module docstring says."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse refuses the flags: usage and one error line
            code = exc.code if isinstance(exc.code, int) else 1
            assert code == 2 and "error:" in stderr.getvalue(), (argv, stderr.getvalue())
            assert out is None or not out.exists()
            return code
    err = stderr.getvalue()
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.startswith("cimsim: error: ") and err.count("cimsim: error:") == 1, err
        assert len(err) < 4000, f"message of {len(err)} characters"
        assert out is None or not out.exists(), f"exit 2 left files in {out}"
        return code
    if out is not None:
        run = open_run(out)
        _finite(run.summary)
        intervals = run.intervals() if run.has_trace else None
        assert run_violations(run.summary, intervals) == [], argv
    return code


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per example (hypothesis runs many examples in one test call)."""
    with tempfile.TemporaryDirectory(prefix="cimsim-fuzz-") as folder:
        yield Path(folder)


# --- values --------------------------------------------------------------------------------

NUMBERS = ["0", "1", "-1", "2.5", "64", "0.001", "1e9", "1e20", "1e400", "1e-400", ".5"]
PREFIXES = ["", "m", "M", "k", "K", "G", "g", "u", "µ", "μ", "n", "p", "Ki", "Mi", "T", "E"]
UNITS = ["s", "Hz", "HZ", "hz", "B", "b", "bit", "B/s", "b/s", "bps", "Bps", "S/s", "J", "mm2"]

quantities = st.builds(
    lambda n, space, p, u: f"{n}{space}{p}{u}",
    st.sampled_from(NUMBERS),
    st.sampled_from(["", " "]),
    st.sampled_from(PREFIXES),
    st.sampled_from(UNITS),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 2, 7, 64, 2**31, 2**63, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    quantities,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)


FACTORS = [0.5, 2, 0.5, 2, 3, 0.25, 0, 1e-3, 1e3, 1e9, -1]


@st.composite
def perturbed(draw, original: Any) -> Any:
    """Near ``original`` (a plausible edit: scaled, another prefix) or, now and then, junk."""
    if draw(st.integers(0, 3)) == 0:
        return draw(values)
    factor = draw(st.sampled_from(FACTORS))
    if isinstance(original, bool) or not isinstance(original, int | float | list | str):
        return draw(values)
    if isinstance(original, int):
        return (
            int(original * factor) if draw(st.booleans()) else original + draw(st.integers(-2, 2))
        )
    if isinstance(original, float):
        return original * factor
    if isinstance(original, list):
        return [draw(perturbed(item)) for item in original]
    number, _, unit = str(original).partition(" ")
    try:
        scaled = float(number) * factor
    except ValueError:
        return draw(st.sampled_from([original, original.upper(), original + "x", ""]))
    if unit and draw(st.booleans()):
        prefix = draw(st.sampled_from(PREFIXES))
        unit = prefix + unit.lstrip("kKMGTmunpµμ").removeprefix("i")
    return f"{scaled:g} {unit}" if unit else f"{scaled:g}"


def _children(node: Any) -> list[tuple[str, Any]]:
    """(key, child) of a mapping, or of a list of named entries (memory levels) by name."""
    if isinstance(node, dict):
        return [(str(key), child) for key, child in node.items()]
    if isinstance(node, list) and all(isinstance(e, dict) and "name" in e for e in node):
        return [(str(entry["name"]), entry) for entry in node]
    return []


def _leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    children = _children(node)
    if not children:
        return [path]
    found = [path] if path else []
    for key, child in children:
        found += _leaves(child, (*path, key))
    return found


TINY = yaml.safe_load(TINY_YAML.read_text())
PATHS = _leaves(TINY)


def _at(raw: dict, path: tuple[str, ...]) -> Any:
    node: Any = raw
    for key in path:
        node = dict(_children(node))[key]
    return node


def _mutate(raw: dict, path: tuple[str, ...], action: str, value: Any) -> dict:
    data = json.loads(json.dumps(raw))
    node = _at(data, path[:-1])
    if isinstance(node, list):  # an entry of a named list (a memory level) as a whole
        index = [str(entry["name"]) for entry in node].index(path[-1])
        if action == "delete":
            del node[index]
        elif action == "set":
            node[index] = value
        return data
    if action == "delete":
        del node[path[-1]]
    elif action == "add":
        node[f"{path[-1]}_extra"] = value
    else:
        node[path[-1]] = value
    return data


# --- the fuzz tests -------------------------------------------------------------------------


LEAF_PATHS = [p for p in PATHS if not isinstance(_at(TINY, p), dict)]


@st.composite
def mutations(draw) -> tuple[tuple[str, ...], str, Any]:
    """(field path, set|delete|add, value): mostly plausible edits of the tiny preset."""
    path = draw(st.sampled_from(LEAF_PATHS if draw(st.integers(0, 4)) else PATHS))
    action = draw(st.sampled_from(["set", "set", "set", "set", "delete", "add"]))
    return path, action, draw(perturbed(_at(TINY, path)))


@PROFILE
@given(mutations=st.lists(mutations(), min_size=1, max_size=3))
def test_mutated_presets(mutations) -> None:
    raw = TINY
    for path, action, value in mutations:
        with contextlib.suppress(KeyError, TypeError):  # an earlier mutation removed the path
            raw = _mutate(raw, path, action, value)
    with scratch() as folder:
        arch = folder / "arch.yaml"
        arch.write_text(yaml.safe_dump(raw, allow_unicode=True))
        judge(["describe", str(arch), "--json"])
        judge(["run", "--arch", str(arch), "--workload", "mlp", "--quiet", "--out",
               str(folder / "run")])  # fmt: skip


FIELDS = [".".join(p) for p in PATHS] + ["tile.adc.full_scale", "device.variation_sigma",
                                         "tile.crossbar.read_latency_ns", "nope.field"]  # fmt: skip


SET_TEXTS = ["true", "null", "[1, 2]", "{a: 1}", ".inf", ".nan", "*a", "&a 3"]


@st.composite
def overrides(draw) -> tuple[str, str]:
    """(KEY, VALUE) of a --set: mostly a plausible edit, else any field and any text."""
    if draw(st.integers(0, 2)):
        path = draw(st.sampled_from(LEAF_PATHS))
        value = draw(perturbed(_at(TINY, path)))
        return ".".join(path), value if isinstance(value, str) else json.dumps(value)
    text = st.one_of(quantities, st.sampled_from(NUMBERS + SET_TEXTS), st.text(max_size=10))
    return draw(st.sampled_from(FIELDS)), draw(text)


@PROFILE
@given(sets=st.lists(overrides(), min_size=1, max_size=3))
def test_set_values(sets) -> None:
    argv = ["run", "--arch", "tiny", "--workload", "lenet5", "--quiet"]
    for key, value in sets:
        argv += ["--set", f"{key}={value}"]
    with scratch() as folder:
        judge([*argv, "--out", str(folder / "run")], folder / "run")


ZOO = ["mlp", "lenet5", "vgg8", "alexnet", "resnet18", "bert_base", "gpt2_decode", "nonet"]
PARAMS = ["classes", "hidden", "input_size", "input_features", "layers", "seq_len", "heads",
          "blocks", "kv_len", "bias", "activation", "ffn", "depth"]  # fmt: skip
PARAM_VALUES = ["0", "1", "2", "10", "-3", "64x32", "8x0", "true", "yes", "tanh", "relu", "1.5",
                "99999999999999999999", "65536", "1x" * 40 + "1", ""]  # fmt: skip


@PROFILE
@given(
    name=st.sampled_from(ZOO),
    params=st.lists(st.tuples(st.sampled_from(PARAMS), st.sampled_from(PARAM_VALUES)), max_size=3),
    junk=st.sampled_from(["", ",", ":", "=", ",x"]),
)
def test_workload_specs(name: str, params, junk: str) -> None:
    spec = name + (":" + ",".join(f"{k}={v}" for k, v in params) if params else "") + junk
    judge(["workloads", "show", spec])
    with scratch() as folder:
        judge(["run", "--arch", "tiny", "--workload", spec, "--quiet", "--out",
               str(folder / "run")], folder / "run")  # fmt: skip


# ONNX: a chain of nodes on x, some with random (possibly wrong) attributes and weights.

ONNX_OPS = ["Conv", "Relu", "Gemm", "MatMul", "MaxPool", "Flatten", "Reshape", "Softmax", "Add",
            "Transpose", "Concat", "Erf", "LSTM", "NonZero", "Sigmoid", "GlobalAveragePool",
            "BatchNormalization", "Slice"]  # fmt: skip
dims = st.sampled_from([0, 1, 2, 3, 4, 8, -1])
small_ints = st.integers(-2, 4)


@st.composite
def chaotic_onnx(draw) -> onnx.ModelProto:
    """Random ops, attributes and weights: mostly invalid models."""
    rank4 = draw(st.booleans())
    shape = [1, *draw(st.lists(dims, min_size=3 if rank4 else 1, max_size=3 if rank4 else 1))]
    nodes, inits, inputs = [], [], [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)]
    rng = np.random.default_rng(draw(st.integers(0, 9)))
    current = "x"
    for i in range(draw(st.integers(1, 4))):
        op, out, name = draw(st.sampled_from(ONNX_OPS)), f"t{i}", f"n{i}"
        extra: list[str] = []
        attrs: dict[str, Any] = {}
        if op in ("Conv", "Gemm", "MatMul", "Add", "BatchNormalization", "Reshape", "Slice"):
            count = 4 if op == "BatchNormalization" else 1
            for k in range(count):
                wshape = draw(st.lists(dims, min_size=1, max_size=4))
                wname = f"w{i}_{k}"
                if op in ("Reshape", "Slice"):
                    data = np.array(draw(st.lists(small_ints, min_size=1, max_size=4)), np.int64)
                    inits.append(numpy_helper.from_array(data, wname))
                elif draw(st.integers(0, 4)) == 0:  # dynamic weights: a graph input
                    inputs.append(helper.make_tensor_value_info(wname, TensorProto.FLOAT, wshape))
                else:
                    size = [max(d, 0) for d in wshape]
                    inits.append(numpy_helper.from_array(
                        rng.standard_normal(size).astype(np.float32), wname))  # fmt: skip
                extra.append(wname)
            if op == "Slice":
                extra.append(extra[0])  # ends = starts: maybe empty
        if op in ("Conv", "MaxPool") and draw(st.booleans()):
            attrs["kernel_shape"] = draw(st.lists(small_ints, min_size=1, max_size=3))
        if op in ("Conv", "MaxPool") and draw(st.booleans()):
            attrs["strides"] = draw(st.lists(small_ints, min_size=1, max_size=3))
        if op in ("Conv", "MaxPool") and draw(st.booleans()):
            attrs["pads"] = draw(st.lists(small_ints, min_size=2, max_size=4))
        if op == "Conv" and draw(st.booleans()):
            attrs["group"] = draw(small_ints)
        if op in ("Softmax", "Concat", "Flatten") and draw(st.booleans()):
            attrs["axis"] = draw(st.integers(-5, 5))
        if op == "Gemm":
            attrs["transB"] = draw(st.integers(0, 1))
        if op == "Transpose" and draw(st.booleans()):
            attrs["perm"] = draw(st.permutations(list(range(len(shape)))))
        inputs_of = [current, *extra] if op != "Concat" else [current, current]
        nodes.append(helper.make_node(op, inputs_of, [out], name=name, **attrs))
        current = out
    graph = helper.make_graph(
        nodes, "fuzz", inputs, [helper.make_tensor_value_info(current, TensorProto.FLOAT, ["N"])],
        inits,
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


CORRUPTIONS = ["none", "none", "none", "unsupported", "dynamic", "zero_dim", "stride0",
               "big_kernel", "bad_group", "bad_axis", "weight_shape", "dynamic_input"]  # fmt: skip


@st.composite
def plausible_onnx(draw) -> onnx.ModelProto:
    """A chain of supported ops with consistent shapes and weights, now and then with one
    thing broken (an unsupported op, dynamic weights, a zero dimension, a bad attribute)."""
    broken = draw(st.sampled_from(CORRUPTIONS))
    rng = np.random.default_rng(draw(st.integers(0, 9)))
    c, h, w = draw(st.sampled_from([1, 3])), draw(st.sampled_from([4, 8])), 8
    shape: list[int] = [1, c, h, w]
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    inputs = [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["N", c, h, w] if broken == "dynamic_input" else [1, c, h, w]
    )]  # fmt: skip
    if broken == "zero_dim":
        inputs[0] = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 0, w])

    def const(name: str, dims: list[int], dynamic: bool = False) -> str:
        if dynamic:
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, dims))
        else:
            data = rng.standard_normal(dims).astype(np.float32)
            inits.append(numpy_helper.from_array(data, name))
        return name

    current = "x"
    steps = draw(st.lists(st.sampled_from(["conv", "relu", "pool", "bn", "add", "transpose",
                                           "concat", "sigmoid"]), max_size=3))  # fmt: skip
    for i, step in enumerate([*steps, "flatten", "gemm", "softmax"]):
        out, attrs, extra = f"t{i}", {}, []
        if step == "conv":
            k, stride = draw(st.sampled_from([1, 3])), draw(st.sampled_from([1, 2]))
            out_c = draw(st.sampled_from([2, 4, 8]))
            k = 99 if broken == "big_kernel" else k
            stride = 0 if broken == "stride0" else stride
            group = 5 if broken == "bad_group" else 1
            wdims = [out_c, shape[1] + (1 if broken == "weight_shape" else 0), k, k]
            extra = [const(f"w{i}", wdims, broken == "dynamic")]
            attrs = {"kernel_shape": [k, k], "strides": [stride, stride], "group": group,
                     "pads": [k // 2] * 4}  # fmt: skip
            op = "Conv"
            if stride > 0 and k < 99:
                shape = [1, out_c, (shape[2] + 2 * (k // 2) - k) // stride + 1,
                         (shape[3] + 2 * (k // 2) - k) // stride + 1]  # fmt: skip
        elif step in ("relu", "sigmoid"):
            op = "Relu" if step == "relu" else "Sigmoid"
        elif step == "pool":
            op, attrs = "MaxPool", {"kernel_shape": [2, 2], "strides": [2, 2]}
            shape = [1, shape[1], max(shape[2] // 2, 0), max(shape[3] // 2, 0)]
        elif step == "bn":
            op = "BatchNormalization"
            extra = [const(f"bn{i}_{p}", [shape[1]]) for p in range(4)]
        elif step == "add":
            op, extra = "Add", [const(f"b{i}", [shape[1], 1, 1])]
        elif step == "transpose":
            op, attrs = "Transpose", {"perm": [0, 1, 3, 2]}
            shape = [1, shape[1], shape[3], shape[2]]
        elif step == "concat":
            op, attrs, extra = "Concat", {"axis": 9 if broken == "bad_axis" else 1}, [current]
            shape = [1, 2 * shape[1], shape[2], shape[3]]
        elif step == "flatten":
            op = "Flatten"
            shape = [1, shape[1] * shape[2] * shape[3]]
        elif step == "gemm":
            op, attrs = "Gemm", {"transB": 1}
            extra = [const(f"fc{i}", [10, shape[1]], broken == "dynamic"), const(f"fcb{i}", [10])]
            shape = [1, 10]
        else:
            op, attrs = "Softmax", {"axis": -1}
        nodes.append(helper.make_node(op, [current, *extra], [out], name=f"n{i}", **attrs))
        current = out
    if broken == "unsupported":
        nodes.append(helper.make_node("Erf", [current], ["erf"], name="erf"))
        current = "erf"
    output = helper.make_tensor_value_info(current, TensorProto.FLOAT, ["N", 10])
    graph = helper.make_graph(nodes, "fuzz", inputs, [output], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


onnx_models = st.one_of(plausible_onnx(), plausible_onnx(), chaotic_onnx())


@PROFILE
@given(model=onnx_models, shape=st.sampled_from([None, None, "x=3x8x8", "x=0x1", "x=8", "y=1"]))
def test_onnx_files(model: onnx.ModelProto, shape: str | None) -> None:
    with scratch() as folder:
        path = folder / "model.onnx"
        onnx.save(model, str(path))
        extra = [] if shape is None else ["--input-shape", shape]
        judge(["workloads", "show", str(path), *extra])
        judge(["run", "--arch", "tiny", "--workload", str(path), "--quiet", "--out",
               str(folder / "run"), *extra], folder / "run")  # fmt: skip


def test_onnx_file_that_is_not_onnx() -> None:
    with scratch() as folder:
        for name, data in (("empty.onnx", b""), ("junk.onnx", b"\x08\x07garbage" * 10)):
            (folder / name).write_bytes(data)
            assert judge(["run", "--arch", "tiny", "--workload", str(folder / name)]) == 2


SWEEP_KEYS = ["arch", "workload", "scheduler", "duplication", "placement", "extra_pes", "batch",
              "seed", "mode", "reuse_mode", "set", "grid", "points", "nope"]  # fmt: skip
AXES = ["tile.adc.bits", "tile.crossbar.read_latency", "batch", "seed", "workload", "mode",
        "scheduler", "nope.field", "arch"]  # fmt: skip
axis_values = st.one_of(values, st.sampled_from([4, 6, 8, "10 ns", "mlp", "lenet5", "estimate"]))


@PROFILE
@given(
    base=st.dictionaries(st.sampled_from(SWEEP_KEYS), values, max_size=3),
    grid=st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(AXES), st.lists(axis_values, max_size=3), max_size=2),
    ),
)
def test_sweep_files(base: dict, grid: dict | None) -> None:
    data = {"arch": "tiny", "workload": "mlp", **base}
    if grid is not None:
        data["grid"] = grid
        data.pop("points", None)
    with scratch() as folder:
        path = folder / "sweep.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        try:
            points = resolve_points(load_sweep(path), path)
        except CimsimError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc)) < 4000
            return
        for point in points[:2]:  # what a worker does with each point
            row = evaluate_point(PointTask(point.key, point.arch, point.workload_ref,
                                           point.settings))  # fmt: skip
            if row["status"] == OK:
                _finite(row)
            else:
                assert row["error"] and not row["retryable"], row


FLAGS = {
    "--scheduler": ["layer_by_layer", "pipelined", "cross_layer", "weight_reuse", "fifo"],
    "--reuse-mode": ["RP", "LL", "HT", "XX"],
    "--duplication": ["none", "greedy", "dynamic", "neurosim", "all"],
    "--placement": ["in_order", "snake", "hilbert", "spiral"],
    "--batch": ["1", "2", "3", "0", "-1", "65537", "9223372036854775808", "two"],
    "--mode": ["event", "estimate", "guess"],
    "--seed": ["0", "7", "-1", "18446744073709551616"],
    "--extra-pes": ["0", "4", "-1", "99999999"],
    "--trace": ["off", "summary", "full", "some"],
    "--workload": ["mlp", "lenet5", "mlp:hidden=32x16"],
    "--input-shape": ["x=1x2", "bad"],
    "--set": ["noc.rows=1", "noc.cols=1", "tile.adc.shared_by_pes=2", "tile.pes=4",
              "memory.dram.routers=[[0, 0], [2, 2]]", "noc.topology=torus"],
}  # fmt: skip


@PROFILE
@given(
    flags=st.dictionaries(
        st.sampled_from(list(FLAGS)), st.integers(0, 7), min_size=1, max_size=len(FLAGS)
    ),
    out=st.booleans(),
    sets=st.lists(st.sampled_from(FLAGS["--set"]), max_size=3, unique=True),
)
def test_flag_combinations(flags: dict, out: bool, sets: list) -> None:
    argv = ["run", "--arch", "tiny", "--quiet"]
    for flag, pick in flags.items():
        if flag != "--set":
            choices = FLAGS[flag]
            argv += [flag, choices[pick % len(choices)]]
    for override in sets:
        argv += ["--set", override]
    if "--workload" not in flags:
        argv += ["--workload", "lenet5"]
    with scratch() as folder:
        run = folder / "run" if out else None
        judge([*argv, *(["--out", str(run)] if run else [])], run)


@pytest.mark.parametrize("command", [["trace"], ["plot"], ["trace", "--format", "csv"]])
def test_reading_commands_on_what_is_not_a_run(command: list[str]) -> None:
    with scratch() as folder:
        (folder / "summary.json").write_text("[1, 2")
        assert judge([command[0], str(folder), *command[1:]]) == 2
        assert judge([command[0], str(folder / "none"), *command[1:]]) == 2
