"""The SIRE paper's sequence tasks (Cohen-Karlik et al., 2020): parity, arithmetic on integer sets, half-range and
locally perturbed images.

Every generator takes a NumPy `Generator`, so a seed fixes the data, and returns `(inputs, targets)`: inputs are the
zoo's set input (`{"elements": int32 (count, n), "mask": float32 (count, n)}` for sequences of several lengths, or
an int32 array for one length) and targets float32 `(count,)`.
"""

import numpy as np

from zoo.models.inputs import pad_sets

ARITHMETIC_TASKS = ("sum", "range", "variance")


def parity_sets(count, rng, min_length=2, max_length=10):
    """`count` 0/1 sequences of uniform lengths `min_length` … `max_length` and their parity (sum mod 2).

    Example:
    >>> inputs, parity = parity_sets(1000, np.random.default_rng(0))  # the paper's training set: lengths 2–10
    """
    if not 1 <= min_length <= max_length:
        raise ValueError(f"Lengths must satisfy 1 ≤ min_length ≤ max_length, got {min_length} and {max_length}.")
    sequences = [rng.integers(0, 2, size=n) for n in rng.integers(min_length, max_length + 1, size=count)]
    inputs = pad_sets(sequences, dtype="int32", length=max_length)
    return inputs, np.array([s.sum() % 2 for s in sequences], "float32")


def arithmetic_sets(count, rng, length, task="sum", high=99):
    """`count` sequences of `length` integers 0 … `high` and their sum, range (max − min) or variance.

    Example:
    >>> x, y = arithmetic_sets(4, np.random.default_rng(0), length=10, task="range")
    """
    if task not in ARITHMETIC_TASKS:
        raise ValueError(f"Unknown arithmetic task {task!r}; expected one of {ARITHMETIC_TASKS}.")
    x = rng.integers(0, high + 1, size=(count, length)).astype("int32")
    target = {"sum": lambda v: v.sum(axis=1), "range": lambda v: v.max(axis=1) - v.min(axis=1),
              "variance": lambda v: v.var(axis=1)}[task](x.astype("float64"))
    return x, target.astype("float32")


def half_range_sets(count, rng, length, high=99):
    """`count` sequences of `length` (even) integers 0 … `high` and their half-range: the maximum of the first half
    minus the minimum of the second. The target is invariant to permutations within each half only.

    Example:
    >>> x, y = half_range_sets(4, np.random.default_rng(0), length=10)
    """
    if length < 2 or length % 2:
        raise ValueError(f"Half-range needs an even length of at least 2, got {length}.")
    x = rng.integers(0, high + 1, size=(count, length)).astype("int32")
    half = length // 2
    return x, (x[:, :half].max(axis=1) - x[:, half:].min(axis=1)).astype("float32")


def locally_perturbed(images, window, rng):
    """Each image flattened (784 values for MNIST) and permuted at random inside consecutive windows of `window`
    values (full stride; a shorter last window is permuted too), a fresh permutation per image and window.

    Args:
        images: `(count, *image_shape)` array.
        window: window size (the paper: 4, then 7).

    Returns:
        `(count, prod(image_shape))` array of the same dtype.
    """
    if window < 1:
        raise ValueError(f"The window must hold at least one value, got {window}.")
    flat = np.asarray(images).reshape(len(images), -1)
    size = flat.shape[1]
    starts = np.arange(size) // window * window  # the first index of each position's window
    keys = starts[None] + rng.random(flat.shape)  # random order inside a window, windows kept in place
    return np.take_along_axis(flat, np.argsort(keys, axis=1, kind="stable"), axis=1)
