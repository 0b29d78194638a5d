"""Synthetic signal sets of the DSS paper (Maron et al., 2020, Fig. 4).

Each set holds n noisy copies of one clean periodic signal; the label is the signal's shape.
"""

import numpy as np

CLASSES = ("sine", "square", "sawtooth")
PAPER_SPLIT_SIZES = {"train": 3000, "val": 300, "test": 300}
PAPER_SEED = 1


def clean_signal(kind, phase):
    """A periodic signal of period 2π evaluated at `phase`: sine, square or sawtooth in [-1, 1]."""
    if kind == 0:
        return np.sin(phase)
    if kind == 1:
        return np.sign(np.sin(phase))
    return 2.0 * ((phase / (2 * np.pi)) % 1.0) - 1.0


def make_signal_sets(num_sets, rng, set_size=25, length=100, noise=3.0):
    """Draw `num_sets` labelled sets.

    Per set: a class c (0 sine, 1 square, 2 sawtooth), frequency f ~ U[1, 10], shift ~ U[0, 1],
    height ~ U[1, 10] and offset ~ U[−5, 5]; the clean signal is s(2π f (t + shift)) on t = linspace(0, 1, length)
    and each of the `set_size` elements is `offset + height · (s + ε)` with independent ε ~ N(0, noise²) per
    element and step.

    Returns:
        `x` of shape `(num_sets, set_size, length, 1)` float32 and `y` of shape `(num_sets,)` int32.
    """
    t = np.linspace(0.0, 1.0, length)
    x = np.empty((num_sets, set_size, length, 1), dtype=np.float32)
    y = rng.integers(0, len(CLASSES), size=num_sets).astype(np.int32)
    for i in range(num_sets):
        frequency, shift = rng.uniform(1, 10), rng.uniform(0, 1)
        height, offset = rng.uniform(1, 10), rng.uniform(-5, 5)
        signal = clean_signal(y[i], 2 * np.pi * frequency * (t + shift))
        elements = offset + height * (signal + rng.normal(0.0, noise, size=(set_size, length)))
        x[i, :, :, 0] = elements
    return x, y


def signal_splits(seed=PAPER_SEED, sizes=None, **kwargs):
    """The train/val/test splits, drawn in that order from one generator seeded with `seed`.

    `seed=1` with the default sizes (3000/300/300) is the paper's data set.

    Returns:
        dict split name -> `(x, y)`.
    """
    sizes = dict(PAPER_SPLIT_SIZES, **(sizes or {}))
    rng = np.random.default_rng(seed)
    return {split: make_signal_sets(sizes[split], rng, **kwargs) for split in ("train", "val", "test")}
