"""Speed and memory of the simulator itself, measured side by side in one run.

    python -m benchmarks.sim_speed [--quick] [--json FILE] [--markdown FILE]

Figures (machines here are noisy, so every speed is also given as a ratio measured in the
same run):
- engine overhead: SimPy events per second of a whole cimsim run, divided by the events
  per second of a bare SimPy loop of the same number of timeouts in the same process;
- wall time and peak resident memory of whole runs (each case in a fresh subprocess, so
  the peak is its own): resnet18 and resnet50 on the isaac preset (layer_by_layer at batch
  1; pipelined at batch 8), with the estimate mode beside each, vgg8 on the neurosim
  preset when that preset exists, and, for scale, twelve-layer transformers that do not fit
  on the chip (BERT-base at 128 tokens and a GPT-2 decode step over a 1,024-token KV cache,
  weight_reuse RP);
- SimPy events per crossbar task (MVM work unit);
- the command line as a user runs it: ``cimsim run`` of resnet18 on isaac as a whole
  process, beside the time to import its modules alone.
"""

import argparse
import json
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import simpy

_CASE_SCRIPT = """
import json, resource, sys, time
import simpy
from cimsim.config import load_arch
from cimsim.runs import load_workload, simulate
arch, workload, scheduler, batch, mode, trace = sys.argv[1:7]
graph = load_workload(workload)
extra = {"reuse_mode": "RP"} if scheduler == "weight_reuse" else {}
start = time.perf_counter()
result = simulate(load_arch(arch), graph, scheduler=scheduler, batch=int(batch), mode=mode,
                  trace=trace, **extra)
records = 0 if result.trace is None else len(result.trace)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
s = result.summary
env = simpy.Environment()
def loop(n):
    for _ in range(n):
        yield env.timeout(1)
env.process(loop(s["events_processed"]))
start = time.perf_counter()
env.run()
bare = time.perf_counter() - start
print(json.dumps({"wall_s": wall, "peak_mib": peak_kib / 1024, "events": s["events_processed"],
                  "bare_simpy_s": bare,
                  "trace_records": records,
                  "tasks": s["tasks"], "total_cycles": s["total_cycles"],
                  "crossbar_tasks": s["crossbar_tasks"]}))
"""

Case = tuple[str, str, str, int]
"""(preset, zoo network spec, scheduler, batch); weight_reuse runs its RP mode (batch 1)."""
FULL_CASES: tuple[Case, ...] = (
    ("isaac", "resnet18", "layer_by_layer", 1),
    ("isaac", "resnet18", "pipelined", 8),
    ("isaac", "resnet50", "layer_by_layer", 1),
    ("isaac", "resnet50", "pipelined", 8),
    ("neurosim", "vgg8", "layer_by_layer", 1),
    ("isaac", "bert_base:layers=12,seq_len=128", "weight_reuse", 1),
    ("isaac", "gpt2_decode:blocks=12,kv_len=1024", "weight_reuse", 1),
)
REPEATS = 3
"""Repeats of the engine-overhead measurement; the best of each is kept."""
QUICK_CASES: tuple[Case, ...] = (("isaac", "resnet18", "layer_by_layer", 1),)


def bare_simpy_events_per_s(events: int) -> float:
    """Events per second of one SimPy process doing ``events`` unit timeouts."""
    env = simpy.Environment()

    def loop():
        for _ in range(events):
            yield env.timeout(1)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - start)


def engine_overhead(workload: str = "resnet18") -> dict[str, Any]:
    """cimsim's events/s against a bare SimPy loop of as many events, in this process.

    Two cimsim rates: the whole run (mapping, scheduling, planning, simulation, pricing,
    tables) and the event loop alone (the SimPy processes of the event timer).
    """
    from cimsim.config import load_arch
    from cimsim.config.hardware import hardware_params
    from cimsim.engine import Engine, collector_paused
    from cimsim.mapper import map_network
    from cimsim.plan.lower import lower_program
    from cimsim.runs import simulate
    from cimsim.scheduler import program_scheduler
    from cimsim.timing.event import Holds, ProgramRunner
    from cimsim.trace import TraceSink
    from workloads import zoo
    from workloads.shapes import analyze

    graph, arch = zoo.build(workload), load_arch("isaac")
    simulate(arch, graph)  # warm caches and imports
    info, hw = analyze(graph), hardware_params(arch)
    mapping = map_network(info, arch, hw)
    program = program_scheduler("layer_by_layer")(info, mapping, arch, 1)
    plan = lower_program(program, mapping, info, arch.precision.activation_bits, hw.digital)
    whole_walls, loop_walls, bare_rates = [], [], []
    for _ in range(REPEATS):  # best of a few: the machine is shared and noisy
        start = time.perf_counter()
        events = simulate(arch, graph).summary["events_processed"]
        whole_walls.append(time.perf_counter() - start)
        engine, sink = Engine(hw.clock_ghz), TraceSink()
        runner = ProgramRunner(Holds(engine, sink, plan.resources, plan.flit_bytes), program, plan)
        runner.start()
        with collector_paused():  # as simulate() runs it
            start = time.perf_counter()
            engine.run()
            loop_walls.append(time.perf_counter() - start)
        bare_rates.append(bare_simpy_events_per_s(events))
    whole_wall, loop_wall, bare_rate = min(whole_walls), min(loop_walls), max(bare_rates)
    return {
        "workload": workload,
        "events": events,
        "cimsim_events_per_s": events / whole_wall,
        "cimsim_loop_events_per_s": engine.events_processed / loop_wall,
        "bare_simpy_events_per_s": bare_rate,
        "ratio": events / whole_wall / bare_rate,
        "loop_ratio": engine.events_processed / loop_wall / bare_rate,
    }


