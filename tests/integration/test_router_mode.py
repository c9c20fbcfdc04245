"""noc.model routers in runs: agreement with the path model where nothing contends, the
same traffic counted, determinism, and clear errors for configurations that cannot work."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cimsim.config import load_arch
from cimsim.engine import Engine
from cimsim.errors import ConfigError
from cimsim.machine import Ring, RouterModel, RouterParams
from cimsim.machine.build import build_machine
from cimsim.machine.deadlock import dependency_cycle
from cimsim.plan import Resources
from cimsim.plan.lower import Lowering
from cimsim.timing.event import Holds
from cimsim.timing.router_clock import RouterClock
from cimsim.timing.routers import NocDeadlock
from cimsim.trace import TraceSink

ROUTER_LATENCIES = ["1 ns", "2 ns", "4 ns", "6 ns"]


def _message_cycles(overrides: dict, src: int, dst: int, nbytes: int) -> int:
    machine = build_machine(load_arch("tiny", overrides))
    engine, sink = Engine(machine.clock_ghz), TraceSink()
    lowering = Lowering(machine, Resources())
    routers = None
    if machine.routers is not None:
        routers = RouterClock(engine, machine.topology, machine.routers)
    holds = Holds(engine, sink, lowering.resources, machine.topology.flit_bytes, routers)
    engine.process(holds.message("x", lowering.message(src, dst, nbytes)))
    return engine.run()


@pytest.mark.parametrize("latency", ROUTER_LATENCIES)
def test_a_lone_message_takes_the_path_time_plus_injection_and_the_last_router(
    latency: str,
) -> None:
    """Where nothing contends the two models agree up to a constant per message: the router
    model also charges the injection channel and the destination router's pipeline."""
    base = {"noc.router_latency": latency}
    routed = {**base, "noc.model": "routers"}
    params = build_machine(load_arch("tiny", routed)).routers.params
    for src, dst in [(0, 1), (0, 8), (8, 0), (2, 6), (4, 5)]:
        for nbytes in (8, 64, 800):
            path = _message_cycles(base, src, dst, nbytes)
            router = _message_cycles(routed, src, dst, nbytes)
            assert router - path == params.injection_cycles + params.hop_cycles - 1


def test_the_default_stage_split_fills_router_latency() -> None:
    stages = {
        latency: build_machine(
            load_arch("tiny", {"noc.router_latency": latency, "noc.model": "routers"})
        ).routers.params
        for latency in ROUTER_LATENCIES
    }
    assert [p.hop_cycles for p in stages.values()] == [1, 2, 4, 6]
    four = stages["4 ns"]
    assert (
        four.routing_cycles,
        four.vc_alloc_cycles,
        four.switch_alloc_cycles,
        four.switch_traversal_cycles,
        four.link_cycles,
    ) == (0, 1, 1, 1, 1)
    assert stages["6 ns"].routing_cycles == 2


def _run(arch: str, workload: str, out: Path, *sets: str) -> dict:
    command = [
        sys.executable,
        "-m",
        "cimsim",
        "run",
        "--arch",
        arch,
        "--workload",
        workload,
        "--out",
        str(out),
        "--trace",
        "full",
    ]
    for item in sets:
        command += ["--set", item]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "summary.json").read_text())


def test_runs_in_router_mode_move_the_same_bytes_and_are_deterministic(tmp_path: Path) -> None:
    path = _run("tiny", "mlp", tmp_path / "path")
    routed = _run("tiny", "mlp", tmp_path / "r1", "noc.model=routers")
    again = _run("tiny", "mlp", tmp_path / "r2", "noc.model=routers")
    for key in ("noc_injected_bytes", "noc_hops_per_byte", "bytes", "energy_dynamic_pj"):
        assert routed[key] == path[key]
    assert routed["total_cycles"] != path["total_cycles"]
    assert routed == again
    traces = sorted(p.name for p in (tmp_path / "r1").iterdir() if p.name.startswith("trace"))
    assert traces
    for name in [*traces, "layers.csv"]:
        assert (tmp_path / "r1" / name).read_bytes() == (tmp_path / "r2" / name).read_bytes()


def test_router_mode_refuses_what_cannot_work() -> None:
    with pytest.raises(ConfigError, match=r"noc\.router\.vc_alloc_cycles 1.*at least one link"):
        load_arch("tiny", {"noc.model": "routers", "noc.router.vc_alloc_cycles": 1})
    with pytest.raises(ConfigError, match=r"noc\.router\.buffer_flits"):
        load_arch("tiny", {"noc.model": "routers", "noc.router.buffer_flits": 0})
    with pytest.raises(ConfigError, match="whole number"):
        load_arch("tiny", {"noc.model": "routers", "noc.link_bandwidth": "16 GB/s"})
    arch = load_arch("compact_4x4", {"noc.model": "routers", "noc.topology": "torus"})
    with pytest.raises(ConfigError, match=r"cycle of channel dependencies \(link"):
        build_machine(arch)


def test_the_cli_reports_a_deadlock_prone_topology_with_exit_2(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "cimsim",
        "run",
        "--arch",
        "compact_4x4",
        "--workload",
        "mlp",
        "--out",
        str(tmp_path / "out"),
        "--set",
        "noc.model=routers",
        "--set",
        "noc.topology=torus",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "channel dependencies" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_mesh_routes_are_free_of_dependency_cycles_and_rings_are_not() -> None:
    mesh = build_machine(load_arch("compact_4x4")).topology
    assert mesh.path_order_is_safe and dependency_cycle(mesh, route_order=True) == ()
    ring = Ring(rows=1, cols=5, flit_bytes=8, link_bandwidth_gbps=8.0, router_latency_ns=1)
    cycle = dependency_cycle(ring, route_order=True)
    assert len(cycle) >= 3


def test_a_deadlock_in_a_run_stops_it_with_the_cycle_and_the_links() -> None:
    """A ring bypasses the configuration check here: the run must stop, not hang."""
    ring = Ring(rows=1, cols=4, flit_bytes=8, link_bandwidth_gbps=8.0, router_latency_ns=1)
    params = RouterParams(
        buffer_flits=2,
        link_cycles=1,
        switch_traversal_cycles=0,
        vc_alloc_cycles=0,
        switch_alloc_cycles=0,
        deadlock_cycles=100,
    )
    links = len(ring.links)
    model = RouterModel(params, 1, (1,) * links, (1,) * links)  # not router_model: no check
    engine, sink = Engine(1.0), TraceSink()
    clock = RouterClock(engine, ring, model)
    for src in range(4):
        for _ in range(3):
            clock.send(src, (src + 2) % 4, 16)
    with pytest.raises(NocDeadlock, match=r"NoC cycle \d+ to \d+ with 12 packets.*link"):
        engine.run()
    assert sink.total("noc", "message") == 0
