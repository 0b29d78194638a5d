"""Heads shared by every family: invariant, selection, per-element regression, merging, and the flat
(order-dependent) baseline head.

A head maps the equivariant features `(batch, n, *element_axes, channels)` of a set network to the task's output,
and says what symmetry that output has (`output_symmetry`).
"""

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer, build_in_order
from zoo.layers.calling import per_example
from zoo.layers.deepsets import DeepSetsEquivariant
from zoo.layers.pooling import ElementPooling


def _dense_stack(units, activation, dropout, prefix):
    layers = []
    for i, width in enumerate(units):
        layers.append(keras.layers.Dense(width, activation=activation, name=f"{prefix}_{i}"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"{prefix}_dropout_{i}"))
    return layers


@keras.saving.register_keras_serializable(package="zoo")
class InvariantHead(SetLayer):
    """Invariant head: reduce the element axes, pool over the set, then an MLP: `R^{n×...} → R^units`.

    `y = MLP(pool_i reduce(x_i))`; with `element_reduction` invariant to the element group (sum/mean/max) the
    output is invariant to both the set permutations and the element symmetry.

    Args:
        units: output size (classes or regression targets).
        pool: set pooling, `"sum"`, `"mean"` or `"max"` (masked).
        element_reduction: reduction of the element axes, `"sum"`, `"mean"`, `"max"` or `"flatten"`.
        hidden_units: widths of the hidden Dense layers.
        activation: activation of the hidden layers.
        dropout: dropout after each hidden layer.
        output_activation: activation of the output (None: logits).
        output_scale: a constant the output is multiplied by, so that targets of large magnitude (sums of
            integers) are learned at unit scale.

    Input shape: `(batch, n, *element_axes, channels)`, float mask `(batch, n)` optional.
    Output shape: `(batch, units)`.

    Example:
    >>> InvariantHead(3)(keras.random.normal((2, 5, 10, 4))).shape
    (2, 3)
    """

    output_symmetry = "invariant"

    def __init__(self, units, pool="sum", element_reduction="sum", hidden_units=(), activation="relu",
                 dropout=0.0, output_activation=None, output_scale=1.0, **kwargs):
        super().__init__(**kwargs)
        masking.get_pool(pool)
        self.units = int(units)
        self.pool = pool
        self.element_reduction = element_reduction
        self.hidden_units = tuple(int(u) for u in hidden_units)
        self.activation = activation
        self.dropout = float(dropout)
        self.output_activation = output_activation
        self.output_scale = float(output_scale)
        self.element_pool = ElementPooling(element_reduction, name="element_pool")
        self.hidden = _dense_stack(self.hidden_units, activation, self.dropout, "hidden")
        self.output_dense = keras.layers.Dense(self.units, activation=output_activation, name="output_dense")

    def build(self, input_shape):
        shape = self.element_pool.compute_output_shape(input_shape)
        shape = (shape[0], shape[-1])
        build_in_order(self.hidden + [self.output_dense], shape)

    def call(self, inputs, mask=None, training=None):
        x = masking.set_pool(self.element_pool(inputs), self.pool, mask)
        for layer in self.hidden:
            x = layer(x, training=training)
        return self.output_dense(x) * self.output_scale

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pool": self.pool,
            "element_reduction": self.element_reduction,
            "hidden_units": self.hidden_units,
            "activation": self.activation,
            "dropout": self.dropout,
            "output_activation": self.output_activation,
            "output_scale": self.output_scale,
        }


@keras.saving.register_keras_serializable(package="zoo")
class SelectionHead(SetLayer):
    """Selection head: a score per element from a DeepSets block, `R^{n×d} → R^n` (logits).

    The element axes are reduced, then equivariant DeepSets layers `hidden_units → 1` score each element in the
    context of the whole set. Padding slots get a score of −1e9, so a softmax over the output is a distribution
    over the real elements only. Train with `SparseCategoricalCrossentropy(from_logits=True)` on the index of the
    element to select. Permuting the set permutes the scores.

    Args:
        hidden_units: widths of the hidden DeepSets layers (the paper: 256, 128 after a 256-wide input).
        pool: pooling of the DeepSets layers (`"max"` in the paper).
        activation: activation of the hidden layers (`"elu"` in the paper).
        element_reduction: reduction of the element axes, `"mean"`, `"sum"`, `"max"` or `"flatten"`.

    Input shape: `(batch, n, *element_axes, channels)`, float mask `(batch, n)` optional.
    Output shape: `(batch, n)` logits.

    Example:
    >>> SelectionHead((16,))(keras.random.normal((2, 8, 32))).shape
    (2, 8)
    """

    output_symmetry = "selection"

    def __init__(self, hidden_units=(256, 128), pool="max", activation="elu", element_reduction="mean", **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(int(u) for u in hidden_units)
        self.pool = pool
        self.activation = activation
        self.element_reduction = element_reduction
        self.element_pool = ElementPooling(element_reduction, name="element_pool")
        self.hidden = [DeepSetsEquivariant(u, pool=pool, activation=activation, name=f"hidden_{i}")
                       for i, u in enumerate(self.hidden_units)]
        self.score = DeepSetsEquivariant(1, pool=pool, name="score")

    def build(self, input_shape):
        shape = self.element_pool.compute_output_shape(input_shape)
        build_in_order(self.hidden + [self.score], shape)

    def call(self, inputs, mask=None):
        x = self.element_pool(inputs)
        for layer in self.hidden:
            x = layer(x, mask=mask)
        scores = ops.squeeze(self.score(x, mask=mask), axis=-1)
        if mask is None:
            return scores
        return ops.where(ops.cast(mask, "bool"), scores, masking.NEG_LARGE)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1])

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": self.hidden_units,
            "pool": self.pool,
            "activation": self.activation,
            "element_reduction": self.element_reduction,
        }


