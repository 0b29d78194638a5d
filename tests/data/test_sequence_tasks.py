"""The SIRE paper's sequence tasks: parity, arithmetic, half-range and locally perturbed images."""

import numpy as np
import pytest

from zoo.data.sequence_tasks import arithmetic_sets, half_range_sets, locally_perturbed, parity_sets


def test_parity_sets_are_padded_bit_sequences_with_their_parity(rng):
    inputs, parity = parity_sets(500, rng)
    bits, mask = inputs["elements"], inputs["mask"]
    lengths = mask.sum(axis=1)
    assert bits.shape == (500, 10) and bits.dtype == np.int32 and set(np.unique(bits)) <= {0, 1}
    assert lengths.min() == 2 and lengths.max() == 10
    assert (bits[mask == 0] == 0).all()
    assert (parity == (bits * mask).sum(axis=1) % 2).all()
    with pytest.raises(ValueError, match="min_length"):
        parity_sets(3, rng, min_length=5, max_length=2)


@pytest.mark.parametrize("task, expected", [("sum", np.sum), ("range", np.ptp), ("variance", np.var)])
def test_arithmetic_targets(rng, task, expected):
    x, y = arithmetic_sets(50, rng, length=15, task=task)
    assert x.shape == (50, 15) and x.min() >= 0 and x.max() <= 99
    np.testing.assert_allclose(y, expected(x.astype("float64"), axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown arithmetic task 'product'"):
        arithmetic_sets(2, rng, 5, task="product")


def test_arithmetic_sets_of_mixed_lengths_are_padded_and_scored_on_the_real_entries(rng):
    x, y = arithmetic_sets(200, rng, length=(5, 30), task="range")
    lengths = x["mask"].sum(axis=1)
    assert x["elements"].shape == (200, 30) and lengths.min() == 5 and lengths.max() == 30
    real = np.ma.masked_array(x["elements"], x["mask"] == 0)
    np.testing.assert_array_equal(y, real.max(axis=1) - real.min(axis=1))


@pytest.mark.parametrize("length", [10, 15])
def test_half_range_is_invariant_within_each_half_only(rng, length):
    half = length // 2  # the first ⌊n/2⌋ entries, then the rest

    def target(v):
        return v[:, :half].max(axis=1) - v[:, half:].min(axis=1)

    x, y = half_range_sets(200, rng, length=length)
    np.testing.assert_array_equal(y, target(x))
    within = np.concatenate([x[:, :half][:, rng.permutation(half)],
                             x[:, half:][:, rng.permutation(length - half)]], axis=1)
    np.testing.assert_array_equal(target(within), y)
    assert (target(x[:, ::-1]) != y).any()
    with pytest.raises(ValueError, match="at least 2"):
        half_range_sets(2, rng, length=1)


@pytest.mark.parametrize("window", [4, 7])
def test_local_perturbation_moves_values_only_inside_their_window(rng, window):
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28)
    out = locally_perturbed(images, window, rng)
    assert out.shape == (2, 784) and out.dtype == images.dtype
    flat = images.reshape(2, -1)
    for start in range(0, 784, window):
        part = slice(start, start + window)
        assert sorted(out[0, part]) == sorted(flat[0, part])
    assert (out != flat).any()
    assert (locally_perturbed(images, 1, rng) == flat).all()
