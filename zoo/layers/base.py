"""Base class of the layers that take a set mask, and the helpers layers share: building sublayers in sequence and
giving each weight its own initializer."""

import keras


def build_in_order(layers, shape):
    """Build `layers` one after the other from the input `shape` (skipping those already built, e.g. loaded ones);
    returns the output shape of the last."""
    for layer in layers:
        if not layer.built:
            layer.build(shape)
        shape = layer.compute_output_shape(shape)
    return shape


def clone_initializer(initializer, offset=0):
    """A separate instance of `initializer` for one more weight, `offset` seeds away from it when it is seeded.

    One seeded initializer (`GlorotUniform(seed=1)`) returns the same values on every call, and so does a copy of
    it: two weights drawn from it would start identical. Unseeded initializers draw fresh values per instance.

    Args:
        initializer: an initializer instance, its serialized config, or an identifier string.
        offset: added to the seed of a seeded initializer (0 for the first weight, 1 for the second, ...).
    """
    if isinstance(initializer, str):
        return keras.initializers.get(initializer)
    if isinstance(initializer, dict):
        initializer = keras.initializers.deserialize(initializer)
    config = initializer.get_config()
    if isinstance(config.get("seed"), int):
        config["seed"] += offset
    return initializer.__class__.from_config(config)


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
