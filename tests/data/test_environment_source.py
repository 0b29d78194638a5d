"""The loaders of datasets the zoo cannot download find them through one environment variable each, and say so."""

import pytest

from zoo.data import celeba, coco_tags, dfaust, environment_source, modelnet, redmapper

LOADERS = {  # variable: (dataset named in the message, the loader's lookup)
    "CELEBA_ROOT": ("CelebA", celeba.default_source),
    "COCO_ROOT": ("COCO", coco_tags.find_source),
    "DFAUST_ROOT": ("Dynamic FAUST", dfaust.default_root),
    "MODELNET_ROOT": ("ModelNet40", modelnet.default_root),
    "REDMAPPER_ROOT": ("redMaPPer", redmapper.find_root),
}


def test_returns_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("ZOO_TEST_ROOT", str(tmp_path))
    assert environment_source("ZOO_TEST_ROOT", "Test", "a note", "a folder") == str(tmp_path)


@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_names_everything(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("ZOO_TEST_ROOT", raising=False)
    else:
        monkeypatch.setenv("ZOO_TEST_ROOT", value)
    with pytest.raises(FileNotFoundError) as error:
        environment_source("ZOO_TEST_ROOT", "Test", "its owners keep it", "the folder with data.h5")
    assert str(error.value) == ("No Test data: its owners keep it. After obtaining it, set ZOO_TEST_ROOT to the "
                                "folder with data.h5.")


@pytest.mark.parametrize("variable", sorted(LOADERS))
def test_each_loader_names_its_dataset_and_variable(monkeypatch, variable):
    dataset, lookup = LOADERS[variable]
    monkeypatch.delenv(variable, raising=False)
    with pytest.raises(FileNotFoundError, match=f"^No {dataset} data: .*set {variable} to "):
        lookup()
