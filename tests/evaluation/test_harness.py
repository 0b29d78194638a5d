import json

import numpy as np
import pandas as pd
import pytest

import evaluation.cards as cards
import evaluation.leaderboard as leaderboard
import zoo
from evaluation.harness import evaluate, evaluate_model, summarize
from zoo.families import get_family
from zoo.pipeline import run_study


def test_summarize_uses_the_sample_standard_deviation():
    assert summarize([0.5, 0.7]) == {"mean": pytest.approx(0.6), "std": pytest.approx(np.std([0.5, 0.7], ddof=1)),
                                     "values": [0.5, 0.7]}
    assert summarize([0.4])["std"] == 0.0


def test_evaluate_reports_every_seed(tiny_zoo):
    metrics = evaluate("tiny_dss_signals", seeds=(1, 2))
    assert metrics["split"] == "test" and metrics["seeds"] == [1, 2]
    assert len(metrics["accuracy"]["values"]) == 2
    assert 0.0 <= metrics["accuracy"]["mean"] <= 1.0


def test_evaluation_is_deterministic(tiny_zoo):
    model = zoo.load("tiny_dss_signals")
    family = get_family("signals")
    assert evaluate_model(model, family, seeds=(1,)) == evaluate_model(model, family, seeds=(1,))


@pytest.fixture
def results_dir(tiny_zoo):
    """Where the private zoo's leaderboards go (`tiny_zoo` redirects them)."""
    return cards.RESULTS_DIR


@pytest.mark.slow
def test_study_writes_runs_leaderboard_and_cards(tiny_zoo, results_dir, tmp_path):
    run_study("signals", train_sizes=[16], seeds=[0, 1], architectures=["dss_sum"], work_dir=tmp_path / "work",
              epochs=1, patience=1)
    runs = leaderboard.read_runs("signals")
    assert [(r["model"], r["train_size"], r["seed"]) for r in runs] == [("tiny_dss_signals", 16, 0),
                                                                         ("tiny_dss_signals", 16, 1)]
    run_study("signals", train_sizes=[16], seeds=[0, 1], architectures=["dss_sum"], work_dir=tmp_path / "work",
              epochs=1, patience=1)
    assert len(leaderboard.read_runs("signals")) == 2  # finished runs are not repeated
    table = leaderboard.write_leaderboard("signals")
    csv = pd.read_csv(results_dir / "signals.csv")
    assert list(csv.columns) == leaderboard.COLUMNS
    row = csv.iloc[0]
    assert row["model"] == "tiny_dss_signals" and row["n_seeds"] == 2 and row["train_size"] == 16
    assert row["metric"] == "accuracy"
    assert row["mean"] == pytest.approx(np.mean([r["metrics"]["accuracy"] for r in runs]), abs=1e-4)
    assert len(table) == 2 and table["note"].tolist()[1] == leaderboard.SHIPPED  # then the shipped entry
    assert table["model"].tolist() == ["tiny_dss_signals"] * 2
    assert (results_dir / "signals.png").stat().st_size > 1000
    card = (tmp_path / "model_cards" / "tiny_dss_signals.md").read_text()
    assert str(row["mean"]) in card
    assert card == (tiny_zoo["folder"] / "README.md").read_text()
    registry = json.loads(tiny_zoo["registry"].read_text())
    from zoo.entry import folder_hashes

    assert registry["tiny_dss_signals"]["sha256"] == folder_hashes(tiny_zoo["folder"])
    zoo.load("tiny_dss_signals")  # the refreshed entry still verifies


def test_leaderboard_groups_runs_by_model_and_size(tiny_zoo, results_dir):
    runs = [{"model": "tiny_dss_signals", "architecture": "dss_sum", "train_size": size, "seed": seed,
             "metrics": {"accuracy": value}, "param_count": 10, "hyperparameters": {"width": 0.05},
             "backend": "tensorflow", "keras_version": "3", "device": "CPU"}
            for size, seed, value in [(300, 0, 0.5), (300, 1, 0.7), (1000, 0, 0.9)]]
    for run in runs:
        leaderboard.record_run("signals", run)
    table = leaderboard.leaderboard("signals")
    shipped = table["note"] == leaderboard.SHIPPED
    assert shipped.tolist() == [False, False, True]  # the shipped entry comes last
    table = table[~shipped]
    assert table["train_size"].tolist() == [300, 1000]
    assert table["mean"].tolist() == [0.6, 0.9] and table["n_seeds"].tolist() == [2, 1]
    assert table["std"].iloc[0] == pytest.approx(0.1414, abs=1e-4)


