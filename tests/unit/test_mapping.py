import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import MappingError
from cimsim.mapper import map_network, tile_layer
from workloads.ir import Conv2d, Linear, sequential
from workloads.shapes import analyze


def _one_layer(op, shape):
    return analyze(sequential("one", shape, [("layer", op)])).layers[0]


def test_conv_unrolls_to_im2col_and_tiles_by_rows_columns_and_slices() -> None:
    hw = hardware_params(load_arch("isaac"))
    # 3x3x64 -> 128: 576 rows = 5 row tiles (4 x 128 + 64); 128 weights x 4 slices of 2 bits
    # = 512 columns = 4 column tiles of 32 weights.
    tiling = tile_layer(_one_layer(Conv2d(128, (3, 3), padding=(1, 1)), (64, 8, 8)), hw.crossbar, 8)
    assert (tiling.matrix_rows, tiling.matrix_cols, tiling.slices) == (576, 128, 4)
    assert (tiling.row_tiles, tiling.col_tiles, tiling.crossbars) == (5, 4, 20)
    assert tiling.crossbar_rows_used == (128, 128, 128, 128, 64)
    assert tiling.crossbar_columns_used == (128, 128, 128, 128)


def test_linear_with_ragged_last_column_tile() -> None:
    hw = hardware_params(load_arch("tiny"))  # 64 x 64 crossbars: 16 weights of 4 slices
    tiling = tile_layer(_one_layer(Linear(120), (400,)), hw.crossbar, 8)
    assert (tiling.row_tiles, tiling.col_tiles, tiling.crossbars) == (7, 8, 56)
    assert tiling.crossbar_columns_used[-1] == (120 - 7 * 16) * 4


def test_one_bit_cells_take_eight_columns_per_weight() -> None:
    hw = hardware_params(load_arch("isaac", ["tile.crossbar.cell_bits=1", "costs.use=model"]))
    tiling = tile_layer(_one_layer(Linear(64), (128,)), hw.crossbar, 8)
    assert tiling.slices == 8
    assert tiling.col_tiles == 4  # 16 weights per crossbar


def test_depthwise_groups_pack_block_diagonally() -> None:
    hw = hardware_params(load_arch("isaac"))
    layer = _one_layer(Conv2d(32, (3, 3), padding=(1, 1), groups=32), (32, 8, 8))
    tiling = tile_layer(layer, hw.crossbar, 8)
    assert (tiling.matrix_rows, tiling.matrix_cols, tiling.groups) == (9, 1, 32)
    # 128 // 9 = 14 groups fit the rows, 128 // 4 = 32 the columns: 14 per crossbar
    assert tiling.groups_per_crossbar == 14
    assert tiling.crossbars == 3
    assert [tiling.block_groups(b) for b in range(3)] == [14, 14, 4]


def test_large_groups_take_a_matrix_each() -> None:
    hw = hardware_params(load_arch("isaac"))
    layer = _one_layer(Conv2d(256, (3, 3), padding=(1, 1), groups=2), (256, 8, 8))
    tiling = tile_layer(layer, hw.crossbar, 8)
    assert (tiling.matrix_rows, tiling.groups, tiling.groups_per_crossbar) == (1152, 2, 1)
    assert tiling.crossbars == 2 * 9 * 4


def test_resnet18_needs_2864_crossbars_on_isaac() -> None:
    from workloads.zoo.resnet import resnet18

    arch = load_arch("isaac")
    mapping = map_network(analyze(resnet18()), arch, hardware_params(arch))
    assert mapping.crossbars_used == 2864
    assert mapping.crossbars_total == 168 * 12 * 8


def test_copies_occupy_whole_pes_in_tile_order(tiny_arch, small_cnn) -> None:
    mapping = map_network(analyze(small_cnn), tiny_arch, hardware_params(tiny_arch))
    groups = [g for copies in mapping.copies.values() for c in copies for g in c.groups]
    slots = [(g.tile, g.pe) for g in groups]
    assert len(slots) == len(set(slots)), "a PE serves one layer copy"
    assert slots == sorted(slots), "PEs are handed out in tile order"
    assert all(g.crossbars <= tiny_arch.tile.pe.crossbars for g in groups)


def test_mvm_latency_is_bit_serial_steps_of_one_read() -> None:
    arch = load_arch("isaac")
    hw = hardware_params(arch)
    graph = sequential("one", (64, 8, 8), [("conv", Conv2d(128, (3, 3), padding=(1, 1)))])
    mapping = map_network(analyze(graph), arch, hw)
    costs = mapping.costs["conv"][0]
    # 8 input bits through 1-bit DACs: 8 steps of 100 ns plus the pipeline fill of one read;
    # the ADC bank (8 ADCs x 128 conversions x 0.78 ns = 100 ns) keeps pace with the reads.
    assert costs.mvm_cycles == round(900 * 1.2)
    assert costs.crossbar_reads == 8 * 20
    assert costs.adc_conversions == 8 * 5 * 4 * 128


def test_network_that_does_not_fit_names_layer_and_free_space(tiny_arch) -> None:
    from workloads.zoo.resnet import resnet18

    with pytest.raises(MappingError, match=r"layer \S+ does not fit: .* crossbars .* free"):
        map_network(analyze(resnet18()), tiny_arch, hardware_params(tiny_arch))
