import json
from pathlib import Path

import pytest

from cimsim.config import load_arch, preset_names
from cimsim.config.hardware import hardware_params
from cimsim.errors import ConfigError

TINY_YAML = Path(__file__).parents[2] / "cimsim" / "config" / "presets" / "tiny.yaml"


def test_presets_ship_and_name_their_source() -> None:
    assert {"isaac", "puma", "tiny"} <= set(preset_names())
    for name in preset_names():
        arch = load_arch(name)
        assert arch.source.strip()
        hardware_params(arch)


def test_isaac_preset_matches_table_one() -> None:
    arch = load_arch("isaac")
    assert arch.tiles == 168
    assert arch.tile.pes == 12
    assert arch.tile.pe.crossbars == 8
    assert (arch.tile.crossbar.rows, arch.tile.crossbar.cols) == (128, 128)
    assert arch.tile.crossbar.cell_bits == 2
    assert arch.tile.adc.bits == 8 and arch.tile.adc.per_pe == 8
    assert arch.memory_level("tile_buffer").size_bytes == 64 * 1024
    assert arch.tile.crossbar.read_latency_ns == 100.0
    assert arch.noc.flit_size_bytes == 4


def test_override_changes_the_field() -> None:
    changes = ["tile.adc.bits=6", "tile.crossbar.read_latency=50 ns", "costs.use=model"]
    arch = load_arch("isaac", changes)
    assert arch.tile.adc.bits == 6
    assert arch.tile.crossbar.read_latency_ns == 50.0


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("tile.adc.bits=40", "tile.adc.bits"),
        ("tile.crossbar.rows=0", "tile.crossbar.rows"),
        ("tile.crossbar.read_latency=100", "tile.crossbar.read_latency"),
        ("tile.adc.sample_rate=1 GHz", "not a rate unit"),
        ("tile.adc.bitz=3", "no field 'tile.adc.bitz'"),
        ("tile.adc.per_pe=2000", "at most one ADC per column"),
        ("memory.global_buffer.routers=[[20, 0]]", "outside the 14x12 mesh"),
        ("tile.adc", "expected KEY.PATH=VALUE"),
    ],
)
def test_bad_overrides_name_the_field(override: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        load_arch("isaac", [override])
    assert "\n" not in str(info.value) or "isaac" in str(info.value)


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="isaac"):
        load_arch("nonexistent_chip")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nclock: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml.*line"):
        load_arch(bad)
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match="no such architecture file"):
        load_arch(missing)


def test_a_user_file_round_trips(tmp_path: Path) -> None:
    import yaml

    text = Path(__file__).parents[2].joinpath("cimsim/config/presets/tiny.yaml").read_text()
    raw = yaml.safe_load(text)
    raw["tile"]["adc"]["bits"] = 5
    raw["tile"]["crossbar"]["read_latency"] = "20 ns"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    arch = load_arch(path)
    assert arch.tile.adc.bits == 5
    assert arch.tile.crossbar.read_latency_ns == 20.0
    dumped = json.loads(json.dumps(arch.model_dump(mode="json")))
    assert dumped["tile"]["adc"]["bits"] == 5


def test_wrong_field_in_file_names_file_and_path(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load(
        Path(__file__).parents[2].joinpath("cimsim/config/presets/tiny.yaml").read_text()
    )
    raw["tile"]["crossbar"]["colums"] = 64
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"typo\.yaml: tile\.crossbar\.colums: unknown field"):
        load_arch(path)


def test_unit_carrying_names_override_with_bare_numbers_in_their_unit() -> None:
    changes = ["tile.crossbar.read_latency_ns=20", "clock.frequency_ghz=1", "costs.use=model"]
    arch = load_arch("isaac", changes)
    assert arch.tile.crossbar.read_latency_ns == 20.0
    assert arch.clock.frequency_ghz == 1.0
    assert (
        load_arch("isaac", ["memory.tile_buffer.size_bytes=32768", "costs.use=model"])
        .memory_level("tile_buffer")
        .size_bytes
        == 32768
    )
    assert load_arch("tiny", ["costs.technology_nm=22"]).costs.technology_nm == 22


# --- strict, finite, bounded fields; YAML aliases refused (issue 20) ------------------------


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("tile.adc.bits=true", r"tile.adc.bits: Input should be a valid integer \(got True\)"),
        ("tile.adc.bits=6.5", "valid integer"),
        ("tile.adc.bits='6'", "valid integer"),
        ("memory.global_buffer.routers=[[0, true]]", "routers.0.1: Input should be a valid int"),
        ("device.variation_sigma=true", "valid number"),
        ("tile.adc.full_scale=.inf", "finite number"),
        ("tile.adc.full_scale=.nan", "finite number"),
        ("costs.technology=-5 nm", "technology"),
        ("noc.router_latency=1e400 ns", "'1e400 ns' is not a finite number"),
        ("memory.tile_buffer.size=1e400 B", "not a finite number"),
        ("noc.link_bandwidth=1e400 GB/s", "not a finite number"),
        ("noc.link_bandwidth=1e12 GB/s", "allowed: at least 0.001 and at most 1e\\+06 GB/s"),
        ("memory.tile_buffer.size=2 TiB", "at most 1.09951e\\+12 bytes"),
        ("memory.dram.access_latency=2 s", "at most 1e\\+09 ns"),
        ("clock.frequency=1 mHz", "'1 mHz' is 1e-12 GHz"),
        ("tile.adc.sample_rate=1 GHz", "'GHz' is a frequency unit"),
    ],
)
def test_strict_finite_and_bounded_values(override: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_arch("tiny", [override])


def test_common_unit_spellings_are_read() -> None:
    arch = load_arch(
        "tiny",
        ["noc.link_bandwidth=10 Gbps", "memory.tile_buffer.bandwidth=1 GiB/s",
         "tile.crossbar.read_latency=1 μs", "memory.dram.access_latency=0.05 µs"],
    )  # fmt: skip
    assert arch.noc.link_bandwidth_gbps == 1.25
    assert arch.memory_level("tile_buffer").bandwidth_gbps == pytest.approx(2**30 / 1e9)
    assert arch.tile.crossbar.read_latency_ns == 1000.0
    assert arch.memory_level("dram").access_latency_ns == pytest.approx(50.0)


def test_what_the_models_refuse_every_command_refuses() -> None:
    """describe --json and describe refuse the same files: loading prices the chip."""
    with pytest.raises(ConfigError, match=r"preset isaac \(isaac.yaml\): costs.components.adc"):
        load_arch("isaac", ["tile.adc.bits=6"])


def test_yaml_aliases_are_refused_with_their_place(tmp_path: Path) -> None:
    text = TINY_YAML.read_text()
    laughs = "".join(
        f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n"
        for b, a in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = tmp_path / "laughs.yaml"
    path.write_text(text + 'a: &a ["lol", "lol", "lol"]\n' + laughs)
    with pytest.raises(ConfigError, match=r"laughs.yaml: line \d+, column \d+: .*aliases \(\*a\)"):
        load_arch(path)


def test_error_messages_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = TINY_YAML.read_text()
    extra = "".join(f"junk{i}: [{', '.join(['x' * 50] * 200)}]\n" for i in range(50))
    path.write_text(text.replace("name: tiny", "name: " + "n" * 10_000) + extra)
    with pytest.raises(ConfigError) as caught:
        load_arch(path)
    message = str(caught.value)
    assert "... and 40 more errors" in message
    assert len(message) < 3000
