"""What each unit of work adds to the counters: one definition for the engine and estimate."""

from cimsim.mapper import CopyCosts, CopyPlacement
from cimsim.trace import TraceSink
from hwmodels.noc import flits_for_bytes


def count_access(sink: TraceSink, layer: str, kind: str, size_bytes: int, write: bool) -> None:
    """A buffer or DRAM access."""
    sink.count(layer, kind, "write_byte" if write else "read_byte", size_bytes)


def count_message(sink: TraceSink, layer: str, size_bytes: int, hops: int, flit_bytes: int) -> None:
    """A NoC message delivered over ``hops`` links."""
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


def count_pe_busy(sink: TraceSink, placement: CopyPlacement, cycles: int) -> None:
    """Busy time of every PE of a layer copy."""
    for group in placement.groups:
        sink.busy(f"tile{group.tile}.pe{group.pe}", cycles)
