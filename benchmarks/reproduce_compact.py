"""Reproduce Chen & Yang (AICAS 2025): VGG-8 on compact chips.

    python -m benchmarks.reproduce_compact [--quick] [--output FILE]

The 4x4-tile compact chip runs VGG-8 with weight reuse in modes RP, LL and HT; the 6x6-tile
chip holds the whole network and runs it as a full pipeline. Writes the section
``compact`` of docs/validation.md: the NeuroSim reference mapping (parts, tiles, speed-ups),
per-layer duplication in every mode, and throughput, energy and area ratios beside the
paper's. The paper uses a batch of 1024; the full run here uses 256 and --quick 8. The
paper: docs/references.md#chen-yang.
"""

from collections.abc import Sequence
from typing import Any

from benchmarks.reproduce_common import parse_args, ratio, table, write_section
from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.mapper import map_network, tile_layer
from cimsim.mapper.duplication_compact import neurosim, neurosim_layer
from cimsim.runs import simulate
from cimsim.scheduler.weight_reuse import plan_parts
from workloads import zoo
from workloads.shapes import analyze

PAPER_TILES = (1, 1, 1, 2, 4, 6, 16, 1)
PAPER_SPEED_UPS = (32, 2, 1, 1, 1, 1, 1, 1)
PAPER_PARTS = "{L1-L6}, {L7}, {L8}"


def _side(cimsim: float, paper: float) -> str:
    """How cimsim's figure compares with the paper's, as the start of a sentence."""
    if abs(cimsim - paper) <= 0.05 * abs(paper):
        return "Within 5% of the paper"
    return "Above the paper" if cimsim > paper else "Below the paper"


def _fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}"


def _part_label(layers: list[int]) -> str:
    """{L1-L6} or {L7}."""
    if len(layers) == 1:
        return f"{{L{layers[0]}}}"
    return f"{{L{layers[0]}-L{layers[-1]}}}"


def _neurosim_section() -> str:
    arch = load_arch("compact_4x4")
    hw = hardware_params(arch)
    info = analyze(zoo.build("vgg8"))
    tilings = {
        i.name: tile_layer(i, hw.crossbar, arch.precision.weight_bits)
        for i in info.layers
        if i.is_mvm
    }
    plan = plan_parts(info, tilings, arch, "RP")
    index = {name: k + 1 for k, name in enumerate(tilings)}
    parts = ", ".join(_part_label([index[n] for n in p.crossbar_layers]) for p in plan.parts)
    rows = []
    copies: dict[str, int] = {}
    for part in plan.parts:
        sub = {n: tilings[n] for n in part.crossbar_layers}
        free = arch.tiles * arch.tile.pes - part.pes
        copies.update(neurosim(info, sub, {}, arch.tile.pe.crossbars, free, arch.tile.pes))
    for k, (name, tiling) in enumerate(tilings.items()):
        ns = neurosim_layer(tiling, arch.tile.pe.crossbars, arch.tile.pes)
        speed = min(ns.speed_up, info.by_name[name].output_vectors)
        rows.append(
            [f"L{k + 1} {name}", PAPER_TILES[k], ns.tiles, PAPER_SPEED_UPS[k], speed, copies[name]]
        )
    text = table(
        [
            "layer",
            "tiles (paper)",
            "tiles (cimsim)",
            "speed-up (paper)",
            "speed-up (cimsim)",
            "copies placed (cimsim)",
        ],
        rows,
    )
    return (
        "### NeuroSim reference mapping, RP on the 4x4-tile chip\n\n"
        f"Parts: paper {PAPER_PARTS}; cimsim {parts}.\n\n{text}\n\n"
        "Tiles and speed-ups follow DNN+NeuroSim V1.3's floor plan (`--duplication neurosim`, "
        "docs/scheduling.md) and match the reference-code outputs; the last layer's speed-up "
        "of 32 is capped at its single output vector, as the paper's 1. One difference: "
        "NeuroSim packs 32 copies of L1 into the sub-arrays of one tile, two per PE, while "
        "cimsim gives every copy whole PEs, so only 16 copies of L1 are placed in its tile "
        "(the `copies placed` column).\n"
    )


def _reuse(arch: Any, graph: Any, batch: int, mode: str, duplication: str) -> dict[str, Any]:
    """The summary of a weight_reuse run in ``mode``."""
    return simulate(arch, graph, scheduler="weight_reuse", reuse_mode=mode, batch=batch,
                    duplication=duplication).summary  # fmt: skip


def _runs(batch: int) -> dict[str, dict[str, Any]]:
    graph = zoo.build("vgg8")
    compact = load_arch("compact_4x4")
    runs = {
        "RP (neurosim dup.)": _reuse(compact, graph, batch, "RP", "neurosim"),
        "RP": _reuse(compact, graph, batch, "RP", "dynamic"),
        "LL": _reuse(compact, graph, batch, "LL", "dynamic"),
        "HT": _reuse(compact, graph, batch, "HT", "dynamic"),
    }
    full = load_arch("compact_6x6")
    runs["full pipeline 6x6"] = simulate(
        full, graph, scheduler="pipelined", batch=batch, duplication="dynamic"
    ).summary
    return runs


