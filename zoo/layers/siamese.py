"""Apply one layer to every element of a set."""

import keras
from keras import ops

from zoo.layers.base import SetLayer
from zoo.layers.calling import accepted_context, per_example


def _dims(x, start):
    """The sizes of the axes of `x` from `start` on, static where known."""
    return tuple(x.shape[i] if x.shape[i] is not None else ops.shape(x)[i] for i in range(start, len(x.shape)))


def fold_set(x):
    """`(batch, n, *element) -> (batch * n, *element)`: the set axis joins the batch axis."""
    return ops.reshape(x, (-1,) + _dims(x, 2))


def unfold_set(y, n):
    """Inverse of `fold_set`: `(batch * n, *out) -> (batch, n, *out)`."""
    return ops.reshape(y, (-1, n) + _dims(y, 1))


def repeat_per_element(context, n):
    """Repeat per-set side inputs `(batch, ...)` so they line up with `fold_set`'s `(batch * n, ...)`."""
    return {key: ops.repeat(value, n, axis=0) for key, value in context.items()}


def set_size(x):
    """The (padded) set size of `(batch, n, ...)`, static when known."""
    return _dims(x, 1)[0]


@keras.saving.register_keras_serializable(package="zoo")
class Siamese(SetLayer):
    """Apply the same layer, with shared weights, to each element of a set: `y_i = layer(x_i)`.

    Elements do not interact, so the output is permutation-equivariant whatever `layer` is, and it inherits the
    element symmetry of `layer` (a circular conv stays shift-equivariant). Side inputs given as keyword arguments
    (e.g. a graph's `adjacency` of shape `(batch, ...)`) are shared by the elements of a set.

    Args:
        layer: any Keras layer taking one element batch `(batch', *element_shape)`.

    Input shape: `(batch, n, *element_shape)` (element_shape may be empty, e.g. for integer tokens).
    Output shape: `(batch, n, *layer_output_shape)`.

    Example:
    >>> Siamese(keras.layers.Dense(4))(keras.random.normal((2, 5, 3))).shape
    (2, 5, 4)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            layer = keras.saving.deserialize_keras_object(layer)
        self.layer = layer

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"Siamese expects (batch, n, *element_shape); got shape {input_shape}.")
        if not self.layer.built:
            self.layer.build((None,) + tuple(input_shape[2:]))

    def call(self, inputs, mask=None, **context):
        n = set_size(inputs)
        context = repeat_per_element(accepted_context(self.layer, context), n)
        return unfold_set(per_example(self.layer, fold_set(inputs), **context), n)

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(), "layer": keras.saving.serialize_keras_object(self.layer)}

