"""Parameters and latency of a wormhole-routed mesh NoC."""

import math
from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_non_negative, require_positive


@dataclass(frozen=True)
class NocParams:
    """Routers and links of the tile mesh. Default: ISAAC's 32-bit flit router (Table I)."""

    flit_bytes: int = 4
    """Bytes per flit (ISAAC: 32-bit flits); 1..256."""
    router_latency_ns: float = 1.0
    """Per-hop pipeline latency of a router, ns (cimsim assumption where a paper is silent)."""
    link_bandwidth_gbps: float = 4.8
    """Payload bandwidth of one link, GB/s (one flit per digital cycle at 1.2 GHz)."""

    def __post_init__(self) -> None:
        require_int_range("flit_bytes", self.flit_bytes, 1, 256)
        require_non_negative("router_latency_ns", self.router_latency_ns)
        require_positive("link_bandwidth_gbps", self.link_bandwidth_gbps)


def flits_for_bytes(size_bytes: int, flit_bytes: int) -> int:
    """Flits a payload occupies (at least one, for the header)."""
    return max(1, math.ceil(size_bytes / flit_bytes))


def packet_latency_ns(noc: NocParams, size_bytes: int, hops: int) -> float:
    """Zero-load wormhole latency: hops x router latency + serialization of all flits."""
    flits = flits_for_bytes(size_bytes, noc.flit_bytes)
    serialization_ns = flits * noc.flit_bytes / noc.link_bandwidth_gbps
    return hops * noc.router_latency_ns + serialization_ns
