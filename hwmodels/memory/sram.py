"""Energy, area and leakage of on-chip buffers and registers (SRAM or eDRAM), CACTI-like.

CACTI (Muralimanohar, Balasubramonian, Jouppi, "CACTI 6.0", HP Labs HPL-2009-85) shows the
energy of one access growing roughly with the square root of capacity (longer word- and
bitlines, deeper H-tree). cimsim uses that rule, anchored at published points:

    E_access_byte(S) = E_ref * (S / S_ref)^0.5 * k_energy(node)
    area(S)          = 8 * S * a_bit * k_area(node)
    leakage(S)       = S / 1024 * p_leak_per_kib * k_leakage(node)

SRAM anchor: M. Horowitz, "Computing's energy problem", ISSCC 2014, Fig. 1.1.9 (45 nm):
a 64-bit read costs 10 pJ from an 8 KB SRAM, 20 pJ from 32 KB and 100 pJ from 1 MB; the
square-root rule passes through the first two and is 13 % above the third. So
E_ref = 10 / 8 pJ per byte at S_ref = 8 KiB, 45 nm.

eDRAM anchor: ISAAC (Shafiee et al., ISCA 2016) Table I: 64 KB eDRAM, 256-bit bus,
20.7 mW, 0.083 mm^2 at 32 nm, busy at 32 B per 1.2 GHz cycle (38.4 B/ns) with 5 % leakage
(the PUMA simulator's constants.py splits its 64 KB eDRAM into 8.6 mW dynamic and 0.46 mW
leakage): E_ref = 20.7 * 0.95 / 38.4 = 0.512 pJ per byte at 64 KiB, 32 nm.

Area per bit at 32 nm, including periphery: SRAM 0.24 um^2 (PUMA simulator constants.py,
dataMem_area 0.00392 mm^2 for 2 KiB), eDRAM 0.158 um^2 (ISAAC 0.083 mm^2 / 64 KiB).
Leakage per KiB at 32 nm: SRAM 0.165 mW (PUMA simulator, dataMem_pow_leak 0.33 mW for
2 KiB), eDRAM 0.0072 mW (0.46 mW for 64 KiB, same file; includes refresh).
Writes cost as much as reads (cimsim assumption; CACTI gives writes within ~1-2x of reads).
"""

from hwmodels.cost import ComponentCost
from hwmodels.errors import HwModelError
from hwmodels.memory.params import BufferParams
from hwmodels.technology import scaling

BUFFER_KINDS: tuple[str, ...] = ("sram", "edram")
"""Supported on-chip memory technologies."""

# (reference node nm, reference size bytes, energy pJ/byte at the reference,
#  area um^2/bit at 32 nm, leakage mW/KiB at 32 nm) -- sources in the module docstring.
_SRAM = (45, 8 * 1024, 10.0 / 8, 0.24, 0.165)
_EDRAM = (32, 64 * 1024, 20.7 * 0.95 / 38.4, 0.083e6 / (64 * 1024 * 8), 0.46 / 64)
WRITE_TO_READ_ENERGY = 1.0
"""Energy of a byte written relative to a byte read (cimsim assumption)."""


def _anchor(kind: str) -> tuple[int, int, float, float, float]:
    if kind == "sram":
        return _SRAM
    if kind == "edram":
        return _EDRAM
    raise HwModelError(
        "kind", f"unknown buffer kind {kind!r}; supported: {', '.join(BUFFER_KINDS)}"
    )


def access_energy_pj_per_byte(size_bytes: int, kind: str = "sram", node_nm: int = 32) -> float:
    """Energy of reading one byte from a buffer of ``size_bytes``, pJ (square-root rule)."""
    ref_nm, ref_bytes, ref_pj, _, _ = _anchor(kind)
    return ref_pj * (size_bytes / ref_bytes) ** 0.5 * scaling(ref_nm, node_nm).energy


def buffer_area_mm2(size_bytes: int, kind: str = "sram", node_nm: int = 32) -> float:
    """Area of a buffer of ``size_bytes`` including periphery, mm^2."""
    _, _, _, um2_per_bit, _ = _anchor(kind)
    return size_bytes * 8 * um2_per_bit * 1e-6 * scaling(32, node_nm).area


def buffer_leakage_mw(size_bytes: int, kind: str = "sram", node_nm: int = 32) -> float:
    """Leakage (and, for eDRAM, refresh) power of a buffer of ``size_bytes``, mW."""
    _, _, _, _, mw_per_kib = _anchor(kind)
    return size_bytes / 1024 * mw_per_kib * scaling(32, node_nm).leakage


def buffer_cost(buffer: BufferParams, kind: str = "sram", node_nm: int = 32) -> ComponentCost:
    """One buffer or register: actions ``read_byte`` and ``write_byte``.

    Latency per byte is the port's streaming time 1 / bandwidth; the first-word latency is
    ``BufferParams.access_latency_ns`` (see ``hwmodels.memory.transfer_latency_ns``).
    """
    read_pj = access_energy_pj_per_byte(buffer.size_bytes, kind, node_nm)
    per_byte_ns = 1.0 / buffer.bandwidth_gbps
    return ComponentCost(
        area_mm2=buffer_area_mm2(buffer.size_bytes, kind, node_nm),
        leakage_mw=buffer_leakage_mw(buffer.size_bytes, kind, node_nm),
        energy_pj={"read_byte": read_pj, "write_byte": read_pj * WRITE_TO_READ_ENERGY},
        peak_action="read_byte",
        latency_ns={"read_byte": per_byte_ns, "write_byte": per_byte_ns},
    )
