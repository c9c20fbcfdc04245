"""The router-mode NoC under synthetic traffic, beside BookSim2.

    python -m benchmarks.noc_validation --pattern uniform --rates 0.01,0.05 --vcs 1 \\
        --packet-flits 4 --json FILE [--seeds 1,2,3] [--quick] [--booksim PATH]
    python -m benchmarks.noc_validation --validate [--quick] [--booksim PATH]
        [--write-docs | --output FILE]

An 8x8 mesh with XY routing, routers as BookSim2's defaults of ``examples/mesh88_lat``
(cimsim.timing.routers): per rate, the mean over the seeds of ``avg_packet_latency_cycles``
(None when saturated), ``accepted_flits_per_node_cycle`` and ``saturated`` (any seed).

``--validate`` runs the two uniform-traffic series of the BookSim reference (1 VC and 4 VCs,
4-flit packets) and prints the section ``noc_booksim`` of docs/validation.md (rewrites it
with ``--write-docs``, or in FILE with ``--output``): latency and accepted
throughput per rate beside BookSim's, and the three targets (latency within 10% below
saturation, zero-load latency within 1 cycle, saturation throughput within 10%). BookSim's
figures come from ``benchmarks/data/booksim/uniform_curves.csv`` (BookSim2 run here; its
README names the commit and configuration), or, with ``--booksim PATH``, from that binary
run now on the same configuration.
"""

import argparse
import csv
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.reproduce_common import DEFAULT_OUTPUT, table, write_section
from cimsim.machine import Mesh
from cimsim.runs.traffic import TrafficPoint, run_traffic, zero_load_latency
from cimsim.timing.routers import RouterParams
from workloads.traffic import PATTERNS, TrafficPattern

REFERENCE = Path(__file__).resolve().parent / "data" / "booksim" / "uniform_curves.csv"
SIDE = 8
"""The mesh is SIDE x SIDE routers."""
BELOW_SATURATION = 0.9
"""Latency targets apply at offered loads up to this share of BookSim's saturation
throughput; nearer the knee one simulator's own seeds differ by more than 10%."""
WINDOWS = {"full": (3000, 10000, 10000), "quick": (300, 1500, 1500)}
"""Warm-up, measurement and drain cycles."""
SAMPLE_PACKETS = {"full": 2000, "quick": 500}
"""At low loads the measurement window grows until it samples about this many packets."""


def _mesh() -> Mesh:
    # Only the routes matter here; bandwidth and latency are the router model's.
    return Mesh(rows=SIDE, cols=SIDE, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1.0)


def _one(job: tuple[str, float, int, int, int, bool]) -> TrafficPoint:
    pattern, rate, vcs, packet_flits, seed, quick = job
    mode = "quick" if quick else "full"
    warmup, measure, drain = WINDOWS[mode]
    packets_per_cycle = rate / packet_flits * SIDE * SIDE
    measure = max(measure, math.ceil(SAMPLE_PACKETS[mode] / packets_per_cycle))
    return run_traffic(
        _mesh(),
        RouterParams(vcs=vcs),
        TrafficPattern(pattern, SIDE * SIDE),
        rate,
        packet_flits,
        seed,
        warmup,
        measure,
        drain,
    )


def measure(
    pattern: str,
    rates: Sequence[float],
    vcs: int,
    packet_flits: int,
    seeds: Sequence[int],
    quick: bool,
    workers: int,
) -> list[dict[str, Any]]:
    """Per rate: the seeds' mean latency (None if any seed saturated) and accepted rate."""
    jobs = [(pattern, rate, vcs, packet_flits, seed, quick) for rate in rates for seed in seeds]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
            points = list(pool.map(_one, jobs))
    else:
        points = [_one(job) for job in jobs]
    rows = []
    for k, rate in enumerate(rates):
        runs = points[k * len(seeds) : (k + 1) * len(seeds)]
        saturated = any(p.saturated for p in runs)
        latencies = [p.avg_packet_latency_cycles for p in runs]
        rows.append(
            {
                "injection_rate_flits": rate,
                "avg_packet_latency_cycles": None if saturated else _mean(latencies),
                "accepted_flits_per_node_cycle": _mean(
                    [p.accepted_flits_per_node_cycle for p in runs]
                ),
                "saturated": saturated,
                "per_seed_latency_cycles": latencies,
            }
        )
    return rows


def _mean(values: Sequence[float | None]) -> float:
    numbers = [v for v in values if v is not None]
    return sum(numbers) / len(numbers)


def cpu() -> str:
    """The CPU model and its widest vector extension (machines differ between sessions)."""
    model, flags = platform.processor() or platform.machine(), ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("", platform.machine()):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = line
                break
    except OSError:
        pass
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else ""
    return f"{model} ({widest})" if widest else model


