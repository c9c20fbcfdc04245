"""Synthetic NoC traffic: where each node's packets go (pure; node indices only).

The standard patterns of NoC evaluation (Dally & Towles, "Principles and Practices of
Interconnection Networks", 2004, ch. 3; BookSim2's traffic.cpp) on ``nodes`` = k x k nodes
numbered row-major, with b = log2(nodes) address bits:

- ``uniform``: a destination drawn uniformly over all nodes, the source included;
- ``transpose``: (row, col) -> (col, row) (k x k only);
- ``bitcomp``: every address bit complemented, d = nodes - 1 - s (nodes a power of two);
- ``hotspot``: with probability ``hotspot_share`` node ``hotspot``, else uniform.

Injection is Bernoulli: in every cycle a node creates a packet with probability
rate / packet_flits (the rate counts flits per node per cycle, as BookSim's
``injection_rate_uses_flits``).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PATTERNS: tuple[str, ...] = ("uniform", "transpose", "bitcomp", "hotspot")


@dataclass(frozen=True)
class TrafficPattern:
    """Where packets go."""

    name: str
    """One of PATTERNS."""
    nodes: int
    """Nodes (k x k for transpose; a power of two for bitcomp)."""
    hotspot: int = 0
    """The hot node of ``hotspot``."""
    hotspot_share: float = 0.2
    """Share of packets that go to the hot node (the rest uniform)."""

    def __post_init__(self) -> None:
        if self.name not in PATTERNS:
            raise ValueError(
                f"unknown traffic pattern {self.name!r}; patterns: {', '.join(PATTERNS)}"
            )
        side = math.isqrt(self.nodes)
        if self.name == "transpose" and side * side != self.nodes:
            raise ValueError(f"transpose needs k x k nodes, got {self.nodes}")
        if self.name == "bitcomp" and self.nodes & (self.nodes - 1):
            raise ValueError(f"bitcomp needs a power-of-two node count, got {self.nodes}")
        if not 0 <= self.hotspot < self.nodes or not 0.0 <= self.hotspot_share <= 1.0:
            raise ValueError("hotspot must be a node and hotspot_share a fraction")

    def destination(self, source: int, rng: np.random.Generator) -> int:
        """The destination of a packet created at ``source``."""
        if self.name == "uniform":
            return int(rng.integers(self.nodes))
        if self.name == "transpose":
            side = math.isqrt(self.nodes)
            row, col = divmod(source, side)
            return col * side + row
        if self.name == "bitcomp":
            return self.nodes - 1 - source
        if rng.random() < self.hotspot_share:
            return self.hotspot
        return int(rng.integers(self.nodes))


def bernoulli_sources(
    nodes: int, rate_flits: float, packet_flits: int, rng: np.random.Generator
) -> Callable[[], list[int]]:
    """A function returning, each time it is called (once a cycle), the nodes that create a
    packet in that cycle: each with probability rate_flits / packet_flits."""
    if not 0.0 <= rate_flits <= packet_flits:
        raise ValueError(f"injection rate {rate_flits} flits/node/cycle is out of range")
    probability = rate_flits / packet_flits

    def creating() -> list[int]:
        return np.flatnonzero(rng.random(nodes) < probability).tolist()

    return creating
