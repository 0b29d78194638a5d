"""The DSS layer: deep sets for symmetric elements (Maron et al., 2020, Theorem 1)."""

from functools import partial

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer, clone_initializer
from zoo.layers.calling import call_layer, per_example
from zoo.layers.siamese import Siamese

AGGREGATIONS = ("sum", "max", "aittala", "sridhar")


def clone_layer(config, **overrides):
    """A fresh, unbuilt layer from a serialized layer config, with some constructor arguments replaced."""
    config = dict(config, config=dict(config["config"]))
    for key, value in overrides.items():
        if key in config["config"]:
            config["config"][key] = value
    config["config"].pop("name", None)
    return keras.saving.deserialize_keras_object(config)


@keras.saving.register_keras_serializable(package="zoo")
class DSSLayer(SetLayer):
    """A linear layer equivariant to permutations of the set and to the symmetry group H of its elements.

    `base_layer` is any H-equivariant linear layer on single elements (Dense for vectors, a circular Conv1D for
    signals, Conv2D for images, a per-point layer for point clouds, a graph convolution for graphs). The layer makes
    two independent copies of it, L1 and L2, and computes, by `aggregation`:

    - `"sum"`:     `L(X)_i = L1(x_i) + L2(Σ_j x_j)` (Theorem 1)
    - `"max"`:     `L(X)_i = L1(x_i) + L2(max_j x_j)`
    - `"aittala"`: `L(X)_i = [L1(x_i), max_j L1(x_j)]` (channel concat: twice the channels of `base_layer`)
    - `"sridhar"`: `L(X)_i = L1(x_i) − mean_j L1(x_j)`

    Sums, maxima and means are taken over the real elements only (float mask), so padding does not change the
    result. L2 drops its bias where the base layer has one (L1's bias already covers it).

    In deep stacks with batch norm, the summed term of `"sum"` is n times larger than the element term, so each
    layer shrinks what distinguishes the elements by about n: after nine layers nothing is left and a selection
    head cannot learn. `aggregate_initializer="zeros"` starts L2 at zero (the layer starts as a Siamese layer and
    learns how much of the aggregate to use) without changing what the layer computes.

    Args:
        base_layer: the H-equivariant element layer (a layer instance or its serialized config).
        aggregation: one of `"sum"`, `"max"`, `"aittala"`, `"sridhar"`.
        aggregate_initializer: kernel initialiser of L2 (None: the base layer's).

    Input shape: `(batch, n, *element_shape)`, float mask `(batch, n)` optional; side inputs of the base layer
        (e.g. `adjacency=(batch, v, v)`) as keyword arguments.
    Output shape: `(batch, n, *base_output_shape)` (channels doubled for `"aittala"`).

    Example:
    >>> layer = DSSLayer(CircularConv(16, 5), aggregation="sum")
    >>> layer(keras.random.normal((2, 6, 32, 1))).shape
    (2, 6, 32, 16)
    """

    def __init__(self, base_layer, aggregation="sum", aggregate_initializer=None, **kwargs):
        super().__init__(**kwargs)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"Unknown DSS aggregation {aggregation!r}; expected one of {AGGREGATIONS}.")
        if isinstance(base_layer, keras.layers.Layer):
            base_layer = keras.saving.serialize_keras_object(base_layer)
        # While Keras loads a model it marks configs whose objects had the same id() as one shared object, and ids of
        # garbage-collected temporaries are reused: with the marker, L1 and L2 would come back as the same layer.
        base_layer = {k: v for k, v in base_layer.items() if k != "shared_object_id"}
        self.base_layer = base_layer
        self.aggregation = aggregation
        self.aggregate_initializer = aggregate_initializer
        self.element = Siamese(clone_layer(base_layer), name="element")
        if aggregation in ("sum", "max"):
            overrides = {"use_bias": False}
            # L2 gets its own initializer instance (one seed on when the base's is seeded): never a copy of L1.
            initializer = aggregate_initializer or base_layer["config"].get("kernel_initializer")
            if initializer is not None:
                overrides["kernel_initializer"] = keras.initializers.serialize(
                    clone_initializer(initializer, offset=0 if aggregate_initializer else 1))
            self.aggregate = clone_layer(base_layer, **overrides)

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"DSSLayer expects (batch, n, *element_shape); got shape {input_shape}.")
        self.element.build(input_shape)
        if hasattr(self, "aggregate") and not self.aggregate.built:
            self.aggregate.build((None,) + tuple(input_shape[2:]))

    def call(self, inputs, mask=None, **context):
        if self.aggregation == "sum":
            return self.element(inputs, **context) + self._aggregate(masking.set_sum(inputs, mask), context)
        if self.aggregation == "max":
            return self.element(inputs, **context) + self._aggregate(masking.set_max(inputs, mask), context)
        hidden = self.element(inputs, **context)
        if self.aggregation == "sridhar":
            return hidden - masking.set_mean(hidden, mask, keepdims=True)
        pooled = masking.set_max(hidden, mask, keepdims=True)
        return ops.concatenate([hidden, ops.broadcast_to(pooled, ops.shape(hidden))], axis=-1)

    def _aggregate(self, pooled, context):
        return ops.expand_dims(per_example(partial(call_layer, self.aggregate), pooled, **context), axis=1)

    def compute_output_shape(self, input_shape):
        shape = self.element.compute_output_shape(input_shape)
        if self.aggregation == "aittala":
            shape = tuple(shape[:-1]) + (2 * shape[-1],)
        return shape

    def get_config(self):
        return {**super().get_config(), "base_layer": self.base_layer, "aggregation": self.aggregation,
                "aggregate_initializer": self.aggregate_initializer}