def cli_wall_times() -> dict[str, float]:
    """Best of a few: a whole ``cimsim run`` process (resnet18, isaac, defaults) and a
    process that only imports the command line."""
    run = [sys.executable, "-m", "cimsim", "run", "--arch", "isaac", "--workload", "resnet18",
           "--quiet"]  # fmt: skip
    imports = [sys.executable, "-c", "import cimsim.cli"]
    best: dict[str, float] = {}
    for name, argv in (("run_s", run), ("import_s", imports)):
        walls = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=True)
            walls.append(time.perf_counter() - start)
        best[name] = min(walls)
    return best


def run_case(
    arch: str,
    workload: str,
    scheduler: str,
    batch: int,
    mode: str,
    trace: str = "off",
) -> dict[str, Any]:
    """One whole run in a fresh interpreter: wall time, peak memory, events."""
    args = [arch, workload, scheduler, str(batch), mode, trace]
    done = subprocess.run(
        [sys.executable, "-c", _CASE_SCRIPT, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def fastest_case(repeats: int, *args: Any) -> dict[str, Any]:
    """The fastest of ``repeats`` runs of one case (a 0.1 s run is mostly noise once)."""
    runs = [run_case(*args) for _ in range(repeats)]
    return min(runs, key=lambda run: run.get("wall_s", float("inf")))


def measure(quick: bool) -> dict[str, Any]:
    """Every figure of this benchmark."""
    from cimsim.config import preset_names

    cases = []
    for arch, workload, scheduler, batch in QUICK_CASES if quick else FULL_CASES:
        if arch not in preset_names():
            cases.append({"case": f"{workload} on {arch}", "skipped": f"no {arch} preset"})
            continue
        row: dict[str, Any] = {
            "arch": arch, "workload": workload, "scheduler": scheduler, "batch": batch,
        }  # fmt: skip
        for mode in ("event", "estimate"):
            row[mode] = run_case(arch, workload, scheduler, batch, mode)
        cases.append(row)
    repeats = 1 if quick else REPEATS
    trace_off = fastest_case(repeats, "isaac", "resnet18", "layer_by_layer", 1, "event")
    trace_full = fastest_case(repeats, "isaac", "resnet18", "layer_by_layer", 1, "event", "full")
    return {
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "quick": quick,
        "engine_overhead": engine_overhead(),
        "cli": cli_wall_times(),
        "cases": cases,
        "trace_overhead": {"off": trace_off, "full": trace_full},
    }


def markdown(results: dict[str, Any]) -> str:
    """The tables of docs/performance.md's measured section."""
    over = results["engine_overhead"]
    lines = [
        "| figure | value |",
        "|---|---|",
        f"| SimPy events in a resnet18 run (isaac, layer_by_layer) | {over['events']:,} |",
        f"| cimsim events/s, whole run | {over['cimsim_events_per_s']:,.0f} |",
        f"| cimsim events/s, event loop only | {over['cimsim_loop_events_per_s']:,.0f} |",
        f"| bare SimPy loop events/s | {over['bare_simpy_events_per_s']:,.0f} |",
        f"| ratio, whole run / bare (target >= 0.5) | {over['ratio']:.2f} |",
        f"| ratio, event loop / bare | {over['loop_ratio']:.2f} |",
        *_trace_rows(results["trace_overhead"]),
        f"| `cimsim run` resnet18 on isaac, whole process | {results['cli']['run_s']:.2f} s |",
        f"| of which importing the command line | {results['cli']['import_s']:.2f} s |",
        "",
        "| network | preset | scheduler | batch | event s | peak MiB | events | events per "
        "task | events per crossbar task | bare SimPy s, as many events | ratio bare / event "
        "| estimate s | estimate / event cycles |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in results["cases"]:
        if "skipped" in case:
            lines.append(f"| {case['case']} | skipped: {case['skipped']} ||||||||||||")
            continue
        ev, es = case["event"], case["estimate"]
        if "error" in ev or "error" in es:
            lines.append(f"| {case['workload']} | {case['arch']} | error: "
                         f"{ev.get('error') or es.get('error')} |||||||||||")  # fmt: skip
            continue
        lines.append(
            f"| {case['workload']} | {case['arch']} | {case['scheduler']} | {case['batch']} | "
            f"{ev['wall_s']:.2f} | {ev['peak_mib']:.0f} | {ev['events']:,} | "
            f"{ev['events'] / max(ev['tasks'], 1):.1f} | "
            f"{ev['events'] / max(ev['crossbar_tasks'], 1):.1f} | {ev['bare_simpy_s']:.3f} | "
            f"{ev['bare_simpy_s'] / ev['wall_s']:.2f} | {es['wall_s']:.2f} | "
            f"{es['total_cycles'] / ev['total_cycles']:.3f} |"
        )
    return "\n".join(lines)


def _trace_rows(trace: dict[str, Any]) -> list[str]:
    off, full = trace["off"], trace["full"]
    if "error" in off or "error" in full:
        return [f"| resnet18 --trace full | error: {off.get('error') or full.get('error')} |"]
    return [
        f"| resnet18 --trace full / trace off, wall time (target <= 1.5) | "
        f"{full['wall_s'] / off['wall_s']:.2f} |",
        f"| resnet18 --trace full peak memory (target < 2048 MiB) | {full['peak_mib']:.0f} MiB |",
        f"| resnet18 --trace full interval records | {full['trace_records']:,} |",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sim_speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one case (a few seconds)")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the tables as markdown here")
    args = parser.parse_args(argv)
    results = measure(args.quick)
    text = markdown(results)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
