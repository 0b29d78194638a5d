import json
import os

import pytest

from zoo.cli import main


def test_list_and_info(tiny_zoo, capsys):
    assert main(["list"]) == 0
    assert "tiny_dss_signals" in capsys.readouterr().out
    assert main(["info", "tiny_dss_signals"]) == 0
    assert json.loads(capsys.readouterr().out)["architecture"] == "dss_sum"


def test_unknown_name_exits_2_with_a_suggestion(tiny_zoo, capsys):
    assert main(["info", "tiny_dss_signal"]) == 2
    assert "Did you mean 'tiny_dss_signals'" in capsys.readouterr().err


def test_predict_prints_predictions_and_the_symmetry_check(tiny_zoo, capsys):
    assert main(["predict", "tiny_dss_signals", "-n", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("predicted") == 3 and "symmetry check: passed=True" in out


@pytest.mark.parametrize("count", ["0", "-2", "x"])
def test_predict_refuses_a_count_of_sets_below_one(count, capsys):
    with pytest.raises(SystemExit):
        main(["predict", "gru_sum_small", "-n", count])
    assert f"argument -n: {count} is not a positive number of sets" in capsys.readouterr().err


def test_predict_shows_as_many_sets_as_asked_for_an_image_to_image_entry(capsys):
    assert main(["predict", "dss_aittala_colour_matching", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("prediction (6, 64, 64, 3), mean absolute error") == 2 and "passed=True" in out


def test_eval_prints_harness_metrics(tiny_zoo, capsys):
    assert main(["eval", "tiny_dss_signals", "--seeds", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["seeds"] == [1]


def test_train_passes_the_budget_overrides_and_hyper_parameters_on(monkeypatch, capsys):
    import zoo.pipeline

    calls = []
    monkeypatch.setattr(zoo.pipeline, "train_entry", lambda *args, **kwargs: calls.append((args, kwargs)) or {
        "metrics": {}})
    assert main(["train", "gru_half_range_20", "--budget", "cpu", "--trials", "1", "--epochs", "300",
                 "--patience", "40", "--hp", "learning_rate=0.01"]) == 0
    (args, kwargs), = calls
    assert args[:2] == ("gru_half_range_20", "cpu") and args[5] == {"learning_rate": 0.01}
    assert kwargs["budget_overrides"] == {"max_trials": 1, "epochs": 300, "patience": 40}


def test_train_and_tag_refuse_a_hyper_parameter_the_architecture_does_not_take(tiny_zoo, monkeypatch, capsys):
    import training.train
    from zoo.registry import load_registry

    monkeypatch.setattr(training.train, "train_model", lambda *args, **kwargs: pytest.fail("training started"))
    before = load_registry()
    assert main(["train", "tiny_dss_signals", "--hp", "widht=0.1"]) == 2
    assert "'dss_sum' of family 'signals' takes no hyper-parameter 'widht' (did you mean 'width'" in \
        capsys.readouterr().err
    assert main(["tag", "tiny_dss_signals", "wide", "--hp", "widht=0.1"]) == 2
    assert "(did you mean 'width'?)" in capsys.readouterr().err
    assert load_registry() == before


def test_push_dry_run(tiny_zoo, capsys):
    from zoo.registry import get_entry

    assert main(["push", "tiny_dss_signals", "--dry-run"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["dry_run"] and result["repo_id"] == "symmetry-zoo/tiny_dss_signals"
    model_files = {name: file["sha256"] for name, file in result["files"].items()
                   if name not in ("zoo.json", "README.md")}
    assert model_files == get_entry("tiny_dss_signals").sha256 and {"zoo.json", "README.md"} <= set(result["files"])


def test_tag_registers_a_tagged_entry_and_says_how_to_train_it(tiny_zoo, capsys):
    from zoo.registry import get_entry

    assert main(["tag", "tiny_dss_signals", "wide", "--hp", "width=0.1"]) == 0
    out = capsys.readouterr().out
    assert "Registered tiny_dss_signals.wide" in out and "`zoo train tiny_dss_signals.wide`" in out
    assert get_entry("tiny_dss_signals.wide").hyperparameters["width"] == 0.1
    assert main(["list", "tiny_dss_signals*"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == [
        "tiny_dss_signals", "tiny_dss_signals.wide"]
    assert main(["info", "tiny_dss_signals.wide"]) == 0
    assert json.loads(capsys.readouterr().out)["architecture"] == "dss_sum"
    assert main(["tag", "tiny_dss_signals", "Wide"]) == 2
    assert "a tag is lowercase letters, digits and underscores" in capsys.readouterr().err
    assert main(["push", "tiny_dss_signals.wide", "--dry-run"]) == 2
    assert "'tiny_dss_signals.wide' has no weights to publish; train it first" in capsys.readouterr().err


def test_push_of_a_tagged_entry_goes_to_its_own_repository_and_pins_the_commit(tiny_zoo, monkeypatch, capsys):
    from tests.test_hub import fake_hub
    from tests.test_registry import ship_tagged_entry
    from zoo.registry import get_entry

    ship_tagged_entry("wide", 0.1)
    assert main(["push", "tiny_dss_signals.wide", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["repo_id"] == "symmetry-zoo/tiny_dss_signals.wide"
    assert get_entry("tiny_dss_signals.wide").hub["revision"] is None  # a dry run pins nothing
    calls = fake_hub(monkeypatch)
    assert main(["push", "tiny_dss_signals.wide"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert calls["upload_folder"]["repo_id"] == "symmetry-zoo/tiny_dss_signals.wide"
    assert calls["uploaded"] == {name: file["sha256"] for name, file in dry["files"].items()}
    assert get_entry("tiny_dss_signals.wide").hub == {"repo_id": "symmetry-zoo/tiny_dss_signals.wide",
                                                      "revision": result["commit"]}
    assert get_entry("tiny_dss_signals").hub["revision"] != result["commit"]  # the default entry is untouched


def test_a_push_whose_folder_differs_from_the_registry_is_refused(tiny_zoo, capsys):
    from zoo.registry import update_entry

    update_entry("tiny_dss_signals", sha256={"model.weights.h5": "0" * 64})
    assert main(["push", "tiny_dss_signals", "--dry-run"]) == 2
    assert "model.weights.h5 does not match its recorded sha256" in capsys.readouterr().err


def test_list_remote_prints_the_hub_against_the_registry_or_why_it_cannot(tiny_zoo, monkeypatch, capsys):
    from tests.conftest import TINY_COMMIT
    from tests.test_hub import fake_listing, model_info

    fake_listing(monkeypatch, {"symmetry-zoo": [model_info("symmetry-zoo/tiny_dss_signals", TINY_COMMIT)]})
    assert main(["list", "--remote"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["name", "hub", "sha"]
    assert row.split() == ["tiny_dss_signals", TINY_COMMIT[:12], "2025-01-01T12:00:00", TINY_COMMIT[:12], "pinned",
                           "revision", "is", "current", "symmetry-zoo/tiny_dss_signals"]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["list", "--remote"]) == 2
    assert "zoo list: HF_HUB_OFFLINE is set, so the Hugging Face Hub cannot be listed" in capsys.readouterr().err


def _run(*code_or_args, env=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_help_and_argument_errors_never_start_a_backend():
    for argv in (["--help"], ["train", "--help"], ["train"]):  # the last: an argument error (no name)
        result = _run("-X", "importtime", "-m", "zoo.cli", *argv)
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert result.returncode == 2 if argv == ["train"] else result.returncode == 0
        assert "zoo" in imported and not imported & {"keras", "tensorflow", "jax", "torch"}, argv


def test_importing_zoo_registers_its_layers_with_keras(tmp_path):
    code = ("import zoo, keras\n"
            "model = zoo.load('deepsets_identity_sum', compile=False)\n"
            f"model.save({str(tmp_path / 'm.keras')!r})\n")
    assert _run("-c", code).returncode == 0
    path = str(tmp_path / "m.keras")
    loaded = _run("-c", f"import zoo, keras; print(type(keras.saving.load_model({path!r})).__name__)")
    assert loaded.stdout.strip() == "SetModel", loaded.stderr


def test_commands_keep_the_backend_start_up_lines_off_the_terminal():
    result = _run("-m", "zoo.cli", "predict", "deepsets_identity_sum", "-n", "1")
    assert result.returncode == 0, result.stderr
    assert "predicted" in result.stdout
    for noise in ("oneDNN", "cuInit", "cuda", "absl"):
        assert noise not in result.stderr
    shown = _run("-c", "import zoo; zoo.load('deepsets_identity_sum')", env={"ZOO_VERBOSE": "1"})
    assert shown.returncode == 0
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        assert any(noise in shown.stderr for noise in ("oneDNN", "cuInit", "absl"))  # still there when asked for


def test_predict_describes_each_set_of_an_entry_whose_outputs_and_targets_are_dicts(tmp_path, monkeypatch, capsys):
    """The QM9 graph VAE predicts and is scored on dicts of node and edge arrays (the fixture's real molecules)."""
    pytest.importorskip("rdkit.Chem")
    from tests.qm9_fixture import write_source
    from zoo.families import get_family

    family = get_family("qm9")
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(family, "source", write_source(tmp_path / "qm9"))
    monkeypatch.setattr(family, "_splits", {})
    assert main(["predict", "equivariant_vae_qm9", "-n", "1"]) == 0  # the fixture's test split: one molecule
    out = capsys.readouterr().out
    assert out.count("decoded node types") == 1 and "set 0:" in out and "symmetry check: passed=True" in out
