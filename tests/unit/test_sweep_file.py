"""The sweep file: validation, point resolution, stable keys, result rows (no cluster)."""

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cimsim.config import load_arch
from cimsim.errors import ConfigError
from cimsim.sweep import load_sweep, metrics, resolve_points
from cimsim.sweep.plot import cost_column, pareto_mask
from cimsim.sweep.spec import SPECIAL_AXES
from cimsim.sweep.store import read_parts, results_frame, write_part

BASE = "arch: tiny\nworkload: mlp\n"


def _points(tmp_path: Path, text: str, name: str = "sweep.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return resolve_points(load_sweep(path), path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _points(tmp_path, text)
    return str(caught.value)


def test_grid_is_a_cartesian_product_in_file_order(tmp_path: Path) -> None:
    points = _points(
        tmp_path, BASE + "grid:\n  tile.adc.bits: [4, 6, 8]\n  tile.crossbar.rows: [32, 64]\n"
    )
    assert [(p.arch.tile.adc.bits, p.arch.tile.crossbar.rows) for p in points] == [
        (4, 32), (4, 64), (6, 32), (6, 64), (8, 32), (8, 64)
    ]  # fmt: skip
    assert [p.index for p in points] == list(range(6))
    assert len({p.key for p in points}) == 6
    assert all(len(p.key) == 64 for p in points)
    assert dict(points[0].columns)["tile.adc.bits"] == 4


def test_points_list_keeps_base_values_for_unnamed_axes(tmp_path: Path) -> None:
    points = _points(
        tmp_path,
        BASE + "batch: 2\npoints:\n  - {tile.adc.bits: 4}\n  - {workload: lenet5, seed: 3}\n",
    )
    assert points[0].arch.tile.adc.bits == 4 and points[0].workload == "mlp"
    assert points[1].arch.tile.adc.bits == load_arch("tiny").tile.adc.bits
    assert (points[1].workload, points[1].settings.seed, points[1].settings.batch) == (
        "lenet5",
        3,
        2,
    )


def test_unit_fields_become_columns_with_units_in_the_name(tmp_path: Path) -> None:
    points = _points(tmp_path, BASE + 'grid:\n  tile.crossbar.read_latency: ["10 ns", "0.1 us"]\n')
    assert [dict(p.columns)["tile.crossbar.read_latency_ns"] for p in points] == [10.0, 100.0]


def test_set_applies_to_every_point(tmp_path: Path) -> None:
    points = _points(
        tmp_path, BASE + "set:\n  tile.adc.per_pe: 2\ngrid:\n  tile.adc.bits: [4, 5]\n"
    )
    assert {p.arch.tile.adc.per_pe for p in points} == {2}


def test_key_is_stable_and_covers_everything_simulated(tmp_path: Path) -> None:
    first = _points(tmp_path, BASE + "grid:\n  tile.adc.bits: [4, 6]\n")
    again = _points(tmp_path, BASE + "grid:\n  tile.adc.bits: [6, 4]\n", "other.yaml")
    assert {p.key for p in first} == {p.key for p in again}
    via_set = _points(tmp_path, BASE + "set: {tile.adc.bits: 4}\npoints: [{}]\n", "set.yaml")
    assert via_set[0].key == first[0].key
    changes = ("seed: 1\n", "batch: 2\n", "workload: lenet5\n", "mode: estimate\n")
    for change in (*changes, "duplication: greedy\n", "placement: snake\n", "extra_pes: 4\n"):
        other = _points(tmp_path, f"{BASE}{change}grid:\n  tile.adc.bits: [4]\n", "c.yaml")
        assert other[0].key != first[0].key, change


def test_zoo_parameters_are_a_workload_axis_keyed_by_their_canonical_spec(tmp_path: Path) -> None:
    points = _points(tmp_path, BASE + "grid:\n  workload: [mlp, 'mlp:hidden=64x32']\n")
    assert [p.workload for p in points] == ["mlp", "mlp:hidden=64x32"]
    assert points[0].key != points[1].key
    same = BASE + "grid:\n  workload: ['mlp:hidden=64x32', 'mlp:classes=10,hidden=64x32']\n"
    assert "point 1 (workload=mlp:classes=10,hidden=64x32): resolves to the same" in _error(
        tmp_path, same
    )  # classes=10 is the default: one network, one key


def test_relative_arch_file_is_found_beside_the_sweep(tmp_path: Path) -> None:
    sub = tmp_path / "sweeps"
    sub.mkdir()
    preset = resources.files("cimsim.config") / "presets" / "tiny.yaml"
    (sub / "chip.yaml").write_text(preset.read_text().replace("name: tiny", "name: mychip"))
    points = _points(sub, "arch: chip.yaml\nworkload: mlp\ngrid:\n  seed: [0, 1]\n")
    assert {p.arch.name for p in points} == {"mychip"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + "grid:\n  tile.adc.bitz: [4]\n", r"axis 'tile.adc.bitz': no field"),
        (BASE + "grid:\n  tile.adc.bits: []\n", r"grid axis 'tile.adc.bits' is empty"),
        (BASE + "grid:\n  tile.adc.bits: 4\n", r"grid.tile.adc.bits: .*valid list"),
        (BASE + "grid:\n  tile.adc.bits: [4, 4]\n", r"axis 'tile.adc.bits' repeats 4"),
        (BASE + "grid: {}\n", r"`grid` has no axes"),
        (BASE + "points: []\n", r"`points` is empty"),
        (BASE, r"exactly one of `grid`"),
        (BASE + "grid: {seed: [1]}\npoints: [{}]\n", r"exactly one of `grid`"),
        ("workload: mlp\ngrid: {seed: [1]}\n", r"arch: required key is missing"),
        (BASE + "grids: {seed: [1]}\n", r"grids: unknown key"),
        (BASE + "grid:\n  scheduler: [layer_by_layer, nope]\n", r"axis 'scheduler': unknown"),
        (BASE + "grid:\n  mode: [event, fast]\n", r"axis 'mode': unknown mode; choices: event"),
        (BASE + "mode: fast\ngrid: {seed: [1]}\n", r"key 'mode': unknown mode"),
        (BASE + "grid:\n  duplication: [none, all]\n", r"axis 'duplication': unknown"),
        (BASE + "grid:\n  placement: [zigzag]\n", r"axis 'placement': unknown placement"),
        (
            BASE + "grid:\n  extra_pes: [-1]\n",
            r"axis 'extra_pes': must be an integer from 0 to 16,777,216 or null",
        ),
        (BASE + "grid:\n  workload: [mlp, nonet]\n", r"axis 'workload':.*nonet"),
        (BASE + "grid:\n  workload: ['mlp:depth=3']\n", r"axis 'workload':.*parameter 'depth'"),
        (
            BASE + "grid:\n  batch: [1, 0]\n",
            r"axis 'batch': must be an integer from 1 to 65,536 \(got 0\)",
        ),
        (BASE + "grid:\n  tile.adc.bits: [4, 99]\n", r"point 1 \(tile.adc.bits=99\).*adc.bits"),
        (BASE + "grid:\n  tile.crossbar.rows: [64, 0]\n", r"point 1 .*crossbar.rows"),
        (
            BASE + "points:\n  - {seed: 1}\n  - {seed: 1}\n",
            r"point 1 .*same configuration as point 0",
        ),
        ("arch: tiny\n  workload: [mlp\n", r"malformed YAML"),
        ("- just\n- a list\n", r"expected a mapping"),
        (BASE + "set: {tile.adc.bitz: 4}\npoints: [{}]\n", r"set key 'tile.adc.bitz': no field"),
        (BASE + "grid:\n" + "".join(f"  f{i}: [1, 2, 3, 4, 5, 6]\n" for i in range(7)), "at most"),
    ],
)
def test_bad_sweep_files_name_the_file_and_axis(tmp_path: Path, text: str, expected: str) -> None:
    message = _error(tmp_path, text)
    assert str(tmp_path / "sweep.yaml") in message
    assert re.search(expected, message), message


