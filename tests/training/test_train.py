import csv
import json

import keras
import keras_tuner
import numpy as np
import pytest

import zoo
from evaluation.harness import evaluate_model
from training import FamilyHyperModel, fit_model, train_model
from training.hypermodel import build_compiled
from training.invariance import INVARIANCE_OBJECTIVE
from training.search import resolve_budget
from zoo.families import TrainingPlan, get_family
from zoo.pipeline import train_entry

TINY_BUDGET = {"name": "test", "max_trials": 2, "search_epochs": 1, "search_train_size": 32, "train_size": 64,
               "epochs": 2, "patience": 1, "hyperparameters": {"width": 0.05}}


def test_hypermodel_draws_from_the_family_search_space():
    import keras_tuner

    hypermodel = FamilyHyperModel(get_family("signals"), "dss_max", fixed={"width": 0.05})
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    assert {"learning_rate", "dropout"} <= set(hp.values)
    assert model.name == "dss_max" and model.compiled


def test_fixed_hyperparameters_are_fixed_in_the_tuner_so_trials_vary_the_rest():
    import keras_tuner

    hypermodel = FamilyHyperModel(get_family("signals"), "dss_max", fixed={"width": 0.05, "learning_rate": 0.02})
    hp = keras_tuner.HyperParameters()
    hypermodel.build(hp)
    fixed = {h.name for h in hp.space if isinstance(h, keras_tuner.engine.hyperparameters.Fixed)}
    assert fixed == {"width", "learning_rate"} and hp.values["learning_rate"] == 0.02
    assert "dropout" not in fixed
    with pytest.raises(ValueError, match="takes no hyper-parameter 'sub_wieght' \\(did you mean 'sub_weight'"):
        FamilyHyperModel(get_family("parity"), "gru", fixed={"sub_wieght": 0.01})  # as a sweep axis would


