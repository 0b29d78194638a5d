"""How zoo models receive their inputs, and the checks that turn bad input into a clear error.

Set models take either the padded elements `(batch, n, *element_shape)` alone, or a dict
`{"elements": ..., "mask": (batch, n) float, **side_inputs}`. `pad_sets` builds that dict from sets of different
sizes.
"""

import warnings

import numpy as np

from zoo.errors import SetSizeWarning

ELEMENTS = "elements"
MASK = "mask"


def split_inputs(inputs, mask=None):
    """Split set-model inputs into `(elements, mask, context)` (context: side inputs such as `adjacency`)."""
    if isinstance(mask, dict):  # Keras passes a dict input's own masks (e.g. `{"elements": None}`): not a set mask
        mask = None
    if isinstance(inputs, dict):
        if ELEMENTS not in inputs:
            raise ValueError(f"A dict input needs an {ELEMENTS!r} entry; got keys {sorted(inputs)}.")
        context = {key: value for key, value in inputs.items() if key not in (ELEMENTS, MASK)}
        return inputs[ELEMENTS], inputs.get(MASK, mask), context
    return inputs, mask, {}


def elements_shape(input_shape):
    """The shape of the elements tensor from a build shape (a shape or a dict of shapes)."""
    return tuple(input_shape[ELEMENTS] if isinstance(input_shape, dict) else input_shape)


def pad_sets(sets, dtype=None, length=None):
    """Pad sets of different sizes into the zoo's set input.

    Args:
        sets: a list of sets, each an array-like `(n_i, *element_shape)` (e.g. a list of digits, or of images).
        dtype: dtype of the padded elements (default: the sets' own).
        length: pad every set to this many slots (default: the largest set); a fixed length keeps compiled
            training steps from being traced again for every new largest set.

    Returns:
        `{"elements": (len(sets), length, *element_shape), "mask": (len(sets), length) float32}`; padding slots
        hold zeros and a mask of 0.

    Example:
    >>> pad_sets([[3, 5, 1], [2]])["mask"]
    array([[1., 1., 1.], [1., 0., 0.]], dtype=float32)
    """
    arrays = [np.asarray(s) if dtype is None else np.asarray(s, dtype=dtype) for s in sets]
    if not arrays:
        raise ValueError("pad_sets needs at least one set.")
    shapes = {a.shape[1:] for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"Every element must have the same shape; got element shapes {sorted(shapes)}.")
    longest = max(len(a) for a in arrays)
    if length is not None:
        if length < longest:
            raise ValueError(f"A set has {longest} elements, more than the padded length {length}.")
        longest = length
    elements = np.zeros((len(arrays), longest) + arrays[0].shape[1:], dtype=np.result_type(*arrays))
    mask = np.zeros((len(arrays), longest), np.float32)
    for i, array in enumerate(arrays):
        elements[i, : len(array)] = array
        mask[i, : len(array)] = 1.0
    return {ELEMENTS: elements, MASK: mask}


def _arrays(inputs):
    """The NumPy arrays among the inputs (a dict's values, or the input itself)."""
    values = inputs.values() if isinstance(inputs, dict) else [inputs]
    return [v for v in values if isinstance(v, np.ndarray)]


def check_regular(inputs, model_name="model"):
    """Check any model's inputs before predict/fit: no ragged sets, no NaN or infinite values.

    Symbolic tensors and datasets pass through unchecked.
    """
    values = inputs.values() if isinstance(inputs, dict) else [inputs]
    for value in values:
        if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.dtype == object):
            try:
                regular = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                regular = None
            if regular is None:
                raise ValueError(
                    f"{model_name} got sets of different sizes without a mask. Pad them and mark the real "
                    "elements: `zoo.pad_sets(sets)` returns {'elements': ..., 'mask': ...} to pass instead.")
    for array in _arrays(inputs):
        if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
            bad = np.unique(np.argwhere(~np.isfinite(array))[:, 0])
            raise ValueError(f"{model_name} got NaN or infinite values at batch indices {bad[:10].tolist()}.")


def check_element_shape(shape, expected, model_name):
    """Raise a clear error when a batch `(batch, n, *element)` does not match a model's element shape."""
    shape = tuple(shape)
    if len(shape) != len(expected) + 2:
        raise ValueError(
            f"{model_name} expects sets of shape (batch, n{''.join(f', {d}' for d in expected)}) "
            f"(rank {len(expected) + 2}); got an input of shape {shape} (rank {len(shape)}).")
    for got, want in zip(shape[2:], expected):
        if got is not None and want is not None and got != want:
            raise ValueError(f"{model_name} was built for elements of shape {tuple(expected)}; "
                             f"got elements of shape {shape[2:]} (input shape {shape}).")
    if shape[1] == 0:
        raise ValueError(f"{model_name} got empty sets (n = 0 elements): a set needs at least one element.")


