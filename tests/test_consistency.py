"""Registry, shipped weights, cards and leaderboard CSVs agree: nothing can drift silently."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import zoo
from evaluation.cards import MODEL_CARDS_DIR, README_PATH, RESULTS_DIR, read_withheld
from evaluation.harness import evaluate_baseline, evaluate_model
from evaluation.leaderboard import SHIPPED, WITHHELD, leaderboard, read_runs
from evaluation.sweep import parse_axis
from tests.entry_predictions import one_per_kind
from zoo.data import first_examples, first_sets
from zoo.entry import folder_hashes, read_info
from zoo.families import FAMILIES, get_family
from zoo.metrics import at_set_size
from zoo.pipeline import measured_on
from zoo.registry import REGISTRY_PATH, load_registry

ENTRIES = load_registry(REGISTRY_PATH)


def _skip_unless_measured_on_this_data(family, name):
    """Recorded numbers hold for the test data they were measured on: skip where this checkout's differ (the image
    tasks fall back to scikit-image's photos when the shared photo folder is absent)."""
    recorded = (read_info(ENTRIES[name].embedded_dir) if ENTRIES[name].pretrained else read_withheld(name))["dataset"]
    here = measured_on(recorded, family.dataset_info())["evaluation_split"]
    if here != recorded.get("evaluation_split"):
        pytest.skip(f"{name} was measured on {recorded.get('evaluation_split')!r}; the test data here: {here!r}")

PRETRAINED = sorted(name for name, entry in ENTRIES.items() if entry.pretrained)
WITHHELD_ENTRIES = sorted(name for name, entry in ENTRIES.items() if entry.withheld)
KINDS = one_per_kind(PRETRAINED, ENTRIES)


@pytest.fixture(autouse=True)
def package_registry(monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)


@pytest.mark.parametrize("name", PRETRAINED)
def test_embedded_files_match_the_registry_hashes(name):
    entry = ENTRIES[name]
    assert entry.embedded_dir.is_dir(), f"{name} has registered weights but no embedded folder"
    hashes = folder_hashes(entry.embedded_dir)
    assert hashes == entry.sha256
    info = read_info(entry.embedded_dir)
    assert info["files"] == hashes and "README.md" not in hashes
    assert info["name"] == name and info["architecture"] == entry.architecture and info["family"] == entry.family
    assert info["hyperparameters"] == entry.hyperparameters


def test_an_analytic_entry_and_its_card_say_it_was_trained_on_nothing():
    """An architecture that sets its weights analytically learns from no data, whatever its family trains others
    on; its `zoo.json` and card say so (they once named the family's training split)."""
    from zoo.pipeline import ANALYTIC_SPLIT, entry_fields

    analytic = [name for name in PRETRAINED if ENTRIES[name].family in FAMILIES
                and not get_family(ENTRIES[name].family).architectures[ENTRIES[name].architecture].trained]
    assert {"exact_rnn_parity", "deepsets_identity_sum"} <= set(analytic)
    for name in analytic:
        assert read_info(ENTRIES[name].embedded_dir)["dataset"]["training_split"] == ANALYTIC_SPLIT
        assert f"Trained on: {ANALYTIC_SPLIT}." in (MODEL_CARDS_DIR / f"{name}.md").read_text()
    parity = get_family("parity")
    assert entry_fields(parity, "rnn", {})["dataset"]["training_split"] != ANALYTIC_SPLIT


@pytest.mark.parametrize("name", PRETRAINED)
def test_card_in_model_cards_is_the_entry_card(name):
    card = (MODEL_CARDS_DIR / f"{name}.md").read_text()
    assert card == (ENTRIES[name].embedded_dir / "README.md").read_text()
    assert f'zoo.load("{name}")' in card


def _then_large(names, kept):
    """`names` as `pytest.param`s, those not in `kept` marked `large` (run with `--run_large`)."""
    return [pytest.param(name, marks=[] if name in kept else [pytest.mark.large]) for name in names]


def _one_per_way_of_training(names):
    """The first of `names` for each way its model trains: the family class (loss and metrics), the model class
    (`train_step`, `compute_loss`) and, for an architecture that regularises another (SIRE, SUB, π-SGD), the
    architecture. The layers of each architecture train in tests/models/test_training.py."""
    ways = {}
    for name in names:
        entry = ENTRIES[name]
        family = FAMILIES.get(entry.family)
        if family is None:  # skipped: the family is not available
            continue
        model_class = json.loads((entry.embedded_dir / "config.json").read_text())["class_name"]
        regularised = entry.architecture if family.architectures[entry.architecture].regularises else None
        ways.setdefault((type(family).__name__, model_class, regularised), name)
    return set(ways.values())


