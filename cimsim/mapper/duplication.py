"""How many copies of each layer's weights to place (weight duplication policies, pure).

A layer with c copies computes its output vectors c at a time, so duplication trades free
crossbars for speed. A layer is never given more copies than it has output vectors.
- ``none``: one copy each;
- ``greedy`` (CLSA-CIM, Pelke et al. DATE 2024; docs/references.md#clsa-cim): repeatedly
  give one more copy to the slowest layer (most cycles per copy: ceil(vectors / copies) x MVM
  cycles) while its copy fits in the free PEs; a layer that cannot grow is ruled out; stop
  when none can.
"""

import heapq
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

from cimsim.mapper import duplication_compact
from cimsim.mapper.tiling import LayerTiling
from workloads.shapes import GraphInfo

Planner = Callable[
    [GraphInfo, Mapping[str, LayerTiling], Mapping[str, int], int, int],
    dict[str, int],
]
"""(info, tilings, mvm cycles of one copy, crossbars per PE, free PEs) -> copies per layer."""


def none(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    mvm_cycles: Mapping[str, int],
    crossbars_per_pe: int,
    free_pes: int,
) -> dict[str, int]:
    """One copy of every crossbar layer."""
    return {name: 1 for name in tilings}


def greedy(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    mvm_cycles: Mapping[str, int],
    crossbars_per_pe: int,
    free_pes: int,
) -> dict[str, int]:
    """CLSA-CIM's greedy duplication of the slowest layer while free PEs remain."""
    copies = {name: 1 for name in tilings}
    order = {layer.name: index for index, layer in enumerate(info.layers)}
    vectors = {name: info.by_name[name].output_vectors for name in tilings}
    pes = {name: math.ceil(t.crossbars / crossbars_per_pe) for name, t in tilings.items()}

    def key(name: str) -> tuple[int, int]:
        per_copy = math.ceil(vectors[name] / copies[name]) * mvm_cycles[name]
        return (-per_copy, order[name])  # slowest first, ties in network order

    heap = [(*key(name), name) for name in tilings]
    heapq.heapify(heap)
    while heap:
        _, _, name = heapq.heappop(heap)
        if copies[name] >= vectors[name] or pes[name] > free_pes:
            continue  # ruled out: cannot grow
        copies[name] += 1
        free_pes -= pes[name]
        heapq.heappush(heap, (*key(name), name))
    return copies


DUPLICATIONS: Mapping[str, Planner] = MappingProxyType(
    {
        "none": none,
        "greedy": greedy,
        "dynamic": duplication_compact.dynamic,
        "neurosim": duplication_compact.neurosim,
    }
)
"""Duplication policy name -> planner."""
