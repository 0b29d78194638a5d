"""SIRE arithmetic (sum, range, variance) and half-range families: splits, trivial baselines, every architecture."""

import keras
import keras_tuner
import numpy as np
import pytest

from zoo.data.sequence_tasks import arithmetic_sets, half_range
from zoo.families import get_family
from zoo.families.sire.architectures import SIRE_WEIGHTS, scaled_weights
from zoo.families.sire.arithmetic import expected_target
from zoo.families.sire.half_range import within_halves

ARITHMETIC = ("sum", "range", "variance")
HALF_RANGE = ("half_range_10", "half_range_15", "half_range_20")


@pytest.mark.parametrize("task", ARITHMETIC)
def test_arithmetic_trains_on_mixed_lengths_and_tests_one_length_at_a_time(task):
    family = get_family(task)
    x, y = family.load_split("train")
    lengths = x["mask"].sum(axis=1)
    assert x["elements"].shape == (2000, 30) and lengths.min() == 5 and lengths.max() == 30
    np.testing.assert_array_equal(family.load_split("train")[1], y)  # one fixed training set
    test_x, test_y = family.load_split("test", seed=2, set_size=15)
    assert test_x.shape == (500, 15)
    np.testing.assert_allclose(test_y, arithmetic_sets(500, np.random.default_rng([2, 2, 15]), 15, task)[1])
    assert family.task.primary == ("mse" if task == "variance" else "accuracy")


@pytest.mark.parametrize("task", ARITHMETIC)
def test_the_expected_target_given_the_length_is_the_mean_of_the_target(task):
    n = 12
    _, y = arithmetic_sets(40_000, np.random.default_rng(0), n, task)
    assert expected_target(task, [n])[0] == pytest.approx(y.mean(), rel=0.01)


@pytest.mark.parametrize("family_name", ["variance", "sum_small", "half_range_15"])  # the others differ in data only
def test_every_architecture_reads_the_task_and_rejects_out_of_range_integers(family_name):
    family = get_family(family_name)
    x, _ = family.load_split("val")
    for architecture, spec in family.architectures.items():
        model = family.build(architecture, **spec.defaults)
        assert np.asarray(model.predict(x[:7] if not isinstance(x, dict) else {k: v[:7] for k, v in x.items()},
                                        verbose=0)).shape == (7, 1)
        with pytest.raises(ValueError):
            model.predict(np.full((1, 10), 100), verbose=0)


@pytest.mark.parametrize("family_name", HALF_RANGE)
def test_half_range_order_sensitivity_permutes_within_the_halves_only(family_name, rng):
    family = get_family(family_name)
    x, y = family.load_split("test", seed=1)
    moved = family.permute(x, rng)
    assert (moved != x).any()
    np.testing.assert_array_equal([half_range(row) for row in moved], y)  # the target is unchanged
    half = x.shape[1] // 2
    np.testing.assert_array_equal(np.sort(moved[:, :half]), np.sort(x[:, :half]))


def test_within_halves_on_an_odd_length_splits_after_the_first_floor_half(rng):
    x = np.tile(np.arange(15), (30, 1))
    moved = within_halves(x, rng)
    assert (np.sort(moved[:, :7]) == np.arange(7)).all() and (np.sort(moved[:, 7:]) == np.arange(7, 15)).all()


@pytest.mark.parametrize("family_name", HALF_RANGE)
def test_the_half_range_baseline_is_the_expected_target_and_table_2_is_beside_the_rnns(family_name):
    family = get_family(family_name)
    x, y = family.load_split("test", seed=1)
    assert family.baselines["expected_half_range"](x)[0] == pytest.approx(y.mean(), abs=1.0)
    length = int(family_name.rsplit("_", 1)[1])
    assert family.paper_result("sire_rnn", "accuracy") == {10: 0.9584, 15: 0.9658, 20: 0.9780}[length]
    assert family.paper_result("rnn", "accuracy") == {10: 0.9346, 15: 0.9461, 20: 0.9678}[length]
    assert family.architectures["sire_rnn"].defaults["sire_weight"] == 0.01  # Table 2's, unscaled


def test_regulariser_weights_are_the_papers_times_the_squared_output_scale():
    assert scaled_weights((0.01, 0.1, 1.0), output_scale=100.0) == pytest.approx((100.0, 1000.0, 10_000.0))
    searched = get_family("range").search_space(keras_tuner.HyperParameters(), "sire_gru")
    assert searched["sire_weight"] in scaled_weights(SIRE_WEIGHTS, output_scale=100.0)
    assert get_family("parity").architectures["sire_gru"].defaults["sire_weight"] == 0.1  # unit-scale outputs


def test_scaled_weights_read_back_in_the_papers_units():
    family = get_family("range")
    paper = family.paper_hyperparameters("sire_gru", {"learning_rate": 0.01, "sire_weight": 1000.0})
    assert paper == pytest.approx({"sire_weight": 0.1})  # the learning rate is in the paper's units already
    assert family.paper_hyperparameters("gru", {"sub_weight": 10.0}) == pytest.approx({"sub_weight": 0.001})
    assert family.paper_hyperparameters("sire_rnn", {"sire_weight": 1.0, "sire_scale": "relative"}) == {}  # none
    assert get_family("sum_small").paper_hyperparameters("sub_gru", {"sub_weight": 36.1}) == (
        pytest.approx({"sub_weight": 0.001}))
    assert get_family("parity").paper_hyperparameters("sire_gru", {"sire_weight": 0.1}) == {}  # unit scale


