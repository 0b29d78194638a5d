"""`zoo.load`: resolution order, hash verification, head swapping, and every failure mode."""

import shutil
import time

import huggingface_hub.constants
import numpy as np
import pytest

import zoo
from tests.conftest import TINY_COMMIT, make_hf_cache
from tests.helpers import assert_close

X = np.random.default_rng(0).normal(size=(2, 25, 100, 1)).astype("float32")


def test_embedded_entry_loads_offline_compiled_and_equal(tiny_zoo, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = zoo.load("tiny_dss_signals")
    assert_close(model.predict(X, verbose=0), tiny_zoo["model"].predict(X, verbose=0), atol=1e-5)
    assert model.zoo_info["architecture"] == "dss_sum"
    assert model.compiled and np.isfinite(model.fit(X, np.array([0, 1]), verbose=0).history["loss"]).all()


def test_a_loaded_entry_saved_as_keras_file_reloads_equal_without_warnings(tiny_zoo, tmp_path):
    import warnings

    import keras

    model = zoo.load("tiny_dss_signals")
    model.save(tmp_path / "mine.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. "Skipping variable loading for optimizer"
        reloaded = keras.models.load_model(tmp_path / "mine.keras")
    assert_close(reloaded.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6)
    assert len(reloaded.optimizer.variables) == len(model.optimizer.variables) > 2


def _adam_rate(model):
    """`(rate after the warm-up, warm-up steps)` of a compiled model's Adam."""
    rate = model.optimizer.get_config()["learning_rate"]
    if isinstance(rate, float):
        return rate, 0
    return rate["config"]["warmup_target"], rate["config"]["warmup_steps"]


def test_trained_weights_are_compiled_to_fine_tune_and_fresh_ones_to_train(tiny_zoo):
    training_rate = 1e-3  # tiny_dss_signals's hyper-parameter
    loaded = zoo.load("tiny_dss_signals")
    assert _adam_rate(loaded) == pytest.approx((training_rate * zoo.loading.FINE_TUNING_RATE, 50))
    assert float(loaded.optimizer.learning_rate) == 0.0  # warming up from 0
    assert _adam_rate(zoo.load("tiny_dss_signals", pretrained=False)) == pytest.approx((training_rate, 50))
    assert _adam_rate(zoo.load("tiny_dss_signals", num_classes=7)) == pytest.approx((training_rate, 50))
    constant = zoo.load("tiny_dss_signals", learning_rate=3e-4)
    assert _adam_rate(constant) == pytest.approx((3e-4, 0))
    constant.optimizer.learning_rate = 1e-4  # settable, as keras.callbacks.ReduceLROnPlateau needs
    assert float(constant.optimizer.learning_rate) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="learning_rate= with compile=False"):
        zoo.load("tiny_dss_signals", compile=False, learning_rate=1e-4)


def test_fine_tuning_a_loaded_entry_on_its_own_task_keeps_its_accuracy():
    """`gru_sum_small` fitted 5 more epochs on its 200 training sets: as loaded (1/100 of the training rate,
    warmed up) it keeps its test accuracy; Adam at the training rate from the first step wrecks it."""
    import keras

    from zoo.families import get_family
    from zoo.registry import get_entry

    family = get_family("sum_small")
    (x, y), (x_test, y_test) = family.load_split("train", seed=0), family.load_split("test", seed=1)

    def accuracy(model):
        return family.task.score(y_test, model.predict(x_test, verbose=0))["accuracy"]

    loaded = accuracy(zoo.load("gru_sum_small"))
    training_rate = get_entry("gru_sum_small").hyperparameters["learning_rate"]
    fine_tuned = []
    for learning_rate in (None, training_rate):
        model = zoo.load("gru_sum_small", learning_rate=learning_rate)
        keras.utils.set_random_seed(0)
        model.fit(x, y, epochs=5, batch_size=32, verbose=0)
        fine_tuned.append(accuracy(model))
    assert loaded > 0.8
    assert fine_tuned[0] > loaded - 0.03, (loaded, fine_tuned)
    assert fine_tuned[1] < 0.5, (loaded, fine_tuned)


def test_untrained_build_uses_the_registered_architecture(tiny_zoo):
    model = zoo.load("tiny_dss_signals", pretrained=False)
    assert model.count_params() == tiny_zoo["model"].count_params()
    assert model.zoo_info["pretrained"] is False


def test_num_classes_swaps_only_the_output_layer(tiny_zoo):
    pretrained = zoo.load("tiny_dss_signals")
    model = zoo.load("tiny_dss_signals", num_classes=7)
    assert model.predict(X, verbose=0).shape == (2, 7)
    for old, new in zip(pretrained.set_blocks[0].weights, model.set_blocks[0].weights):
        assert_close(new, old)
    assert model.classifier_layer().kernel.shape == (pretrained.classifier_layer().kernel.shape[0], 7)


def test_num_classes_on_a_selection_model_is_a_clear_error():
    from tests.models.zoo_models import selection_model

    with pytest.raises(ValueError, match="no class output layer"):
        selection_model().with_num_classes(3)


@pytest.mark.parametrize("prefix", ["local-dir:", ""])
def test_local_folder_is_verified_and_loaded(tiny_zoo, prefix):
    model = zoo.load(f"{prefix}{tiny_zoo['folder']}")
    assert_close(model.predict(X, verbose=0), tiny_zoo["model"].predict(X, verbose=0), atol=1e-5)


@pytest.mark.parametrize("damage", ["tamper", "truncate", "delete"])
def test_damaged_weights_are_refused(tiny_zoo, damage):
    weights = tiny_zoo["folder"] / "model.weights.h5"
    data = weights.read_bytes()
    if damage == "tamper":
        middle = len(data) // 2
        weights.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif damage == "truncate":
        weights.write_bytes(data[: len(data) // 2])
    else:
        weights.unlink()
    message = "missing" if damage == "delete" else "does not match its recorded sha256"
    with pytest.raises(zoo.IntegrityError, match=message):
        zoo.load("tiny_dss_signals")
    with pytest.raises(zoo.IntegrityError, match=message):
        zoo.load(f"local-dir:{tiny_zoo['folder']}")


def test_hugging_face_cache_is_used_when_nothing_is_embedded(tiny_zoo, tmp_path, monkeypatch):
    cache = tmp_path / "hf_cache"
    make_hf_cache(cache, tiny_zoo["repo_id"], TINY_COMMIT, tiny_zoo["folder"])
    shutil.rmtree(tiny_zoo["folder"])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = zoo.load("tiny_dss_signals", cache_dir=cache)
    assert_close(model.predict(X, verbose=0), tiny_zoo["model"].predict(X, verbose=0), atol=1e-5)
    hf = zoo.load(f"hf://{tiny_zoo['repo_id']}@{TINY_COMMIT}", cache_dir=cache)
    assert_close(hf.predict(X, verbose=0), model.predict(X, verbose=0))


def test_tampered_hugging_face_cache_is_refused(tiny_zoo, tmp_path):
    cache = tmp_path / "hf_cache"
    snapshot = make_hf_cache(cache, tiny_zoo["repo_id"], TINY_COMMIT, tiny_zoo["folder"])
    shutil.rmtree(tiny_zoo["folder"])
    (snapshot / "config.json").resolve().write_text("{}")
    with pytest.raises(zoo.IntegrityError, match="config.json"):
        zoo.load("tiny_dss_signals", cache_dir=cache)


def test_offline_with_nothing_cached_says_so(tiny_zoo, tmp_path, monkeypatch):
    shutil.rmtree(tiny_zoo["folder"])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(zoo.HubUnavailableError, match="HF_HUB_OFFLINE is set"):
        zoo.load("tiny_dss_signals", cache_dir=tmp_path / "empty")


def test_no_network_with_nothing_cached_says_so(tiny_zoo, tmp_path, monkeypatch):
    shutil.rmtree(tiny_zoo["folder"])
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the Hub client's 5 retries wait 23 s in all
    with pytest.raises(zoo.HubUnavailableError, match="Could not download"):
        zoo.load("tiny_dss_signals", cache_dir=tmp_path / "empty")


def test_missing_folder_and_non_entry_folder_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        zoo.load(f"local-dir:{tmp_path / 'nowhere'}")
    with pytest.raises(FileNotFoundError, match="not a zoo entry folder"):
        zoo.load(str(tmp_path))


def test_untrained_entry_asks_for_pretrained_false(monkeypatch):
    from zoo.registry import load_registry

    untrained = [name for name, entry in load_registry().items() if not entry.pretrained]
    if not untrained:
        pytest.skip("every registered entry has weights")
    with pytest.raises(ValueError, match="pretrained=False"):
        zoo.load(untrained[0])


def test_an_explicit_revision_is_loaded_even_when_an_embedded_copy_exists(tiny_zoo, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(zoo.HubUnavailableError, match="badrev"):  # never the embedded copy instead
        zoo.load("tiny_dss_signals", revision="badrev", cache_dir=tmp_path / "empty")
    cache = tmp_path / "hf_cache"
    make_hf_cache(cache, tiny_zoo["repo_id"], TINY_COMMIT, tiny_zoo["folder"])
    model = zoo.load("tiny_dss_signals", revision=TINY_COMMIT, cache_dir=cache)
    assert_close(model.predict(X, verbose=0), tiny_zoo["model"].predict(X, verbose=0), atol=1e-5)


def test_names_are_case_insensitive_and_an_empty_name_is_an_error(tiny_zoo, monkeypatch):
    monkeypatch.chdir(tiny_zoo["folder"])  # an entry folder: "" must not load it
    assert zoo.load("TINY_DSS_SIGNALS").zoo_info["name"] == "tiny_dss_signals"
    for empty in ["", "   "]:
        with pytest.raises(ValueError, match="needs a model name"):
            zoo.load(empty)
    with pytest.raises(zoo.UnknownModelError, match="'tiny_dss_signals'"):
        zoo.load("TINY_DSS_SIGNAL")


def test_a_config_edited_together_with_its_hash_is_refused(tiny_zoo):
    import json

    from zoo.entry import sha256_file

    folder = tiny_zoo["folder"]
    config = (folder / "config.json").read_text()
    assert '"aggregation": "sum"' in config
    (folder / "config.json").write_text(config.replace('"aggregation": "sum"', '"aggregation": "max"'))
    info = json.loads((folder / "zoo.json").read_text())
    info["files"]["config.json"] = sha256_file(folder / "config.json")
    (folder / "zoo.json").write_text(json.dumps(info))
    with pytest.raises(zoo.IntegrityError, match="not the architecture 'dss_sum'"):
        zoo.load(f"local-dir:{folder}")


def test_a_new_head_drops_the_measured_metrics(tiny_zoo, tmp_path):
    import json

    folder = tiny_zoo["folder"]
    info = json.loads((folder / "zoo.json").read_text())
    (folder / "zoo.json").write_text(json.dumps(dict(info, metrics={"accuracy": {"mean": 0.9, "std": 0.0,
                                                                                  "values": [0.9]}})))
    assert "metrics" in zoo.load(f"local-dir:{folder}").zoo_info
    model = zoo.load(f"local-dir:{folder}", num_classes=5)
    assert "metrics" not in model.zoo_info and model.zoo_info["architecture"] == "dss_sum"
    zoo.save(model, tmp_path / "five")
    assert zoo.load(f"local-dir:{tmp_path / 'five'}").predict(X, verbose=0).shape == (2, 5)  # still agrees


@pytest.mark.parametrize("nested, reason", [
    ({"module": "os", "class_name": "system", "config": {"command": "echo hi"}, "registered_name": None},
     "Could not locate class 'system'"),
    ({"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
      "config": {"name": "code", "function": {"class_name": "__lambda__", "config": {
          "code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMEAAAAfABTAKkBTqkAqQHaAXhyAgAAAHICAAAA"
                  "+gg8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA==",
          "defaults": None, "closure": None}}, "output_shape": None, "arguments": {}}},
     "safe mode refused it"),
])
def test_code_or_unknown_classes_nested_in_a_config_are_refused_with_the_reason(tiny_zoo, nested, reason):
    import json

    from zoo.entry import sha256_file

    folder = tiny_zoo["folder"]
    config = json.loads((folder / "config.json").read_text())
    config["config"]["blocks"][0]["config"]["layer"] = nested
    (folder / "config.json").write_text(json.dumps(config))
    info = json.loads((folder / "zoo.json").read_text())
    info["files"]["config.json"] = sha256_file(folder / "config.json")
    (folder / "zoo.json").write_text(json.dumps(info))
    with pytest.raises(zoo.IntegrityError, match=reason) as error:
        zoo.load(f"local-dir:{folder}")
    assert "could not be deserialized" not in str(error.value)


def test_sets_far_from_the_trained_size_warn_naming_it(tiny_zoo):
    import warnings

    model = zoo.load("tiny_dss_signals")
    assert model.trained_set_sizes == (25, 25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X, verbose=0)  # the trained size: quiet
    big = np.concatenate([X] * 4, axis=1)
    for call in (lambda: model.predict(big, verbose=0), lambda: model(big)):
        with pytest.warns(zoo.SetSizeWarning, match="trained on sets of 25 elements and got sets of 100"):
            call()
    few = {"elements": X, "mask": (np.arange(25) < 5).astype("float32")[None].repeat(2, axis=0)}
    with pytest.warns(zoo.SetSizeWarning, match="got sets of 5"):
        model.predict(few, verbose=0)


def test_a_tagged_name_loads_its_own_weights_and_the_untagged_name_the_default(tiny_zoo, monkeypatch):
    from tests.test_registry import ship_tagged_entry

    wide = ship_tagged_entry("wide", 0.1)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = zoo.load("tiny_dss_signals.wide")
    assert model.zoo_info["name"] == "tiny_dss_signals.wide" and model.count_params() == wide.count_params()
    assert_close(model.predict(X, verbose=0), wide.predict(X, verbose=0), atol=1e-5)
    default = zoo.load("tiny_dss_signals")
    assert default.count_params() == tiny_zoo["model"].count_params() < wide.count_params()
    assert zoo.load("tiny_dss_signals.wide", pretrained=False).count_params() == wide.count_params()


def test_a_tagged_name_loads_exactly_the_revision_asked_for(tiny_zoo, tmp_path, monkeypatch):
    from tests.test_registry import ship_tagged_entry
    from zoo.registry import get_entry, update_entry

    wide = ship_tagged_entry("wide", 0.1)
    folder, repo_id = get_entry("tiny_dss_signals.wide").embedded_dir, "symmetry-zoo/tiny_dss_signals.wide"
    pinned, later = TINY_COMMIT, "89abcdef" * 5
    make_hf_cache(tmp_path / "pinned", repo_id, pinned, folder)  # what `zoo push` published and pinned
    update_entry("tiny_dss_signals.wide", hub={"repo_id": repo_id, "revision": pinned})
    wider = ship_tagged_entry("wider", 0.2)  # a later revision of the same repository, with other weights
    make_hf_cache(tmp_path / "later", repo_id, later, get_entry("tiny_dss_signals.wider").embedded_dir)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = zoo.load("tiny_dss_signals.wide", revision=later, cache_dir=tmp_path / "later")
    assert model.count_params() == wider.count_params()  # neither the embedded copy nor the pinned revision
    assert_close(model.predict(X, verbose=0), wider.predict(X, verbose=0), atol=1e-5)
    shutil.rmtree(folder)
    model = zoo.load("tiny_dss_signals.wide", revision=pinned, cache_dir=tmp_path / "pinned")
    assert_close(model.predict(X, verbose=0), wide.predict(X, verbose=0), atol=1e-5)
    assert zoo.load("tiny_dss_signals.wide", cache_dir=tmp_path / "pinned").count_params() == wide.count_params()
    with pytest.raises(zoo.HubUnavailableError, match=f"{repo_id}@{later} is not in the Hugging Face cache and "
                                                      "HF_HUB_OFFLINE is set"):
        zoo.load("tiny_dss_signals.wide", revision=later, cache_dir=tmp_path / "pinned")

