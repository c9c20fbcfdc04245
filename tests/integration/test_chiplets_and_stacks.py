"""2.5-D and 3-D machines from presets: ResNet-18 and VGG-8 run, keep the invariants, the
estimate stays below the event run, runs repeat exactly; memory per chiplet; bad input."""

import pytest

from cimsim.analysis.invariants import run_violations
from cimsim.cli import main
from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import ConfigError
from cimsim.machine.build import build_machine
from cimsim.machine.hierarchy import Chiplets, Stack3D
from cimsim.mapper import map_network
from cimsim.plan.lower import Lowering
from cimsim.plan.weights import lower_weight_loads
from cimsim.runs import simulate
from workloads import zoo
from workloads.shapes import analyze

PRESETS = {"isaac_chiplets": "interposer", "isaac_3d": "tsv"}
"""Preset -> the kind of its links between dies or tiers."""
SMALL = {
    "isaac_chiplets": ["noc.rows=2", "noc.cols=2", "noc.chiplets.gateway=[1, 1]", "tile.pes=2"],
    "isaac_3d": ["noc.rows=2", "noc.cols=2", "tile.pes=2",
                 "memory.dram.routers=[[0, 0, 0], [1, 1, 1]]",
                 "memory.global_buffer.routers=[[0, 0, 0], [1, 1, 1]]"],
}  # fmt: skip
"""The presets shrunk to 2x2-tile chiplets or tiers of 2 PEs: LeNet-5 spans several."""


