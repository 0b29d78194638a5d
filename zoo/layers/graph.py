"""Graph convolution: the DSS base layer for elements that are graphs (e.g. meshes)."""

import keras
import numpy as np
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


def undirected_edges(faces_or_edges):
    """Unique undirected edges `(E, 2)` (i < j) of a triangle list `(F, 3)` or an edge list `(E, 2)`."""
    items = np.asarray(faces_or_edges, dtype=np.int64)
    if items.size == 0:
        return np.zeros((0, 2), np.int64)
    if items.shape[1] == 3:
        items = np.concatenate([items[:, [0, 1]], items[:, [1, 2]], items[:, [2, 0]]])
    items = np.sort(items, axis=1)
    return np.unique(items[items[:, 0] != items[:, 1]], axis=0)


@keras.saving.register_keras_serializable(package="zoo")
class MeshConv(keras.layers.Layer):
    """Graph convolution on one fixed, sparse topology (a registered mesh): `Y = Â X W + b`.

    `Â = D^-1/2 (A + I) D^-1/2` as in `GraphConv`, applied by gathering along the edges and summing per node, so a
    6890-vertex mesh never needs a dense adjacency. The topology is part of the layer (every element of every set
    is the same mesh, as for Dynamic FAUST's registrations).

    Args:
        units: output features per node.
        edges: undirected edges `(E, 2)` or triangles `(F, 3)` of the mesh.
        num_nodes: number of vertices.
        use_bias, kernel_initializer, bias_initializer: as for Dense.

    Input shape: `(batch, num_nodes, features)`. Output shape: `(batch, num_nodes, units)`.

    Example:
    >>> MeshConv(8, edges=[[0, 1], [1, 2]], num_nodes=3)(keras.random.normal((2, 3, 4))).shape
    (2, 3, 8)
    """

    def __init__(self, units, edges, num_nodes, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units, self.num_nodes, self.use_bias = int(units), int(num_nodes), use_bias
        self.edges = undirected_edges(edges)
        if self.edges.size and (self.edges.min() < 0 or self.edges.max() >= self.num_nodes):
            raise ValueError(f"Mesh edges must index vertices 0 … {self.num_nodes - 1}.")
        loops = np.arange(self.num_nodes)
        self.src = np.concatenate([self.edges[:, 0], self.edges[:, 1], loops]).astype("int32")
        self.dst = np.concatenate([self.edges[:, 1], self.edges[:, 0], loops]).astype("int32")
        degree = np.bincount(self.dst, minlength=self.num_nodes).astype("float32")
        self.weights_per_edge = (1.0 / np.sqrt(degree[self.src] * degree[self.dst])).astype("float32")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[1] not in (None, self.num_nodes):
            raise ValueError(f"MeshConv expects (batch, {self.num_nodes}, features); got shape {input_shape}.")
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)

    def call(self, inputs):
        h = ops.transpose(ops.matmul(inputs, self.kernel), (1, 0, 2))  # (nodes, batch, units)
        weights = ops.convert_to_tensor(self.weights_per_edge[:, None, None], dtype=h.dtype)
        messages = ops.multiply(ops.take(h, ops.convert_to_tensor(self.src), axis=0), weights)
        summed = ops.segment_sum(messages, ops.convert_to_tensor(self.dst), num_segments=self.num_nodes, sorted=False)
        outputs = ops.transpose(summed, (1, 0, 2))
        return outputs + self.bias if self.use_bias else outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "edges": self.edges.tolist(),
            "num_nodes": self.num_nodes,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
