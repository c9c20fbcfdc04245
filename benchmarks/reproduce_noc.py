"""Reproduce the dataflow-aware PIM manycore trends (Sharma et al., DATE 2024; Floret; TEFLON).

    python -m benchmarks.reproduce_noc [--quick] [--write-docs | --output FILE]

Four comparisons on ISAAC tiles (the ``isaac_chiplets`` and ``isaac_3d`` presets and
resized variants), every run ``cross_layer`` with greedy duplication at batch 4 (inputs in
flight, copies spread over the chip, so the network carries the traffic the papers study):

1. communication-bound behaviour: throughput as crossbars are added (extra PEs for
   duplication), at the preset's NoC and at four times its link bandwidth;
2. placement: in_order against the space-filling curves (snake, hilbert) on the 2.5-D and the
   3-D preset;
3. a space-filling-curve network-on-interposer (Floret) against a mesh one, 16 chiplets;
4. a 3-D network along a space-filling curve (TEFLON) against a 3-D mesh, 36-100 cores.

--quick runs VGG-8 only and fewer points. Writes the section ``noc`` of docs/validation.md.
The papers: docs/references.md#dataflow-pim.
"""

from collections.abc import Sequence
from typing import Any

from benchmarks.reproduce_common import parse_args, ratio, table, write_section
from cimsim.config import load_arch
from cimsim.runs import simulate
from workloads import zoo

RUN = {"scheduler": "cross_layer", "duplication": "greedy", "batch": 4}
"""Every run: inputs in flight, copies spread over the chip."""
PAPER_FLORET = (58, 64)
"""Floret: up to 58 % lower latency and 64 % lower energy than other NoIs (abstract)."""
PAPER_TEFLON = {36: 42, 64: 46, 100: 45}
"""TEFLON: EDP lower than a 3-D mesh by 42, 46, 45 % at 36, 64, 100 PIM cores (abstract)."""


def _run(preset: str, overrides: Sequence[str], network: str, **options: Any) -> dict:
    return simulate(load_arch(preset, list(overrides)), zoo.build(network),
                    **{**RUN, **options}).summary  # fmt: skip


def _mj(pj: float) -> str:
    return f"{pj / 1e6:.1f}"


def _noc_pj(summary: dict) -> float:
    return summary["energy_by_level_pj"].get("noc", 0.0)


def communication_bound(quick: bool) -> tuple[str, float, float]:
    """Table 1, the gain of 4x NoC bandwidth with one copy and with every PE."""
    extras: list[int | None] = [0, 256, None] if quick else [0, 64, 256, 1024, None]
    fast = ["noc.link_bandwidth=19.2 GB/s", "noc.chiplets.link_bandwidth=20 GB/s"]
    rows, gains = [], []
    for extra in extras:
        options = {"duplication": "none"} if extra == 0 else {"extra_pes": extra}
        base = _run("isaac_chiplets", [], "resnet18", placement="hilbert", **options)
        faster = _run("isaac_chiplets", fast, "resnet18", placement="hilbert", **options)
        thr, thr_fast = (s["throughput_inferences_per_s"] for s in (base, faster))
        gains.append(ratio(thr_fast, thr))
        util = base["utilization"]
        rows.append([extra if extra is not None else "all", base["crossbars_used"], f"{thr:.0f}",
                     f"{thr_fast:.0f}", f"{gains[-1]:.2f}x", f"{util['pe_mapped']:.3f}",
                     f"{util['noc_link_max']:.2f}"])  # fmt: skip
    header = ["extra PEs", "crossbars used", "inferences/s", "with 4x NoC bandwidth", "gain",
              "crossbar utilization (mapped PEs)", "busiest NoC link utilization"]  # fmt: skip
    return table(header, rows), gains[0], gains[-1]


def placements(quick: bool) -> tuple[str, dict[tuple[str, str, str], dict]]:
    """Table 2 and its runs by (network, preset, placement)."""
    networks = ("vgg8",) if quick else ("resnet18", "vgg8")
    runs, rows = {}, []
    for network in networks:
        for preset, kind in (("isaac_chiplets", "interposer"), ("isaac_3d", "tsv")):
            for placement in ("in_order", "snake", "hilbert"):
                s = runs[(network, preset, placement)] = _run(preset, [], network,
                                                              placement=placement)  # fmt: skip
                die_pj = s["energy_by_component_pj"].get(kind, 0.0)
                rows.append([network, preset, placement, s["total_cycles"],
                             f"{s['noc_hops_per_byte']:.2f}", _mj(_noc_pj(s)),
                             f"{die_pj / 1e6:.3g}"])  # fmt: skip
    header = ["network", "preset", "placement", "cycles", "NoC hops per byte",
              "NoC energy, uJ", "of it interposer / TSV, uJ"]  # fmt: skip
    return table(header, rows), runs


