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


def _integer_sequences(count, rng, length, high):
    """`count` sequences of integers 0 … `high`: an int32 array `(count, length)` for one length, or the padded
    set input of uniform random lengths for `length = (shortest, longest)`; and the list of sequences."""
    if isinstance(length, int):
        x = rng.integers(0, high + 1, size=(count, length)).astype("int32")
        return x, list(x)
    shortest, longest = length
    if not 1 <= shortest <= longest:
        raise ValueError(f"Lengths must satisfy 1 ≤ shortest ≤ longest, got {shortest} and {longest}.")
    sequences = [rng.integers(0, high + 1, size=n) for n in rng.integers(shortest, longest + 1, size=count)]
    return pad_sets(sequences, dtype="int32", length=longest), sequences


def arithmetic_target(sequence, task):
    """The sum, range (max − min) or population variance of one integer sequence."""
    if task not in ARITHMETIC_TASKS:
        raise ValueError(f"Unknown arithmetic task {task!r}; expected one of {ARITHMETIC_TASKS}.")
    values = np.asarray(sequence, "float64")
    return {"sum": values.sum, "range": lambda: values.max() - values.min(), "variance": values.var}[task]()


def arithmetic_sets(count, rng, length, task="sum", high=99):
    """`count` sequences of integers 0 … `high` and their sum, range (max − min) or variance.

    Args:
        length: one length (an int32 array `(count, length)` comes back), or `(shortest, longest)` for uniform
            random lengths (the padded set input with a mask).

    Example:
    >>> x, y = arithmetic_sets(4, np.random.default_rng(0), length=10, task="range")
    >>> x, y = arithmetic_sets(4, np.random.default_rng(0), length=(5, 30))  # x["mask"] marks the real entries
    """
    arithmetic_target((0,), task)  # an unknown task fails before any draw
    x, sequences = _integer_sequences(count, rng, length, high)
    return x, np.array([arithmetic_target(s, task) for s in sequences], "float32")


def expected_maximum(lengths, high=99):
    """E[max] of n integers drawn uniformly from 0 … `high`, per length n: Σ_k P(max > k). (E[min] is
    `high` − E[max], by symmetry.)"""
    n = np.asarray(lengths, "float64")
    steps = np.arange(high)[(slice(None),) + (None,) * n.ndim]
    return (1 - ((steps + 1) / (high + 1)) ** n[None]).sum(axis=0)


def half_range(sequence):
    """The maximum of the first half (the first ⌊n/2⌋ entries) minus the minimum of the rest."""
    half = len(sequence) // 2
    return float(np.max(sequence[:half]) - np.min(sequence[half:]))


def half_range_sets(count, rng, length, high=99):
    """`count` sequences of integers 0 … `high` and their half-range (`half_range`). The target is invariant to
    permutations within each half only.

    Args:
        length: one length of at least 2 (an int32 array comes back), or `(shortest, longest)` (the padded input).

    Example:
    >>> x, y = half_range_sets(4, np.random.default_rng(0), length=15)
    """
    if min(length if isinstance(length, tuple) else (length,)) < 2:
        raise ValueError(f"Half-range needs at least 2 entries per sequence, got length {length}.")
    x, sequences = _integer_sequences(count, rng, length, high)
    return x, np.array([half_range(s) for s in sequences], "float32")


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
