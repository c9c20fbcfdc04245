"""One preset per chip: the costs section of an architecture file, its checks and tables."""

from pathlib import Path

import pytest
import yaml

from cimsim.config import load_arch, preset_names
from cimsim.config.pricing import load_chip, price_chip
from cimsim.errors import ConfigError
from hwmodels import chip
from hwmodels.actions import Action, machine_actions

PRESETS = Path(__file__).parents[2] / "cimsim" / "config" / "presets"


def _write(tmp_path: Path, data: dict, name: str = "chip.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _preset_data(name: str) -> dict:
    return yaml.safe_load((PRESETS / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_prices_every_action_and_cites_its_sources(name: str) -> None:
    priced = price_chip(load_arch(name))
    spec = priced.spec
    assert all(component.source for component in spec.components)
    assert chip.chip_area_mm2(spec) > 0 and chip.peak_ops_per_s(spec) > 0
    table = chip.action_energy_pj(spec)
    levels = [level.name for level in load_arch(name).memory]
    assert set(machine_actions(levels)) <= set(table)


def test_table_rows_give_the_papers_power_back() -> None:
    spec = load_chip("isaac")
    power = chip.power_breakdown_mw(spec)
    assert power["dac"] / (168 * 12) == pytest.approx(4.0)
    assert power["tile_buffer"] / 168 == pytest.approx(20.7)


def test_a_field_a_table_assumes_cannot_change_silently() -> None:
    with pytest.raises(ConfigError) as info:
        load_arch("isaac", ["tile.adc.bits=6"])
    message = str(info.value)
    assert message.startswith("preset isaac (isaac.yaml): costs.components.adc.table.assumes:")
    assert "tile.adc.bits = 8, the chip has 6" in message
    assert "--set costs.components.adc.use=model" in message
    assert "output_register" in message  # every component the change invalidates is named
    with pytest.raises(ConfigError, match=r"router.*noc.flit_size = 32 bit, the chip has 8 B"):
        load_arch("isaac", ["noc.flit_size=8 B"])
    with pytest.raises(ConfigError, match=r"costs\.assumes: .*clock.frequency = 1.2 GHz"):
        load_arch("isaac", ["clock.frequency=1 GHz"])


def test_pricing_a_component_by_its_model_is_one_explicit_step() -> None:
    switched = ["tile.adc.bits=6", "costs.components.adc.use=model",
                "costs.components.output_register.use=model"]  # fmt: skip
    priced = price_chip(load_arch("isaac", switched))
    assert priced.pricing["adc"] == "model" and priced.pricing["crossbar"] == "table"
    table = chip.action_energy_pj(load_chip("isaac"))
    assert chip.action_energy_pj(priced.spec)[("adc", "conversion")] < table[("adc", "conversion")]
    whole = price_chip(load_arch("isaac", ["tile.adc.bits=6", "costs.use=model"]))
    assert set(whole.pricing.values()) == {"model"}
    assert whole.note == "component models at 32 nm"


def test_neurosim_family_is_priced_for_the_simulated_flits_and_read() -> None:
    for name in ("neurosim", "compact_4x4", "compact_6x6"):
        arch = load_arch(name)
        energy = chip.action_energy_pj(price_chip(arch).spec)
        flit_bits = arch.noc.flit_size_bytes * 8
        assert energy[("link", "flit_hop")] == pytest.approx(
            flit_bits * 0.1 * 1.0 * (22 / 32) * (0.8 / 0.9) ** 2
        )  # 0.1 pJ/bit/mm over 1 mm, scaled 32 -> 22 nm
        assert energy[("crossbar", "mvm_step")] == pytest.approx(3.0)  # 30 pJ per 10 ns pulse


def test_cost_tables_override_per_action_energy_area_and_leakage(tmp_path: Path) -> None:
    data = _preset_data("tiny")
    (tmp_path / "tables").mkdir()
    table = {"source": "my measurements", "energy": {"adc": {"conversion": "7 pJ"}},
             "area": {"adc": "0.01 mm2"}, "leakage": {"router": "0.5 mW"}}  # fmt: skip
    _write(tmp_path / "tables", table, "ert.yaml")
    data["costs"]["tables"] = ["tables/ert.yaml"]
    arch = load_arch(_write(tmp_path, data))
    priced = price_chip(arch)
    spec = priced.spec
    assert spec.component("adc").cost.energy_pj["conversion"] == pytest.approx(7.0)
    assert spec.component("adc").cost.area_mm2 == pytest.approx(0.01)
    assert spec.component("router").cost.leakage_mw == pytest.approx(0.5)
    assert priced.pricing["adc"].startswith("model + ") and "ert.yaml" in priced.pricing["adc"]
    assert arch.costs.tables[0].source == "my measurements"  # held inline once loaded


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"energy": {"flux": {"op": "1 pJ"}}}, r"ert\.yaml: energy\.flux: the chip has no comp"),
        ({"energy": {"adc": {"drive": "1 pJ"}}}, r"ert\.yaml: energy\.adc\.drive: adc has no act"),
        ({"area": {"adc": "-1 mm2"}}, r"costs\.tables\.0\.area\.adc"),
        ({"energy": {"adc": {"conversion": "1 mW"}}}, r"'mW' is not a energy unit"),
    ],
)
def test_bad_cost_tables_name_the_file_and_entry(
    tmp_path: Path, table: dict, fragment: str
) -> None:
    data = _preset_data("tiny")
    _write(tmp_path, {"source": "test", **table}, "ert.yaml")
    data["costs"]["tables"] = ["ert.yaml"]
    with pytest.raises(ConfigError, match=fragment):
        load_arch(_write(tmp_path, data))


