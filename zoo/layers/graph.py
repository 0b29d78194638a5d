"""Graph convolution: the DSS base layer for elements that are graphs (e.g. meshes)."""

import keras
from keras import ops


def normalize_adjacency(adjacency):
    """Symmetric GCN normalisation `D^-1/2 (A + I) D^-1/2` of a dense `(..., v, v)` adjacency."""
    v = adjacency.shape[-1]
    a = adjacency + ops.eye(v, dtype=adjacency.dtype)
    inv_sqrt_degree = ops.rsqrt(ops.sum(a, axis=-1))
    return a * ops.expand_dims(inv_sqrt_degree, -1) * ops.expand_dims(inv_sqrt_degree, -2)


@keras.saving.register_keras_serializable(package="zoo")
class GraphConv(keras.layers.Layer):
    """Graph convolution (Kipf & Welling): `Y = Â X W + b`, with `Â = D^-1/2 (A + I) D^-1/2`.

    Equivariant to node permutations applied jointly to the node features and the adjacency.

    Args:
        units: output features per node.
        use_bias: add a bias.
        normalize: apply the GCN normalisation to `adjacency` (set False when it is already normalised).
        kernel_initializer, bias_initializer: initialisers.

    Input shape: node features `(batch, v, features)`; keyword `adjacency` of shape `(batch, v, v)` or `(v, v)`.
    Output shape: `(batch, v, units)`.

    Example:
    >>> a = keras.ops.ones((4, 4)) - keras.ops.eye(4)
    >>> GraphConv(8)(keras.random.normal((2, 4, 3)), adjacency=a).shape
    (2, 4, 8)
    """

    def __init__(self, units, use_bias=True, normalize=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.use_bias = use_bias
        self.normalize = normalize
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"GraphConv expects node features (batch, v, features); got shape {input_shape}.")
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)

    def call(self, inputs, adjacency):
        adjacency = ops.cast(adjacency, inputs.dtype)
        if self.normalize:
            adjacency = normalize_adjacency(adjacency)
        outputs = ops.matmul(adjacency, ops.matmul(inputs, self.kernel))
        return outputs + self.bias if self.use_bias else outputs

    def compute_output_shape(self, input_shape, adjacency_shape=None):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            "normalize": self.normalize,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
