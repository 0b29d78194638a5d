"""Digit sums: the generators, token and ragged-input errors, and the curve the harness measures."""

import numpy as np
import pytest

import zoo
from zoo.data.digit_sums import expected_sum, image_sets, token_sets
from zoo.families import get_family
from zoo.metrics import at_set_size


def test_token_sets_hold_digits_1_to_9_and_their_sums(rng):
    x, y = token_sets(50, rng)
    real = x["mask"] > 0
    assert x["elements"].shape == (50, 9) and x["elements"].dtype == np.int32
    assert set(np.unique(x["elements"][real])) <= set(range(1, 10)) and (x["elements"][~real] == 0).all()
    np.testing.assert_array_equal((x["elements"] * x["mask"]).sum(axis=1), y)
    assert 1 <= real.sum(axis=1).min() and real.sum(axis=1).max() <= 9
    fixed, _ = token_sets(4, rng, set_size=25)
    assert fixed["elements"].shape == (4, 25) and fixed["mask"].all()


def test_image_sets_sum_their_digits_and_leave_out_zeros(rng):
    labels = np.arange(20) % 10
    images = np.repeat(labels[:, None, None], 28, axis=1).repeat(28, axis=2).astype(np.float32)  # pixel = label
    x, y = image_sets(images, labels, 30, rng)
    digits = x["elements"][..., 0, 0]
    np.testing.assert_array_equal((digits * x["mask"]).sum(axis=1), y)
    assert (digits[x["mask"] > 0] > 0).all()
    np.testing.assert_array_equal(expected_sum(x), 5 * x["mask"].sum(axis=1))


def test_the_harness_measures_the_curve_the_paper_plots():
    family = get_family("digit_sum_text")
    exact = family.evaluate(lambda x: (x["elements"] * x["mask"]).sum(axis=1), seed=1)
    assert exact["accuracy"] == 1.0 and exact[at_set_size("accuracy", 95)] == 1.0
    assert {at_set_size("accuracy", n) for n in range(5, 100, 5)} <= set(exact)
    off_by_one = family.evaluate(lambda x: (x["elements"] * x["mask"]).sum(axis=1) + 0.6, seed=1)
    assert off_by_one["accuracy"] == 0.0 and off_by_one[at_set_size("mae", 50)] == pytest.approx(0.6)


def test_a_bare_int_array_is_read_as_sets_whose_every_entry_is_real():
    model = get_family("digit_sum_text").build("deepsets")
    tokens = np.array([[3, 1, 4], [1, 5, 9]], np.int32)
    padded = zoo.pad_sets([[3, 1, 4], [1, 5, 9]])
    np.testing.assert_allclose(model.predict(tokens, verbose=0), model.predict(padded, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("architecture", ["deepsets", "lstm"])
def test_tokens_outside_the_vocabulary_and_ragged_sets_give_clear_errors(architecture):
    model = get_family("digit_sum_text").build(architecture)
    with pytest.raises(ValueError, match=r"token 12, outside its vocabulary 1…9"):
        model.predict(np.array([[3, 12]], np.int32), verbose=0)
    with pytest.raises(ValueError, match="fractional"):
        model.predict(np.array([[3.5, 2.0]], np.float32), verbose=0)
    with pytest.raises(ValueError, match=r"different sizes without a mask.*zoo.pad_sets"):
        model.predict([[3, 1, 4], [1, 5]], verbose=0)
    padded = zoo.pad_sets([[3, 1, 4], [1, 5]])  # padding slots hold 0, outside 1–9: masked, so accepted
    assert model.predict(padded, verbose=0).shape == (2, 1)


def test_pad_sets_pads_to_the_longest_or_a_given_length():
    padded = zoo.pad_sets([[1, 2, 3], [4]], length=5)
    assert padded["elements"].shape == (2, 5) and padded["mask"].sum() == 4
    with pytest.raises(ValueError, match="more than the padded length"):
        zoo.pad_sets([[1, 2, 3]], length=2)
    with pytest.raises(ValueError, match="same shape"):
        zoo.pad_sets([np.zeros((2, 3)), np.zeros((2, 4))])
