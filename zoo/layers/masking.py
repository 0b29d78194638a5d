"""Mask helpers shared by every set layer.

A batch of sets is a padded tensor `(batch, n, *element_shape)` with a float mask `(batch, n)`: 1.0 marks an
element of the set, 0.0 a padding slot. Every reduction over the set axis (axis 1) goes through these helpers, so
padding never leaks into a pooled value.
"""

import math

from keras import ops

# Large finite value used instead of infinity, so gradients and `0 * value` stay finite on every backend.
NEG_LARGE = -1e9


def broadcast_mask(mask, x):
    """Reshape a `(batch, n)` mask so that it broadcasts against `x` of shape `(batch, n, ...)`."""
    mask = ops.cast(mask, x.dtype)
    return ops.reshape(mask, ops.shape(mask) + (1,) * (len(x.shape) - 2))


def set_sum(x, mask=None, keepdims=False):
    """Sum of the elements of each set: `(batch, n, ...) -> (batch, ...)`."""
    if mask is not None:
        x = ops.multiply(x, broadcast_mask(mask, x))
    return ops.sum(x, axis=1, keepdims=keepdims)


def set_count(x, mask=None):
    """Number of elements of each set, shaped to broadcast against `set_sum(x, keepdims=True)`."""
    if mask is None:
        return ops.cast(ops.shape(x)[1], x.dtype)
    return ops.maximum(ops.sum(broadcast_mask(mask, x), axis=1, keepdims=True), 1.0)


def set_mean(x, mask=None, keepdims=False):
    """Mean of the elements of each set (an empty set gives 0): `(batch, n, ...) -> (batch, ...)`."""
    mean = set_sum(x, mask, keepdims=True) / set_count(x, mask)
    return mean if keepdims else ops.squeeze(mean, axis=1)


def batch_max(x, axis, keepdims=False):
    """`ops.max(x, axis)` of a batch `(batch, ...)` over non-empty axes `axis`, also for a batch of 0.

    Keras's TensorFlow backend refuses, in eager mode, the maximum of a tensor without entries, even when no
    reduced axis is empty (then there is no output entry to compute): a batch of 0 takes the sum instead, which has
    the same (empty) shape. Any other batch, and a batch size unknown when traced, takes `ops.max`.

    Example:
    >>> batch_max(ops.zeros((0, 5, 3)), axis=1).shape
    (0, 3)
    """
    return (ops.sum if x.shape[0] == 0 else ops.max)(x, axis=axis, keepdims=keepdims)


def batch_min(x, axis, keepdims=False):
    """`ops.min(x, axis)`, also for a batch of 0 (see `batch_max`)."""
    return (ops.sum if x.shape[0] == 0 else ops.min)(x, axis=axis, keepdims=keepdims)


def set_max(x, mask=None, keepdims=False):
    """Element-wise maximum over each set (an empty set gives 0): `(batch, n, ...) -> (batch, ...)`."""
    if mask is None:
        return batch_max(x, axis=1, keepdims=keepdims)
    valid = broadcast_mask(mask, x) > 0
    pooled = batch_max(ops.where(valid, x, NEG_LARGE), axis=1, keepdims=True)
    pooled = ops.where(ops.any(valid, axis=1, keepdims=True), pooled, 0.0)
    return pooled if keepdims else ops.squeeze(pooled, axis=1)


SET_POOLS = {"sum": set_sum, "mean": set_mean, "max": set_max}


def set_pool(x, pool, mask=None, keepdims=False):
    """Apply the named set pooling (`"sum"`, `"mean"` or `"max"`) over axis 1."""
    return get_pool(pool)(x, mask, keepdims=keepdims)


def get_pool(pool):
    """Return the pooling function for a name, with a clear error for an unknown one."""
    if pool not in SET_POOLS:
        raise ValueError(f"Unknown set pooling {pool!r}; expected one of {sorted(SET_POOLS)}.")
    return SET_POOLS[pool]


def element_reduce(x, mode):
    """Reduce the element axes of `(batch, n, *element_axes, channels)` to `(batch, n, channels)`.

    `mode` is `"sum"`, `"mean"`, `"max"` (invariant to permutations/translations of the element axes) or
    `"flatten"` (keeps every feature; not invariant).
    """
    if len(x.shape) == 3:
        return x
    if mode == "flatten":
        features = x.shape[2:]
        # Sized where known: a -1 cannot be inferred for a batch of 0 (JAX and NumPy refuse a size of 0 / 0).
        return ops.reshape(x, ops.shape(x)[:2] + (math.prod(features) if None not in features else -1,))
    axes = tuple(range(2, len(x.shape) - 1))
    reducers = {"sum": ops.sum, "mean": ops.mean, "max": batch_max}
    if mode not in reducers:
        raise ValueError(f"Unknown element reduction {mode!r}; expected sum, mean, max or flatten.")
    return reducers[mode](x, axis=axes)


def mask_outputs(x, mask):
    """Zero the padding slots of an equivariant output so that padding never looks like data."""
    return x if mask is None else x * broadcast_mask(mask, x)

