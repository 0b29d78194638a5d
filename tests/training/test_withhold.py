"""A trained entry that falls short is withheld: nothing ships, `zoo.load` says why, its measurement stays in the
leaderboard marked withheld, and shipping it again later clears all of that."""

import json
import shutil

import pytest

import zoo
from evaluation import cards
from evaluation.leaderboard import WITHHELD, leaderboard
from zoo.cli import main
from zoo.entry import read_info
from zoo.pipeline import adopt_entry, withhold_entry
from zoo.registry import get_entry

REASON = "Accuracy 0.33 is below the trivial baseline's 0.40."


@pytest.fixture
def readme(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"# models\n{cards.TABLE_START}\n{cards.TABLE_END}\n")
    return path


def test_withholding_keeps_the_measurement_and_ships_nothing(tiny_zoo, readme, capsys):
    seeds = read_info(tiny_zoo["folder"]).get("metrics", {}).get("seeds")
    (cards.MODEL_CARDS_DIR).mkdir(exist_ok=True)
    (cards.MODEL_CARDS_DIR / "tiny_dss_signals.md").write_text("a card")
    record = withhold_entry("tiny_dss_signals", REASON)

    entry = get_entry("tiny_dss_signals")
    assert entry.withheld == REASON and not entry.pretrained and entry.sha256 == {}
    assert not tiny_zoo["folder"].exists() and not (cards.MODEL_CARDS_DIR / "tiny_dss_signals.md").exists()
    assert cards.read_withheld("tiny_dss_signals") == record and record["withheld"] == REASON
    assert record["metrics"]["seeds"] == (seeds or [1, 2, 3]) and 0 <= record["metrics"]["accuracy"]["mean"] <= 1
    with pytest.raises(ValueError, match="'tiny_dss_signals' is withheld: Accuracy 0.33 is below"):
        zoo.load("tiny_dss_signals")
    assert zoo.load("tiny_dss_signals", pretrained=False).count_params() == record["param_count"]
    capsys.readouterr()
    assert main(["list", "tiny_dss_signals"]) == 0
    measured = record["metrics"]["accuracy"]
    assert capsys.readouterr().out.splitlines()[1].split() == [  # the measurement that was not shipped
        "tiny_dss_signals", "signals", "dss_sum", "withheld", "accuracy", f"{measured['mean']:.4f}", "±",
        f"{measured['std']:.4f}"]
    assert main(["info", "tiny_dss_signals"]) == 0
    assert json.loads(capsys.readouterr().out) == record  # how it was trained and measured, and why it is withheld

    table = leaderboard("signals")  # a study leaderboard with no runs here: only the withheld row
    assert table["model"].tolist() == ["tiny_dss_signals"]
    assert table["note"].tolist() == [f"{WITHHELD}: {REASON}"]
    assert table["mean"].iloc[0] == pytest.approx(record["metrics"]["accuracy"]["mean"], abs=1e-4)
    assert "| `tiny_dss_signals` |" in readme.read_text() and "withheld: measured, not shipped" in readme.read_text()


def test_shipping_it_again_clears_the_withheld_record(tiny_zoo, tmp_path, readme):
    elsewhere = tmp_path / "elsewhere" / "tiny_dss_signals"
    shutil.copytree(tiny_zoo["folder"], elsewhere)
    withhold_entry("tiny_dss_signals", REASON)
    adopt_entry(elsewhere)
    entry = get_entry("tiny_dss_signals")
    assert entry.pretrained and entry.withheld is None and cards.read_withheld("tiny_dss_signals") is None
    assert leaderboard("signals", seeds=(1,))["note"].tolist() == ["shipped entry"]


def test_withholding_needs_a_reason_and_the_entry_s_own_folder(tiny_zoo, tmp_path):
    with pytest.raises(ValueError, match="needs the reason"):
        withhold_entry("tiny_dss_signals", " ")
    other = tmp_path / "other"
    shutil.copytree(tiny_zoo["folder"], other)
    info = read_info(other)
    zoo.save(tiny_zoo["model"], other, overwrite=True, **{k: v for k, v in info.items() if k not in ("files", "name")},
             name="another_entry")
    with pytest.raises(ValueError, match="holds another_entry"):
        withhold_entry("tiny_dss_signals", REASON, folder=other)
    assert get_entry("tiny_dss_signals").pretrained and tiny_zoo["folder"].exists()  # nothing was touched