def _chiplet_grid(interposer: str) -> list[str]:
    """16 chiplets (4 x 4) of 3 x 3 ISAAC tiles; controllers on the corner chiplets."""
    corners = "[[0, 0, 0], [3, 0, 0], [12, 0, 0], [15, 0, 0]]"
    return ["noc.chiplets.grid=[4, 4]", "noc.rows=3", "noc.cols=3", "noc.chiplets.gateway=[1, 1]",
            f"noc.chiplets.interposer={interposer}", f"memory.dram.routers={corners}",
            f"memory.global_buffer.routers={corners}", "memory.dram.serves=nearest",
            "memory.global_buffer.serves=nearest"]  # fmt: skip


def floret(quick: bool) -> tuple[str, list[tuple[float, float]]]:
    """Table 3 and the (latency, NoC energy) ratios sfc / mesh with hilbert placement."""
    networks = ("vgg8",) if quick else ("resnet18", "vgg8")
    rows, ratios = [], []
    for network in networks:
        for placement in ("in_order", "hilbert"):
            runs = {i: _run("isaac_chiplets", _chiplet_grid(i), network, placement=placement)
                    for i in ("mesh", "sfc")}  # fmt: skip
            mesh, sfc = runs["mesh"], runs["sfc"]
            latency = ratio(sfc["total_cycles"], mesh["total_cycles"])
            energy = ratio(_noc_pj(sfc), _noc_pj(mesh))
            if placement == "hilbert":
                ratios.append((latency, energy))
            for name, s in runs.items():
                rows.append([network, placement, name, s["total_cycles"],
                             _mj(s["energy_by_component_pj"].get("interposer", 0.0)),
                             _mj(_noc_pj(s))])  # fmt: skip
            rows.append([network, placement, "sfc / mesh", f"{latency:.2f}", "",
                         f"{energy:.2f}"])  # fmt: skip
    header = ["network", "placement", "interposer", "cycles", "interposer energy, uJ",
              "NoC energy, uJ"]  # fmt: skip
    return table(header, rows), ratios


def _stack(side: int, layout: str) -> list[str]:
    """Four tiers of side x side ISAAC tiles joined by MIVs; controllers at tier 0's corners."""
    last = side - 1
    corners = f"[[0, 0, 0], [0, 0, {last}], [0, {last}, 0], [0, {last}, {last}]]"
    return [f"noc.rows={side}", f"noc.cols={side}", "noc.stack3d.tiers=4",
            f"noc.stack3d.layout={layout}", "noc.stack3d.vertical=miv",
            f"memory.dram.routers={corners}",
            f"memory.global_buffer.routers={corners}"]  # fmt: skip


