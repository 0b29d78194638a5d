import numpy as np

from zoo.data.signals import PAPER_SPLIT_SIZES, make_signal_sets, signal_splits


def test_paper_splits_have_the_paper_sizes_and_shapes():
    splits = signal_splits()
    for split, size in PAPER_SPLIT_SIZES.items():
        x, y = splits[split]
        assert x.shape == (size, 25, 100, 1) and x.dtype == np.float32
        assert y.shape == (size,) and set(np.unique(y)) == {0, 1, 2}


def test_splits_are_deterministic_per_seed_and_differ_across_seeds():
    a, b, c = signal_splits(1)["test"], signal_splits(1)["test"], signal_splits(2)["test"]
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], c[0])


def test_noise_free_sets_hold_identical_copies_of_the_labelled_shape():
    x, y = make_signal_sets(60, np.random.default_rng(0), noise=0.0)
    for elements, label in zip(x[..., 0], y):
        assert np.allclose(elements, elements[0])  # one clean signal, copied
        distinct = len(np.unique(np.round(elements[0], 4)))
        assert (distinct <= 3) == (label == 1)  # a square wave takes only offset ± height (and 0 at sign changes)


def test_noise_is_independent_per_element():
    x, _ = make_signal_sets(5, np.random.default_rng(0))
    assert not np.allclose(x[:, 0], x[:, 1])
