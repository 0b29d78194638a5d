"""SIRE parity: the splits, the analytic RNN on the harness's curve, and every architecture's inputs."""

import numpy as np
import pytest

from zoo.families import get_family
from zoo.metrics import at_set_size

FAMILY = get_family("parity")


def test_training_sequences_are_fixed_short_and_validation_and_tests_are_long():
    (x, y), (again, _) = FAMILY.load_split("train"), FAMILY.load_split("train")
    lengths = x["mask"].sum(axis=1)
    assert len(y) == 1000 and lengths.min() == 2 and lengths.max() == 10
    val_x, val_y = FAMILY.load_split("val")
    val_lengths = val_x["mask"].sum(axis=1)
    assert len(val_y) == 500 and val_lengths.min() < 10 and val_lengths.max() > 90  # lengths 2–100, as tested
    np.testing.assert_array_equal(val_y, (val_x["elements"] * val_x["mask"]).sum(axis=1) % 2)
    np.testing.assert_array_equal(x["elements"], again["elements"])
    test_x, test_y = FAMILY.load_split("test", seed=2, set_size=70)
    assert test_x["elements"].shape == (300, 70) and test_x["mask"].all()
    np.testing.assert_array_equal(test_y, test_x["elements"].sum(axis=1) % 2)


def test_the_analytic_rnn_is_exact_on_the_whole_curve_and_the_baseline_is_chance():
    model = FAMILY.build("exact_rnn")
    scores = FAMILY.evaluate(lambda x: model.predict(x, verbose=0), seed=1)
    assert scores["accuracy"] == 1.0 and scores[at_set_size("accuracy", 100)] == 1.0
    baseline = FAMILY.evaluate(FAMILY.baselines["always_even"], seed=1)
    assert 0.4 < baseline["accuracy"] < 0.6


@pytest.mark.parametrize("architecture", sorted(FAMILY.architectures))
def test_every_architecture_reads_padded_bit_sequences_of_any_length(architecture, rng):
    model = FAMILY.build(architecture, **FAMILY.architectures[architecture].defaults)
    x, _ = FAMILY.load_split("val")
    assert np.asarray(model.predict(x, verbose=0)).shape == (500, 1)
    with pytest.raises(ValueError):
        model.predict(np.array([[0, 1, 2]]), verbose=0)  # not a bit


def test_read_contraction_is_the_factor_by_which_one_read_brings_two_states_together(rng):
    """A linear RNN with recurrent matrix r·I scales every distance by r; the analytic RNN sends every state of one
    parity to the same state, so its reads contract fully."""
    from zoo.families.sire.read_contraction import read_contraction, states_midway
    from zoo.models import RecurrentModel

    states = rng.normal(size=(20, 3)).astype("float32")
    for factor in (1.0, 0.5):
        linear = RecurrentModel(cell="rnn", units=3, activation=None)
        linear.build((None, None))
        linear.cell.recurrent_kernel.assign(factor * np.eye(3, dtype="float32"))
        assert read_contraction(linear, [states], rng.integers(0, 2, 20), np.array([1.0])) == pytest.approx(
            factor, abs=1e-5)
    exact = FAMILY.build("exact_rnn")
    bits = rng.integers(0, 2, size=(200, 30))
    midway, parities = states_midway(exact, bits, rng)
    np.testing.assert_allclose(midway[0] @ np.array([1.0, -1.0, -1.0]), parities, atol=1e-5)  # W1·h is the parity
    assert {read_contraction(exact, midway, parities, np.array([bit])) for bit in (0.0, 1.0)} == {0.0}


def test_the_state_norm_is_over_every_real_prefix_and_the_penalty_vanishes_for_a_commuting_read(rng):
    """A linear RNN with recurrent matrix I that adds each bit to its first unit counts the 1s read so far: its
    reads commute (SIRE penalty 0) and its state norm is the mean count; with recurrent matrix I/2 they do not."""
    from zoo.families.sire.read_contraction import state_norm_and_penalty
    from zoo.models import RecurrentModel

    bits = rng.integers(0, 2, size=(30, 8))
    mask = (np.arange(8)[None] < rng.integers(1, 9, size=(30, 1))).astype("float32")
    counts = np.concatenate([np.zeros((30, 1)), np.cumsum(bits * mask, axis=1)], axis=1)
    real = np.concatenate([np.ones((30, 1)), mask], axis=1) > 0
    for factor in (1.0, 0.5):
        model = RecurrentModel(cell="rnn", units=3, activation=None, input_range=(0, 1))
        model.build((None, None))
        model.cell.kernel.assign(np.array([[1.0, 0.0, 0.0]], "float32"))
        model.cell.recurrent_kernel.assign(factor * np.eye(3, dtype="float32"))
        model.initial_states[0].assign(np.zeros(3, "float32"))
        norm, penalty = state_norm_and_penalty(model, {"elements": bits, "mask": mask}, batch=16)
        if factor == 1.0:
            assert norm == pytest.approx(counts[real].mean(), rel=1e-5) and penalty == pytest.approx(0.0, abs=1e-10)
        else:
            assert penalty > 1e-3


def test_the_recurrent_models_take_the_hyper_parameters_the_readme_trains_them_with():
    """`zoo train rnn_parity --hp activation=relu` and the other parity runs the README reports must change the
    model they name, not be recorded and ignored."""
    assert FAMILY.build("rnn", activation="relu").cell.activation.__name__ == "relu"
    assert FAMILY.build("rnn").cell.activation.__name__ == "tanh"  # the shipped entries'
    assert FAMILY.build("sire_gru", sire_weight=0.01, sire_scale="relative").sire_scale == "relative"
    assert FAMILY.build("sire_gru", sire_weight=0.01, sire_state_length=100).sire_state_length == 100
    assert FAMILY.build("gru", sub_weight=0.001).sub_weight == 0.001
    with pytest.raises(ValueError, match="takes no hyper-parameter 'activaton' \\(did you mean 'activation'"):
        FAMILY.check_hyperparameters("rnn", ["activaton"])