# One entry of each kind measures the kind's model code; the weights' hashes pin the others, and the leaderboard test
# re-measures each family's baselines, so its test data. The other 63 entries took at least 880 s on one core (a
# quarter-width DSS(Aittala) quality model alone predicts its test sets for 41 s).
@pytest.mark.parametrize("name", _then_large(PRETRAINED, KINDS))
def test_recorded_metrics_are_what_the_harness_measures_and_the_entry_has_its_symmetry(name):
    if ENTRIES[name].family not in FAMILIES:
        pytest.skip("family not available")
    info = read_info(ENTRIES[name].embedded_dir)
    model = zoo.load(name)
    assert model.count_params() == info["param_count"]
    family = get_family(info["family"])
    if family.missing_data:
        pytest.skip(family.missing_data)
    _skip_unless_measured_on_this_data(family, name)
    # The first test seed suffices to catch any drift of weights, model code or data.
    measured = evaluate_model(model, family, seeds=info["metrics"]["seeds"][:1])
    assert set(measured) == set(info["metrics"])
    for key, values in measured.items():
        if not isinstance(values, dict):
            continue
        recorded = info["metrics"][key]["values"][:1]
        # One test set may flip where float reductions differ (another CPU, another library build).
        tolerance = 1.5 / len(family.load_split("test", seed=info["metrics"]["seeds"][0])[1]) \
            if key.startswith("accuracy") else 5e-3 * max(1.0, abs(recorded[0]))
        assert values["values"] == pytest.approx(recorded, abs=tolerance), key
    report = zoo.check_symmetry(model, first_sets(family.load_split("test", seed=1)[0], 4), trials=1)
    assert report["passed"], report


# A fit traces and compiles for seconds: 37 of the 67 kinds (one per way of training) took 121 s of their 260 s here.
@pytest.mark.parametrize("name", _then_large(KINDS, _one_per_way_of_training(KINDS)))
def test_an_entry_of_each_kind_fine_tunes_as_loaded(name):
    if ENTRIES[name].family not in FAMILIES:
        pytest.skip("family not available")
    family = get_family(ENTRIES[name].family)
    if family.missing_data:
        pytest.skip(family.missing_data)
    model = zoo.load(name)
    train = family.load_split("train", size=1)
    x, y = train if isinstance(train, tuple) else train[0]
    history = model.fit(*first_examples(x, y, 8), epochs=1, verbose=0).history  # fine-tunes as loaded
    assert np.isfinite(history["loss"]).all()


LEADERBOARDS = {family.leaderboard_name: name for name, family in FAMILIES.items()
                if (RESULTS_DIR / f"{family.leaderboard_name}.csv").exists()}


def _recorded(name, metric, set_size):
    """The harness's measurement of an entry: its `zoo.json`'s, or its withheld record's."""
    key = metric if pd.isna(set_size) else at_set_size(metric, set_size)
    info = read_info(ENTRIES[name].embedded_dir) if ENTRIES[name].pretrained else read_withheld(name)
    return info["metrics"][key]


@pytest.mark.parametrize("name", WITHHELD_ENTRIES)
def test_a_withheld_entry_ships_nothing_and_says_why(name):
    entry = ENTRIES[name]
    record = read_withheld(name)
    assert record["withheld"] == entry.withheld and record["name"] == name and not entry.pretrained
    assert not entry.embedded_dir.exists() and not (MODEL_CARDS_DIR / f"{name}.md").exists()
    with pytest.raises(ValueError, match="is withheld: " + re.escape(entry.withheld[:40])):
        zoo.load(name)


