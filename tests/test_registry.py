import json

import pytest

import zoo
from zoo.registry import REGISTRY_PATH, get_entry, load_registry


def test_every_registered_name_is_architecture_underscore_family():
    for name, entry in load_registry(REGISTRY_PATH).items():
        assert name == f"{entry.architecture}_{entry.family}"


def test_list_models_filters_by_pattern_and_pretrained(tiny_zoo):
    assert zoo.list_models() == ["tiny_dss_signals"]
    assert zoo.list_models("tiny_*", pretrained=True) == ["tiny_dss_signals"]
    assert zoo.list_models(pretrained=False) == []
    assert zoo.list_models("*_ucf101") == []


def test_the_package_registry_lists_the_signal_family(monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    names = zoo.list_models("*_signals")
    assert len(names) == 8 and "dss_sum_signals" in names


def test_unknown_name_suggests_close_names(monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    with pytest.raises(zoo.UnknownModelError, match="Did you mean 'dss_sum_signals'"):
        get_entry("dss_summ_signal")
    with pytest.raises(KeyError, match="Unknown model 'resnet50'"):
        zoo.load("resnet50")


def test_registry_round_trips_through_json(tiny_zoo):
    from zoo.registry import update_entry

    before = json.loads(tiny_zoo["registry"].read_text())
    update_entry("tiny_dss_signals")  # rewrites the file without changing anything
    assert json.loads(tiny_zoo["registry"].read_text()) == before


def test_update_entry_records_fields_and_refuses_unknown_ones(tiny_zoo):
    from zoo.registry import update_entry

    update_entry("tiny_dss_signals", hub={"repo_id": "me/tiny", "revision": "abc"})
    assert load_registry()["tiny_dss_signals"].hub == {"repo_id": "me/tiny", "revision": "abc"}
    with pytest.raises(ValueError, match="no field"):
        update_entry("tiny_dss_signals", weights="x")
    with pytest.raises(zoo.UnknownModelError):
        update_entry("nope")
