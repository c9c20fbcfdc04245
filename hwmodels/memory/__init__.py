"""On-chip buffers (SRAM/eDRAM) and off-chip DRAM."""

from hwmodels.memory.params import BufferParams, DramParams, transfer_latency_ns

__all__ = ["BufferParams", "DramParams", "transfer_latency_ns"]
