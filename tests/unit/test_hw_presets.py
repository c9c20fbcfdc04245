"""The YAML preset loader: shipped presets load; bad files name the file and the field."""

from pathlib import Path

import pytest
import yaml

from hwmodels import chip
from hwmodels.errors import HwModelError
from hwmodels.presets import PRESET_NAMES, chip_spec_from_dict, load_chip_spec, load_preset

_ISAAC_YAML = Path(__file__).parents[2] / "hwmodels" / "presets" / "isaac.yaml"


def _isaac_data() -> dict:
    return yaml.safe_load(_ISAAC_YAML.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_loads_and_cites_sources(name: str) -> None:
    spec = load_preset(name)
    assert spec.name == name
    assert spec.source
    assert all(component.source for component in spec.components)
    assert chip.chip_area_mm2(spec) > 0 and chip.peak_ops_per_s(spec) > 0


def _error_for(tmp_path: Path, data: dict) -> HwModelError:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(HwModelError) as info:
        load_chip_spec(path)
    return info.value


def test_unknown_top_level_field(tmp_path: Path) -> None:
    data = _isaac_data() | {"frequency": 3}
    assert _error_for(tmp_path, data).field == "bad.yaml: frequency"


def test_unknown_component_field(tmp_path: Path) -> None:
    data = _isaac_data()
    data["components"]["adc"]["table"]["watts"] = 1.0
    assert _error_for(tmp_path, data).field == "bad.yaml: components.adc.table.watts"


def test_negative_power_and_energy(tmp_path: Path) -> None:
    data = _isaac_data()
    data["components"]["adc"]["table"]["power_mw"] = -16.0
    assert _error_for(tmp_path, data).field == "bad.yaml: components.adc.table.power_mw"
    data = _isaac_data()
    data["components"]["adc"] = {
        "level": "pe",
        "count": 8,
        "explicit": {"energy_pj": {"conversion": -1.0}},
    }
    error = _error_for(tmp_path, data)
    assert error.field == "bad.yaml: components.adc.explicit.energy_pj.conversion"


def test_unknown_technology_node(tmp_path: Path) -> None:
    data = _isaac_data() | {"technology_nm": 28}
    error = _error_for(tmp_path, data)
    assert error.field == "bad.yaml: technology_nm"
    assert "supported" in error.message


def test_adc_too_fast_for_its_node(tmp_path: Path) -> None:
    data = _isaac_data()
    data["adc"]["sample_rate_gsps"] = 5.0
    assert _error_for(tmp_path, data).field == "bad.yaml: adc.sample_rate_gsps"
    neurosim = yaml.safe_load(_ISAAC_YAML.with_name("neurosim.yaml").read_text("utf-8"))
    neurosim["adc"] = {"bits": 8, "sample_rate_gsps": 4.0}
    assert _error_for(tmp_path, neurosim).field == "bad.yaml: adc.sample_rate_gsps"


def test_bad_nested_parameter(tmp_path: Path) -> None:
    data = _isaac_data()
    data["crossbar"]["rows"] = 0
    assert _error_for(tmp_path, data).field == "bad.yaml: crossbar.rows"


def test_base_preset_is_merged() -> None:
    spec = chip_spec_from_dict({"base": "neurosim", "name": "mine", "tiles": 4}, "mine.yaml")
    assert spec.tiles == 4 and spec.pes_per_tile == 16
    with pytest.raises(HwModelError, match=r"mine\.yaml: preset"):
        chip_spec_from_dict({"base": "nope"}, "mine.yaml")


def test_table_form_reproduces_table_power() -> None:
    spec = load_preset("isaac")
    power = chip.power_breakdown_mw(spec)
    assert power["dac"] / (168 * 12) == pytest.approx(4.0)
    assert power["tile_buffer"] / 168 == pytest.approx(20.7)