def test_a_missing_cost_table_file_names_it(tmp_path: Path) -> None:
    data = _preset_data("tiny")
    data["costs"]["tables"] = ["nope.yaml"]
    with pytest.raises(ConfigError, match=r"chip\.yaml: costs\.tables: nope\.yaml: no such file"):
        load_arch(_write(tmp_path, data))


def test_an_action_without_a_price_fails_at_load(tmp_path: Path) -> None:
    data = _preset_data("isaac")
    data["costs"]["components"]["tile_buffer"] = {
        "source": "test", "explicit": {"energy": {"read_byte": "1 pJ"}}
    }  # fmt: skip
    with pytest.raises(ConfigError, match=r"counts tile_buffer\.write_byte but component"):
        load_arch(_write(tmp_path, data))
    data = _preset_data("isaac")
    data["costs"]["components"]["adc"] = {"source": "test", "explicit": {"energy": {}}}
    with pytest.raises(ConfigError, match=r"costs\.components\.adc\.explicit\.energy"):
        load_arch(_write(tmp_path, data))


def test_a_counted_component_the_file_does_not_list_is_priced_by_its_model(
    tmp_path: Path,
) -> None:
    data = _preset_data("isaac")
    del data["costs"]["components"]["link"]
    arch = load_arch(_write(tmp_path, data))
    priced = price_chip(arch)
    assert priced.pricing["link"] == "model"
    assert "link: not listed, by the models" in priced.note


def _without(entry: dict, *keys: str) -> dict:
    return {key: value for key, value in entry.items() if key not in keys}


@pytest.mark.parametrize(
    ("name", "edit", "fragment"),
    [
        ("adc", lambda e: {**e, "table": {**e["table"], "watts": 1}},
         r"costs\.components\.adc\.table\.watts: unknown field"),
        ("adc", lambda e: {**e, "table": {**e["table"], "power": "-16 mW"}},
         r"costs\.components\.adc\.table\.power"),
        ("link", lambda e: {**e, "model": {"flux": "1 ns"}},
         r"costs\.components\.link\.model\.flux: not a parameter"),
        ("crossbar", lambda e: {**e, "count": 3},
         r"costs\.components\.crossbar\.count: is fixed by the architecture"),
        ("tile_bus", lambda e: _without(e, "level", "count"),
         r"costs\.components\.tile_bus\.count: the architecture does not define"),
    ],
)  # fmt: skip
def test_bad_component_entries_name_the_file_and_field(
    tmp_path: Path, name: str, edit, fragment: str
) -> None:
    data = _preset_data("isaac")
    data["costs"]["components"][name] = edit(data["costs"]["components"][name])
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError, match=fragment) as info:
        load_arch(path)
    assert str(info.value).startswith(str(path))


def test_the_old_energy_section_says_where_it_went(tmp_path: Path) -> None:
    data = _preset_data("tiny")
    data["energy"] = {"technology_nm": 32}
    with pytest.raises(ConfigError, match=r"energy section was replaced by costs"):
        load_arch(_write(tmp_path, data))


def test_unknown_technology_node_and_too_fast_adc(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"costs\.technology: unsupported technology node 28"):
        load_arch("tiny", ["costs.technology=28 nm"])
    with pytest.raises(ConfigError, match=r"tile\.adc\.sample_rate"):
        load_arch("tiny", ["tile.adc.sample_rate=5 GS/s"])


def test_overrides_reach_component_entries_and_reject_unknown_fields() -> None:
    arch = load_arch("isaac", ["costs.components.router.count=0.5"])
    assert arch.costs.components["router"].count == 0.5
    with pytest.raises(ConfigError, match=r"no field 'costs\.components\.adc\.colour'"):
        load_arch("isaac", ["costs.components.adc.colour=red"])


def test_actions_enum_names_every_counted_pair() -> None:
    pairs = machine_actions(["tile_buffer", "dram"])
    assert ("adc", "conversion") in pairs and ("dram", "write_byte") in pairs
    die_links = [action for action in Action if action.between_dies]
    assert len(die_links) == 3 and ("interposer", "flit_hop") not in pairs
    assert len(pairs) == len(Action) - 2 - 3 + 4
    with_interposer = machine_actions(["tile_buffer", "dram"], ["interposer"])
    assert set(with_interposer) - set(pairs) == {("interposer", "flit_hop")}


def test_every_counter_the_timers_price_is_an_action() -> None:
    from cimsim.analysis.energy import BOOKKEEPING, RENAMED
    from cimsim.plan import Access, LayerLoadPlan, Message, MvmWork, VectorWork
    from cimsim.timing import accounting
    from cimsim.trace import TraceSink

    sink = TraceSink()
    accounting.count_access(sink, "l", Access(0, "l2", 64, 3, write=True), "l2")
    accounting.count_access(sink, "l", Access(0, "l2", 64, 3, write=False), "l2")
    accounting.count_message(sink, "l", Message((0,), 64, 3, 2), ["link0-1"], 32)
    work = MvmWork(1, 8, ("tile0.pe0",), (0,), (0,), 8, 128, 128, 1)
    accounting.count_mvms(sink, "l", work)
    accounting.count_vector(sink, "l", VectorWork(0, "tile0.digital", 0, 2, 16))
    accounting.count_programming(sink, LayerLoadPlan("l", (), (), 1024, 8))
    priced = {RENAMED.get(key, key) for key in ((r.kind, r.action) for r in sink.counters())}
    priced -= BOOKKEEPING
    assert priced == set(machine_actions(["l2"]))
