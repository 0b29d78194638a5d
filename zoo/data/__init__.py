"""Data generators and loaders of the zoo's tasks."""

import os
from pathlib import Path

import numpy as np

# The offline real data shared with every checkout of the zoo (`../shared/data` from the project's root), when it
# exists; loaders default to it and name their official sources otherwise.
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def environment_source(variable, dataset, note, layout):
    """Where a dataset the zoo cannot download lies: the value of the environment variable `variable`.

    Args:
        variable: the environment variable, e.g. `"MODELNET_ROOT"`.
        dataset: the dataset's name for the message, e.g. `"ModelNet40"`.
        note: why the zoo cannot fetch it (licence, owners' site).
        layout: what the variable should point at.

    Raises:
        FileNotFoundError: the variable is unset or empty; the message names the dataset, the note, the variable and
            the layout.

    Example:
    >>> root = Path(environment_source("DFAUST_ROOT", "Dynamic FAUST", LICENCE_NOTE, "the folder with its files"))
    """
    value = os.environ.get(variable)
    if not value:
        raise FileNotFoundError(f"No {dataset} data: {note}. After obtaining it, set {variable} to {layout}.")
    return value


def count_examples(data):
    """The number of examples of `data`: an array `(examples, ...)`, or a dict, list or tuple of such (nested), whose
    arrays all hold the same number.

    Example:
    >>> count_examples({"atoms": atoms, "bonds": bonds})  # len(atoms)
    """
    while isinstance(data, (dict, list, tuple)):
        data = next(iter(data.values())) if isinstance(data, dict) else data[0]
    return len(data)


def first_sets(x, count):
    """The first `count` sets of an input `x`: an array `(sets, ...)` or a dict of such arrays.

    Example:
    >>> first_sets({"elements": elements, "mask": mask}, 2)  # {"elements": elements[:2], "mask": mask[:2]}
    """
    return {key: value[:count] for key, value in x.items()} if isinstance(x, dict) else x[:count]


def first_examples(x, y, size=None):
    """The first `size` examples of `(x, y)`, each an array or a dict of arrays; all of them when `size` is None.

    Example:
    >>> first_examples({"elements": elements, "mask": mask}, targets, 100)  # a smaller training set
    """
    if not size:
        return x, y
    return first_sets(x, size), first_sets(y, size)


def permute_sets(x, rng):
    """`x` with the real elements of each set in a random order; padded positions keep their padding.

    Args:
        x: elements `(count, n, ...)`, or a dict with `"elements"` and a float `"mask"` `(count, n)` (other entries
            are passed along unchanged).
        rng: a NumPy `Generator`; every set gets its own permutation.

    Example:
    >>> permute_sets({"elements": tokens, "mask": mask}, np.random.default_rng(0))
    """
    elements = np.asarray(x["elements"] if isinstance(x, dict) else x)
    mask = x.get("mask") if isinstance(x, dict) else None
    real = np.ones(elements.shape[:2], bool) if mask is None else np.asarray(mask) > 0
    shuffled = np.argsort(np.where(real, rng.random(real.shape), 2.0), axis=1, kind="stable")  # real ones first
    slots = np.argsort(~real, axis=1, kind="stable")  # real positions in order, then the padded ones
    index = np.empty_like(shuffled)
    np.put_along_axis(index, slots, shuffled, axis=1)  # the k-th real slot receives the k-th shuffled real element
    moved = np.take_along_axis(elements, index.reshape(index.shape + (1,) * (elements.ndim - 2)), axis=1)
    return {**x, "elements": moved} if isinstance(x, dict) else moved
