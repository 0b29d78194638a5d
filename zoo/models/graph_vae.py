"""A permutation-equivariant variational autoencoder of graphs with typed nodes and edges (Hansen et al., 2024).

Encoder and decoder are stacks of the equivariant linear maps between node and edge tensors
(`zoo.layers.EquivariantGraphLinear`), so the latent has one vector per node: permuting a graph's nodes permutes
its latent the same way, and decoding a permuted latent gives the permuted graph. The latent is therefore
equivariant, not invariant: two latents of the same graph differ by a permutation, which `zoo.projections.sort`
removes.
"""

import keras
import numpy as np
from keras import ops

from zoo.layers.graph_equivariant import EquivariantGraphLinear
from zoo.models.base import ZooModel
from zoo.models.set_model import SET_GROUP
from zoo.tasks import GraphReconstruction


def _pair_mask(mask):
    """`(batch, n, n)`: 1 for each pair i < j of real nodes (each undirected edge once)."""
    n = ops.shape(mask)[1]
    upper = ops.triu(ops.ones((n, n), mask.dtype), k=1)
    return mask[:, :, None] * mask[:, None, :] * upper


def _dense(units, input_order, output_order, activation="relu", name=None):
    return EquivariantGraphLinear(units, input_order, output_order, activation=activation, name=name)


class GraphEncoder(keras.layers.Layer):
    """Typed graph → per-node latent Gaussian: `{"<nodes>": int (batch, n), "<edges>": int (batch, n, n), "mask":
    float (batch, n)}` → mean and log-variance, each `(batch, n, latent_channels)`; called, it returns the mean.

    Node types are 1 … `node_types` (0 at padding slots), edge types 0 (none) … `edge_types − 1`.
    """

    def __init__(self, node_types, edge_types, latent_channels, width, depth, node_key, edge_key, **kwargs):
        super().__init__(**kwargs)
        self.node_types, self.edge_types = node_types, edge_types
        self.node_key, self.edge_key = node_key, edge_key
        self.nodes_in = _dense(width, 1, 2, activation=None, name="nodes_to_edges")
        self.edges_in = _dense(width, 2, 2, activation=None, name="edges_to_edges")
        self.edge_layers = [_dense(width, 2, 2, name=f"edges_{i}") for i in range(depth - 1)]
        self.to_nodes = _dense(width, 2, 1, activation=None, name="edges_to_nodes")
        self.skip = _dense(width, 1, 1, activation=None, name="nodes_skip")
        self.node_layer = _dense(width, 1, 1, name="nodes")
        self.mean = _dense(latent_channels, 1, 1, activation=None, name="mean")
        self.log_variance = _dense(latent_channels, 1, 1, activation=None, name="log_variance")
        # The latent means are permuted with the nodes (`zoo.check_symmetry(model.encoder, graphs)` measures it).
        self.symmetry = {"output": "equivariant", "set": SET_GROUP, "element": None, "padding": True,
                         "nodes": node_key, "graph": {"adjacency": edge_key}}

    def features(self, inputs):
        """One-hot node `(batch, n, node_types)` and edge `(batch, n, n, edge_types)` features, zero at padding."""
        mask = ops.cast(inputs["mask"], self.compute_dtype)
        nodes = ops.one_hot(ops.maximum(ops.cast(inputs[self.node_key], "int32") - 1, 0), self.node_types,
                            dtype=self.compute_dtype) * mask[:, :, None]
        edges = ops.one_hot(ops.cast(inputs[self.edge_key], "int32"), self.edge_types, dtype=self.compute_dtype)
        return nodes, edges * (mask[:, :, None] * mask[:, None, :])[..., None], mask

    def distribution(self, inputs):
        """`(mean, log_variance)` of the latent, each `(batch, n, latent_channels)` (zero at padding slots)."""
        nodes, edges, mask = self.features(inputs)
        x = ops.relu(self.nodes_in(nodes, mask=mask) + self.edges_in(edges, mask=mask))
        for layer in self.edge_layers:
            x = layer(x, mask=mask)
        h = self.node_layer(ops.relu(self.to_nodes(x, mask=mask) + self.skip(nodes, mask=mask)), mask=mask)
        return self.mean(h, mask=mask), self.log_variance(h, mask=mask)

    def call(self, inputs):
        return self.distribution(inputs)[0]


