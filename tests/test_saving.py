import json

import keras
import numpy as np
import pytest

import zoo
from zoo.entry import folder_hashes


def test_save_writes_the_keras_hub_layout_with_provenance(tiny_zoo, tmp_path):
    model = zoo.load("tiny_dss_signals")
    info = zoo.save(model, tmp_path / "mine", dataset={"name": "my data", "training_split": "all of it"})
    names = sorted(p.name for p in (tmp_path / "mine").iterdir())
    assert names == ["README.md", "assets", "config.json", "metadata.json", "model.weights.h5", "zoo.json"]
    written = json.loads((tmp_path / "mine" / "zoo.json").read_text())
    assert written == info
    assert written["files"] == folder_hashes(tmp_path / "mine")
    assert set(written["files"]) == {"config.json", "metadata.json", "model.weights.h5"}
    assert written["fine_tuned_from"] == "tiny_dss_signals"
    assert written["symmetry"]["output"] == "invariant"
    assert "my data" in (tmp_path / "mine" / "README.md").read_text()


def test_a_fine_tuned_model_does_not_inherit_measured_metrics(tiny_zoo, tmp_path):
    model = zoo.load("tiny_dss_signals")
    model.zoo_info = dict(model.zoo_info, metrics={"accuracy": {"mean": 0.99, "std": 0, "values": [0.99]}})
    info = zoo.save(model, tmp_path / "tuned")
    assert "metrics" not in info
    assert "0.99" not in (tmp_path / "tuned" / "README.md").read_text()


def test_existing_folder_needs_overwrite(tiny_zoo, tmp_path):
    model = zoo.load("tiny_dss_signals")
    zoo.save(model, tmp_path / "entry")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        zoo.save(model, tmp_path / "entry")
    zoo.save(model, tmp_path / "entry", overwrite=True)


def test_a_failed_save_leaves_nothing_behind(tiny_zoo, tmp_path, monkeypatch):
    model = zoo.load("tiny_dss_signals")
    before = sorted(p.name for p in tmp_path.iterdir())

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(keras.saving, "save_model", broken)
    with pytest.raises(OSError, match="disk full"):
        zoo.save(model, tmp_path / "entry")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_saved_entry_round_trips_through_load(tiny_zoo, tmp_path):
    model = zoo.load("tiny_dss_signals")
    zoo.save(model, tmp_path / "entry")
    x = np.ones((1, 25, 100, 1), "float32")
    np.testing.assert_allclose(zoo.load(tmp_path / "entry").predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)


def test_entries_ship_weights_without_optimizer_state(tiny_zoo, tmp_path):
    import h5py

    model = zoo.load("tiny_dss_signals")
    model.fit(np.zeros((2, 25, 100, 1), "float32"), np.array([0, 1]), verbose=0)  # the optimizer now has state
    zoo.save(model, tmp_path / "entry")
    with h5py.File(tmp_path / "entry" / "model.weights.h5") as weights:
        assert "optimizer" not in weights
    reloaded = zoo.load(tmp_path / "entry")
    x = np.ones((1, 25, 100, 1), "float32")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_overwrite_replaces_only_an_entry_folder_and_deletes_nothing_else(tiny_zoo, tmp_path):
    model = zoo.load("tiny_dss_signals")
    other = tmp_path / "my_notes"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a zoo entry folder"):
        zoo.save(model, other, overwrite=True)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    zoo.save(model, empty, overwrite=True)
    zoo.save(model, empty, overwrite=True)  # an entry folder now
    assert (empty / "zoo.json").is_file()


@pytest.mark.parametrize("fields, message", [
    ({"dataset": None}, "dataset= takes"),
    ({"dataset": {"training_split": "all"}}, "dataset= takes"),
    ({"metrics": "very high"}, "metrics= takes a dict"),
    ({"metrics": {"accuracy": {"std": 0.1}}}, r"metrics\['accuracy'\] takes"),
    ({"metrics": {"accuracy": float("nan")}}, "finite number"),
    ({"task": 3}, "task= takes a string"),
])
def test_metadata_of_the_wrong_kind_says_what_is_expected(tiny_zoo, tmp_path, fields, message):
    with pytest.raises(TypeError, match=message):
        zoo.save(zoo.load("tiny_dss_signals"), tmp_path / "entry", **fields)
    assert not (tmp_path / "entry").exists()


def test_metadata_in_short_forms_is_stored_in_full(tiny_zoo, tmp_path):
    import numpy as np

    info = zoo.save(zoo.load("tiny_dss_signals"), tmp_path / "entry", dataset="my recordings",
                    metrics={"accuracy": np.float32(0.75), "mae": {"mean": 1.5, "values": [1.0, 2.0]}})
    assert info["dataset"] == {"name": "my recordings"}
    assert info["metrics"] == {"accuracy": {"mean": 0.75, "std": 0.0, "values": [0.75]},
                               "mae": {"mean": 1.5, "std": 0.5, "values": [1.0, 2.0]}}
    assert "0.7500" in (tmp_path / "entry" / "README.md").read_text()
