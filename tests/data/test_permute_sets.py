"""zoo.data.permute_sets: each set's real elements reordered, padding left in place."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from zoo.data import permute_sets


@given(st.integers(0, 2**31 - 1))
def test_every_set_keeps_its_real_elements_and_its_padding_slots(seed):
    rng = np.random.default_rng(seed)
    elements = rng.integers(0, 1000, size=(6, 9, 2))
    mask = (rng.random((6, 9)) < 0.7).astype("float32")
    moved = permute_sets({"elements": elements, "mask": mask, "label": np.arange(6)}, rng)
    np.testing.assert_array_equal(moved["mask"], mask)
    np.testing.assert_array_equal(moved["label"], np.arange(6))
    for before, after, real in zip(elements, moved["elements"], mask > 0):
        np.testing.assert_array_equal(after[~real], before[~real])
        assert sorted(map(tuple, after[real])) == sorted(map(tuple, before[real]))


def test_a_bare_array_is_a_batch_of_full_sets_and_the_orders_differ(rng):
    x = np.tile(np.arange(20), (50, 1))
    moved = permute_sets(x, rng)
    assert (np.sort(moved, axis=1) == x).all()
    assert len({tuple(row) for row in moved}) == 50