# ---------------------------------------------------------------------------- BookSim
def reference(vcs: int) -> dict[float, dict[str, Any]]:
    """BookSim's stored figures for uniform traffic with ``vcs`` VCs, by rate."""
    with REFERENCE.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["num_vcs"]) == vcs]
    return {
        float(r["injection_rate_flits"]): {
            "avg_packet_latency_cycles": float(r["avg_packet_latency_cycles"])
            if r["avg_packet_latency_cycles"]
            else None,
            "accepted_flits_per_node_cycle": float(r["accepted_flits"]),
            "saturated": r["saturated"] == "1",
        }
        for r in rows
    }


_BOOKSIM_CONFIG = """topology = mesh; k = {side}; n = 2; routing_function = dor;
num_vcs = {vcs}; vc_buf_size = {buffer}; wait_for_tail_credit = 1;
vc_allocator = islip; sw_allocator = islip; alloc_iters = 1;
credit_delay = {credit}; routing_delay = {routing}; vc_alloc_delay = {va};
sw_alloc_delay = {sa}; st_final_delay = {st};
input_speedup = {speedup}; output_speedup = 1; internal_speedup = 1.0;
traffic = {pattern}; packet_size = {flits}; sim_type = latency;
warmup_periods = 3; sample_period = 1000; max_samples = 20;
latency_thres = 500.0; stopping_thres = 0.05;
injection_rate_uses_flits = 1; injection_rate = {rate}; seed = {seed};
"""


