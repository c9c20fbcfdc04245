"""On-chip buffers (SRAM/eDRAM) and off-chip DRAM: parameters, timing and cost models."""

from hwmodels.memory.dram import DRAM_PRESET_NAMES, DramTechnology, dram_cost, dram_preset
from hwmodels.memory.params import BufferParams, DramParams, transfer_latency_ns
from hwmodels.memory.sram import BUFFER_KINDS, buffer_cost

__all__ = [
    "BUFFER_KINDS",
    "DRAM_PRESET_NAMES",
    "BufferParams",
    "DramParams",
    "DramTechnology",
    "buffer_cost",
    "dram_cost",
    "dram_preset",
    "transfer_latency_ns",
]
