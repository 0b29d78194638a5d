import pandas as pd

from evaluation import cards
from zoo.cards import render_card
from zoo.entry import read_info
from zoo.families import get_family


def _leaderboard(tmp_path, monkeypatch, rows):
    """A burst-deblurring leaderboard of `(model, mean, std)` rows, plus a row of another metric."""
    monkeypatch.setattr(cards, "RESULTS_DIR", tmp_path)
    table = pd.DataFrame(rows, columns=["model", "mean", "std"]).assign(metric="mae_255", set_size=None)
    extra = pd.DataFrame([("baseline:median_pixel", 1.0, 0.0, "mse", None)],
                         columns=["model", "mean", "std", "metric", "set_size"])
    pd.concat([table, extra]).to_csv(tmp_path / "burst_deblurring.csv", index=False)  # other metrics never count


def test_a_card_says_when_a_trivial_baseline_beats_the_entry(tmp_path, monkeypatch):
    family = get_family("burst_deblurring")  # mean absolute error: lower is better
    _leaderboard(tmp_path, monkeypatch, [("dss_max_burst_deblurring", 9.5, 0.1), ("baseline:median_pixel", 9.25, 0.1)])
    evaluation, limitation = cards.baseline_comparison(family, "dss_max_burst_deblurring")
    assert "mae_255 9.5 ± 0.1; the trivial median pixel predictor scores 9.25 ± 0.1 (behind it)" in evaluation
    assert limitation == "On this test data it does not beat the trivial median pixel predictor (9.25)."


def test_a_win_counts_only_beyond_the_seeds_spread(tmp_path, monkeypatch):
    family = get_family("burst_deblurring")
    rows = [("dss_max_burst_deblurring", 9.0, 0.2), ("baseline:median_pixel", 9.5, 0.1),
            ("baseline:mean_pixel", 9.1, 0.05)]
    _leaderboard(tmp_path, monkeypatch, rows)
    evaluation, limitation = cards.baseline_comparison(family, "dss_max_burst_deblurring")
    assert "median pixel predictor scores 9.5 ± 0.1 (ahead by more than the seeds' spread)" in evaluation
    assert "mean pixel predictor scores 9.1 ± 0.05 (ahead by less than the seeds' spread)" in evaluation
    assert limitation == ("It is ahead of the trivial mean pixel predictor (9.1) by less than the seeds' spread: "
                          "not clearly better.")


def test_nothing_to_say_without_baselines_or_without_the_entry(tmp_path, monkeypatch):
    family = get_family("burst_deblurring")
    _leaderboard(tmp_path, monkeypatch, [("dss_max_burst_deblurring", 9.0, 0.1), ("baseline:median_pixel", 9.25, 0.1)])
    assert cards.baseline_comparison(family, "dss_sum_burst_deblurring") == ("", "")
    quality = get_family("quality_noise10")  # no leaderboard file in tmp_path
    assert cards.baseline_comparison(quality, "dss_max_quality_noise10") == ("", "")


def test_a_card_states_the_trained_size_and_whether_the_outputs_depend_on_it(tiny_zoo):
    card = cards.refresh_card("tiny_dss_signals") and (tiny_zoo["folder"] / "README.md").read_text()
    assert "Trained on sets of 25 elements" in card
    assert "Size-dependent: its outputs depend on a set's size" in card  # DSS(sum) sums over the set


def test_a_size_independent_entry_says_so(tiny_zoo):
    info = dict(read_info(tiny_zoo["folder"]), size_dependence={"error": 0.0, "scale": 3.0, "tolerance": 1e-4,
                                                                 "size_dependent": False, "copies": 2})
    card = render_card(cards.describe(get_family("signals"), info))
    assert "Size-independent: its outputs depend on a set's contents, not its size" in card
    assert "Size-dependent" not in card


def test_a_card_credits_the_data_of_its_family(tiny_zoo, tmp_path):
    from zoo.families.dss.image_tasks import BurstDeblurringFamily

    (tmp_path / "MANIFEST.csv").write_text('file,author,licence\nbridge.jpg,"Ann Author, 2018",CC-BY-4.0\n')
    photos = BurstDeblurringFamily(source=str(tmp_path))
    info = read_info(tiny_zoo["folder"])
    card = render_card({**cards.describe(get_family("signals"), info), "credits": photos.wording.credits})
    assert "Data credits: bridge.jpg © Ann Author, 2018 (CC-BY-4.0)" in card
    assert "Data credits" not in render_card(cards.describe(get_family("signals"), info))
