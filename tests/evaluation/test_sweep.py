"""Sweeps (`zoo sweep`): a hyper-parameter swept per architecture, runs recorded, summarised and plotted."""

import json

import pytest

from evaluation import sweep
from zoo.cli import main
from zoo.families import get_family
from zoo.pipeline import run_sweep


def test_an_axis_reads_architecture_hyperparameter_and_values():
    assert sweep.parse_axis("sub_gru:sub_weight=0,0.001,1") == ("sub_gru", "sub_weight", (0.0, 0.001, 1.0))
    with pytest.raises(ValueError, match="ARCHITECTURE:HYPERPARAMETER=V1,V2"):
        sweep.parse_axis("sub_gru=0.1")


def test_zoo_sweep_says_how_an_axis_reads(capsys):
    assert main(["sweep", "sum_small", "sub_gru=0.1"]) == 2
    assert "ARCHITECTURE:HYPERPARAMETER=V1,V2" in capsys.readouterr().err


def test_zoo_sweep_refuses_a_hyper_parameter_an_axis_does_not_take_before_any_run_trains(tmp_path, monkeypatch,
                                                                                         capsys):
    monkeypatch.setattr(sweep, "RESULTS_DIR", tmp_path)
    work = ["--work-dir", str(tmp_path / "work")]
    assert main(["sweep", "parity", "gru:sub_weight=0.1", "gru:sub_wieght=0.1", *work]) == 2
    assert "'gru' of family 'parity' takes no hyper-parameter 'sub_wieght' (did you mean 'sub_weight'" in \
        capsys.readouterr().err
    assert main(["sweep", "parity", "gru:sub_weight=0.1", "--hp", "activaton=relu", *work]) == 2
    assert "(did you mean 'activation'?)" in capsys.readouterr().err
    assert sweep.read_sweep_runs("parity") == [] and not (tmp_path / "work").exists()


def test_a_sweep_gives_each_value_in_the_papers_units_where_the_models_differ():
    table = sweep.sweep_table("sum_small")  # the shipped runs: λ in the model's units, the paper's × 190²
    sire = table[(table["architecture"] == "sire_gru") & (table["value"] == 3610.0)]
    assert sire["paper_value"].tolist() == pytest.approx([0.1] * len(sire)) and len(sire)
    assert sweep.sweep_axis_label(get_family("sum_small"), table) == (
        "sire_weight, sub_weight in the paper's units (the model's ÷ 36,100)")
    parity = sweep.sweep_table("parity")
    assert (parity["paper_value"] == parity["value"]).all()
    assert sweep.sweep_axis_label(get_family("parity"), parity) == "sub_weight, sire_weight"


def test_a_weight_the_paper_has_no_value_for_is_plotted_in_the_models_units(tmp_path, monkeypatch):
    runs = [r for r in sweep.read_sweep_runs("sum_small") if r["architecture"] == "sire_gru" and r["seed"] == 0]
    monkeypatch.setattr(sweep, "RESULTS_DIR", tmp_path)
    for run in runs[:2]:  # the same runs, as if at the relative SIRE distance, which the paper does not have
        sweep.record_sweep_run("sum_small", {**run, "hyperparameters": {**run["hyperparameters"],
                                                                         "sire_scale": "relative"}})
    table = sweep.write_sweep("sum_small")
    assert table["paper_value"].isna().all() and (tmp_path / "sum_small_sweep.png").stat().st_size > 0
    assert sweep.sweep_axis_label(get_family("sum_small"), table) == "sire_weight"


@pytest.mark.slow
def test_a_sweep_resumes_and_summarises_its_runs_over_seeds(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "RESULTS_DIR", tmp_path)
    axes = [("sire_gru", "sire_weight", (0.0, 0.1)), ("sub_gru", "sub_weight", (0.01,))]
    budget = {"name": "tiny", "epochs": 1, "patience": 1}
    run_sweep("sum_small", axes, seeds=(0, 1), work_dir=tmp_path / "work", budget=budget)
    runs = sweep.read_sweep_runs("sum_small")
    assert [(r["architecture"], r["value"], r["seed"]) for r in runs] == [
        ("sire_gru", 0.0, 0), ("sire_gru", 0.0, 1), ("sire_gru", 0.1, 0), ("sire_gru", 0.1, 1), ("sub_gru", 0.01, 0),
        ("sub_gru", 0.01, 1)]
    assert runs[2]["hyperparameters"]["sire_weight"] == 0.1 and "order_sensitivity" in runs[2]["metrics"]
    run_sweep("sum_small", axes, seeds=(0, 1), work_dir=tmp_path / "work", budget=budget)
    assert len(sweep.read_sweep_runs("sum_small")) == 6  # finished runs are not repeated
    assert main(["sweep", "sum_small", "--write-only"]) == 0  # `zoo sweep`: the table from the runs, no training
    table = sweep.write_sweep("sum_small")
    accuracy = table[table["metric"] == "accuracy"]
    assert accuracy[["architecture", "value", "n_seeds"]].values.tolist() == [
        ["sire_gru", 0.0, 2], ["sire_gru", 0.1, 2], ["sub_gru", 0.01, 2]]
    first = [r["metrics"]["accuracy"] for r in runs[:2]]
    assert accuracy["mean"].iloc[0] == pytest.approx(sum(first) / 2, abs=1e-4)
    assert (tmp_path / "sum_small_sweep.png").stat().st_size > 0
    assert json.loads(accuracy["hyperparameters"].iloc[0]) == {"learning_rate": 0.003}
    run_sweep("sum_small", [("sub_gru", "sub_weight", (0.1,))], seeds=(0,), work_dir=tmp_path / "work",
              budget=budget, hyperparameters={"learning_rate": 0.01})  # another hyper-parameter fixed in every run
    assert sweep.read_sweep_runs("sum_small")[-1]["hyperparameters"] == {"learning_rate": 0.01, "sub_weight": 0.1}
    with pytest.raises(ValueError, match="already holds sub_gru sub_weight=0.1 seed 0"):  # not silently skipped
        run_sweep("sum_small", [("sub_gru", "sub_weight", (0.1,))], seeds=(0,), work_dir=tmp_path / "work",
                  budget=budget, hyperparameters={"learning_rate": 0.003})
