"""Base class of the layers that take a set mask."""

import keras


class SetLayer(keras.layers.Layer):
    """A layer on padded sets `(batch, n, ...)` whose float mask `(batch, n)` is passed explicitly as `mask=`.

    Masks are never attached to outputs: Keras's implicit mask propagation changed across 3.x releases, so every
    zoo model passes the set mask down by hand.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return None
