import json
import shutil

import pytest

import zoo
from evaluation import cards
from evaluation.harness import evaluate_model
from zoo.entry import folder_hashes, read_info
from zoo.errors import IntegrityError
from zoo.families import get_family
from zoo.pipeline import adopt_entry
from zoo.registry import load_registry

GPU_METRICS = {"split": "test", "seeds": [1, 2, 3], "accuracy": {"mean": 0.5, "std": 0.0, "values": [0.5] * 3}}


@pytest.fixture
def trained_elsewhere(tiny_zoo, tmp_path):
    """An entry folder for `tiny_dss_signals` as `zoo train --output-dir` writes it on another machine."""
    info = read_info(tiny_zoo["folder"])
    hyperparameters = dict(info["hyperparameters"], learning_rate=3e-3)
    folder = tmp_path / "gpu_entries" / "tiny_dss_signals"
    zoo.save(tiny_zoo["model"], folder, **{k: v for k, v in info.items() if k not in ("files", "hyperparameters")},
             hyperparameters=hyperparameters, metrics=GPU_METRICS,
             training={"summary": "trained on a GPU", "budget": "gpu"})
    return folder


def test_adopting_ships_the_folder_with_metrics_measured_here(trained_elsewhere, tmp_path):
    info = adopt_entry(trained_elsewhere)
    entry = load_registry()["tiny_dss_signals"]
    assert entry.sha256 == folder_hashes(entry.embedded_dir) and entry.hyperparameters["learning_rate"] == 3e-3
    model = zoo.load("tiny_dss_signals")
    measured = evaluate_model(model, get_family("signals"))
    assert info["metrics"]["accuracy"]["values"] == pytest.approx(measured["accuracy"]["values"], abs=1e-6)
    assert info["training"]["metrics_where_trained"] == GPU_METRICS and info["training"]["budget"] == "gpu"
    assert (cards.MODEL_CARDS_DIR / "tiny_dss_signals.md").read_text() == (entry.embedded_dir / "README.md").read_text()


def test_a_tampered_folder_is_refused(trained_elsewhere):
    weights = next(trained_elsewhere.glob("*.h5"))
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(IntegrityError, match="does not match its recorded sha256"):
        adopt_entry(trained_elsewhere)


def test_a_folder_of_another_architecture_is_refused(trained_elsewhere, tiny_zoo, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(trained_elsewhere, other)
    info = json.loads((other / "zoo.json").read_text())
    (other / "zoo.json").write_text(json.dumps(dict(info, architecture="dss_max")))
    with pytest.raises(IntegrityError, match="not the architecture 'dss_max'"):  # its config is a dss_sum
        adopt_entry(other)
    registry = json.loads(tiny_zoo["registry"].read_text())
    registry["tiny_dss_signals"]["architecture"] = "dss_max"
    tiny_zoo["registry"].write_text(json.dumps(registry))
    with pytest.raises(ValueError, match="holds a dss_sum model"):
        adopt_entry(trained_elsewhere)
