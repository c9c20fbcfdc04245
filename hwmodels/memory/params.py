"""Parameters and transfer latency of buffers and DRAM."""

from dataclasses import dataclass

from hwmodels._validate import require_non_negative, require_positive


@dataclass(frozen=True)
class BufferParams:
    """An on-chip buffer with one access port. Default: ISAAC's 64 KB tile eDRAM."""

    size_bytes: int = 64 * 1024
    """Capacity, bytes."""
    bandwidth_gbps: float = 38.4
    """Port bandwidth, GB/s (ISAAC: 256-bit bus; at 1.2 GHz, 38.4 GB/s)."""
    access_latency_ns: float = 1.0
    """Latency of the first word of an access, ns."""

    def __post_init__(self) -> None:
        require_positive("size_bytes", self.size_bytes)
        require_positive("bandwidth_gbps", self.bandwidth_gbps)
        require_non_negative("access_latency_ns", self.access_latency_ns)


@dataclass(frozen=True)
class DramParams:
    """Off-chip DRAM as seen by the chip: one channel of given bandwidth and latency."""

    bandwidth_gbps: float = 25.6
    """Sustained bandwidth, GB/s (LPDDR4-3200 x64: 25.6 GB/s)."""
    access_latency_ns: float = 50.0
    """Latency of the first word of an access, ns."""

    def __post_init__(self) -> None:
        require_positive("bandwidth_gbps", self.bandwidth_gbps)
        require_non_negative("access_latency_ns", self.access_latency_ns)


def transfer_latency_ns(size_bytes: int, bandwidth_gbps: float, access_latency_ns: float) -> float:
    """Latency of moving ``size_bytes`` through a port: first-word latency + bytes / bw."""
    if size_bytes <= 0:
        return 0.0
    return access_latency_ns + size_bytes / bandwidth_gbps
