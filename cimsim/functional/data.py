"""The data of a functional run: seeded or given inputs, checked, and the chunk size."""

from collections.abc import Mapping

import numpy as np

from cimsim.errors import WorkloadInputError
from workloads.shapes import GraphInfo

CHUNK_ELEMENTS = 1 << 23
"""Target size (elements) of the largest per-layer array of one chunk."""

InputsLike = np.ndarray | Mapping[str, np.ndarray]


def random_inputs(info: GraphInfo, batch: int, seed: int) -> dict[str, np.ndarray]:
    """``batch`` standard-normal samples per graph input; input i draws from
    ``default_rng([seed, 2, i])``."""
    return {
        name: np.random.default_rng([seed, 2, i]).standard_normal((batch, *shape), np.float32)
        for i, (name, shape) in enumerate(info.inputs)
    }


def given_inputs(info: GraphInfo, given: InputsLike, what: str) -> dict[str, np.ndarray]:
    """Batched float32 arrays per graph input, checked against the graph's shapes."""
    if isinstance(given, np.ndarray):
        if len(info.inputs) != 1:
            names = ", ".join(name for name, _ in info.inputs)
            raise WorkloadInputError(f"{what}: the graph has inputs {names}; pass a mapping")
        given = {info.inputs[0][0]: given}
    out: dict[str, np.ndarray] = {}
    sizes = set()
    for name, shape in info.inputs:
        if name not in given:
            raise WorkloadInputError(f"{what}: no data for graph input {name!r}")
        x = np.asarray(given[name], dtype=np.float32)
        if x.ndim != len(shape) + 1 or tuple(x.shape[1:]) != shape or x.shape[0] < 1:
            raise WorkloadInputError(
                f"{what}[{name!r}]: expected shape (batch, {', '.join(map(str, shape))}), "
                f"got {x.shape}"
            )
        if not np.all(np.isfinite(x)):
            raise WorkloadInputError(f"{what}[{name!r}] contains NaN or infinity")
        out[name] = x
        sizes.add(x.shape[0])
    if len(sizes) != 1:
        raise WorkloadInputError(f"{what}: graph inputs have different batch sizes {sorted(sizes)}")
    return out


def chunk_size(info: GraphInfo) -> int:
    """Samples per chunk so that the largest per-layer array stays near CHUNK_ELEMENTS."""
    largest = max(
        max(li.output_vectors * li.mvm_rows * max(li.mvm_groups, 1), li.output_elements,
            li.input_elements)
        for li in info.layers
    )  # fmt: skip
    return max(1, CHUNK_ELEMENTS // max(largest, 1))
