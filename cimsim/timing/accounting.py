"""What each hold adds to the counters and busy times: one definition for both timers.

Counters are (layer, kind, action) -> count, priced after the run (cimsim.analysis.energy);
busy times are per resource name (utilizations, the estimate's busiest-port floor).
"""

from collections.abc import Sequence

from cimsim.plan import Access, LayerLoadPlan, Message, MvmWork, VectorWork
from cimsim.trace import TraceSink
from hwmodels.noc import flits_for_bytes


def count_access(sink: TraceSink, layer: str, access: Access, name: str) -> None:
    """A memory access: its bytes, and its port's busy time."""
    action = "write_byte" if access.write else "read_byte"
    sink.count(layer, access.level, action, access.nbytes)
    sink.busy(name, access.cycles)


def count_injected(sink: TraceSink, layer: str, message: Message) -> None:
    """A NoC message leaving its source (counted there, apart from its delivery, so that
    bytes sent and bytes received are two counts: ``cimsim.analysis.invariants``)."""
    sink.count(layer, "noc", "injected_byte", message.nbytes)


def count_message(
    sink: TraceSink,
    layer: str,
    message: Message,
    links: Sequence[str],
    flit_bytes: int,
    busy_cycles: Sequence[int] | None = None,
) -> None:
    """A NoC message delivered at its destination over its links, and their busy time
    (``busy_cycles`` per link; default: the message's cycles on each)."""
    size, hops = message.nbytes, message.hops
    flits = flits_for_bytes(size, flit_bytes)
    sink.count(layer, "noc", "message", 1)
    sink.count(layer, "noc", "byte", size)
    sink.count(layer, "noc", "byte_hop", size * hops)
    sink.count(layer, "router", "flit_hop", flits * hops)
    for kind, kind_hops in message.kinds or (("link", hops),):
        sink.count(layer, kind, "flit_hop", flits * kind_hops)
    if busy_cycles is None:
        busy_cycles = [message.cycles] * len(links)
    for name, cycles in zip(links, busy_cycles, strict=True):
        sink.busy(name, cycles)


def count_mvms(sink: TraceSink, layer: str, work: MvmWork) -> None:
    """A crossbar task's MVMs, and its PEs' busy time."""
    vectors = work.vectors
    sink.count(layer, "crossbar", "read", vectors * work.crossbar_reads)
    sink.count(layer, "adc", "conversion", vectors * work.adc_conversions)
    sink.count(layer, "sample_hold", "sample", vectors * work.adc_conversions)
    sink.count(layer, "dac", "drive", vectors * work.dac_drives)
    sink.count(layer, "shift_add", "op", vectors * work.adc_conversions)
    sink.count(layer, "pe", "mvm", vectors * work.groups)
    cycles = vectors * work.mvm_cycles
    for name in work.pes:
        sink.busy(name, cycles)


def count_vector(sink: TraceSink, layer: str, work: VectorWork) -> None:
    """Element operations on a tile's vector unit, and its busy time."""
    sink.count(layer, "digital", "element_op", work.element_ops)
    if work.cycles:
        sink.busy(work.name, work.cycles)


def count_programming(sink: TraceSink, load: LayerLoadPlan) -> None:
    """The RRAM writes of programming one copy of a layer."""
    sink.count(load.layer, "rram", "cell_write", load.cell_writes)
    sink.count(load.layer, "rram", "row_write", load.row_writes)
