"""The DeepSets permutation-equivariant layer (Zaheer et al., 2017)."""

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer, clone_initializer


@keras.saving.register_keras_serializable(package="zoo")
class DeepSetsEquivariant(SetLayer):
    """Permutation-equivariant linear layer on sets of vectors.

    Two published forms:

    - `single_matrix=False` (Λ/Γ form): `f(X) = σ(X Λ + 1 pool(X) Γ + b)`
    - `single_matrix=True`: `f(X) = σ(β + (X − 1 pool(X)) Γ)`, the form used for point clouds with `pool="max"`.

    `pool` is a masked sum, mean or max over the set, so padding slots never change the result for the real
    elements. Permuting the set permutes the output the same way.

    Args:
        units: output features per element.
        pool: `"sum"`, `"mean"` or `"max"`.
        single_matrix: use the one-matrix form.
        activation: activation σ (any Keras activation identifier).
        use_bias: add the bias b / β.
        kernel_initializer, bias_initializer: initialisers of Λ, Γ and b (Λ and Γ each get their own instance,
            seeded one apart when the initializer is seeded, so they never start identical).

    Input shape: `(batch, n, features)`, float mask `(batch, n)` optional.
    Output shape: `(batch, n, units)`.

    Example:
    >>> layer = DeepSetsEquivariant(8, pool="max")
    >>> layer(keras.random.normal((2, 5, 3))).shape
    (2, 5, 8)
    """

    def __init__(self, units, pool="sum", single_matrix=False, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        masking.get_pool(pool)
        self.units = int(units)
        self.pool = pool
        self.single_matrix = bool(single_matrix)
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"DeepSetsEquivariant expects (batch, n, features); got shape {input_shape}.")
        features = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(features, self.units),
                                     initializer=clone_initializer(self.kernel_initializer, offset=1))
        if not self.single_matrix:
            self.lam = self.add_weight(name="lambda", shape=(features, self.units),
                                       initializer=clone_initializer(self.kernel_initializer))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)

    def call(self, inputs, mask=None):
        pooled = masking.set_pool(inputs, self.pool, mask, keepdims=True)
        if self.single_matrix:
            outputs = ops.matmul(inputs - pooled, self.gamma)
        else:
            outputs = ops.matmul(inputs, self.lam) + ops.matmul(pooled, self.gamma)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pool": self.pool,
            "single_matrix": self.single_matrix,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
