"""How a set model receives its inputs, and the checks that turn bad input into a clear error."""

import numpy as np

ELEMENTS = "elements"
MASK = "mask"


def split_inputs(inputs, mask=None):
    """Split model inputs into `(elements, mask, context)`.

    A model takes either the padded elements `(batch, n, *element_shape)` alone, or a dict
    `{"elements": ..., "mask": (batch, n) float, **side_inputs}` (side inputs such as a graph's `adjacency`).
    """
    if isinstance(inputs, dict):
        if ELEMENTS not in inputs:
            raise ValueError(f"A dict input needs an {ELEMENTS!r} entry; got keys {sorted(inputs)}.")
        context = {key: value for key, value in inputs.items() if key not in (ELEMENTS, MASK)}
        return inputs[ELEMENTS], inputs.get(MASK, mask), context
    return inputs, mask, {}


def elements_shape(input_shape):
    """The shape of the elements tensor from a build shape (a shape or a dict of shapes)."""
    return tuple(input_shape[ELEMENTS] if isinstance(input_shape, dict) else input_shape)


def check_element_shape(shape, expected, model_name):
    """Raise a clear error when a batch `(batch, n, *element)` does not match a model's element shape."""
    shape = tuple(shape)
    if len(shape) != len(expected) + 2:
        raise ValueError(
            f"{model_name} expects sets of shape (batch, n, {', '.join(map(str, expected))}) "
            f"(rank {len(expected) + 2}); got an input of shape {shape} (rank {len(shape)}).")
    for got, want in zip(shape[2:], expected):
        if got is not None and want is not None and got != want:
            raise ValueError(f"{model_name} was built for elements of shape {tuple(expected)}; "
                             f"got elements of shape {shape[2:]} (input shape {shape}).")
    if shape[1] == 0:
        raise ValueError(f"{model_name} got empty sets (n = 0 elements): a set needs at least one element.")


def validate_sets(inputs, model_name="model"):
    """Check NumPy set inputs before predict/fit: no NaN or infinite values, no set without a real element.

    Symbolic tensors and datasets pass through unchecked.
    """
    elements, mask, _ = split_inputs(inputs)
    if not isinstance(elements, np.ndarray):
        return
    if elements.ndim >= 2 and elements.shape[1] == 0:
        raise ValueError(f"{model_name} got empty sets (n = 0 elements): a set needs at least one element.")
    if np.issubdtype(elements.dtype, np.floating) and not np.isfinite(elements).all():
        bad = np.unique(np.argwhere(~np.isfinite(elements))[:, 0])
        raise ValueError(f"{model_name} got NaN or infinite values in the sets at batch indices {bad[:10].tolist()}.")
    if isinstance(mask, np.ndarray):
        empty = np.flatnonzero(mask.reshape(len(mask), -1).sum(axis=1) == 0)
        if empty.size:
            raise ValueError(f"{model_name} got sets whose mask has no real element at batch indices "
                             f"{empty[:10].tolist()}: a set needs at least one element.")
