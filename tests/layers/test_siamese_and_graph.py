import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, to_numpy
from zoo.layers import DSSLayer, GraphConv, MeshConv, Siamese


def test_siamese_applies_the_same_layer_to_each_element(rng):
    dense = keras.layers.Dense(3)
    layer = Siamese(dense)
    x = rng.normal(size=(2, 4, 5)).astype("float32")
    y = to_numpy(layer(x))
    for i in range(4):
        assert_close(y[:, i], dense(x[:, i]))


def test_siamese_shares_side_inputs_of_a_set_between_its_elements(rng):
    conv = GraphConv(3)
    layer = Siamese(conv)
    x = rng.normal(size=(2, 4, 5, 2)).astype("float32")
    a = (rng.random((2, 5, 5)) < 0.5).astype("float32")
    y = to_numpy(layer(x, adjacency=a))
    for b in range(2):
        for i in range(4):
            assert_close(y[b, i], conv(x[b : b + 1, i], adjacency=a[b : b + 1])[0])


def test_siamese_drops_side_inputs_its_layer_does_not_take(rng):
    layer = Siamese(keras.layers.Dense(3))
    x = rng.normal(size=(2, 4, 5)).astype("float32")
    assert_close(layer(x, adjacency=np.ones((2, 5, 5), "float32")), layer(x))


def test_graph_conv_uses_the_symmetric_normalisation(rng):
    conv = GraphConv(3, use_bias=False)
    x = rng.normal(size=(1, 4, 2)).astype("float32")
    a = np.array([[0, 1, 0, 0], [1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 0, 0]], "float32")
    y = conv(x, adjacency=a)
    a_hat = a + np.eye(4)
    d = 1 / np.sqrt(a_hat.sum(axis=1))
    assert_close(y[0], (d[:, None] * a_hat * d[None, :]) @ x[0] @ to_numpy(conv.kernel))


@given(seed=st.integers(0, 10**6))
def test_graph_conv_is_equivariant_to_node_permutations(seed):
    rng = np.random.default_rng(seed)
    conv = GraphConv(3)
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    a = (rng.random((6, 6)) < 0.5).astype("float32")
    a = np.maximum(a, a.T)
    perm = rng.permutation(6)
    assert_close(conv(x[:, perm], adjacency=a[perm][:, perm]), to_numpy(conv(x, adjacency=a))[:, perm])


OCTAHEDRON = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])


def test_mesh_conv_equals_graph_conv_on_the_dense_adjacency(rng):
    mesh = MeshConv(4, OCTAHEDRON, 6)
    x = rng.normal(size=(3, 6, 2)).astype("float32")
    y = mesh(x)
    dense = GraphConv(4)
    dense.build(x.shape)
    dense.set_weights(mesh.get_weights())
    adjacency = np.zeros((6, 6), "float32")
    adjacency[mesh.edges[:, 0], mesh.edges[:, 1]] = adjacency[mesh.edges[:, 1], mesh.edges[:, 0]] = 1
    assert_close(y, dense(x, adjacency=adjacency))
    assert len(mesh.edges) == 12  # an octahedron's edges, each once


@given(seed=st.integers(0, 10**6))
def test_mesh_conv_is_equivariant_to_relabelling_the_vertices(seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(6)  # new vertex i is old vertex perm[i]
    inverse = np.argsort(perm)
    mesh = MeshConv(3, OCTAHEDRON, 6)
    relabelled = MeshConv(3, inverse[OCTAHEDRON], 6)
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    y = to_numpy(mesh(x))
    relabelled.build(x.shape)
    relabelled.set_weights(mesh.get_weights())
    assert_close(relabelled(x[:, perm]), y[:, perm])


def test_mesh_conv_rejects_out_of_range_edges_and_round_trips_its_config():
    with pytest.raises(ValueError, match="index vertices 0 … 2"):
        MeshConv(3, [[0, 5]], 3)
    layer = MeshConv(3, OCTAHEDRON, 6)
    assert MeshConv.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("aggregation", ["sum", "max", "aittala", "sridhar"])
def test_dss_on_meshes_is_set_equivariant(rng, aggregation):
    layer = DSSLayer(MeshConv(4, OCTAHEDRON, 6), aggregation)
    x = rng.normal(size=(2, 5, 6, 3)).astype("float32")
    perm = rng.permutation(5)
    assert_close(layer(x[:, perm]), to_numpy(layer(x))[:, perm])
