"""What each unit of work adds to the counters, and the names busy time and traces use:
one definition for the engine and the estimate."""

from collections.abc import Sequence

from cimsim.mapper import CopyCosts, CopyPlacement
from cimsim.trace import TraceSink
from hwmodels.noc import flits_for_bytes


def pe_name(tile: int, pe: int) -> str:
    """Trace and busy-time name of a PE (crossbar group)."""
    return f"tile{tile}.pe{pe}"


def pe_names(placement: CopyPlacement) -> tuple[str, ...]:
    """Names of every PE of a layer copy, in group order."""
    return tuple(pe_name(group.tile, group.pe) for group in placement.groups)


def tile_buffer_name(tile: int) -> str:
    """Name of a tile's buffer port."""
    return f"tile{tile}.buffer"


def digital_unit_name(tile: int) -> str:
    """Name of a tile's vector unit."""
    return f"tile{tile}.digital"


def link_name(src: int, dst: int) -> str:
    """Name of the directed NoC link between neighbouring tiles."""
    return f"link{src}-{dst}"


def count_access(sink: TraceSink, layer: str, kind: str, size_bytes: int, write: bool) -> None:
    """A buffer or DRAM access."""
    sink.count(layer, kind, "write_byte" if write else "read_byte", size_bytes)


def count_injected(sink: TraceSink, layer: str, size_bytes: int) -> None:
    """A NoC message leaving its source (counted there, apart from its delivery, so that
    bytes sent and bytes received are two counts: ``cimsim.analysis.invariants``)."""
    sink.count(layer, "noc", "injected_byte", size_bytes)


def count_message(sink: TraceSink, layer: str, size_bytes: int, hops: int, flit_bytes: int) -> None:
    """A NoC message delivered at its destination over ``hops`` links."""
    flits = flits_for_bytes(size_bytes, flit_bytes)
    sink.count(layer, "noc", "message", 1)
    sink.count(layer, "noc", "byte", size_bytes)
    sink.count(layer, "noc", "byte_hop", size_bytes * hops)
    sink.count(layer, "router", "flit_hop", flits * hops)
    sink.count(layer, "link", "flit_hop", flits * hops)


def count_mvms(sink: TraceSink, layer: str, costs: CopyCosts, vectors: int, groups: int) -> None:
    """``vectors`` MVMs of one layer copy spread over ``groups`` crossbar groups."""
    sink.count(layer, "crossbar", "read", vectors * costs.crossbar_reads)
    sink.count(layer, "adc", "conversion", vectors * costs.adc_conversions)
    sink.count(layer, "sample_hold", "sample", vectors * costs.adc_conversions)
    sink.count(layer, "dac", "drive", vectors * costs.dac_drives)
    sink.count(layer, "shift_add", "op", vectors * costs.adc_conversions)
    sink.count(layer, "pe", "mvm", vectors * groups)


def count_digital(sink: TraceSink, layer: str, element_ops: int) -> None:
    """Element operations on a tile's vector unit."""
    sink.count(layer, "digital", "element_op", element_ops)


def count_pe_busy(sink: TraceSink, pes: Sequence[str], cycles: int) -> None:
    """Busy time of every PE of a layer copy (``pes``: their names, from pe_names)."""
    for name in pes:
        sink.busy(name, cycles)
