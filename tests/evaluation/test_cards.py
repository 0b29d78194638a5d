import pandas as pd
import pytest

from evaluation import cards
from zoo.cards import render_card
from zoo.entry import read_info
from zoo.families import get_family
from zoo.registry import load_registry


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
    def card(error):
        info = dict(read_info(tiny_zoo["folder"]), size_dependence={"error": error, "scale": 3.0, "tolerance": 3e-4,
                                                                     "size_dependent": False, "copies": 2})
        return render_card(cards.describe(get_family("signals"), info))

    assert "Size-independent: its outputs depend on a set's contents, not its size" in card(0.0)
    assert "changed them by less than 0.0001 × the largest output (3), float32 round-off" in card(0.0)
    assert "Size-dependent" not in card(0.0)
    assert card(0.0) == card(4e-6)  # round-off that differs between runs leaves the card as it was


def test_a_card_credits_the_data_of_its_family(tiny_zoo, tmp_path):
    from zoo.families.dss.image_tasks import BurstDeblurringFamily

    (tmp_path / "MANIFEST.csv").write_text('file,author,licence\nbridge.jpg,"Ann Author, 2018",CC-BY-4.0\n')
    photos = BurstDeblurringFamily(source=str(tmp_path))
    info = read_info(tiny_zoo["folder"])
    card = render_card({**cards.describe(get_family("signals"), info), "credits": photos.wording.credits})
    assert "Data credits: bridge.jpg © Ann Author, 2018 (CC-BY-4.0)" in card
    assert "Data credits" not in render_card(cards.describe(get_family("signals"), info))


def test_the_invariance_table_compares_every_shipped_regularised_entry_with_its_unregularised_twin():
    from zoo.registry import find_entry, load_registry

    table = cards.invariance_table()
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| `")]
    regularised = sorted(e.name for e in load_registry().values()
                         if e.pretrained and get_family(e.family).architectures[e.architecture].regularises)
    assert sorted(row[0].strip("| `") for row in rows) == regularised
    for name, mine, twin, theirs, _, lower in rows:
        entry = load_registry()[name.strip("| `")]
        plain = find_entry(entry.family, get_family(entry.family).architectures[entry.architecture].regularises)
        assert twin.strip("`") == plain.name
        measured = read_info(entry.embedded_dir)["metrics"]["order_sensitivity"]
        reference = read_info(plain.embedded_dir)["metrics"]["order_sensitivity"]
        assert float(mine) == pytest.approx(measured["mean"], rel=5e-3)
        assert float(theirs) == pytest.approx(reference["mean"], rel=5e-3)
        spread = max(measured["std"], reference["std"])
        expected = ("**no**" if measured["mean"] >= reference["mean"] else
                    "yes" if reference["mean"] - measured["mean"] > spread else "yes, within the seeds' spread")
        assert lower.strip(" |") == expected
    lowered = sum(row[-1].strip(" |").startswith("yes") for row in rows)
    close = sum(row[-1].strip(" |") == "yes, within the seeds' spread" for row in rows)
    assert table.startswith(f"{lowered} of the {len(rows)} shipped regularised entries")
    assert f"({close} of them by less than the seeds' spread;" in table


def test_the_readme_gets_the_invariance_table_only_where_it_has_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{cards.TABLE_START}\nold\n{cards.TABLE_END}\nmiddle\n{cards.INVARIANCE_START}\nold\n"
                      f"{cards.INVARIANCE_END}\nend\n")
    cards.write_readme_table(readme)
    text = readme.read_text()
    assert "old" not in text and cards.invariance_table() in text and cards.models_table() in text
    assert text.startswith("intro\n") and "\nmiddle\n" in text and text.endswith("end\n")
    readme.write_text(f"{cards.TABLE_START}\n{cards.TABLE_END}\n")
    cards.write_readme_table(readme)
    assert cards.INVARIANCE_START not in readme.read_text()


