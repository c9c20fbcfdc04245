"""Network-on-chip routers and links: parameters, latency and cost models."""

from hwmodels.noc.cost import (
    DIE_LINK_BIT_ENERGY_PJ,
    DieLinkParams,
    LinkParams,
    RouterParams,
    die_link_cost,
    die_link_params,
    link_cost,
    router_cost,
)
from hwmodels.noc.params import NocParams, flits_for_bytes, packet_latency_ns

__all__ = [
    "DIE_LINK_BIT_ENERGY_PJ",
    "DieLinkParams",
    "LinkParams",
    "NocParams",
    "RouterParams",
    "die_link_cost",
    "die_link_params",
    "flits_for_bytes",
    "link_cost",
    "packet_latency_ns",
    "router_cost",
]
