"""Reproduce CLSA-CIM (Pelke et al., DATE 2024): cross-layer scheduling.

    python -m benchmarks.reproduce_clsa [--quick] [--output FILE]

cross_layer against layer_by_layer at batch 1, with and without greedy duplication, over a
range of extra PEs beyond one copy of every layer. The chip is the ISAAC tile (``isaac``
preset) on a mesh just large enough for one copy plus the extra PEs; utilization is PE
busy time / ((minimum PEs + extra PEs) x latency), the paper's definition over the PEs the
chip has for the network. Writes the section ``clsa`` of docs/validation.md. The paper:
docs/references.md#clsa-cim.
"""

import math
from collections.abc import Sequence

from benchmarks.reproduce_common import parse_args, ratio, table, write_section
from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.mapper import map_network
from cimsim.runs import simulate
from workloads import zoo
from workloads.shapes import analyze

NETWORKS = ("resnet18", "vgg16", "mobilenetv2", "alexnet")
EXTRA_FRACTIONS = (0.0, 0.25, 0.5, 1.0, 2.0)
"""Extra PEs as a fraction of the PEs one copy of the network needs."""
CONFIGS = (
    ("layer_by_layer", "greedy"),
    ("cross_layer", "none"),
    ("cross_layer", "greedy"),
)
"""(scheduler, duplication) compared with the baseline."""
PAPER_UTILIZATION = 17.9
PAPER_SPEEDUP = 29.2


def minimum_pes(network: str) -> int:
    """PEs one copy of every layer takes on the ISAAC tile."""
    arch = load_arch("isaac", ["noc.rows=64", "noc.cols=64"])
    info = analyze(zoo.build(network))
    return map_network(info, arch, hardware_params(arch)).pes_used


def run_point(network: str, pes: int, extra: int, scheduler: str, dup: str) -> tuple[int, float]:
    """(latency cycles, utilization over pes + extra PEs) of one configuration."""
    per_tile = 12  # isaac: 12 IMAs per tile
    tiles = math.ceil((pes + extra) / per_tile)
    rows = math.ceil(math.sqrt(tiles))
    cols = math.ceil(tiles / rows)
    arch = load_arch("isaac", [f"noc.rows={rows}", f"noc.cols={cols}"])
    summary = simulate(
        arch,
        zoo.build(network),
        scheduler=scheduler,
        duplication=dup,
        extra_pes=None if dup == "none" else extra,
    ).summary
    cycles = summary["total_cycles"]
    busy = summary["utilization"]["pe"] * summary["pes_total"] * cycles
    return cycles, busy / ((pes + extra) * cycles)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep and write its section."""
    args = parse_args(__doc__.splitlines()[0], argv)
    networks = ("resnet18", "alexnet") if args.quick else NETWORKS
    fractions = (0.0, 1.0) if args.quick else EXTRA_FRACTIONS
    rows = []
    best: dict[str, tuple[float, str]] = {"speedup": (0.0, ""), "util": (0.0, "")}
    for network in networks:
        pes = minimum_pes(network)
        base_cycles, base_util = run_point(network, pes, 0, "layer_by_layer", "none")
        rows.append([network, pes, 0, "layer_by_layer + none", base_cycles,
                     f"{base_util:.4f}", "1.00x", "1.00x"])  # fmt: skip
        for fraction in fractions:
            extra = int(pes * fraction)
            for scheduler, dup in CONFIGS:
                if extra == 0 and dup == "greedy":
                    continue  # nothing to fill: identical to no duplication
                cycles, util = run_point(network, pes, extra, scheduler, dup)
                speedup, util_ratio = ratio(base_cycles, cycles), ratio(util, base_util)
                where = f"{network}, {scheduler} + {dup}, {extra} extra PEs"
                if scheduler == "cross_layer":
                    best["speedup"] = max(best["speedup"], (speedup, where))
                    best["util"] = max(best["util"], (util_ratio, where))
                rows.append([network, pes, extra, f"{scheduler} + {dup}", cycles,
                             f"{util:.4f}", f"{speedup:.2f}x", f"{util_ratio:.2f}x"])  # fmt: skip
    body = (
        "## Cross-layer scheduling (CLSA-CIM, Pelke et al., DATE 2024)\n\n"
        "Paper and figures: [references](references.md#clsa-cim).\n\n"
        f"`python -m benchmarks.reproduce_clsa{' --quick' if args.quick else ''}`: batch 1, "
        "ISAAC tiles (`isaac` preset) on a mesh sized to one copy of the network plus the "
        "extra PEs. Baseline of every row (speedup, utilization ratio): layer_by_layer "
        "without duplication on the minimum chip (0 extra PEs); utilization counts every PE "
        "of the row's chip, idle extra PEs included, as the paper does.\n\n"
        + table(
            [
                "network",
                "min PEs",
                "extra PEs",
                "schedule + duplication",
                "cycles",
                "utilization",
                "speedup vs LbL",
                "utilization vs LbL",
            ],
            rows,
        )
        + "\n\n"
        + table(
            ["figure", "paper (best case)", "cimsim (best over the rows above)"],
            [
                [
                    "speedup of cross_layer over layer_by_layer",
                    f"up to {PAPER_SPEEDUP}x",
                    f"{best['speedup'][0]:.1f}x ({best['speedup'][1]})",
                ],
                [
                    "utilization gain",
                    f"up to {PAPER_UTILIZATION}x",
                    f"{best['util'][0]:.1f}x ({best['util'][1]})",
                ],
            ],
        )
        + "\n\nDifferences. The paper's best cases come from its own crossbar size, network "
        "set and extra-crossbar sweep, which [references.md](references.md#clsa-cim) does "
        "not record; cimsim's ISAAC tile "
        "(100 ns reads, 8 ADCs per 8 crossbars), INT8 weights and whole-PE copies change the "
        "minimum chip and what each extra PE buys, so the best ratios differ in magnitude "
        "(and grow further with more extra PEs than the paper's sweep may have used). What "
        "matches the paper: cross-layer scheduling alone gains most on networks whose early, "
        "high-resolution layers dominate; with duplication the two schedules both speed up "
        "and cross_layer + greedy is the fastest in every row; and the utilization gain is "
        "smaller than the speedup by the factor min PEs / (min + extra PEs), as in the "
        "paper (17.9 / 29.2 = 0.61). Without duplication the extra PEs sit idle and only "
        "dilute utilization.\n"
    )
    write_section(args.output, "clsa", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
