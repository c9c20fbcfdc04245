"""The machine as data: memory levels, memory controllers and topologies from the file alone."""

from importlib import resources

import pytest
import yaml

from cimsim.config import load_arch
from cimsim.errors import ConfigError
from cimsim.machine import Mesh, Ring, Torus
from cimsim.machine.build import build_machine
from cimsim.machine.topology import diameter
from cimsim.runs import simulate
from workloads import zoo


def _tiny_raw() -> dict:
    text = (resources.files("cimsim.config") / "presets" / "tiny.yaml").read_text()
    return yaml.safe_load(text)


def test_an_l2_level_added_in_yaml_alone_changes_traffic_time_and_energy(tmp_path) -> None:
    raw = _tiny_raw()
    raw["memory"][0]["size"] = "512 B"  # activations spill beyond the tiles
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(raw, sort_keys=False))
    l2 = {"name": "l2", "scope": "group", "group": [2, 2], "size": "32 KiB",
          "bandwidth": "32 GB/s", "access_latency": "1 ns", "technology": "sram"}  # fmt: skip
    raw["memory"].insert(1, l2)
    with_l2 = tmp_path / "with_l2.yaml"
    with_l2.write_text(yaml.safe_dump(raw, sort_keys=False))
    graph = zoo.build("lenet5")
    before = simulate(load_arch(plain), graph).summary
    after = simulate(load_arch(with_l2), graph).summary
    assert "l2_read_bytes" not in before["bytes"]
    moved = before["bytes"]["global_buffer_read_bytes"]
    assert moved > 0
    assert after["bytes"]["l2_read_bytes"] == moved  # what spilled now waits in the L2
    assert after["bytes"]["global_buffer_read_bytes"] == 0
    assert after["total_cycles"] != before["total_cycles"]
    assert after["energy_by_component_pj"]["l2"] > 0
    assert after["energy_pj"] != before["energy_pj"]
    assert after["energy_unpriced"] == []
    assert "l2" in after["utilization"]


def test_a_second_memory_controller_unloads_the_busiest_link() -> None:
    graph = zoo.build("vgg8")
    busiest = {}
    for routers in ("[[0, 0]]", "[[0, 0], [3, 3]]"):
        arch = load_arch("compact_4x4", [f"memory.dram.routers={routers}"])
        summary = simulate(arch, graph, scheduler="weight_reuse", reuse_mode="RP").summary
        busiest[routers] = summary["utilization"]["noc_link_max"] * summary["total_cycles"]
        assert summary["bytes"]["dram_read_bytes"] == 12_985_728  # the same weights, read once
    assert busiest["[[0, 0], [3, 3]]"] < 0.7 * busiest["[[0, 0]]"]


def _noc(cls, rows: int, cols: int):
    return cls(rows=rows, cols=cols, flit_bytes=4, link_bandwidth_gbps=4.0, router_latency_ns=1.0)


def test_torus_routes_take_the_shorter_way_round() -> None:
    torus, mesh = _noc(Torus, 4, 4), _noc(Mesh, 4, 4)
    names = lambda t, a, b: [t.links[i].name for i in t.route(a, b)]  # noqa: E731
    assert names(torus, 0, 3) == ["link0-3"]  # the wrap-around link
    assert names(torus, 0, 15) == ["link0-3", "link3-15"]
    assert names(mesh, 0, 15) == ["link0-1", "link1-2", "link2-3", "link3-7", "link7-11",
                                  "link11-15"]  # fmt: skip
    assert diameter(torus) == 4 and diameter(mesh) == 6
    assert len(torus.links) == len(mesh.links) + 16  # every row and column closes both ways
    # cyclic channel dependencies: links are taken in one global order, not path order
    route = torus.route(0, 15)
    assert torus.acquisition_order(route) == tuple(sorted(route))


def test_ring_routes_the_shorter_way_and_refuses_two_rows() -> None:
    ring = _noc(Ring, 1, 8)
    assert [ring.links[i].name for i in ring.route(0, 6)] == ["link0-7", "link7-6"]
    assert diameter(ring) == 4
    with pytest.raises(ValueError, match="one row"):
        _noc(Ring, 2, 4)
    with pytest.raises(ConfigError, match="ring has one row"):
        load_arch("tiny", ["noc.topology=ring"])


def test_a_torus_cuts_hops_and_runs_contended_traffic_to_the_end() -> None:
    graph = zoo.build("resnet18")
    runs = {
        topology: simulate(
            load_arch("isaac", [f"noc.topology={topology}"]), graph, scheduler="cross_layer",
            duplication="greedy",
        ).summary
        for topology in ("mesh", "torus")
    }  # fmt: skip
    assert runs["torus"]["noc_hops_per_byte"] < 0.8 * runs["mesh"]["noc_hops_per_byte"]
    assert runs["torus"]["bytes"]["noc_bytes"] == runs["mesh"]["bytes"]["noc_bytes"]
    assert runs["torus"]["adc_conversions"] == runs["mesh"]["adc_conversions"]


def test_a_ring_chip_runs_and_its_machine_says_so() -> None:
    arch = load_arch("tiny", ["noc.topology=ring", "noc.rows=1", "noc.cols=9"])
    machine = build_machine(arch)
    assert isinstance(machine.topology, Ring) and machine.tiles == 9
    summary = simulate(arch, zoo.build("lenet5"), scheduler="cross_layer", batch=2).summary
    assert summary["total_cycles"] > 0 and summary["energy_unpriced"] == []


def test_a_memory_level_with_more_ports_serves_accesses_at_once() -> None:
    graph = zoo.build("vgg8")
    runs = {}
    for ports in (1, 4):
        arch = load_arch(
            "compact_4x4", ["memory.dram.bandwidth=6.4 GB/s", f"memory.dram.ports={ports}"]
        )
        runs[ports] = {
            mode: simulate(arch, graph, scheduler="weight_reuse", reuse_mode="RP", mode=mode)
            .summary
            for mode in ("event", "estimate")
        }  # fmt: skip
    one, four = runs[1]["event"], runs[4]["event"]
    assert four["weight_load_cycles"] < 0.95 * one["weight_load_cycles"]  # reads overlap
    assert four["bytes"] == one["bytes"]
    assert 0 < four["utilization"]["dram"] < one["utilization"]["dram"] <= 1
    for ports in (1, 4):
        assert runs[ports]["estimate"]["total_cycles"] <= runs[ports]["event"]["total_cycles"]


def test_a_new_level_priced_explicitly_in_the_file_is_charged_per_byte(tmp_path) -> None:
    raw = _tiny_raw()
    raw["memory"][0]["size"] = "512 B"
    raw["memory"].insert(
        1,
        {
            "name": "l2",
            "scope": "chip",
            "routers": [[1, 1]],
            "size": "32 KiB",
            "bandwidth": "32 GB/s",
            "access_latency": "1 ns",
        },
    )
    raw["costs"]["components"] = {
        "l2": {
            "source": "a datasheet",
            "explicit": {
                "energy": {"read_byte": "0.5 pJ", "write_byte": "0.7 pJ"},
                "leakage": "2 mW",
            },
        }
    }
    path = tmp_path / "l2.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    summary = simulate(load_arch(path), zoo.build("lenet5")).summary
    moved = summary["bytes"]
    expected = moved["l2_read_bytes"] * 0.5 + moved["l2_write_bytes"] * 0.7
    assert moved["l2_read_bytes"] > 0
    assert summary["energy_by_component_pj"]["l2"] == pytest.approx(expected)
    assert "1 by explicit" in summary["energy_pricing"]  # the rest by the models