@keras.saving.register_keras_serializable(package="zoo")
class MergingHead(SetLayer):
    """Merging head: pool the set into one element, then element layers: `R^{n×...} → R^{...}`.

    `y = g(pool_i x_i)`, e.g. max over a burst of images then two convolutions. Invariant to permutations of the
    set; equivariant to the element symmetry when the layers `g` are.

    Args:
        pool: `"sum"`, `"mean"` or `"max"` (masked).
        layers: element layers applied after pooling (instances or serialized configs).

    Input shape: `(batch, n, *element_shape)`, float mask `(batch, n)` optional.
    Output shape: `(batch, *output_shape_of_layers)`.

    Example:
    >>> head = MergingHead("max", [keras.layers.Conv2D(3, 3, padding="same")])
    >>> head(keras.random.normal((2, 5, 8, 8, 4))).shape
    (2, 8, 8, 3)
    """

    output_symmetry = "invariant"

    def __init__(self, pool="max", layers=(), **kwargs):
        super().__init__(**kwargs)
        masking.get_pool(pool)
        self.pool = pool
        self.element_layers = [keras.saving.deserialize_keras_object(layer) if isinstance(layer, dict) else layer
                               for layer in layers]

    def build(self, input_shape):
        shape = (input_shape[0],) + tuple(input_shape[2:])
        build_in_order(self.element_layers, shape)

    def call(self, inputs, mask=None):
        x = masking.set_pool(inputs, self.pool, mask)
        for layer in self.element_layers:
            x = per_example(layer, x)
        return x

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0],) + tuple(input_shape[2:])
        for layer in self.element_layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        return {
            **super().get_config(),
            "pool": self.pool,
            "layers": [keras.saving.serialize_keras_object(layer) for layer in self.element_layers],
        }



@keras.saving.register_keras_serializable(package="zoo")
class FlatSetHead(SetLayer):
    """The non-equivariant head of the set baselines: concatenate the features of every element in order, then an
    MLP: `y = MLP([x_1, ..., x_n])`, `R^{n×d} → R^units`.

    It ties each output to a position in the set, so it is not permutation-invariant or equivariant (its
    `output_symmetry` is `"none"`) and it needs a fixed set size. Padding slots are zeroed before concatenating.

    Args:
        units: output size (e.g. one logit per position).
        hidden_units: widths of the hidden Dense layers.
        activation: activation of the hidden layers.
        dropout: dropout after each hidden layer.

    Input shape: `(batch, n, *element_axes, channels)` with a fixed `n`, float mask `(batch, n)` optional.
    Output shape: `(batch, units)`.

    Example:
    >>> FlatSetHead(16, hidden_units=(32,))(keras.random.normal((2, 16, 8))).shape
    (2, 16)
    """

    output_symmetry = "none"

    def __init__(self, units, hidden_units=(), activation="relu", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.hidden_units = tuple(int(u) for u in hidden_units)
        self.activation = activation
        self.dropout = float(dropout)
        self.hidden = _dense_stack(self.hidden_units, activation, self.dropout, "hidden")
        self.output_dense = keras.layers.Dense(self.units, name="output_dense")

    def build(self, input_shape):
        if any(dim is None for dim in input_shape[1:]):
            raise ValueError(f"FlatSetHead needs a fixed set size and feature shape; got {input_shape}.")
        self.flat_features = 1
        for dim in input_shape[1:]:
            self.flat_features *= dim
        shape = (input_shape[0], self.flat_features)
        build_in_order(self.hidden + [self.output_dense], shape)

    def call(self, inputs, mask=None, training=None):
        x = ops.reshape(masking.mask_outputs(inputs, mask), (-1, self.flat_features))
        for layer in self.hidden:
            x = layer(x, training=training)
        return self.output_dense(x)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "hidden_units": self.hidden_units,
                "activation": self.activation, "dropout": self.dropout}


@keras.saving.register_keras_serializable(package="zoo")
class PerElementHead(SetLayer):
    """Equivariant regression head: a DeepSets equivariant layer to one number per element, `R^{n×d} → R^n`.

    Padding slots output 0. Permuting the set permutes the outputs.

    Args:
        pool: set pooling of the layer, `"sum"`, `"mean"` or `"max"` (masked).

    Input shape: `(batch, n, features)`, float mask `(batch, n)` optional.
    Output shape: `(batch, n)`.

    Example:
    >>> PerElementHead()(keras.random.normal((2, 7, 16))).shape
    (2, 7)
    """

    output_symmetry = "equivariant"

    def __init__(self, pool="max", **kwargs):
        super().__init__(**kwargs)
        self.pool = pool
        self.output_layer = DeepSetsEquivariant(1, pool=pool, name="output")

    def build(self, input_shape):
        if not self.output_layer.built:
            self.output_layer.build(input_shape)

    def call(self, inputs, mask=None):
        return masking.mask_outputs(ops.squeeze(self.output_layer(inputs, mask=mask), axis=-1), mask)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:2])

    def get_config(self):
        return {**super().get_config(), "pool": self.pool}