def _duplication_section(runs: dict[str, dict[str, Any]]) -> str:
    names = ["conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc1", "fc2"]
    per_mode: dict[str, dict[str, tuple[int, int]]] = {}
    for mode in ("RP", "LL", "HT"):
        per_mode[mode] = {
            n: (part["copies"][n], part["tiles"][n])
            for part in runs[mode]["parts"]
            for n in part["copies"]
        }
    arch = load_arch("compact_6x6")
    info = analyze(zoo.build("vgg8"))
    mapping = map_network(info, arch, hardware_params(arch), "dynamic")
    per_mode["full"] = {
        n: (len(c), len({t for p in c for t in p.tiles})) for n, c in mapping.copies.items()
    }
    rows = [
        [f"L{k + 1} {n}"] + [f"{per_mode[m][n][0]} / {per_mode[m][n][1]}" for m in per_mode]
        for k, n in enumerate(names)
    ]
    parts = {m: len(runs[m]["parts"]) for m in ("RP", "LL", "HT")}
    return (
        "### Dynamic duplication per layer (copies / tiles touched)\n\n"
        + table(["layer", "RP 4x4", "LL 4x4", "HT 4x4", "full pipeline 6x6"], rows)
        + f"\n\nParts: RP {parts['RP']}, LL {parts['LL']}, HT {parts['HT']}, full pipeline 1. "
        "[references.md](references.md#chen-yang) quotes no per-layer figures for the dynamic "
        "scheduler, so there is no paper column. cimsim runs the bubble-mitigation loop "
        "over free PEs (its placement unit), not whole tiles, and its copies of a layer may "
        "share tiles with other layers, so `tiles touched` counts tiles holding any copy of "
        "the layer.\n"
    )


def _noc_bound(compact: dict[str, Any], full: dict[str, Any], batch: int) -> str:
    """What the two chips' busiest NoC links say, from their run summaries."""

    def per_inference(run: dict[str, Any]) -> float:
        return run["utilization"]["noc_link_max"] * run["total_cycles"] / batch

    def share(run: dict[str, Any]) -> str:
        return f"{run['busiest_link']} busy {run['utilization']['noc_link_max']:.0%} of the run"

    text = (
        f"both chips are bound by a NoC link next to the global-buffer router (compact: "
        f"{share(compact)}; 6x6: {share(full)}), which carries the activations too large "
        "for a tile buffer and which more tiles do not widen"
    )
    if per_inference(full) > per_inference(compact):
        text += (
            f"; the 6x6 placement sends more over it ({per_inference(full):,.0f} against "
            f"{per_inference(compact):,.0f} busy cycles per inference)"
        )
    return text


