"""Network-on-chip routers and links: parameters, latency and cost models."""

from hwmodels.noc.cost import LinkParams, RouterParams, link_cost, router_cost
from hwmodels.noc.params import NocParams, flits_for_bytes, packet_latency_ns

__all__ = [
    "LinkParams",
    "NocParams",
    "RouterParams",
    "flits_for_bytes",
    "link_cost",
    "packet_latency_ns",
    "router_cost",
]