def test_half_range_sire_swaps_adjacent_reads_and_entries_recorded_without_pairs_keep_batch_pairs():
    family = get_family("half_range_15")
    for architecture in ("sire_rnn", "sire_gru"):
        defaults = family.architectures[architecture].defaults
        assert defaults["sire_pairs"] == "adjacent"
        assert family.build(architecture, **defaults).sire_pairs == "adjacent"
        assert family.build(architecture, sire_weight=0.01).sire_pairs == "batch"
    assert "sire_pairs" not in get_family("sum").architectures["sire_gru"].defaults  # the paper's batch pairs


def test_half_range_within_halves_swaps_adjacent_reads_inside_each_half_only(rng):
    """A sequence constant on each half is unchanged by every swap inside a half: SIRE within halves gives it no
    penalty, while every adjacent swap includes the one across the halves."""
    family = get_family("half_range_15")
    model = family.build("sire_gru", sire_weight=1.0, sire_pairs="within_halves")
    assert (model.sire_pairs, model.sire_blocks) == ("adjacent", (7, 8))
    x = np.repeat(np.where(np.arange(15) < 7, 3, 90)[None], 8, axis=0)
    assert float(model.sire_penalty(x)) == 0.0
    assert float(family.build("sire_gru", sire_weight=1.0, sire_pairs="adjacent").sire_penalty(x)) > 1e-6
    with pytest.raises(ValueError, match="Unknown SIRE pairs"):
        family.build("sire_gru", sire_weight=1.0, sire_pairs="halves")


@pytest.mark.parametrize("family_name", ["half_range_10", "range", "variance"])
def test_relu_tasks_give_their_rnns_a_relu_cell_and_entries_recorded_without_activation_keep_tanh(family_name):
    family = get_family(family_name)
    for architecture, activation in (("rnn", "relu"), ("sire_rnn", "relu"), ("gru", "tanh"), ("sire_gru", "tanh")):
        model = family.build(architecture, **family.architectures[architecture].defaults)
        assert model.cell.activation.__name__ == activation
        assert model.get_config()["activation"] == activation
    assert family.build("rnn", learning_rate=0.01).cell.activation.__name__ == "tanh"  # as recorded before ReLU
    assert any("ReLU cell" in note for note in family.wording.notes)


def test_arithmetic_sire_entries_take_the_relative_distance_and_their_cards_say_so():
    family = get_family("variance")
    assert family.build("sire_rnn", sire_weight=30, sire_scale="relative").sire_scale == "relative"
    assert family.build("sire_rnn", sire_weight=30).sire_scale == "absolute"  # the paper's, as recorded before
    assert any("relative" in note for note in family.entry_notes({"sire_scale": "relative"}))
    assert family.entry_notes({"sire_weight": 1e4}) == []


def test_the_variance_rnns_read_the_integers_through_an_element_layer_and_their_cards_say_so():
    family = get_family("variance")
    for architecture in ("rnn", "sire_rnn"):
        model = family.build(architecture, **family.architectures[architecture].defaults)
        dense = [layer for layer in model.encoder if isinstance(layer, keras.layers.Dense)]
        assert [layer.units for layer in dense] == [32] and model.encoder[0].scale == family.input_scale
    assert not any(isinstance(layer, keras.layers.Dense) for layer in family.build("gru").encoder)
    assert len(family.build("rnn", activation="relu").encoder) == 1  # recorded before the layer: the integers
    assert any("ReLU layer" in note for note in family.entry_notes({"element_units": 32}))
    assert "element_units" not in get_family("range").architectures["rnn"].defaults


def test_the_sum_keeps_tanh_rnns():
    family = get_family("sum")
    assert "activation" not in family.architectures["rnn"].defaults
    assert not any("ReLU cell" in note for note in family.wording.notes)


def test_a_loaded_sum_model_warns_on_lengths_far_from_the_trained_5_to_30(rng):
    import warnings

    import zoo

    assert get_family("sum_small").trained_set_sizes == (10, 10)
    model = zoo.load("sire_gru_sum")
    assert model.trained_set_sizes == (5, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (3, 5, 30, 60):  # within half the shortest and twice the longest: quiet
            model.predict(rng.integers(0, 100, (2, n)), verbose=0)
    for n, got in ((2, "2"), (61, "61")):
        with pytest.warns(zoo.SetSizeWarning, match=f"trained on sets of 5–30 elements and got sets of {got}"):
            model.predict(rng.integers(0, 100, (2, n)), verbose=0)
    padded = {"elements": rng.integers(0, 100, (2, 30)), "mask": (np.arange(30) < 2)[None].repeat(2, 0)}
    with pytest.warns(zoo.SetSizeWarning, match="got sets of 2"):  # the real elements count, not the padding
        model.predict(padded, verbose=0)


@pytest.mark.parametrize("family_name", ["parity", *ARITHMETIC])
def test_a_pisgd_card_says_how_many_orders_a_prediction_averages(family_name):
    from evaluation.cards import MODEL_CARDS_DIR
    from zoo.registry import find_entry

    family = get_family(family_name)
    entry = find_entry(family_name, "pisgd_gru")
    k = entry.hyperparameters["permutations"]
    assert f"mean of the outputs over k = {k} random orders" in family.limitations("pisgd_gru", entry.hyperparameters)
    assert f"k = {k} random orders" in (MODEL_CARDS_DIR / f"{entry.name}.md").read_text()
    assert "π-SGD" not in family.limitations("sire_gru", family.architectures["sire_gru"].defaults)