def run_booksim(
    binary: str, pattern: str, rate: float, vcs: int, packet_flits: int, seed: int
) -> dict[str, Any]:
    """One BookSim2 run on the configuration cimsim's routers model."""
    params = RouterParams(vcs=vcs)
    config = _BOOKSIM_CONFIG.format(
        side=SIDE,
        vcs=vcs,
        buffer=params.buffer_flits,
        credit=params.credit_delay_cycles,
        routing=params.routing_cycles,
        va=params.vc_alloc_cycles,
        sa=params.switch_alloc_cycles,
        st=params.switch_traversal_cycles,
        speedup=params.input_speedup,
        pattern=pattern,
        flits=packet_flits,
        rate=rate,
        seed=seed,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as handle:
        handle.write(config)
    try:
        out = subprocess.run([binary, handle.name], capture_output=True, text=True, check=False)
    finally:
        os.unlink(handle.name)
    text = out.stdout
    unstable = "Simulation unstable" in text
    overall = text.split("Overall Traffic Statistics")[-1]
    latency = re.search(r"Packet latency average = ([\d.]+)", overall)
    accepted = re.findall(r"Accepted flit rate average\s*=\s*([\d.]+)", text)
    if not accepted:
        raise RuntimeError(f"BookSim at {binary} printed no statistics: {out.stderr[-300:]}")
    return {
        "avg_packet_latency_cycles": None if unstable or latency is None else float(latency[1]),
        "accepted_flits_per_node_cycle": float(accepted[-1]),
        "saturated": unstable,
    }


def booksim_series(
    binary: str, rates: Sequence[float], vcs: int, seeds: Sequence[int]
) -> dict[float, dict[str, Any]]:
    """BookSim's mean over ``seeds`` per rate, as ``reference``."""
    series = {}
    for rate in rates:
        runs = [run_booksim(binary, "uniform", rate, vcs, 4, seed) for seed in seeds]
        saturated = any(r["saturated"] for r in runs)
        series[rate] = {
            "avg_packet_latency_cycles": None
            if saturated
            else _mean([r["avg_packet_latency_cycles"] for r in runs]),
            "accepted_flits_per_node_cycle": _mean(
                [r["accepted_flits_per_node_cycle"] for r in runs]
            ),
            "saturated": saturated,
        }
    return series


# ---------------------------------------------------------------------------- validate
def compare(
    vcs: int, ours: Sequence[dict[str, Any]], theirs: dict[float, dict[str, Any]]
) -> dict[str, Any]:
    """The three targets of one series: per-rate rows and whether each target is met."""
    saturation_theirs = max(t["accepted_flits_per_node_cycle"] for t in theirs.values())
    saturation_ours = max(o["accepted_flits_per_node_cycle"] for o in ours)
    rows, worst = [], 0.0
    for point in ours:
        rate = point["injection_rate_flits"]
        ref = theirs[rate]
        error = None
        if point["avg_packet_latency_cycles"] is not None and ref["avg_packet_latency_cycles"]:
            error = point["avg_packet_latency_cycles"] / ref["avg_packet_latency_cycles"] - 1
        in_range = rate <= BELOW_SATURATION * saturation_theirs
        if in_range:
            worst = max(worst, abs(error) if error is not None else float("inf"))
        rows.append(
            {
                "rate": rate,
                "cimsim": point,
                "booksim": ref,
                "latency_error": error,
                "target_applies": in_range,
            }
        )
    lowest = theirs[min(theirs)]["avg_packet_latency_cycles"]
    zero_load = zero_load_latency(_mesh(), RouterParams(vcs=vcs), 4)
    zero_load_gap = zero_load - lowest
    throughput_error = saturation_ours / saturation_theirs - 1
    return {
        "vcs": vcs,
        "rows": rows,
        "worst_latency_error_below_saturation": worst,
        "zero_load_cycles": {"cimsim": zero_load, "booksim": lowest, "booksim_rate": min(theirs)},
        "zero_load_gap_cycles": zero_load_gap,
        "saturation_throughput": {
            "cimsim": saturation_ours,
            "booksim": saturation_theirs,
            "error": throughput_error,
        },
        "met": {
            "latency_within_10pct": worst <= 0.10,
            "zero_load_within_1_cycle": abs(zero_load_gap) <= 1.0,
            "saturation_within_10pct": abs(throughput_error) <= 0.10,
        },
    }


def _cell(value: float | None, digits: int = 1) -> str:
    return "sat." if value is None else f"{value:.{digits}f}"


def markdown(
    series: Sequence[dict[str, Any]],
    source: str,
    quick: bool,
    seeds: Sequence[int],
    machine: str,
    wall_s: float,
) -> str:
    """The docs/validation.md section."""
    windows = WINDOWS["quick" if quick else "full"]
    flag = " --quick" if quick else ""
    lines = [
        "## NoC routers against BookSim2 (8x8 mesh, XY, uniform random, 4-flit packets)",
        "",
        f"_Measured by `python -m benchmarks.noc_validation --validate{flag}`"
        f" on {machine} in {wall_s:.0f} s; cimsim: mean of seeds {', '.join(map(str, seeds))},"
        f" {windows[0]} warm-up and {windows[1]} measured cycles; BookSim2: {source}._",
        "",
        "Both simulators: input-queued routers, 8-flit VC buffers, credit delay 2, routing 0 /"
        " VA 1 / SA 1 / ST 1 cycles, 1-cycle channels, input speedup 2, one-iteration iSLIP VC"
        " and switch allocators, a VC freed when its tail credit returns, Bernoulli injection"
        " counted in flits. Latency: packet creation (source queueing included) to tail"
        " ejection. `sat.`: the load did not drain (average latency over 500 cycles, BookSim's"
        " `latency_thres`). The latency target applies up to"
        f" {BELOW_SATURATION:.0%} of BookSim's saturation throughput (rows marked *); nearer the"
        " knee BookSim's own seeds differ by more than 10% (1 VC at 0.09: 189, 197 and 336"
        " cycles for seeds 1-3).",
        "",
    ]
    for s in series:
        rows = []
        for row in s["rows"]:
            c, b, e = row["cimsim"], row["booksim"], row["latency_error"]
            rows.append(
                [
                    f"{row['rate']:g}" + (" *" if row["target_applies"] else ""),
                    _cell(b["avg_packet_latency_cycles"]),
                    _cell(c["avg_packet_latency_cycles"]),
                    "" if e is None else f"{e:+.1%}",
                    f"{b['accepted_flits_per_node_cycle']:.4f}",
                    f"{c['accepted_flits_per_node_cycle']:.4f}",
                ]
            )
        met = s["met"]
        sat = s["saturation_throughput"]
        gap, zero = s["zero_load_gap_cycles"], s["zero_load_cycles"]
        lines += [
            f"### {s['vcs']} VC{'s' if s['vcs'] > 1 else ''}",
            "",
            table(
                [
                    "rate (flits/node/cycle)",
                    "latency BookSim",
                    "latency cimsim",
                    "difference",
                    "accepted BookSim",
                    "accepted cimsim",
                ],
                rows,
            ),
            "",
            f"- latency below saturation: worst {s['worst_latency_error_below_saturation']:.1%}"
            f" (target 10%: {'met' if met['latency_within_10pct'] else 'NOT met'});",
            f"- zero-load latency: {zero['cimsim']:.2f} cycles (every source-destination pair"
            f" alone in the network) against BookSim's {zero['booksim']:.2f} at"
            f" {zero['booksim_rate']:g} flits/node/cycle, {gap:+.2f} cycles apart"
            f" (target 1 cycle: {'met' if met['zero_load_within_1_cycle'] else 'NOT met'});",
            f"- saturation throughput (most accepted): {sat['cimsim']:.4f} against"
            f" {sat['booksim']:.4f}, {sat['error']:+.1%}"
            f" (target 10%: {'met' if met['saturation_within_10pct'] else 'NOT met'}).",
            "",
        ]
    return "\n".join(lines)


def validate(
    quick: bool, booksim: str | None, output: Path | None, workers: int
) -> dict[str, Any]:
    """Both series beside BookSim; writes the docs section; returns every figure."""
    seeds = (1,) if quick else (1, 2, 3)
    started = time.perf_counter()
    series = []
    for vcs in (1, 4):
        theirs = reference(vcs)
        rates = sorted(theirs)
        if quick:  # the lowest load, two mid loads and one past saturation
            rates = [rates[0], rates[len(rates) // 3], rates[2 * len(rates) // 3], rates[-1]]
        if booksim:
            theirs = booksim_series(booksim, rates, vcs, (1, 2, 3))
        ours = measure("uniform", rates, vcs, 4, seeds, quick, workers)
        series.append(compare(vcs, ours, theirs))
    wall_s = time.perf_counter() - started
    source = (
        f"`{booksim}` run now, mean of seeds 1-3"
        if booksim
        else "stored figures (benchmarks/data/booksim), mean of seeds 1-3"
    )
    machine = cpu()
    write_section(output, "noc_booksim", markdown(series, source, quick, seeds, machine, wall_s))
    return {
        "series": series,
        "quick": quick,
        "seeds": list(seeds),
        "cpu": machine,
        "wall_s": wall_s,
        "booksim": booksim or str(REFERENCE.name),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run a curve or the validation."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.noc_validation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pattern", default="uniform", choices=PATTERNS)
    parser.add_argument("--rates", default="0.01,0.05", help="offered loads, flits/node/cycle")
    parser.add_argument("--vcs", type=int, default=1, help="virtual channels per port")
    parser.add_argument("--packet-flits", type=int, default=4, help="flits per packet")
    parser.add_argument("--seeds", default="1,2,3", help="seeds averaged per rate")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON to FILE")
    parser.add_argument("--quick", action="store_true", help="short windows (CI)")
    parser.add_argument(
        "--validate",
        action="store_true",
        help="both BookSim series; rewrite the docs/validation.md section",
    )
    parser.add_argument("--booksim", metavar="PATH", help="a BookSim2 binary to run alongside")
    parser.add_argument(
        "--write-docs", action="store_true", help="--validate rewrites docs/validation.md"
    )
    parser.add_argument(
        "--output", type=Path, help="markdown file whose section --validate rewrites instead"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes (default: one per core)"
    )
    args = parser.parse_args(argv)
    try:
        rates = [float(r) for r in args.rates.split(",") if r]
        seeds = [int(s) for s in args.seeds.split(",") if s]
        if not rates or not seeds or any(not 0 < r <= args.packet_flits for r in rates):
            raise ValueError("--rates must be loads in (0, packet flits] and --seeds integers")
        if args.vcs < 1 or args.packet_flits < 1:
            raise ValueError("--vcs and --packet-flits must be at least 1")
    except ValueError as error:
        parser.error(str(error))
    if args.validate:
        output = args.output or (DEFAULT_OUTPUT if args.write_docs else None)
        result = validate(args.quick, args.booksim, output, args.workers)
        for s in result["series"]:
            print(
                f"{s['vcs']} VC: worst latency error"
                f" {s['worst_latency_error_below_saturation']:.1%},"
                f" zero-load gap {s['zero_load_gap_cycles']}, saturation"
                f" {s['saturation_throughput']['error']:+.1%}, targets {s['met']}"
            )
        if output is not None:
            print(f"wrote the section noc_booksim of {output}")
    else:
        started = time.perf_counter()
        points = measure(
            args.pattern, rates, args.vcs, args.packet_flits, seeds, args.quick, args.workers
        )
        result = {
            "topology": f"{SIDE}x{SIDE} mesh, XY routing",
            "pattern": args.pattern,
            "vcs": args.vcs,
            "packet_flits": args.packet_flits,
            "seeds": seeds,
            "router": asdict(RouterParams(vcs=args.vcs)),
            "quick": args.quick,
            "cpu": cpu(),
            "wall_s": time.perf_counter() - started,
            "points": points,
        }
        for p in points:
            print(
                f"{p['injection_rate_flits']:g}: latency {_cell(p['avg_packet_latency_cycles'])}"
                f" cycles, accepted {p['accepted_flits_per_node_cycle']:.4f}"
                f"{' (saturated)' if p['saturated'] else ''}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
