"""Networks by name or file: a built-in network with its parameters, or an ONNX model."""

from cimsim.errors import WorkloadInputError
from cimsim.extras import require
from cimsim.functional import LayerParams
from cimsim.paths import is_file
from workloads.errors import WorkloadError
from workloads.ir import Graph


def is_onnx_file(spec: str) -> bool:
    """Whether a ``--workload`` names an ONNX file (rather than a built-in network)."""
    return spec.endswith(".onnx") or is_file(spec)


def load_workload(spec: str, input_shapes: dict[str, tuple[int, ...]] | None = None) -> Graph:
    """A built-in network by name (with parameters: ``bert_base:layers=12``, see
    ``workloads.zoo.parse_spec``), or an ONNX file by path (its weights unread: timing needs
    only their shapes); errors name what is wrong."""
    try:
        if is_onnx_file(spec):
            require("onnx", "onnx")
            from workloads.onnx_import import load_onnx

            return load_onnx(spec, input_shapes)
        from workloads import zoo

        return zoo.from_spec(spec)
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None


def load_workload_with_weights(
    spec: str, input_shapes: dict[str, tuple[int, ...]] | None = None
) -> tuple[Graph, dict[str, LayerParams] | None]:
    """``load_workload``'s Graph and, for an ONNX file, its own parameter values from the same
    read (None for built-in networks: a functional run seeds theirs)."""
    try:
        if is_onnx_file(spec):
            require("onnx", "onnx")
            from workloads.onnx_import import import_onnx

            return import_onnx(spec, input_shapes)
        from workloads import zoo

        return zoo.from_spec(spec), None
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None