class GraphDecoder(keras.layers.Layer):
    """Per-node latent `(batch, n, latent_channels)` and node mask `(batch, n)` → logits of every node's type
    `(batch, n, node_types)` and of every pair's edge type `(batch, n, n, edge_types)` (symmetric in the pair)."""

    def __init__(self, node_types, edge_types, width, depth, node_key, edge_key, **kwargs):
        super().__init__(**kwargs)
        self.node_key, self.edge_key = node_key, edge_key
        self.node_layer = _dense(width, 1, 1, name="nodes")
        self.to_edges = _dense(width, 1, 2, name="nodes_to_edges")
        self.edge_layers = [_dense(width, 2, 2, name=f"edges_{i}") for i in range(depth - 1)]
        self.edge_logits = _dense(edge_types, 2, 2, activation=None, name="edge_logits")
        self.to_nodes = _dense(width, 2, 1, activation=None, name="edges_to_nodes")
        self.skip = _dense(width, 1, 1, activation=None, name="nodes_skip")
        self.node_logits = _dense(node_types, 1, 1, activation=None, name="node_logits")

    def call(self, z, mask):
        mask = ops.cast(mask, self.compute_dtype)
        h = self.node_layer(z, mask=mask)
        x = self.to_edges(h, mask=mask)
        for layer in self.edge_layers:
            x = layer(x, mask=mask)
        edges = self.edge_logits(x, mask=mask)
        nodes = self.node_logits(ops.relu(self.to_nodes(x, mask=mask) + self.skip(h, mask=mask)), mask=mask)
        return {self.node_key: nodes, self.edge_key: (edges + ops.transpose(edges, (0, 2, 1, 3))) / 2}


@keras.saving.register_keras_serializable(package="zoo")
class EquivariantGraphVAE(ZooModel):
    """Variational autoencoder of graphs whose nodes and edges carry types, equivariant to permutations of the nodes.

    `model.encoder(inputs)` gives the per-node latent means `(batch, n, latent_channels)`, `model.decoder(z, mask)`
    the node and edge logits of latents `z`; `model(inputs)` decodes the latent means (a sample of the posterior in
    training). The loss is the negative ELBO per graph: the cross-entropy of every real node's type and of every
    pair's edge type (each unordered pair of real nodes once) plus `kl_weight` × KL(q(z | graph) ‖ N(0, I)) over
    the real nodes. The mask (the number of nodes) is given to the decoder: the model encodes a graph's structure,
    not its size, and `sample` draws graphs of given sizes from the prior.

    Args:
        node_types: number of node types (the inputs' types 1 … `node_types`; 0 marks padding).
        edge_types: number of edge types, 0 (no edge) included.
        latent_channels: latent channels per node (1: the latent is a vector in R^n).
        width: channels of the hidden node and edge tensors.
        depth: edge-to-edge layers of the encoder and of the decoder.
        kl_weight: weight of the KL term.
        node_key, edge_key: names of the node-type and edge-type inputs.
        seed: seed of the posterior samples in training.

    Inputs: `{node_key: int (batch, n), edge_key: int (batch, n, n), "mask": float (batch, n)}`.
    Outputs: `{node_key: (batch, n, node_types) logits, edge_key: (batch, n, n, edge_types) logits}`.

    Example:
    >>> model = EquivariantGraphVAE(node_types=4, edge_types=4)
    >>> graphs = {"atoms": np.array([[1, 2, 0]]), "bonds": np.array([[[0, 1, 0], [1, 0, 0], [0, 0, 0]]]),
    ...           "mask": np.array([[1.0, 1.0, 0.0]])}
    >>> model.encoder(graphs).shape
    TensorShape([1, 3, 1])
    """

    def __init__(self, node_types, edge_types, latent_channels=1, width=32, depth=3, kl_weight=0.5,
                 node_key="atoms", edge_key="bonds", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.node_types, self.edge_types = int(node_types), int(edge_types)
        self.latent_channels, self.width, self.depth = int(latent_channels), int(width), int(depth)
        self.kl_weight, self.seed = float(kl_weight), seed
        self.node_key, self.edge_key = node_key, edge_key
        self.encoder = GraphEncoder(self.node_types, self.edge_types, self.latent_channels, self.width, self.depth,
                                    node_key, edge_key, name="encoder")
        self.decoder = GraphDecoder(self.node_types, self.edge_types, self.width, self.depth, node_key, edge_key,
                                    name="decoder")
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.symmetry = {"output": "equivariant", "set": SET_GROUP, "element": None, "padding": True,
                         "nodes": node_key, "graph": {"adjacency": edge_key},
                         "output_axes": {node_key: [1], edge_key: [1, 2]}}

    def check_inputs(self, x):
        super().check_inputs(x)
        check_graphs(x, self.node_key, self.edge_key, self.node_types, self.edge_types, self.name)

    def build(self, input_shape):
        n = input_shape[self.node_key][1] if isinstance(input_shape, dict) else None
        self.encoder.distribution({self.node_key: ops.zeros((1, n or 2), "int32"),
                                   self.edge_key: ops.zeros((1, n or 2, n or 2), "int32"),
                                   "mask": ops.ones((1, n or 2))})
        self.decoder(ops.zeros((1, n or 2, self.latent_channels)), ops.ones((1, n or 2)))

    def call(self, inputs, training=None):
        mean, log_variance = self.encoder.distribution(inputs)
        z = mean
        if training:
            noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator, dtype=mean.dtype)
            z = mean + ops.exp(0.5 * log_variance) * noise * ops.cast(inputs["mask"], mean.dtype)[:, :, None]
        return self.decoder(z, inputs["mask"])

    def reconstruction_loss(self, graphs, logits):
        """Cross-entropy of every real node's type and every real pair's edge type, summed per graph: `(batch,)`."""
        mask = ops.cast(graphs["mask"], logits[self.node_key].dtype)
        node_targets = ops.maximum(ops.cast(graphs[self.node_key], "int32") - 1, 0)
        nodes = keras.losses.sparse_categorical_crossentropy(node_targets, logits[self.node_key], from_logits=True)
        edges = keras.losses.sparse_categorical_crossentropy(ops.cast(graphs[self.edge_key], "int32"),
                                                             logits[self.edge_key], from_logits=True)
        return ops.sum(nodes * mask, axis=1) + ops.sum(edges * _pair_mask(mask), axis=(1, 2))

    def kl_divergence(self, graphs):
        """KL(q(z | graph) ‖ N(0, I)) summed over the real nodes and channels: `(batch,)`."""
        mean, log_variance = self.encoder.distribution(graphs)
        terms = 0.5 * (ops.square(mean) + ops.exp(log_variance) - 1.0 - log_variance)
        return ops.sum(terms * ops.cast(graphs["mask"], mean.dtype)[:, :, None], axis=(1, 2))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = self.reconstruction_loss(x, y_pred) + self.kl_weight * self.kl_divergence(x)
        return ops.mean(loss)

    def decode_graphs(self, z, mask):
        """The most likely graphs of latents `z` `(batch, n, latent_channels)`: NumPy `(node types (batch, n), 0 at
        padding; edge types (batch, n, n), symmetric, 0 on the diagonal and at padding)`."""
        logits = {key: ops.convert_to_numpy(value) for key, value in self.decoder(z, mask).items()}
        return GraphReconstruction(self.node_key, self.edge_key).decode(logits, mask)

    def sample(self, sizes, seed=0):
        """Graphs decoded from the prior N(0, I), one per entry of `sizes` (numbers of nodes), padded to the largest
        size: `(node types, edge types)` as in `decode_graphs`."""
        sizes = np.asarray(sizes)
        mask = (np.arange(sizes.max())[None] < sizes[:, None]).astype("float32")
        z = np.random.default_rng(seed).normal(size=mask.shape + (self.latent_channels,)).astype("float32")
        return self.decode_graphs(z * mask[:, :, None], mask)

    def compute_output_shape(self, input_shape):
        batch, n = input_shape[self.node_key][:2]
        return {self.node_key: (batch, n, self.node_types), self.edge_key: (batch, n, n, self.edge_types)}

    def get_config(self):
        return {**self.base_config(), "node_types": self.node_types, "edge_types": self.edge_types,
                "latent_channels": self.latent_channels, "width": self.width, "depth": self.depth,
                "kl_weight": self.kl_weight, "node_key": self.node_key, "edge_key": self.edge_key, "seed": self.seed}


