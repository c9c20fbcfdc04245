"""Compute units: named kinds with what they can run (pure; no SimPy).

The workload says what a layer computes; the mapper picks the unit that runs it from what
the machine offers (``Machine.unit_for``), by the layer's work class:

- ``static_matmul``: a matrix product by weights fixed at deployment (conv, linear);
- ``dynamic_matmul``: a product of two activations (attention's QK^T and AV);
- ``vector``: element-wise, reductions, pooling, normalisation, layout.

A unit lists the classes it runs; the first unit of the machine (in file order) that runs a
class gets every layer of it. Costs per action are priced after the run (cimsim.analysis).
"""

from dataclasses import dataclass
from enum import StrEnum


class Work(StrEnum):
    """What a layer computes, as far as choosing a unit goes."""

    STATIC_MATMUL = "static_matmul"
    DYNAMIC_MATMUL = "dynamic_matmul"
    VECTOR = "vector"


@dataclass(frozen=True)
class CrossbarUnit:
    """The crossbar PEs of every tile: weights held in RRAM crossbars, MVMs in the array."""

    name: str
    """Unit name ("crossbar")."""
    pes_per_tile: int
    """Processing elements per tile."""
    crossbars_per_pe: int
    """Crossbars per PE; they share the PE's ADC bank."""
    pes_per_adc_bank: int
    """PEs that share one ADC bank (one PE's MVM at a time)."""
    runs: frozenset[Work] = frozenset({Work.STATIC_MATMUL})
    """Work classes it runs."""

    @staticmethod
    def pe_name(tile: int, pe: int) -> str:
        """Busy-time and trace name of a PE."""
        return f"tile{tile}.pe{pe}"

    @staticmethod
    def adc_bank_name(tile: int, bank: int) -> str:
        """Name of an ADC bank."""
        return f"tile{tile}.adc{bank}"


@dataclass(frozen=True)
class VectorUnit:
    """The digital vector unit of every tile: ``lanes`` element operations per cycle."""

    name: str
    """Unit name ("digital")."""
    lanes: int
    """Element operations per cycle."""
    runs: frozenset[Work] = frozenset({Work.DYNAMIC_MATMUL, Work.VECTOR})
    """Work classes it runs."""

    @staticmethod
    def instance_name(tile: int) -> str:
        """Busy-time and trace name of a tile's vector unit."""
        return f"tile{tile}.digital"


ComputeUnit = CrossbarUnit | VectorUnit
"""Every kind of compute unit cimsim can time."""
