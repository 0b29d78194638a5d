"""Sets of digits and their sums (DeepSets paper, §4.1.1): as tokens, or as MNIST images of the digits.

Digits are 1–9 (as in the paper: a 0 would add nothing to the sum and is left out). A batch is padded to its
largest set with a float mask, as every zoo set model takes it.
"""

import numpy as np

from zoo.models.inputs import pad_sets


def set_sizes(count, rng, set_size=None, max_size=9):
    """`count` set sizes: all `set_size`, or uniform in 1 … `max_size`."""
    return np.full(count, set_size) if set_size else rng.integers(1, max_size + 1, size=count)


def token_sets(count, rng, set_size=None, max_size=9):
    """Sets of digit tokens 1–9: `({"elements": int32 (count, n), "mask"}, sums float32)`."""
    sets = [rng.integers(1, 10, size=n) for n in set_sizes(count, rng, set_size, max_size)]
    return pad_sets(sets, dtype="int32", length=set_size or max_size), np.array([s.sum() for s in sets], np.float32)


def image_sets(images, labels, count, rng, set_size=None, max_size=9):
    """Sets of MNIST images of digits 1–9 drawn from a pool: `({"elements": (count, n, 28, 28), "mask"}, sums)`."""
    nonzero = np.flatnonzero(labels > 0)
    picks = [rng.choice(nonzero, size=n) for n in set_sizes(count, rng, set_size, max_size)]
    return (pad_sets([images[p] for p in picks], dtype="float32", length=set_size or max_size),
            np.array([labels[p].sum() for p in picks], np.float32))


def expected_sum(x):
    """A trivial predictor: five (the mean digit) per element of the set."""
    return 5.0 * np.asarray(x["mask"]).sum(axis=1)