def check_graphs(graphs, node_key, edge_key, node_types, edge_types, model_name="model"):
    """Raise a clear error for NumPy graph inputs a graph model cannot take: missing entries, shapes that do not
    match, types out of range, an empty graph, or a real node without a type (padding slots may hold anything)."""
    if not isinstance(graphs, dict) or not {node_key, edge_key, "mask"} <= set(graphs):
        keys = sorted(graphs) if isinstance(graphs, dict) else type(graphs).__name__
        raise ValueError(f"{model_name} takes a dict {{{node_key!r}: (batch, n), {edge_key!r}: (batch, n, n), "
                         f"'mask': (batch, n)}}; got {keys}.")
    nodes, edges, mask = (graphs[key] for key in (node_key, edge_key, "mask"))
    if not all(isinstance(v, np.ndarray) for v in (nodes, edges, mask)):
        return  # symbolic tensors and datasets pass through
    if nodes.ndim != 2 or edges.shape != nodes.shape + nodes.shape[1:] or mask.shape != nodes.shape:
        raise ValueError(f"{model_name} expects {node_key} (batch, n), {edge_key} (batch, n, n) and mask (batch, n); "
                         f"got {nodes.shape}, {edges.shape} and {mask.shape}.")
    for name, values, high in ((node_key, nodes, node_types), (edge_key, edges, edge_types - 1)):
        if values.size and (values.min() < 0 or values.max() > high):
            raise ValueError(f"{model_name}: {name} must be integers 0–{high}; got {values.min()}–{values.max()}.")
    real = mask > 0
    if (real.sum(axis=1) == 0).any():
        raise ValueError(f"{model_name} got an empty graph (no real node) at batch indices "
                         f"{np.flatnonzero(real.sum(axis=1) == 0)[:10].tolist()}.")
    if (nodes[real] == 0).any():
        raise ValueError(f"{model_name}: every real node (mask 1) needs a type 1–{node_types} in {node_key}; type 0 "
                         "marks padding, whose mask must be 0.")
