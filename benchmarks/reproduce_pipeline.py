"""Reproduce ISAAC-style inter-layer pipelining (Shafiee et al., ISCA 2016).

    python -m benchmarks.reproduce_pipeline [--quick] [--output FILE]

ResNet-18 on the ``isaac`` preset at batch 16 (--quick: 4): the ``pipelined`` scheduler
(every layer a stage, different inputs in flight at once) against ``layer_by_layer``, with
and without greedy duplication. Writes the section ``pipeline`` of docs/validation.md.
"""

from collections.abc import Sequence

from benchmarks.reproduce_common import parse_args, ratio, table, write_section
from cimsim.config import load_arch
from cimsim.runs import simulate
from workloads import zoo

PAPER_GOPS_PER_MM2 = 478.95
"""ISAAC-CE computational efficiency, GOPS/(s mm2) (paper, Table IV; peak)."""
PAPER_GOPS_PER_W = 627.5
"""ISAAC-CE power efficiency, GOPS/W (paper, Table IV; peak)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and write its section."""
    args = parse_args(__doc__.splitlines()[0], argv)
    batch = 4 if args.quick else 16
    arch = load_arch("isaac")
    graph = zoo.build("resnet18")
    runs = {
        (scheduler, dup): simulate(
            arch, graph, scheduler=scheduler, batch=batch, duplication=dup
        ).summary
        for dup in ("none", "greedy")
        for scheduler in ("layer_by_layer", "pipelined")
    }
    base = runs[("layer_by_layer", "none")]["throughput_inferences_per_s"]
    has_energy = all("energy_per_inference_pj" in s for s in runs.values())
    rows = []
    for (scheduler, dup), s in runs.items():
        thr = s["throughput_inferences_per_s"]
        same_dup = runs[("layer_by_layer", dup)]["throughput_inferences_per_s"]
        ops = 2 * s["macs_per_inference"]
        row = [
            f"{scheduler} + {dup}",
            s["total_cycles"],
            f"{thr:.4g}",
            f"{ratio(thr, base):.2f}x",
            f"{ratio(thr, same_dup):.2f}x",
            f"{s['utilization']['pe']:.4f}",
        ]
        if has_energy:
            row += [
                f"{ops * thr / 1e9 / s['area_mm2']:.3g}",
                f"{ops / (s['energy_per_inference_pj'] * 1e-12) / 1e9:.3g}",
            ]
        rows.append(row)
    header = [
        "schedule + duplication",
        "cycles",
        "inferences/s",
        "vs layer_by_layer + none",
        "vs layer_by_layer, same duplication",
        "PE utilization",
    ]
    if has_energy:
        header += ["GOPS/(s mm2)", "GOPS/W"]
    gain_none = ratio(
        runs[("pipelined", "none")]["throughput_inferences_per_s"],
        runs[("layer_by_layer", "none")]["throughput_inferences_per_s"],
    )
    body = (
        "## Inter-layer pipelining (ISAAC, Shafiee et al., ISCA 2016)\n\n"
        "Paper and figures: [references](references.md#isaac).\n\n"
        f"`python -m benchmarks.reproduce_pipeline{' --quick' if args.quick else ''}`: "
        f"ResNet-18 (ImageNet, INT8) on the `isaac` preset, batch {batch}.\n\n"
        + table(header, rows)
        + "\n\n"
        + table(
            ["figure", "paper", "cimsim"],
            [
                ["pipelined / layer_by_layer throughput", "not published", f"{gain_none:.2f}x"],
                [
                    "computational efficiency, GOPS/(s mm2)",
                    f"{PAPER_GOPS_PER_MM2} (peak)",
                    rows[-1][6] if has_energy else "no energy model in this build",
                ],
                [
                    "power efficiency, GOPS/W",
                    f"{PAPER_GOPS_PER_W} (peak)",
                    rows[-1][7] if has_energy else "no energy model in this build",
                ],
            ],
        )
        + "\n\nDifferences. ISAAC publishes no pipelined-versus-layer-by-layer ratio, only "
        "peak efficiencies, so the first row has no paper figure; cimsim's gain from "
        "pipelining grows with the batch (more inputs in flight) and is bounded by the "
        "slowest stage, here the early high-resolution layers, which greedy duplication "
        "shortens. The efficiency rows compare cimsim's achieved figure for the fastest "
        "configuration (pipelined + greedy) with ISAAC's peak: cimsim runs INT8 ResNet-18, "
        "not 16-bit at full occupancy, its stages wait on one another, and leakage accrues "
        "over the whole run, so the achieved values sit below the paper's peak.\n"
    )
    write_section(args.output, "pipeline", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
