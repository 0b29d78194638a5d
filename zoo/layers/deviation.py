"""Each element beside its distance from the set's mean: the cue of the farthest-from-the-mean heuristic, given to a
network as input channels it can weigh and combine."""

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer


def _deviation(x, mask):
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
        return ops.concatenate([inputs, _deviation(inputs, mask)], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (None if input_shape[-1] is None else 2 * input_shape[-1],)


def _standardized(scores, mask):
    """Scores `(batch, n)` shifted and scaled to mean 0, standard deviation 1 over each set's real elements."""
    mean = masking.set_mean(scores, mask, keepdims=True)
    spread = ops.sqrt(masking.set_mean(ops.square(scores - mean), mask, keepdims=True))
    return (scores - mean) / (spread + 1e-6)


@keras.saving.register_keras_serializable(package="zoo")
class DeviationVote(SetLayer):
    """A selection network's scores plus the farthest-from-the-mean vote: `std(s) + weight · std(d)`, where
    `d_i = mean |x_i − mean_j x_j|` over the element axes and `std` standardizes over each set's real elements.

    Both votes are scale-free, so `weight` sets their balance (1: equal). The network contributes what it learned;
    the deviation contributes the cue that generalises from few training videos. Equivariant to permutations of
    the set; invariant to any transformation of the element axes applied to every element alike; padding slots
    keep a score of −1e9.

    Inputs: `[scores, elements]`: scores `(batch, n)` (a `SelectionHead`'s logits) and elements
    `(batch, n, *element_shape)`, with an optional float mask `(batch, n)`.
    Output shape: `(batch, n)` logits.

    Example:
    >>> x = keras.random.uniform((2, 8, 64, 64, 3))
    >>> DeviationVote()([keras.random.normal((2, 8)), x]).shape
    (2, 8)
    """

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = float(weight)

    def call(self, inputs, mask=None):
        scores, elements = inputs
        if isinstance(mask, (list, tuple)):  # Keras fills in one (absent) mask per input when none is given
            mask = next((m for m in mask if m is not None), None)
        axes = tuple(range(2, len(elements.shape)))
        deviation = ops.mean(_deviation(elements, mask), axis=axes)
        votes = _standardized(scores, mask) + self.weight * _standardized(deviation, mask)
        if mask is None:
            return votes
        return ops.where(ops.cast(mask, "bool"), votes, masking.NEG_LARGE)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}