def test_entries_leaderboard_evaluates_the_shipped_weights(tiny_zoo, results_dir):
    table = pd.DataFrame(leaderboard.entry_rows(get_family("signals"), seeds=(1, 2)), columns=leaderboard.COLUMNS)
    assert table["model"].tolist() == ["tiny_dss_signals"] and table["n_seeds"].tolist() == [2]
    expected = evaluate("tiny_dss_signals", seeds=(1, 2))["accuracy"]
    assert table["mean"].iloc[0] == pytest.approx(expected["mean"], abs=1e-4)
    leaderboard.plot_entries(table.assign(paper=0.5), results_dir / "entries.png")
    assert (results_dir / "entries.png").stat().st_size > 1000


def test_entries_leaderboard_takes_the_recorded_harness_measurement_of_the_same_seeds(tiny_zoo, results_dir):
    from zoo.entry import folder_hashes, read_info

    info = read_info(tiny_zoo["folder"])
    info["metrics"] = {"split": "test", "seeds": [1, 2], "accuracy": {"mean": 0.5, "std": 0.1, "values": [0.4, 0.6]}}
    (tiny_zoo["folder"] / "zoo.json").write_text(json.dumps(info))
    registry = json.loads(tiny_zoo["registry"].read_text())
    registry["tiny_dss_signals"]["sha256"] = folder_hashes(tiny_zoo["folder"])
    tiny_zoo["registry"].write_text(json.dumps(registry))
    family = get_family("signals")
    assert [row["mean"] for row in leaderboard.entry_rows(family, seeds=(1, 2))] == [0.5]
    assert leaderboard.entry_rows(family, seeds=(1,))[0]["mean"] != 0.5  # other seeds: measured


def test_reship_keeps_weights_and_measurements(tiny_zoo, results_dir):
    from zoo.entry import read_info

    folder = tiny_zoo["folder"]
    info = read_info(folder)
    info["metrics"] = {"split": "test", "seeds": [1], "accuracy": {"mean": 0.5, "std": 0.0, "values": [0.5]}}
    (folder / "zoo.json").write_text(json.dumps(info))  # as written by training, before a format change
    registry = json.loads(tiny_zoo["registry"].read_text())
    from zoo.entry import folder_hashes

    registry["tiny_dss_signals"]["sha256"] = folder_hashes(folder)
    tiny_zoo["registry"].write_text(json.dumps(registry))
    x = np.ones((1, 25, 100, 1), "float32")
    before = zoo.load("tiny_dss_signals").predict(x, verbose=0)
    cards.reship_entry("tiny_dss_signals")
    assert read_info(folder)["metrics"] == info["metrics"]
    np.testing.assert_allclose(zoo.load("tiny_dss_signals").predict(x, verbose=0), before, atol=1e-6)


def test_the_harness_measures_order_sensitivity_where_the_family_asks():
    family = get_family("parity")
    exact = family.build("exact_rnn")
    scores = family.evaluate(lambda x: exact.predict(x, verbose=0), seed=1)
    assert scores["order_sensitivity"] == 0.0 and scores["order_sensitivity@n=100"] == 0.0
    untrained = family.build("gru")  # reads in order: reordering moves its predictions
    assert family.evaluate(lambda x: untrained.predict(x, verbose=0), seed=1)["order_sensitivity"] > 1e-4
    assert "order_sensitivity" not in get_family("signals").evaluate(lambda x: np.zeros((len(x), 10)), seed=1)


def test_order_sensitivity_is_a_column_of_every_row_not_a_row():
    family = get_family("parity")
    measured = {key: summarize([value]) for key, value in {
        "accuracy": 0.9, "accuracy@n=10": 1.0, "mse": 0.1, "order_sensitivity": 0.25,
        "order_sensitivity@n=10": 0.5, "order_sensitivity@n=20": 0.0}.items()}
    rows = leaderboard.measurement_rows(family, {"model": "m"}, measured, "gru")
    assert [(r["metric"], r["set_size"], r["order_sensitivity"]) for r in rows] == [
        ("accuracy", None, 0.25), ("accuracy", 10, 0.5), ("mse", None, 0.25)]
    assert leaderboard.columns(family)[-1] == "order_sensitivity"
    assert "order_sensitivity" not in leaderboard.columns(get_family("signals"))


