import json

import pytest

import zoo
from zoo.registry import REGISTRY_PATH, add_tagged_entry, find_entry, get_entry, load_registry, update_entry


def ship_tagged_entry(tag, width):
    """Register `tiny_dss_signals.<tag>` of the `tiny_zoo` registry at `width` and embed trained-looking weights
    (a freshly built model) for it, as `zoo train` would; returns the model."""
    from evaluation.harness import evaluate_model
    from zoo.entry import folder_hashes
    from zoo.families import get_family

    entry = add_tagged_entry("tiny_dss_signals", tag, {"width": width})
    family = get_family("signals")
    model = family.compile(family.build("dss_sum", **entry.hyperparameters))
    zoo.save(model, entry.embedded_dir, name=entry.name, family="signals", architecture="dss_sum", paper="dss",
             task=family.description, dataset=family.dataset_info(), hyperparameters=entry.hyperparameters,
             input_spec=family.input_spec, metrics=evaluate_model(model, family, seeds=(1,)))
    update_entry(entry.name, sha256=folder_hashes(entry.embedded_dir))
    return model


def test_every_registered_name_is_architecture_underscore_family_with_an_optional_tag():
    for name, entry in load_registry(REGISTRY_PATH).items():
        assert entry.base == f"{entry.architecture}_{entry.family}" and name.startswith(entry.base)


def test_list_models_filters_by_pattern_and_pretrained(tiny_zoo):
    assert zoo.list_models() == ["tiny_dss_signals"]
    assert zoo.list_models("tiny_*", pretrained=True) == ["tiny_dss_signals"]
    assert zoo.list_models(pretrained=False) == []
    assert zoo.list_models("*_ucf101") == []


