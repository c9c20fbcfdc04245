"""Duplication, placement and scheduling policies as pure functions."""

import itertools

import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import CimsimError, MappingError
from cimsim.mapper import map_network
from cimsim.mapper.curves import hilbert, in_order, snake
from cimsim.scheduler import get_scheduler, program_scheduler
from workloads import zoo
from workloads.shapes import analyze


def _neighbours(order: list[int], cols: int) -> float:
    steps = list(itertools.pairwise(order))
    near = sum(abs(a // cols - b // cols) + abs(a % cols - b % cols) == 1 for a, b in steps)
    return near / len(steps)


@pytest.mark.parametrize("rows,cols", [(4, 4), (8, 8), (14, 12), (3, 5)])
def test_placement_orders_are_permutations(rows: int, cols: int) -> None:
    for order in (in_order(rows, cols), snake(rows, cols), hilbert(rows, cols)):
        assert sorted(order) == list(range(rows * cols))


def test_snake_and_hilbert_keep_consecutive_tiles_adjacent() -> None:
    assert _neighbours(snake(14, 12), 12) == 1.0
    assert _neighbours(hilbert(8, 8), 8) == 1.0
    assert _neighbours(in_order(14, 12), 12) < 1.0


def test_greedy_duplication_speeds_the_slowest_layers_and_respects_limits() -> None:
    arch = load_arch("isaac")
    hw = hardware_params(arch)
    info = analyze(zoo.build("resnet18"))
    single = map_network(info, arch, hw)
    dup = map_network(info, arch, hw, duplication="greedy")
    assert dup.pes_used <= dup.pes_total
    assert dup.crossbars_used > single.crossbars_used
    copies = {name: len(c) for name, c in dup.copies.items()}
    assert copies["conv1"] > 1, "the slowest layer (conv1, 12544 vectors) is duplicated"
    for name, count in copies.items():
        assert count <= info.by_name[name].output_vectors
    budget = map_network(info, arch, hw, duplication="greedy", extra_pes=10)
    assert budget.pes_used - single.pes_used <= 10


def test_unknown_policies_are_errors_naming_the_choices(tiny_arch) -> None:
    info = analyze(zoo.build("mlp"))
    hw = hardware_params(tiny_arch)
    with pytest.raises(MappingError, match="greedy"):
        map_network(info, tiny_arch, hw, duplication="lots")
    with pytest.raises(MappingError, match="hilbert"):
        map_network(info, tiny_arch, hw, placement="random")
    with pytest.raises(CimsimError, match="cross_layer"):
        get_scheduler("magic")


def test_pipelined_refuses_batch_one(tiny_arch) -> None:
    info = analyze(zoo.build("lenet5"))
    mapping = map_network(info, tiny_arch, hardware_params(tiny_arch))
    with pytest.raises(CimsimError, match="--batch 2"):
        program_scheduler("pipelined")(info, mapping, tiny_arch, 1)


def test_cross_layer_sets_depend_on_their_receptive_fields(tiny_arch) -> None:
    info = analyze(zoo.build("lenet5"))
    mapping = map_network(info, tiny_arch, hardware_params(tiny_arch))
    program = program_scheduler("cross_layer")(info, mapping, tiny_arch, 1)
    tasks = program.tasks
    by_layer_row = {(t.layer, t.row_start): t for t in tasks}
    c3 = info.by_name["c3"]  # 5x5 kernel, no padding: output row r reads s2 rows r..r+4
    producer = c3.inputs[0]
    deps = by_layer_row[("c3", 3)].deps
    assert sorted(tasks[d].row_start for d in deps) == [3, 4, 5, 6, 7]
    assert all(tasks[d].layer == producer for d in deps)
    for task in tasks:  # every dependency precedes its dependant
        assert all(d < task.task_id for d in task.deps)


def test_layer_by_layer_first_tasks_wait_for_the_whole_previous_layer(tiny_arch) -> None:
    info = analyze(zoo.build("lenet5"))
    mapping = map_network(info, tiny_arch, hardware_params(tiny_arch))
    program = program_scheduler("layer_by_layer")(info, mapping, tiny_arch, 2)
    names = [layer.name for layer in info.layers]
    for before, after in itertools.pairwise(names):
        first = program.tasks[program.queues[(after, 0)][0]]
        assert first.deps == (program.queues[(before, 0)][-1],)
        assert first.wait_cause == "barrier"
