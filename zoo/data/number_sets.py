"""Sets of non-negative numbers and their sums (the lab's DeepSets warm-up)."""

import numpy as np

from zoo.models.inputs import pad_sets


def number_sets(count, rng, set_size=None, max_size=10, high=9):
    """`count` sets of integers 0 … `high` as floats: sizes `set_size`, or uniform in 1 … `max_size`.

    Returns:
        `({"elements": float32 (count, n), "mask"}, sums float32)`.
    """
    sizes = np.full(count, set_size) if set_size else rng.integers(1, max_size + 1, size=count)
    sets = [rng.integers(0, high + 1, size=n).astype(np.float32) for n in sizes]
    return pad_sets(sets, dtype="float32", length=set_size or max_size), np.array([s.sum() for s in sets], np.float32)