@pytest.mark.slow
def test_a_regularised_model_keeps_the_hyperparameters_of_its_unregularised_entry(tmp_path, monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    plain = zoo.registry.get_entry("gru_sum_small").hyperparameters
    budget = {"name": "test", "max_trials": 2, "search_epochs": 1, "search_train_size": 32, "train_size": 64,
              "epochs": 1, "patience": 1}
    info = train_entry("sire_gru_sum_small", budget=budget, output_dir=tmp_path / "out", work_dir=tmp_path / "runs",
                       verbose=0)
    trials = info["training"]["search"]["trials"]
    assert {trial["hyperparameters"]["learning_rate"] for trial in trials} == {plain["learning_rate"]}
    assert len({trial["hyperparameters"]["sire_weight"] for trial in trials}) == 2  # the trials vary λ alone
    assert info["hyperparameters"]["learning_rate"] == plain["learning_rate"]
    assert "Hyper-parameters of `gru_sum_small` (the same model without the regulariser) kept" in (
        info["training"]["summary"])
    assert info["training"]["search"]["objective"] == INVARIANCE_OBJECTIVE
    assert "ranked by validation loss plus validation order sensitivity" in info["training"]["summary"]


@pytest.mark.slow
def test_hyperparameters_fixed_by_the_trainer_are_named_on_the_card_and_a_fully_fixed_search_runs_one_trial(
        tmp_path, monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    budget = {"name": "test", "max_trials": 3, "search_epochs": 1, "search_train_size": 32, "train_size": 64,
              "epochs": 1, "patience": 1}
    info = train_entry("sire_gru_sum_small", budget=budget, output_dir=tmp_path / "out", work_dir=tmp_path / "runs",
                       hyperparameters={"sire_weight": 1.0}, verbose=0, budget_overrides={"epochs": 2})
    summary = info["training"]["summary"]
    assert len(info["training"]["search"]["trials"]) == 1  # λ fixed, the learning rate kept: nothing to search
    assert summary.startswith("RandomSearch over 1 trial × 1 epoch on 32 training sets (test budget with --epochs 2)")
    assert info["training"]["budget_overrides"] == {"epochs": 2} and info["training"]["fit"]["max_epochs"] == 2
    assert summary.endswith("Fixed by the trainer (`zoo train --hp`), not searched: sire_weight = 1.0.")
    assert info["hyperparameters"]["sire_weight"] == 1.0


def test_a_regularised_trial_logs_its_validation_loss_plus_its_validation_order_sensitivity_each_epoch():
    family = get_family("sum_small")
    train, val = family.load_split("train", size=64), family.load_split("val", size=64)
    plain, regularised = FamilyHyperModel(family, "gru"), FamilyHyperModel(family, "sire_gru")
    assert (plain.objective, regularised.objective) == ("val_loss", INVARIANCE_OBJECTIVE)
    hp = keras_tuner.HyperParameters()
    model = regularised.build(hp)
    logged = regularised.fit(hp, model, *train, validation_data=val, epochs=2, verbose=0).history
    permuted = family.permute(val[0], np.random.default_rng(7))
    expected = np.mean(np.abs(model.predict(val[0], verbose=0) - model.predict(permuted, verbose=0)))
    assert len(logged["val_order_sensitivity"]) == 2 and logged["val_order_sensitivity"][-1] > 0
    assert logged["val_order_sensitivity"][-1] == pytest.approx(expected, rel=1e-4)
    assert logged[INVARIANCE_OBJECTIVE][-1] == pytest.approx(logged["val_loss"][-1] + expected, rel=1e-4)
    assert logged["val_loss"][-1] == pytest.approx(model.evaluate(*val, verbose=0, return_dict=True)["loss"],
                                                   rel=1e-4)
    assert "val_order_sensitivity" not in plain.fit(hp, plain.build(hp), *train, validation_data=val, epochs=1,
                                                    verbose=0).history


def test_a_regularised_fit_keeps_the_epoch_of_lowest_validation_loss_plus_order_sensitivity(tmp_path):
    family = get_family("sum_small")
    train, val = family.load_split("train", size=64), family.load_split("val", size=64)
    keras.utils.set_random_seed(0)
    model, summary = fit_model(build_compiled(family, "sire_gru", {"learning_rate": 0.01, "sire_weight": 1.0}),
                               family, train, val, epochs=4, patience=10, seed=0, checkpoint_dir=tmp_path,
                               verbose=0, monitor=INVARIANCE_OBJECTIVE)
    with open(tmp_path / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    objective = [float(row[INVARIANCE_OBJECTIVE]) for row in rows]
    best = int(np.argmin(objective))
    assert summary["best_epoch"] == best + 1 and summary["best_val_loss"] == pytest.approx(
        float(rows[best]["val_loss"]), abs=1e-4)
    assert summary[f"best_{INVARIANCE_OBJECTIVE}"] == pytest.approx(objective[best], abs=1e-4)
    permuted = family.permute(val[0], np.random.default_rng(7))
    restored = np.mean(np.abs(model.predict(val[0], verbose=0) - model.predict(permuted, verbose=0)))
    assert restored == pytest.approx(float(rows[best]["val_order_sensitivity"]), rel=1e-4)  # that epoch's weights
    with pytest.raises(ValueError, match="Unknown monitor"):
        fit_model(model, family, train, val, epochs=1, patience=1, seed=0, checkpoint_dir=tmp_path / "other",
                  monitor="val_accuracy")


def test_budgets():
    assert resolve_budget("cpu")["name"] == "cpu"
    assert resolve_budget("auto")["name"] in ("cpu", "gpu")
    with pytest.raises(ValueError, match="Unknown budget"):
        resolve_budget("tpu")
    with pytest.raises(ValueError, match=r"Unknown budget fields \['train_size'\]"):
        train_model(get_family("sum_small"), "gru", "cpu", budget_overrides={"train_size": 10})  # before any work


def test_a_budget_fixes_its_devices_hyper_parameters_then_its_own():
    plan = TrainingPlan(budgets={"gpu": {"epochs": 5, "hyperparameters": {"dropout": 0.0, "width": 0.5}}},
                        device_hyperparameters={"cpu": {"width": 0.25}, "gpu": {"width": 1.0}})
    assert plan.budget_hyperparameters("cpu") == {"width": 0.25}
    assert plan.budget_hyperparameters("gpu") == {"width": 0.5, "dropout": 0.0}
    assert TrainingPlan().budget_hyperparameters("gpu") == {}
    assert get_family("quality_noise10").training.budget_hyperparameters("gpu") == {"width": 1.0}


def test_a_search_capped_above_the_training_split_says_it_used_the_whole_split(tmp_path):
    budget = {"name": "test", "max_trials": 1, "search_epochs": 1, "search_train_size": 1000, "epochs": 1,
              "patience": 1}
    _, _, training = train_model(get_family("sum_small"), "gru", budget, tmp_path, fixed={"learning_rate": 0.01},
                                 verbose=0)
    assert training["search"]["train_size"] == 200  # the family has 200 training sequences, not the budget's 1000
    assert training["summary"].startswith("RandomSearch over 1 trial × 1 epoch on 200 training sets (test budget)")


@pytest.mark.slow
def test_train_entry_writes_a_loadable_entry_with_harness_metrics(tmp_path, monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    info = train_entry("dss_sum_signals", budget=TINY_BUDGET, output_dir=tmp_path / "out",
                       work_dir=tmp_path / "runs", verbose=0)
    folder = tmp_path / "out" / "dss_sum_signals"
    assert json.loads((folder / "zoo.json").read_text()) == info
    assert info["training"]["search"]["trials"] and info["training"]["fit"]["epochs_run"] >= 1
    assert "first 64 sets of the train split" in info["dataset"]["training_split"]
    model = zoo.load(f"local-dir:{folder}")
    remeasured = evaluate_model(model, get_family("signals"))
    assert remeasured["accuracy"]["values"] == pytest.approx(info["metrics"]["accuracy"]["values"], abs=1e-6)
    assert (tmp_path / "runs" / "dss_sum_signals" / "search").is_dir()


class _Kill(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt("killed")


def test_a_killed_fit_resumes_where_it_stopped(tmp_path):
    family = get_family("signals")
    train, val = family.load_split("train", size=32), family.load_split("val", size=32)
    hyperparameters = {"width": 0.05, "learning_rate": 1e-3}
    with pytest.raises(KeyboardInterrupt):
        fit_model(build_compiled(family, "siamese", hyperparameters), family, train, val, epochs=4, patience=10,
                  seed=0, checkpoint_dir=tmp_path, verbose=0, callbacks=[_Kill()])
    model, summary = fit_model(build_compiled(family, "siamese", hyperparameters), family, train, val, epochs=4,
                               patience=10, seed=0, checkpoint_dir=tmp_path, verbose=0)
    epochs = np.loadtxt(tmp_path / "history.csv", delimiter=",", skiprows=1, usecols=0)
    assert epochs.tolist() == [0, 1, 2, 3]  # epochs 0-1 before the kill, 2-3 after: resumed, not restarted
    assert summary["epochs_run"] == 4 and summary["best_val_loss"] is not None
    with open(tmp_path / "history.csv") as handle:
        seconds = [float(row["epoch_seconds"]) for row in csv.DictReader(handle)]
    assert len(seconds) == 4 and summary["seconds"] == pytest.approx(sum(seconds), abs=0.05)  # both runs' time
    again, summary_again = fit_model(build_compiled(family, "siamese", hyperparameters), family, train, val,
                                     epochs=4, patience=10, seed=0, checkpoint_dir=tmp_path, verbose=0)
    assert summary_again == summary  # a finished run is reused, not trained again
    for kept, reused in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(kept, reused)