@pytest.mark.parametrize("leaderboard_name", sorted(LEADERBOARDS))
def test_leaderboard_csv_agrees_with_runs_or_entries(leaderboard_name):
    family = get_family(LEADERBOARDS[leaderboard_name])
    written = pd.read_csv(RESULTS_DIR / f"{leaderboard_name}.csv")
    models = written[~written["model"].str.startswith("baseline:")]
    needs_data = family.leaderboard.kind == "study" or not family.wording.unavailable_reason
    if needs_data and family.missing_data:  # the unavailable families' rows are checked without their data
        pytest.skip(family.missing_data)
    if family.leaderboard.kind == "study":
        expected = leaderboard(family.name)
        assert written["model"].tolist() == expected["model"].tolist()
        for column in ("mean", "std", "n_seeds", "param_count"):
            assert written[column].tolist() == pytest.approx(expected[column].tolist())
        assert written["train_size"].astype(str).tolist() == expected["train_size"].astype(str).tolist()
        shipped = written["note"] == SHIPPED
        withheld = written["note"].fillna("").str.startswith(WITHHELD)
        primary = written[(written["metric"] == family.task.primary) & ~shipped & ~withheld]
        assert len(read_runs(family.name)) == primary["n_seeds"].sum()
        assert sorted(set(written.loc[shipped, "model"])) == sorted(
            n for n in PRETRAINED if ENTRIES[n].family == family.name)  # a row for what ships
    elif family.wording.unavailable_reason:  # nothing measured: every registered entry is listed with the reason
        assert sorted(models["model"]) == sorted(n for n in ENTRIES if ENTRIES[n].family == family.name)
        assert written["mean"].isna().all()
        assert written["note"].str.contains(family.wording.unavailable_reason, regex=False).all()
        for name in models["model"]:
            assert "No pretrained weights" in (MODEL_CARDS_DIR / f"{name}.md").read_text()
    else:  # each row is the harness's evaluation of a shipped or withheld entry (as recorded) or of a baseline
        assert sorted(set(models["model"])) == sorted(n for n in PRETRAINED + WITHHELD_ENTRIES
                                                      if ENTRIES[n].family == family.name)
        for name in set(models["model"]):
            _skip_unless_measured_on_this_data(family, name)
        for _, row in models.iterrows():
            if ENTRIES[row["model"]].withheld:
                assert row["note"] == f"{WITHHELD}: {ENTRIES[row['model']].withheld}"
            recorded = _recorded(row["model"], row["metric"], row["set_size"])
            assert row["mean"] == pytest.approx(recorded["mean"], abs=1e-4)
            assert row["n_seeds"] == len(recorded["values"])
        baselines = written[written["model"].str.startswith("baseline:")]
        for name, rows in baselines.groupby("model"):
            measured = evaluate_baseline(family, name.removeprefix("baseline:"),
                                         seeds=tuple(range(1, rows["n_seeds"].iloc[0] + 1)))
            for _, row in rows.iterrows():
                key = row["metric"] if pd.isna(row["set_size"]) else at_set_size(row["metric"], row["set_size"])
                assert row["mean"] == pytest.approx(measured[key]["mean"], abs=1e-3)
    for _, row in written.iterrows():
        if row["model"] in ENTRIES and ENTRIES[row["model"]].pretrained:
            card = (MODEL_CARDS_DIR / f"{row['model']}.md").read_text()
            assert str(row["mean"]) in card
            if row["train_size"] is not None and not pd.isna(row["train_size"]):
                assert f"| {row['train_size']} |" in card


def test_every_registered_family_is_known():
    assert {entry.family for entry in ENTRIES.values()} <= set(FAMILIES)


def test_every_registered_hyper_parameter_is_one_its_architecture_takes():
    """Including those a regularised entry keeps from its unregularised twin when retrained (`zoo train`)."""
    from zoo.pipeline import _unregularised

    for entry in ENTRIES.values():
        family = get_family(entry.family)
        family.check_hyperparameters(entry.architecture, entry.hyperparameters)
        family.check_hyperparameters(entry.architecture, _unregularised(family, family.architectures[
            entry.architecture])[1])


def _documented_commands():
    """Every `zoo train`, `zoo tag` and `zoo sweep` command the README and the cards show, on one line each."""
    inline, block = re.compile(r"`(zoo (?:train|tag|sweep) [^`]+)`"), re.compile(
        r"^\s*(zoo (?:train|tag|sweep) [^`#\n]+)", re.M)
    texts = [path.read_text() for path in [README_PATH, *sorted(MODEL_CARDS_DIR.glob("*.md"))]]
    return sorted({" ".join(match.split()) for text in texts for pattern in (inline, block)
                   for match in pattern.findall(text)})


def _hyperparameter_names(words):
    return [pair.split("=")[0] for flag, pair in zip(words, words[1:]) if flag == "--hp"]


def test_every_documented_command_sets_only_hyper_parameters_its_models_take():
    """A hyper-parameter the model does not take would be recorded and ignored: the reported run would not be the
    model it names."""
    checked = 0
    for command in _documented_commands():
        words = command.split()
        if words[1] == "sweep":
            family = get_family(words[2])
            for axis in (word for word in words[3:] if ":" in word and not word.startswith("-")):
                architecture, name, _ = parse_axis(axis)
                family.check_hyperparameters(architecture, [name, *_hyperparameter_names(words)])
                checked += 1
        elif words[2] in ENTRIES:  # not a placeholder such as NAME
            entry = ENTRIES[words[2]]
            get_family(entry.family).check_hyperparameters(entry.architecture, _hyperparameter_names(words))
            checked += bool(_hyperparameter_names(words))
    assert checked > 40


