"""Each element beside its distance from the set's mean: the cue of the farthest-from-the-mean heuristic, given to a
network as input channels it can weigh and combine."""

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer


def deviation_from_mean(x, mask=None):
    """`|x_i − mean_j x_j|` for every element, the mean over the set's real elements only."""
    return ops.abs(x - masking.set_mean(x, mask, keepdims=True))


@keras.saving.register_keras_serializable(package="zoo")
class SetDeviation(SetLayer):
    """`[x_i, |x_i − mean_j x_j|]` along the channel axis: a DSS-style equivariant map (identity and mean pooling,
    then an element-wise absolute value).

    Equivariant to permutations of the set and to any transformation of the element axes applied to every element
    alike (shifts, flips, rotations); masked padding never enters the mean.

    Input shape: `(batch, n, *element_shape, channels)`, with an optional float mask `(batch, n)`.
    Output shape: `(batch, n, *element_shape, 2 * channels)`.

    Example:
    >>> SetDeviation()(keras.random.uniform((2, 8, 64, 64, 3))).shape
    (2, 8, 64, 64, 6)
    """

    def call(self, inputs, mask=None):
        return ops.concatenate([inputs, deviation_from_mean(inputs, mask)], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (None if input_shape[-1] is None else 2 * input_shape[-1],)