def test_missing_sweep_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such sweep file"):
        load_sweep(tmp_path / "absent.yaml")


def test_metrics_flatten_nested_numbers_and_drop_text() -> None:
    summary = {
        "arch": "tiny",
        "batch": 1,
        "latency_s": 2e-6,
        "total_cycles": 2000,
        "mesh": [3, 3],
        "utilization": {"pe": 0.5, "tile": 0.25},
        "bytes": {"dram_read_bytes": 30, "noc_bytes": 10, "noc_byte_hops": 99},
        "energy_by_level_pj": {"dram": 7.0},
        "energy_by_layer_component_pj": {"fc1": {"adc": 1.0}},
        "data_movement_share": 0.5,
    }
    flat = metrics(summary)
    assert set(flat) == {
        "latency_s",
        "total_cycles",
        "utilization_pe",
        "utilization_tile",
        "dram_read_bytes",
        "noc_bytes",
        "bytes_noc_byte_hops",
        "energy_by_level_dram_pj",
        "data_movement_share",
        "bytes_moved",
    }
    assert flat["bytes_moved"] == 40 and flat["energy_by_level_dram_pj"] == 7.0


def test_points_carry_run_settings(tmp_path: Path) -> None:
    points = _points(
        tmp_path, BASE + "duplication: greedy\nextra_pes: 8\ngrid:\n  mode: [event, estimate]\n"
    )
    assert [p.settings.mode for p in points] == ["event", "estimate"]
    assert {(p.settings.duplication, p.settings.extra_pes) for p in points} == {("greedy", 8)}
    assert dict(points[0].columns)["placement"] == "in_order"


