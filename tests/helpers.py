"""Shared helpers of the property tests: random sets, permutations, padding, comparisons, saving."""

import warnings

import keras
import numpy as np
from keras import ops

ATOL = 1e-4  # float32 sums over sets reorder additions; errors stay far below this at the sizes tested


def random_sets(rng, batch, n, element_shape):
    return rng.normal(size=(batch, n) + tuple(element_shape)).astype("float32")


def to_numpy(x):
    return ops.convert_to_numpy(x)


def assert_close(a, b, atol=ATOL, rtol=1e-4):
    np.testing.assert_allclose(to_numpy(a), to_numpy(b), atol=atol, rtol=rtol)


def pad_sets(rng, x, mask, extra):
    """Append `extra` garbage elements (large random values) to each set, masked out."""
    garbage = 100 * rng.normal(size=(x.shape[0], extra) + x.shape[2:]).astype("float32")
    padded = np.concatenate([x, garbage], axis=1)
    padded_mask = np.concatenate([mask, np.zeros((x.shape[0], extra), "float32")], axis=1)
    return padded, padded_mask


def random_mask(rng, batch, n):
    """A float mask with at least one real element per set."""
    mask = (rng.random((batch, n)) < 0.7).astype("float32")
    mask[:, 0] = 1.0
    return mask


def keras_file_round_trip(model, path):
    """`model` saved to the `.keras` file `path` and loaded back (uncompiled), with any warning but a deprecation
    raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        model.save(path)
        return keras.saving.load_model(path, compile=False)
