"""Invariant set pooling."""

import keras

from zoo.layers import masking
from zoo.layers.base import SetLayer


@keras.saving.register_keras_serializable(package="zoo")
class SetPooling(SetLayer):
    """Permutation-invariant pooling over the set axis: `y = pool_i x_i` with pool in {sum, mean, max}.

    Padding slots (mask 0) are ignored, so a set padded with extra masked elements pools to the same value.

    Args:
        pool: `"sum"`, `"mean"` or `"max"`.

    Input shape: `(batch, n, ...)`, with an optional float mask `(batch, n)`.
    Output shape: `(batch, ...)`.

    Example:
    >>> x = keras.random.normal((2, 5, 3))
    >>> SetPooling("max")(x).shape
    (2, 3)
    """

    def __init__(self, pool="sum", **kwargs):
        super().__init__(**kwargs)
        masking.get_pool(pool)
        self.pool = pool

    def call(self, inputs, mask=None):
        return masking.set_pool(inputs, self.pool, mask)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "pool": self.pool}


@keras.saving.register_keras_serializable(package="zoo")
class ElementPooling(SetLayer):
    """Reduce the axes inside each element: `(batch, n, *element_axes, channels) -> (batch, n, channels)`.

    With `"sum"`, `"mean"` or `"max"` the result is invariant to any permutation or translation of the element
    axes, and equivariant to permutations of the set.

    Args:
        mode: `"sum"`, `"mean"`, `"max"` or `"flatten"`.

    Example:
    >>> ElementPooling("sum")(keras.random.normal((2, 5, 10, 4))).shape
    (2, 5, 4)
    """

    def __init__(self, mode="sum", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode

    def call(self, inputs, mask=None):
        return masking.element_reduce(inputs, self.mode)

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 3:
            return tuple(input_shape)
        if self.mode != "flatten":
            return (input_shape[0], input_shape[1], input_shape[-1])
        size = 1
        for dim in input_shape[2:]:
            size *= dim
        return (input_shape[0], input_shape[1], size)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