def test_the_package_registry_lists_the_signal_family(monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    names = zoo.list_models("*_signals")
    assert len(names) == 8 and "dss_sum_signals" in names


def test_unknown_name_suggests_close_names(monkeypatch):
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    with pytest.raises(zoo.UnknownModelError, match="Did you mean 'dss_sum_signals'"):
        get_entry("dss_summ_signal")
    with pytest.raises(KeyError, match="Unknown model 'resnet50'"):
        zoo.load("resnet50")


def test_registry_round_trips_through_json(tiny_zoo):
    from zoo.registry import update_entry

    before = json.loads(tiny_zoo["registry"].read_text())
    update_entry("tiny_dss_signals")  # rewrites the file without changing anything
    assert json.loads(tiny_zoo["registry"].read_text()) == before


def test_update_entry_records_fields_and_refuses_unknown_ones(tiny_zoo):
    from zoo.registry import update_entry

    update_entry("tiny_dss_signals", hub={"repo_id": "me/tiny", "revision": "abc"})
    assert load_registry()["tiny_dss_signals"].hub == {"repo_id": "me/tiny", "revision": "abc"}
    with pytest.raises(ValueError, match="no field"):
        update_entry("tiny_dss_signals", weights="x")
    with pytest.raises(zoo.UnknownModelError):
        update_entry("nope")


def test_a_tagged_entry_sits_beside_the_default_one(tiny_zoo, tmp_path):
    entry = add_tagged_entry("tiny_dss_signals", "wide", {"width": 0.1})
    assert (entry.name, entry.base, entry.tag) == ("tiny_dss_signals.wide", "tiny_dss_signals", "wide")
    assert (entry.family, entry.architecture, entry.pretrained) == ("signals", "dss_sum", False)
    assert entry.hyperparameters == {"width": 0.1, "learning_rate": 1e-3, "dropout": 0.0}
    assert entry.embedded_dir == tmp_path / "pretrained" / "tiny_dss_signals.wide"
    assert entry.hub == {"repo_id": "symmetry-zoo/tiny_dss_signals.wide", "revision": None}
    assert entry.repo_id == "symmetry-zoo/tiny_dss_signals.wide"
    assert load_registry()["tiny_dss_signals.wide"] == entry  # written to the registry file
    default = get_entry("tiny_dss_signals")
    assert default.tag is None and default.hyperparameters["width"] == 0.05  # untouched, still the default
    assert find_entry("signals", "dss_sum") == default
    assert get_entry("TINY_DSS_SIGNALS.WIDE") == entry
    assert zoo.list_models("tiny_dss_signals*") == ["tiny_dss_signals", "tiny_dss_signals.wide"]
    assert zoo.list_models("*.wide") == ["tiny_dss_signals.wide"]
    assert zoo.list_models(pretrained=True) == ["tiny_dss_signals"]
    assert zoo.list_models(pretrained=False) == ["tiny_dss_signals.wide"]


@pytest.mark.parametrize("tag", ["Wide", "paper-width", "a.b", "", "wide "])
def test_an_invalid_tag_is_a_clear_error(tiny_zoo, tag):
    with pytest.raises(ValueError, match="a tag is lowercase letters, digits and underscores"):
        add_tagged_entry("tiny_dss_signals", tag)
    assert zoo.list_models() == ["tiny_dss_signals"]


def test_tagging_refuses_duplicates_tagged_bases_and_unknown_bases(tiny_zoo):
    add_tagged_entry("tiny_dss_signals", "wide")
    with pytest.raises(ValueError, match="'tiny_dss_signals.wide' is already registered"):
        add_tagged_entry("tiny_dss_signals", "wide")
    with pytest.raises(ValueError, match="is itself tagged; tag its default entry 'tiny_dss_signals'"):
        add_tagged_entry("tiny_dss_signals.wide", "wider")
    with pytest.raises(zoo.UnknownModelError, match="Unknown model 'tiny_dss_signal'"):
        add_tagged_entry("tiny_dss_signal", "wide")


def test_an_unknown_tag_suggests_the_registered_ones(tiny_zoo):
    add_tagged_entry("tiny_dss_signals", "wide")
    with pytest.raises(zoo.UnknownModelError, match="Did you mean 'tiny_dss_signals.wide'") as error:
        get_entry("tiny_dss_signals.wdie")
    message = str(error.value)
    assert "its tagged entries are 'tiny_dss_signals.wide'; `zoo tag tiny_dss_signals wdie` registers" in message
    with pytest.raises(zoo.UnknownModelError, match="Tags are lowercase letters, digits and underscores"):
        zoo.load("tiny_dss_signals.paper-width")


def test_a_registry_with_an_invalid_tag_is_refused(tiny_zoo):
    data = json.loads(tiny_zoo["registry"].read_text())
    tiny_zoo["registry"].write_text(json.dumps({**data, "tiny_dss_signals.Wide": data["tiny_dss_signals"]}))
    with pytest.raises(ValueError, match="Invalid tag 'Wide' in 'tiny_dss_signals.Wide'"):
        load_registry()


def test_a_tagged_entry_gets_its_own_card_row_and_leaderboard_rows(tiny_zoo, tmp_path):
    from evaluation import cards, leaderboard

    ship_tagged_entry("wide", 0.1)
    table = cards.models_table()
    assert table.index("| `tiny_dss_signals` |") < table.index("| `tiny_dss_signals.wide` |")
    cards.refresh_card("tiny_dss_signals.wide")
    assert (tmp_path / "model_cards" / "tiny_dss_signals.wide.md").read_text() == \
        (tmp_path / "pretrained" / "tiny_dss_signals.wide" / "README.md").read_text()
    rows = leaderboard.leaderboard("signals", seeds=(1,))
    assert rows["model"].unique().tolist() == ["tiny_dss_signals", "tiny_dss_signals.wide"]
    params = rows.drop_duplicates("model")["param_count"].tolist()
    assert params[0] < params[1]  # each row measures its own weights


def test_the_cards_of_an_architectures_weights_point_to_each_other(tiny_zoo, tmp_path):
    from evaluation import leaderboard

    ship_tagged_entry("wide", 0.1)
    leaderboard.record_run("signals", {  # a study row of the tagged weights' architecture beside the shipped row
        "model": "tiny_dss_signals.wide", "architecture": "dss_sum", "train_size": 300, "seed": 0,
        "metrics": {"accuracy": 0.25}, "param_count": 10, "hyperparameters": {"width": 0.1},
        "backend": "tensorflow", "keras_version": "3", "device": "CPU"})
    table = leaderboard.write_leaderboard("signals", seeds=(1,))
    shipped = table[(table["note"] == leaderboard.SHIPPED) & (table["metric"] == "accuracy")].set_index("model")
    cards = {name: (tmp_path / "model_cards" / f"{name}.md").read_text()
             for name in ("tiny_dss_signals", "tiny_dss_signals.wide")}
    wide = shipped.loc["tiny_dss_signals.wide"]
    assert (f"Other weights of this architecture for this task (the harness's measurement on the test split): "
            f"`tiny_dss_signals.wide` ({int(wide['param_count']):,} parameters, `{wide['hyperparameters']}`): "
            f"accuracy {wide['mean']:.4g}") in cards["tiny_dss_signals"]
    assert ("Other weights of this architecture for this task (the harness's measurement on the test split): "
            "`tiny_dss_signals` (") in cards["tiny_dss_signals.wide"]


def test_a_card_names_the_measured_weights_of_its_architecture_that_do_not_ship(tiny_zoo, tmp_path):
    from evaluation import cards
    from zoo.pipeline import withhold_entry

    ship_tagged_entry("wide", 0.1)
    record = withhold_entry("tiny_dss_signals.wide", "7 MB of weights are too many for the package.")
    cards.refresh_card("tiny_dss_signals")
    card = (tmp_path / "model_cards" / "tiny_dss_signals.md").read_text()
    settings = json.dumps(record["hyperparameters"], sort_keys=True)
    assert (f"`tiny_dss_signals.wide` ({record['param_count']:,} parameters, `{settings}`): accuracy "
            f"{record['metrics']['accuracy']['mean']:.4g} ± {record['metrics']['accuracy']['std']:.2g} (measured, "
            "not shipped: 7 MB of weights are too many for the package). Load a shipped one with `zoo.load(NAME)`."
            ) in card


def test_training_a_tagged_entry_keeps_what_its_tag_sets_apart(tiny_zoo, monkeypatch):
    import training.train
    from zoo.pipeline import train_entry
    from zoo.registry import add_tagged_entry

    add_tagged_entry("tiny_dss_signals", "wide", {"width": 0.1})

    def stop_at_training(family, architecture, budget, work_dir, seed, fixed=None, **unused):
        raise InterruptedError(fixed)  # carries the fixed hyper-parameters out

    monkeypatch.setattr(training.train, "train_model", stop_at_training)
    with pytest.raises(InterruptedError) as tagged:
        train_entry("tiny_dss_signals.wide", hyperparameters={"dropout": 0.1})
    assert tagged.value.args[0] == {"width": 0.1, "dropout": 0.1}
    with pytest.raises(InterruptedError) as default:
        train_entry("tiny_dss_signals")
    assert default.value.args[0] == {}