def test_registry_file_is_sorted_and_canonical():
    data = json.loads(REGISTRY_PATH.read_text())
    assert list(data) == sorted(data)


def test_readme_model_and_invariance_tables_are_generated():
    from evaluation.cards import (
        INVARIANCE_END,
        INVARIANCE_START,
        TABLE_END,
        TABLE_START,
        invariance_table,
        models_table,
    )

    text = README_PATH.read_text()
    assert text[text.index(TABLE_START) + len(TABLE_START):text.index(TABLE_END)].strip() == models_table()
    assert text[text.index(INVARIANCE_START) + len(INVARIANCE_START):text.index(INVARIANCE_END)].strip() == (
        invariance_table())


@pytest.mark.parametrize("stem", ["fine_tuning", "fine_tuning_20_epochs"])
def test_readme_fine_tuning_table_is_what_its_csv_holds(stem):
    """The README's row for each fine-tuning CSV: its entries, families, entries lost both ways and median accuracy
    changes, as `evaluation.fine_tuning.summarise` counts them."""
    from evaluation.fine_tuning import summarise

    summary = summarise(pd.read_csv(RESULTS_DIR / f"{stem}.csv"))
    row = re.search(rf"{stem}\.\{{csv,png\}}`\) \| (\d+) of (\d+) families[^|]*\| (\d+) \| (\d+) \| (\S+) / (\S+) \|",
                    README_PATH.read_text())
    assert row, f"no README row for {stem}.csv"
    columns = ("fine_tuned", "fine_tuned_at_training_rate")
    medians = tuple(f"{summary['median_accuracy_change'][column] + 0.0:.3f}".replace("-", "−") for column in columns)
    assert row.groups() == (str(summary["entries"]), str(summary["families"]),
                            *(str(summary["lost"][column]) for column in columns), *medians)


@pytest.mark.parametrize("name", [n for n in PRETRAINED if ENTRIES[n].family in FAMILIES
                                  and get_family(ENTRIES[n].family).task.chance is not None])
def test_shipped_classifiers_and_selectors_beat_chance(name):
    """A shipped model beats chance by half again, unless its family declares the architecture weak on the task:
    then its card must say so."""
    info = read_info(ENTRIES[name].embedded_dir)
    family = get_family(info["family"])
    weak = family.architectures[info["architecture"]].weak
    if weak:
        card = (ENTRIES[name].embedded_dir / "README.md").read_text()
        assert weak in card.replace("\n", " ")
        return
    assert info["metrics"][family.task.primary]["mean"] > 1.5 * family.task.chance


@pytest.mark.parametrize("name", sorted(n for n in ENTRIES if (MODEL_CARDS_DIR / f"{n}.md").exists()))
def test_every_card_reads_as_a_hub_model_card_with_the_papers_numbers_beside_the_measured_ones(name):
    from huggingface_hub import ModelCard

    entry = ENTRIES[name]
    family = get_family(entry.family)
    card = ModelCard.load(MODEL_CARDS_DIR / f"{name}.md")
    results = card.data.eval_results or []
    published = {key: value for key, value in family.paper_results(entry.architecture).items() if value is not None}
    from_paper = [r for r in results if r.dataset_config == "paper"]
    assert {r.metric_type: r.metric_value for r in from_paper} == pytest.approx(published)
    assert all(r.source_url == family.paper.url for r in from_paper)
    measured = {r.metric_type for r in results if r.dataset_config != "paper"}
    assert bool(measured) == entry.pretrained
    assert card.data.datasets == (list(family.wording.datasets) or None)
    assert results or not entry.pretrained and not published  # a model-index whenever there is a number


SWEEPS = sorted(path.name.removesuffix("_sweep_runs.jsonl") for path in RESULTS_DIR.glob("*_sweep_runs.jsonl"))


@pytest.mark.parametrize("family_name", SWEEPS)
def test_a_sweep_csv_is_the_summary_of_its_runs(family_name):
    from evaluation.sweep import sweep_paths, sweep_table

    _, csv_path, png_path = sweep_paths(family_name)
    written, expected = pd.read_csv(csv_path), sweep_table(family_name)
    assert written[["architecture", "value", "metric", "n_seeds"]].values.tolist() == (
        expected[["architecture", "value", "metric", "n_seeds"]].values.tolist())
    assert written["mean"].tolist() == pytest.approx(expected["mean"].tolist(), abs=1e-4)
    assert png_path.exists()