@pytest.mark.parametrize("backend,date,model,expected", [
    ("jax", "2026-11-22", "selection", "its batch norms trained as fixed affine maps"),
    ("jax", "2026-11-22", "image_cnn", ""),  # passed `training` on itself
    ("tensorflow", "2026-11-22", "selection", ""),  # its trainer's call context carried `training`
    ("jax", cards.TRAINING_MODE_FIX, "selection", ""),
])
def test_a_card_says_where_jax_trained_an_entry_without_its_training_mode(backend, date, model, expected):
    from tests.models.zoo_models import image_cnn, selection_model

    built = selection_model() if model == "selection" else image_cnn()
    caveat = cards.training_mode_caveat({"training": {"backend": backend, "date": date}}, built)
    assert (expected in caveat and "trainable = False" in caveat) if expected else caveat == ""


def test_the_retrain_command_repeats_the_budget_and_the_hyper_parameters_the_trainer_fixed():
    family = get_family("range")
    assert family.retrain_command("rnn") == "zoo train rnn --budget cpu"  # no record: the family's budget
    command = "zoo train sire_rnn_range --budget cpu --hp sire_scale=relative --hp sire_weight=1"
    record = {"training": {"budget": "cpu", "fixed_by_trainer": {"sire_scale": "relative", "sire_weight": 1}}}
    assert family.retrain_command("sire_rnn_range", record) == command
    assert command in (cards.MODEL_CARDS_DIR / "sire_rnn_range.md").read_text()
    assert get_family("identity_sum").retrain_command("deepsets_trained") == "zoo train deepsets_trained"
    record = {"training": {"budget": "cpu", "budget_overrides": {"search_epochs": 1, "epochs": 300, "patience": 40},
                           "fixed_by_trainer": {"learning_rate": 0.01}}}
    assert get_family("half_range_20").retrain_command("gru_half_range_20", record) == (
        "zoo train gru_half_range_20 --budget cpu --search-epochs 1 --epochs 300 --patience 40 "
        "--hp learning_rate=0.01")
    seeded = {"training": {**record["training"], "seed": 1}}  # a training seed other than the default 0
    assert get_family("half_range_20").retrain_command("gru_half_range_20", seeded).endswith(
        "--hp learning_rate=0.01 --seed 1")


def test_the_retrain_command_keeps_a_width_other_than_the_budgets():
    family = get_family("quality_noise10")  # the CPU budget fixes width 0.25, the GPU budget the paper's 1.0

    def command(budget, fixed=None):
        record = {"training": {"budget": budget, "fixed_by_trainer": fixed},
                  "hyperparameters": {"width": 0.25, "dropout": 0.1}}
        return family.retrain_command("dss_max_quality_noise10", record)

    assert command("cpu") == "zoo train dss_max_quality_noise10 --budget cpu"
    assert command("gpu") == "zoo train dss_max_quality_noise10 --budget gpu --hp width=0.25"
    assert command("gpu", {"width": 0.25}) == "zoo train dss_max_quality_noise10 --budget gpu --hp width=0.25"


def test_every_card_retrains_its_entry_as_its_training_record_says():
    wrong = []
    for name, entry in load_registry().items():
        if entry.pretrained:
            command = get_family(entry.family).retrain_command(name, read_info(entry.embedded_dir))
            if f"\n{command}\n" not in (cards.MODEL_CARDS_DIR / f"{name}.md").read_text():
                wrong.append((name, command))
    assert not wrong


def test_a_card_gives_hyper_parameters_in_the_papers_units_where_the_models_differ():
    card = (cards.MODEL_CARDS_DIR / "sire_gru_sum.md").read_text()
    assert '"sire_weight": 88209.0}` (in the paper\'s units: sire_weight = 0.01)' in card
    assert "paper's units" not in (cards.MODEL_CARDS_DIR / "sire_gru_parity.md").read_text()  # unit-scale outputs
    relative = (cards.MODEL_CARDS_DIR / "sire_gru_sum_small.md").read_text()  # the paper has no relative distance
    assert '"sire_scale": "relative"}`\n' in relative and "λ has no counterpart in the paper" in relative
