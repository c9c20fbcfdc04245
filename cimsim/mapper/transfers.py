"""Cycles of data transfers and vector work (pure; used by the engine and the estimate).

- a buffer or DRAM access of n bytes holds its port for first-word latency + n / bandwidth;
- a NoC message of n bytes over h hops takes h x router latency + the serialization of its
  flits (wormhole: the flits pipeline behind the header);
- the vector unit does ceil(ops / lanes) cycles of work.
"""

from hwmodels.digital import DigitalParams, vector_op_latency_ns
from hwmodels.memory import transfer_latency_ns
from hwmodels.noc import NocParams, flits_for_bytes
from hwmodels.timing import ns_to_cycles


def access_cycles(
    size_bytes: int, bandwidth_gbps: float, access_latency_ns: float, clock_ghz: float
) -> int:
    """Cycles a port is held by an access of ``size_bytes``."""
    latency_ns = transfer_latency_ns(size_bytes, bandwidth_gbps, access_latency_ns)
    return ns_to_cycles(latency_ns, clock_ghz)


def message_cycles(noc: NocParams, size_bytes: int, hops: int, clock_ghz: float) -> int:
    """Cycles a message holds its path: hops x router cycles + flit serialization."""
    flits = flits_for_bytes(size_bytes, noc.flit_bytes)
    router = ns_to_cycles(noc.router_latency_ns, clock_ghz)
    return hops * router + ns_to_cycles(flits * noc.flit_bytes / noc.link_bandwidth_gbps, clock_ghz)


def digital_cycles(digital: DigitalParams, element_ops: int, clock_ghz: float) -> int:
    """Cycles of the vector unit for ``element_ops`` element operations."""
    return ns_to_cycles(vector_op_latency_ns(digital, element_ops), clock_ghz)