def _metrics_section(runs: dict[str, dict[str, Any]], batch: int) -> str:
    has_energy = all("energy_per_inference_pj" in s for s in runs.values())
    rows = []
    for name, s in runs.items():
        row = [
            name,
            s["total_cycles"],
            _fmt(s["throughput_inferences_per_s"]),
            _fmt(ratio(s.get("weight_load_cycles", 0), s["total_cycles"]), 2),
        ]
        if has_energy:
            row += [
                _fmt(s["energy_per_inference_pj"] / 1e6),
                _fmt(1e12 / s["energy_per_inference_pj"]),
                _fmt(s["data_movement_share"], 2),
                _fmt(s["area_mm2"]),
            ]
        rows.append(row)
    header = ["run", "cycles", "inferences/s", "weight-load share of time"]
    if has_energy:
        header += ["uJ/inference", "inferences/J", "data-movement share", "area mm2"]
    metrics = table(header, rows)

    def thr(name: str) -> float:
        return runs[name]["throughput_inferences_per_s"]

    def eff(name: str) -> float:
        return 1e12 / runs[name]["energy_per_inference_pj"] if has_energy else 0.0

    full = "full pipeline 6x6"
    load = 100 * ratio(runs["HT"]["weight_load_cycles"], runs["HT"]["total_cycles"])
    amortised = (
        f"weight loading takes {load:.0f}% of the HT run at batch {batch} (paper: 1024) and "
        "its share falls as the batch grows"
    )
    ht_rp = ratio(thr("HT"), thr("RP"))
    ht_ns = ratio(thr("HT"), thr("RP (neurosim dup.)"))
    compact = ratio(thr("HT"), thr(full))
    dyn, ns = (runs[name]["parts"][0]["copies"] for name in ("HT", "RP (neurosim dup.)"))
    versus = ", ".join(f"{name} {dyn[name]} / {ns[name]}" for name in dyn)
    ratios = [
        ["throughput HT / RP (both dynamic)", "2.35x", f"{ht_rp:.2f}x",
         f"{_side(ht_rp, 2.35)}: in cimsim's RP one layer of a part computes at a time (a "
         "barrier after every layer of every input), so HT's overlap of the part's six conv "
         f"layers can approach 6x; {amortised}"],
        ["throughput HT+dynamic / RP+neurosim", "2.35x", f"{ht_ns:.2f}x",
         f"{_side(ht_ns, 2.35)}: on top of the pipeline, dynamic duplication fills the PEs "
         f"NeuroSim's duplication leaves free (copies, dynamic against neurosim: {versus}); "
         f"{amortised}"],
        ["throughput HT / LL", "not quoted", f"{ratio(thr('HT'), thr('LL')):.2f}x",
         "no paper figure; LL loads weights 8 times per batch against 3 and runs one layer "
         "at a time"],
        ["throughput compact HT / 6x6", "56.5%", f"{100 * compact:.1f}%",
         f"{_side(compact, 0.565)}: {amortised}; {_noc_bound(runs['HT'], runs[full], batch)}; "
         "the 6x6 chip spends 16 of its 36 tiles on fc1 (one vector per input), so its "
         "extra area buys VGG-8 little or no speed; the paper's NeuroSim model has no NoC "
         "contention"],
    ]  # fmt: skip
    if has_energy:
        area = ratio(runs["HT"]["area_mm2"], runs[full]["area_mm2"])
        ee_ns = ratio(eff("HT"), eff("RP (neurosim dup.)")) - 1
        ee_compact = ratio(eff("HT"), eff(full))
        area_eff = ratio(compact, area)
        share = runs["HT"]["data_movement_share"]
        ratios += [
            ["energy efficiency HT+dynamic / RP+neurosim", "+0.5%", f"{100 * ee_ns:+.1f}%",
             f"{_side(ee_ns, 0.005)}: cimsim prices leakage over the run time, so the faster "
             "schedule also saves leakage energy; the paper's figure reflects dynamic energy, "
             "which scheduling barely changes"],
            ["energy efficiency HT / LL", "not quoted", f"{ratio(eff('HT'), eff('LL')):.2f}x",
             "no paper figure; LL programs every layer into many duplicates, every batch"],
            ["energy efficiency compact HT / 6x6", "58.6%", f"{100 * ee_compact:.1f}%",
             f"{_side(ee_compact, 0.586)}: the compact chip pays DRAM reads and RRAM "
             f"programming of every weight each batch ({amortised}) but leaks over less "
             "area; the 6x6 chip's one-off programming is not counted; cimsim's energy "
             "tables are its own, not NeuroSim's 22 nm estimates"],
            ["area compact / 6x6", "about 1/3", f"{area:.2f}",
             f"{_side(area, 1 / 3)}: both presets share one tile design, so the ratio is 16/36 "
             "tiles plus the shared chip-level parts, not the paper's layout-derived third"],
            ["area efficiency compact HT / 6x6", "1.3x", f"{area_eff:.2f}x",
             f"{_side(area_eff, 1.3)}: the throughput ratio divided by the area ratio, both "
             "explained above"],
            ["data-movement share of energy (HT)", "< 20%", f"{100 * share:.1f}%",
             f"{'within' if share < 0.2 else 'above'} the paper's bound: cimsim counts "
             f"weight loading (DRAM and NoC) as data movement and {amortised}"],
        ]  # fmt: skip
    else:
        ratios.append(["energy columns", "-", "no energy model in this build", "-"])
    return (
        f"### Throughput, energy and area (batch {batch}; paper: 1024)\n\n{metrics}\n\n"
        + table(["ratio", "paper", "cimsim", "why they differ"], ratios)
        + "\n\nRP (neurosim dup.) is the paper's baseline (NeuroSim's duplication, raw "
        "mode); HT with dynamic duplication is its proposal; the 6x6 chip runs the whole "
        "network as one pipeline (`pipelined` scheduler, dynamic duplication). Weights are "
        "programmed with hwmodels' RRAM write-verify figures (RramWriteParams, after Wong et "
        "al. 2012), where the paper assumes SRAM-like cells; duplication is placed in whole "
        "PEs, not whole tiles.\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the reproduction and write its section."""
    args = parse_args(__doc__.splitlines()[0], argv)
    batch = 8 if args.quick else 256
    runs = _runs(batch)
    body = "\n".join(
        [
            "## Compact chips with weight reuse (Chen & Yang, AICAS 2025)\n",
            "Paper and figures: [references](references.md#chen-yang).\n",
            "VGG-8 (CIFAR-10) on the `compact_4x4` and `compact_6x6` presets "
            f"(`python -m benchmarks.reproduce_compact{' --quick' if args.quick else ''}`).\n",
            _neurosim_section(),
            _duplication_section(runs),
            _metrics_section(runs, batch),
        ]
    )
    write_section(args.output, "compact", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
