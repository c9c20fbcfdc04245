"""Network-on-chip routers and links."""

from hwmodels.noc.params import NocParams, flits_for_bytes, packet_latency_ns

__all__ = ["NocParams", "flits_for_bytes", "packet_latency_ns"]
