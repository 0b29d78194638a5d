"""`zoo.data.first_examples`, `first_sets` and `count_examples`: the first examples of inputs and targets, and how
many there are, arrays or dicts of arrays."""

import numpy as np

from zoo.data import count_examples, first_examples, first_sets


def test_first_examples_cut_inputs_and_targets_alike_arrays_or_dicts():
    x = {"elements": np.arange(20).reshape(5, 4), "mask": np.ones((5, 4))}
    y = {"nodes": np.arange(5), "edges": np.arange(10).reshape(5, 2)}
    first_x, first_y = first_examples(x, y, 3)
    np.testing.assert_array_equal(first_x["elements"], x["elements"][:3])
    assert first_x["mask"].shape == (3, 4) and first_y["edges"].shape == (3, 2)
    np.testing.assert_array_equal(first_y["nodes"], [0, 1, 2])
    np.testing.assert_array_equal(first_examples(x["elements"], y["nodes"], 2)[1], [0, 1])


def test_without_a_size_every_example_is_kept_and_first_sets_cuts_one_input():
    x, y = np.zeros((4, 2)), np.arange(4)
    assert first_examples(x, y) == (x, y) and first_examples(x, y, 0) == (x, y)
    assert first_sets(x, 1).shape == (1, 2) and first_sets({"a": x}, 3)["a"].shape == (3, 2)


def test_count_examples_reads_the_length_of_the_first_array_however_nested():
    assert count_examples(np.zeros((7, 3))) == 7
    assert count_examples({"nodes": np.zeros((5, 9)), "edges": np.zeros((5, 9, 9))}) == 5
    assert count_examples(({"elements": np.zeros((4, 2)), "mask": np.ones((4, 2))}, np.arange(4))) == 4