def teflon(quick: bool) -> tuple[str, dict[int, float]]:
    """Table 4 and the EDP ratio sfc / mesh by core count (the first network)."""
    sizes = {36: 3, 64: 4} if quick else {36: 3, 64: 4, 100: 5}
    networks = ("vgg8",) if quick else ("resnet18", "vgg8")
    rows, edp_ratio = [], {}
    for network in networks:
        for cores, side in sizes.items():
            edp = {}
            for layout in ("mesh", "sfc"):
                s = _run("isaac_3d", _stack(side, layout), network, placement="hilbert")
                edp[layout] = s["energy_per_inference_pj"] * s["latency_s"]
                rows.append([network, cores, layout, s["total_cycles"],
                             f"{s['noc_hops_per_byte']:.2f}", _mj(s["energy_per_inference_pj"]),
                             f"{edp[layout] * 1e-6:.4g}"])  # fmt: skip
            this = ratio(edp["sfc"], edp["mesh"])
            edp_ratio.setdefault(cores, this)
            rows.append([network, cores, "sfc / mesh", "", "", "", f"{this:.2f}"])
    header = ["network", "cores", "3-D network", "cycles", "NoC hops per byte",
              "energy per inference, uJ", "EDP, uJ s"]  # fmt: skip
    return table(header, rows), edp_ratio


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four comparisons and write their section."""
    args = parse_args(__doc__.splitlines()[0], argv)
    quick = args.quick
    bound, gain_one, gain_all = communication_bound(quick)
    placed, runs = placements(quick)
    net = "vgg8" if quick else "resnet18"
    hops = {p: runs[(net, "isaac_3d", p)]["noc_hops_per_byte"] for p in ("in_order", "hilbert")}
    chip_hops = {p: runs[(net, "isaac_chiplets", p)]["noc_hops_per_byte"]
                 for p in ("in_order", "hilbert")}  # fmt: skip
    noi, noi_ratios = floret(quick)
    stack, edp = teflon(quick)
    latency, energy = noi_ratios[0]
    cmd = f"`python -m benchmarks.reproduce_noc{' --quick' if quick else ''}`"
    summary = table(
        ["trend", "paper", "cimsim"],
        [
            ["more crossbars, same NoC", "speed limited by the NoC (qualitative)",
             f"4x NoC bandwidth: {gain_one:.2f}x with one copy, {gain_all:.2f}x with every PE"],
            ["SFC vs in-order placement", "fewer hops, lower latency and energy (qualitative)",
             f"hilbert / in_order hops per byte ({net}): 2.5-D "
             f"{ratio(chip_hops['hilbert'], chip_hops['in_order']):.2f}, 3-D "
             f"{ratio(hops['hilbert'], hops['in_order']):.2f}"],
            ["SFC NoI vs mesh NoI (Floret)",
             f"up to {PAPER_FLORET[0]} % lower latency, {PAPER_FLORET[1]} % lower energy",
             f"sfc / mesh ({net}, hilbert): latency {latency:.2f}, NoC energy {energy:.2f}"],
            ["3-D SFC vs 3-D mesh (TEFLON)",
             ", ".join(f"{c} cores: {p} % lower EDP" for c, p in PAPER_TEFLON.items()),
             f"{net}: " + ", ".join(f"{c} cores: EDP x{r:.2f}" for c, r in edp.items())],
        ],
    )  # fmt: skip
    body = (
        "## Dataflow-aware NoC, chiplets and 3-D stacks (Sharma et al., DATE 2024; Floret; "
        "TEFLON)\n\n"
        "Papers and figures: [references](references.md#dataflow-pim). "
        f"{cmd}: ISAAC tiles, `cross_layer` with greedy duplication at batch 4.\n\n"
        + summary
        + "\n\n### 1. Communication-bound: ResNet-18 on `isaac_chiplets` as crossbars are "
        "added (hilbert placement)\n\n" + bound
        + "\n\n### 2. Placement on the 2.5-D and 3-D presets\n\n" + placed
        + "\n\n### 3. Network-on-interposer: 4 x 4 chiplets of 3 x 3 tiles, chain along a "
        "Hilbert curve (sfc) or mesh\n\n" + noi
        + "\n\n### 4. 3-D network: four tiers joined by MIVs, links along a 3-D Hilbert curve "
        "(sfc) or a 3-D mesh (hilbert placement)\n\n" + stack
        + "\n\n" + DIFFERENCES
    )
    write_section(args.output, "noc", body)
    return 0


DIFFERENCES = """Differences.

- Communication-bound behaviour: the DATE paper states it in words (more ReRAM does not help
  if the communication cannot keep up); cimsim shows it as a throughput that stops growing
  once crossbars are plentiful and that a faster NoC raises only then. cimsim's runs wait
  mostly on the input stream fanned out from the global buffer and on the copies' traffic,
  so the busiest single link stays below full utilization while the NoC limits the rate.
- Placement: cimsim reproduces fewer hops and less NoC energy for the space-filling curves,
  most on the 3-D stack, but not a shorter run everywhere: with greedy duplication the
  copies of the first layers crowd the corner where inputs arrive, whatever the order, and
  the rate is set there; the papers publish no placement-only latency to compare with.
- Floret: cimsim does not reproduce Floret's gains. With dataflow-aware (hilbert)
  placement, consecutive layers sit on neighbouring chiplets in both interposers, so the
  chain saves nothing on their traffic and costs hops on the rest (inputs from the corner
  controllers, outputs, partial sums of copies spread over chiplets); Floret runs several
  CNNs at once on chiplet segments of its curve and prices routers and links whose ports
  and count shrink with the chain, whereas cimsim's router and link energy per flit does
  not depend on port counts, links have no static power, and one network runs alone. Floret
  compares against other interposer networks (among them mesh-based ones); cimsim against
  a mesh only.
- TEFLON: cimsim's chain-only 3-D network costs EDP against the 3-D mesh, more so the more
  cores, where TEFLON reports 42-46 % less; at 36 cores the copies fill the chip, the run
  is bound by its crossbars and the two networks tie. cimsim keeps only the chain's links (TEFLON's
  network is designed for its dataflow and for temperature, not reproduced here), its
  router energy per flit is the same for 3-port and 7-port routers, and every byte that
  does not go to the next core along the curve (global buffer and DRAM traffic, fan-out to
  duplicated copies) travels along the chain. The thermal side of TEFLON (25 K lower peak
  temperature, accuracy) is outside cimsim.
- Figures: ISAAC tiles at 32 nm and 1.2 GHz with cimsim's interposer (0.54 pJ/bit, Poulton
  et al. 2013) and via (TSV 0.025 pJ/bit, MIV 0.0005 pJ/bit, cimsim assumptions) energies,
  not the papers' ReRAM cores and link models; ResNet-18 and VGG-8 on ImageNet and CIFAR
  inputs as cimsim's zoo builds them, not the papers' CIFAR-10/100 models.
"""


if __name__ == "__main__":
    raise SystemExit(main())