@pytest.mark.parametrize("factor, verdict", [(0.1, "× lower than GRU"), (10.0, "That is not lower than GRU")])
def test_a_regularised_entry_card_compares_its_order_sensitivity_with_the_plain_model(factor, verdict):
    family = get_family("parity")
    plain = zoo.load("gru_parity").zoo_info["metrics"]["order_sensitivity"]["mean"]
    info = {"architecture": "sire_gru", "metrics": {"order_sensitivity": {"mean": factor * plain, "std": 0.0}}}
    evaluation, limitation = cards.order_sensitivity_comparison(family, info)
    assert evaluation.startswith("Order sensitivity measured by the harness, mean |f(x) − f(πx)|")
    assert verdict in evaluation
    assert "`gru_parity`" in evaluation and bool(limitation) == (factor > 1)
    assert cards.order_sensitivity_comparison(family, {"architecture": "gru", "metrics": {}}) == ("", "")


@pytest.mark.parametrize("factor, std, verdict, limited", [
    (0.5, 0.0, "That is 2× lower than GRU", False),
    (0.95, 0.2, "That is 5 % lower than GRU trained without the regulariser (`gru_parity`, {plain:.3g}), by less "
                "than the seeds' spread.", True)])
def test_a_card_says_when_the_sensitivity_is_lower_by_less_than_the_seeds_spread(factor, std, verdict, limited):
    family = get_family("parity")
    plain = zoo.load("gru_parity").zoo_info["metrics"]["order_sensitivity"]["mean"]
    info = {"architecture": "sire_gru",
            "metrics": {"order_sensitivity": {"mean": factor * plain, "std": std * plain}}}
    evaluation, limitation = cards.order_sensitivity_comparison(family, info)
    assert verdict.format(plain=plain) in evaluation
    assert ("not clearly less sensitive to order" in limitation) == limited


def test_sensitivity_verdicts_count_a_margin_only_beyond_the_larger_std():
    assert cards.sensitivity_verdict({"mean": 1.0, "std": 0.1}, {"mean": 1.3, "std": 0.2}) == "lower"
    assert cards.sensitivity_verdict({"mean": 1.0, "std": 0.1}, {"mean": 1.15, "std": 0.2}) == "within the spread"
    assert cards.sensitivity_verdict({"mean": 1.0, "std": 0.0}, {"mean": 1.0, "std": 0.0}) == "not lower"
    assert cards.sensitivity_verdict({"mean": 1.2, "std": 0.5}, {"mean": 1.0, "std": 0.5}) == "not lower"


@pytest.mark.parametrize("plot", ["plot_entries", "plot_curves"])
def test_plot_titles_fit_the_figure(plot, results_dir, monkeypatch):
    import matplotlib.pyplot as plt

    note = "Table 3, Places365, MAE 0–255 (CelebA: 6 / 1.27 / 1.34 / 1.35 / 1.17); " * 4  # a long paper note
    table = pd.DataFrame({"model": ["a", "b"], "architecture": ["DSS(sum)", "trivial grey scale predictor"],
                          "metric": ["mae_255"] * 2, "set_size": [10, 10], "mean": [20.0, 30.0], "std": [1.0, 1.0],
                          "paper": [1.8, 14.7], "paper_note": [note] * 2, "note": [None] * 2})
    figures = []
    monkeypatch.setattr(plt, "close", figures.append)  # keep the figure to measure its title
    getattr(leaderboard, plot)(table, results_dir / "colour_matching.png")
    (figure,) = figures
    figure.canvas.draw()
    title = figure.axes[0].title.get_window_extent(figure.canvas.get_renderer())
    frame = figure.bbox
    assert "\n" in figure.axes[0].get_title()  # wrapped onto several lines
    assert frame.x0 <= title.x0 and title.x1 <= frame.x1 and frame.y0 <= title.y0 and title.y1 <= frame.y1


@pytest.mark.parametrize("plot", ["plot_entries", "plot_curves"])
def test_plots_tell_a_tagged_entry_from_its_architectures_default_one(plot, results_dir, monkeypatch):
    import matplotlib.pyplot as plt

    table = pd.DataFrame({"model": ["dss_max_colour_matching", "dss_max_colour_matching.paper_width"],
                          "architecture": ["DSS(max)"] * 2, "metric": ["mae_255"] * 2, "set_size": [6, 6],
                          "mean": [15.5, 11.7], "std": [1.0, 0.9], "paper": [1.9] * 2, "paper_note": ["Table 3"] * 2,
                          "note": [None] * 2})
    figures = []
    monkeypatch.setattr(plt, "close", figures.append)
    getattr(leaderboard, plot)(table, results_dir / "colour_matching.png")
    axis = figures[0].axes[0]
    names = [t.get_text() for t in (axis.get_xticklabels() if plot == "plot_entries" else axis.get_legend().texts)]
    assert "DSS(max) [paper_width]" in " ".join(names).replace("\n", " ")
    assert len(set(names)) == len(names)  # no two bars or lines share a label