def test_parts_round_trip_into_results_in_sweep_order(tmp_path: Path) -> None:
    points = _points(tmp_path, BASE + "grid:\n  tile.adc.bits: [4, 5, 6]\n")
    out = tmp_path / "out"
    write_part(out, {"key": points[2].key, "status": "ok", "error": None, "latency_s": 1.0})
    write_part(out, {"key": points[0].key, "status": "error", "error": "boom", "retryable": True})
    rows = read_parts(out, [p.key for p in points])
    frame = results_frame(points, rows)
    assert list(frame["tile.adc.bits"]) == [4, 6]
    assert list(frame["status"]) == ["error", "ok"]
    assert list(frame.columns[: len(SPECIAL_AXES)]) == list(SPECIAL_AXES)
    assert not list(out.rglob("*.tmp"))


def test_pareto_front_and_cost_choice() -> None:
    latency = np.array([1.0, 2.0, 3.0, 1.5, 2.0, 2.0])
    cost = np.array([10.0, 5.0, 1.0, 12.0, 6.0, 5.0])
    assert list(pareto_mask(latency, cost)) == [True, True, True, False, False, True]
    frame = pd.DataFrame({"batch": [2], "crossbars_used": [3], "energy_pj": [8.0]})
    assert cost_column(frame)[1].tolist() == [4.0]
    assert cost_column(frame.drop(columns="energy_pj"))[0] == "crossbars_used"


def test_weight_reuse_modes_are_an_axis(tmp_path: Path) -> None:
    path = tmp_path / "reuse.yaml"
    path.write_text(
        "arch: compact_4x4\nworkload: vgg8\nscheduler: weight_reuse\nbatch: 2\n"
        "grid:\n  reuse_mode: [RP, HT]\n"
    )
    points = resolve_points(load_sweep(path), path)
    assert [p.settings.reuse_mode for p in points] == ["RP", "HT"]
    assert points[0].key != points[1].key
    path.write_text("arch: compact_4x4\nworkload: vgg8\ngrid:\n  reuse_mode: [XX]\n")
    with pytest.raises(ConfigError, match="reuse_mode"):
        resolve_points(load_sweep(path), path)


@pytest.mark.parametrize(
    "example", sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.yaml")), ids=str
)
def test_example_sweep_files_resolve(example: Path) -> None:
    points = resolve_points(load_sweep(example), example)
    assert len({p.key for p in points}) == len(points) > 1