def validate_sets(inputs, model_name="model", input_range=None):
    """Check NumPy set inputs: no set without a real element, and tokens inside `input_range` `(low, high)`.

    Symbolic tensors and datasets pass through unchecked.
    """
    elements, mask, _ = split_inputs(inputs)
    if not isinstance(elements, np.ndarray):
        return
    if elements.ndim >= 1 and elements.shape[0] == 0:
        raise ValueError(f"{model_name} got a batch of 0 sets (input shape {elements.shape}).")
    if elements.ndim >= 2 and elements.shape[1] == 0:
        raise ValueError(f"{model_name} got empty sets (n = 0 elements): a set needs at least one element.")
    real = None
    if mask is not None:
        check_mask(mask, elements.shape, model_name)
    if isinstance(mask, np.ndarray):
        empty = np.flatnonzero(mask.reshape(len(mask), -1).sum(axis=1) == 0)
        if empty.size:
            raise ValueError(f"{model_name} got sets whose mask has no real element at batch indices "
                             f"{empty[:10].tolist()}: a set needs at least one element.")
        real = mask > 0
    if input_range is not None:
        low, high = input_range
        values = elements if real is None else elements[real]
        if np.issubdtype(elements.dtype, np.floating) and not np.array_equal(values, np.round(values)):
            raise ValueError(f"{model_name} takes integer tokens {low}…{high}; got fractional values.")
        outside = values[(values < low) | (values > high)]
        if outside.size:
            raise ValueError(f"{model_name} got token {outside.flat[0].item()!r}, outside its vocabulary {low}…{high} "
                             f"({outside.size} such token(s) among the real elements).")


def check_mask(mask, elements_shape, model_name="model"):
    """A set mask must be `(batch, n)` like the elements and hold only 0 (padding) and 1 (a real element)."""
    mask = np.asarray(mask)
    if mask.shape != tuple(elements_shape[:2]):
        raise ValueError(f"{model_name} got a mask of shape {mask.shape} for elements of shape "
                         f"{tuple(elements_shape)}; the mask must be (batch, n) = {tuple(elements_shape[:2])}, "
                         "1 for a real element, 0 for padding.")
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        bad = np.unique(mask[~np.isin(mask, (0, 1))])
        raise ValueError(f"{model_name} got mask values {bad[:5].tolist()}: a mask holds only 0 (padding) and 1 (a "
                         "real element), or True/False.")


def real_valued(inputs, convert_elements=True):
    """Set inputs with a boolean mask as float32 0/1 and, if `convert_elements`, integer elements as float32
    (their values unchanged); anything that is not NumPy passes through."""
    elements, mask, context = split_inputs(inputs)
    if convert_elements and isinstance(elements, np.ndarray) and np.issubdtype(elements.dtype, np.integer):
        elements = elements.astype(np.float32)
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        mask = mask.astype(np.float32)
    if not isinstance(inputs, dict):
        return elements
    return {**inputs, ELEMENTS: elements, **({MASK: mask} if MASK in inputs else {})}


def check_value_range(values, value_range, model_name="model"):
    """Raise a clear error when real-valued NumPy inputs are far outside the model's `(low, high)`, e.g. 0–255
    pixels given to a model of images in [0, 1] (which would silently give nonsense). Values somewhat outside
    (noise added to an image) pass."""
    if not isinstance(values, np.ndarray) or not np.issubdtype(values.dtype, np.floating) or not values.size:
        return
    low, high = value_range
    span = high - low
    smallest, largest = float(np.nanmin(values)), float(np.nanmax(values))
    if largest > high + 1.5 * span or smallest < low - 1.5 * span:
        hint = " They look like 0–255 pixel values: divide by 255." if high <= 1 < largest <= 255 else ""
        raise ValueError(f"{model_name} takes values in [{low:g}, {high:g}]; got values from {smallest:g} to "
                         f"{largest:g}.{hint}")


def warn_on_set_sizes(inputs, trained_set_sizes, model_name="model"):
    """Warn (`SetSizeWarning`) when NumPy sets hold more than twice or fewer than half the elements the model was
    trained on (`(smallest, largest)`): a sum over the set then reaches values training never produced."""
    elements, mask, _ = split_inputs(inputs)
    if not isinstance(elements, np.ndarray) or elements.ndim < 2:
        return
    sizes = np.asarray(mask).reshape(len(elements), -1).sum(axis=1) if isinstance(mask, np.ndarray) else \
        np.full(len(elements), elements.shape[1])
    smallest, largest = trained_set_sizes
    if sizes.size and (sizes.max() > 2 * largest or sizes.min() < smallest / 2):
        trained = f"{smallest}" if smallest == largest else f"{smallest}–{largest}"
        got = f"{int(sizes.min())}" if sizes.min() == sizes.max() else f"{int(sizes.min())}–{int(sizes.max())}"
        warnings.warn(f"{model_name} was trained on sets of {trained} elements and got sets of {got}: its outputs "
                      "may not be reliable that far from the training sizes.", SetSizeWarning, stacklevel=4)