def _flits(summary: dict, kind: str) -> float:
    return summary["energy_by_component_pj"].get(kind, 0.0)


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("network", ["resnet18", "vgg8"])
def test_networks_run_on_the_presets_and_keep_the_invariants(preset: str, network: str) -> None:
    arch, graph = load_arch(preset), zoo.build(network)
    options = {"scheduler": "cross_layer", "duplication": "greedy", "placement": "hilbert"}
    event = simulate(arch, graph, **options).summary
    estimate = simulate(arch, graph, mode="estimate", **options).summary
    assert run_violations(event) == [] and run_violations(estimate) == []
    assert 0 < estimate["total_cycles"] <= event["total_cycles"]
    assert _flits(event, PRESETS[preset]) > 0  # the copies spread over chiplets or tiers
    assert event["energy_unpriced"] == [] and event["mesh"] == [168 // arch.noc.cols, arch.noc.cols]
    assert simulate(arch, graph, **options).summary == event  # deterministic


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("scheduler", ["layer_by_layer", "cross_layer"])
def test_a_full_trace_of_a_small_network_keeps_every_invariant(preset: str, scheduler: str) -> None:
    arch = load_arch(preset, SMALL[preset])
    result = simulate(arch, zoo.build("lenet5"), scheduler=scheduler, duplication="greedy",
                      placement="snake", batch=2, trace="full")  # fmt: skip
    summary = result.summary
    assert _flits(summary, PRESETS[preset]) > 0
    assert run_violations(summary, result.trace.to_frame()) == []


def test_each_chiplet_reads_its_weights_from_its_own_controller() -> None:
    arch = load_arch("isaac_chiplets")
    machine = build_machine(arch)
    assert isinstance(machine.topology, Chiplets) and machine.tiles == 168
    dram = machine.memory.level("dram")
    assert dram.routers == (0, 42, 84, 126)
    assert dram.serving == tuple(tile // 42 for tile in range(168))
    # serves nearest on the 3-D stack: the tiles above a corner controller use it too
    stack = build_machine(load_arch("isaac_3d"))
    assert isinstance(stack.topology, Stack3D)
    corners = stack.memory.level("dram")
    assert corners.serving[0] == corners.serving[84] == 0  # (0, 0) of both tiers
    assert corners.serving[83] == corners.serving[167] == 3  # (6, 11) of both tiers
    info = analyze(zoo.build("resnet18"))
    mapping = map_network(info, arch, hardware_params(arch), "greedy", machine=machine)
    weights = {name: info.by_name[name].params for name in mapping.copies}
    loads = lower_weight_loads(Lowering(machine), mapping, weights)
    sends = [hold for load in loads for copy in load.copies for chain in copy.sends
             for hold in chain]  # fmt: skip
    assert sends and all(send.kinds == () for send in sends)  # never over the interposer
    names = {read.port for load in loads for read in load.reads}
    assert len(names) == 4  # every chiplet's controller reads the weights of its copies


def test_a_controller_per_chiplet_keeps_weights_off_the_interposer() -> None:
    graph = zoo.build("vgg8")
    one = ["memory.dram.routers=[[0, 0, 0]]", "memory.dram.serves=nearest",
           "memory.global_buffer.routers=[[0, 0, 0]]", "memory.global_buffer.serves=nearest"]
    runs = {
        name: simulate(load_arch("isaac_chiplets", overrides), graph,
                       duplication="greedy").summary
        for name, overrides in (("one", one), ("per chiplet", []))
    }  # fmt: skip
    local, one = runs["per chiplet"], runs["one"]
    assert _flits(local, "interposer") < 0.5 * _flits(one, "interposer")
    assert local["bytes"]["dram_read_bytes"] == one["bytes"]["dram_read_bytes"]
    assert local["total_cycles"] < one["total_cycles"]


@pytest.mark.parametrize(
    ("preset", "override", "fragment"),
    [
        ("isaac_chiplets", "noc.chiplets.gateway=[7, 0]",
         r"noc: chiplets.gateway: \[7, 0\] is outside the 7x6 mesh of one chiplet"),
        ("isaac_chiplets", "noc.chiplets.grid=[1, 1]", "2 to 64 chiplets"),
        ("isaac_chiplets", "memory.dram.routers=[[0, 0, 0], [1, 0, 0], [3, 0, 0]]",
         r"chiplet 2 has no dram instance, and serves: local"),
        ("isaac_chiplets", "memory.dram.routers=[[4, 0, 0]]", r"chiplet 4 does not exist"),
        ("isaac_3d", "noc.stack3d.elevators=[]", "leaves the tiers unconnected"),
        ("isaac_3d", "noc.stack3d.elevators=[[0, 0], [6, 11]]", "can deadlock"),
        ("isaac_3d", "noc.stack3d.tiers=1", "noc.stack3d.tiers"),
        ("isaac", "noc.stack3d={tiers: 2, link_bandwidth: 1 GB/s, link_latency: 1 ns}",
         "stack3d is given for topology mesh"),
        ("isaac", "noc.topology=chiplets", "chiplets is required for topology chiplets"),
        ("isaac", "memory.dram.routers=[[0, 0, 0]]", r"a \[unit, row, col\] address"),
        ("isaac", "memory.dram.serves=local", "serves: local picks an instance"),
    ],
)  # fmt: skip
def test_bad_topologies_are_refused_naming_the_field(preset: str, override: str,
                                                     fragment: str) -> None:  # fmt: skip
    with pytest.raises(ConfigError, match=fragment):
        load_arch(preset, [override])


def test_the_cli_describes_the_topology_and_refuses_bad_input(capsys) -> None:
    assert main(["describe", "isaac_chiplets"]) == 0
    out = capsys.readouterr().out
    assert ("topology chiplets: 2x2 chiplets of 7x6 meshes (XY), gateways at [3, 3], joined "
            "by a mesh of 8 interposer links") in out  # fmt: skip
    assert main(["describe", "isaac_3d"]) == 0
    assert "topology stack3d: 2 tiers of 7x12 meshes, a 3-D mesh routed X, Y, then Z; 168 tsv" in (
        capsys.readouterr().out
    )
    code = main(["describe", "isaac_3d", "--set", "noc.stack3d.elevators=[[0, 0], [1, 1]]"])
    assert code == 2 and "can deadlock" in capsys.readouterr().err


def test_a_group_level_has_an_instance_per_block_of_every_chiplet() -> None:
    l2 = ("memory=[{name: tile_buffer, scope: tile, size: 4 KiB, bandwidth: 16 GB/s, "
          "access_latency: 1 ns}, {name: l2, scope: group, group: [2, 2], size: 16 KiB, "
          "bandwidth: 16 GB/s, access_latency: 1 ns}, {name: dram, scope: off_chip, "
          "routers: [[0, 0], [3, 2, 2]], bandwidth: 8 GB/s, access_latency: 50 ns, "
          "technology: lpddr4}]")  # fmt: skip
    chiplets = "noc.chiplets={grid: [2, 2], link_bandwidth: 4 GB/s, link_latency: 4 ns}"
    arch = load_arch("tiny", ["noc.topology=chiplets", chiplets, l2])
    level = build_machine(arch).memory.level("l2")
    assert len(level.routers) == 4 * 4  # 3x3 chiplets in 2x2 blocks: 4 blocks each
    assert level.routers[4] == 9 and level.serving[9:18] == (4, 4, 5, 4, 4, 5, 6, 6, 7)
    summary = simulate(arch, zoo.build("lenet5"), duplication="greedy").summary
    assert summary["energy_unpriced"] == [] and run_violations(summary) == []
    dram = build_machine(arch).memory.level("dram")
    assert dram.serving[:9] == (0,) * 9 and dram.serving[27:] == (1,) * 9  # nearest, by chiplet
