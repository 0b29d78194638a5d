import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, pad_sets, random_mask, to_numpy
from zoo.layers import CircularConv, DeepSetsEquivariant, DSSLayer, GraphConv
from zoo.layers.dss import AGGREGATIONS

# Element types of the papers: (base layer factory, element shape, element-group action or None).
# An action maps (rng) -> (transform of the input elements, transform of the output elements).


def shift_action(axes):
    def draw(rng):
        shifts = tuple(int(rng.integers(0, 8)) for _ in axes)
        def roll(x):
            return np.roll(x, shifts, axis=axes)
        return roll, roll
    return draw


def point_permutation(rng):
    perm = rng.permutation(6)
    def permute(x):
        return x[:, :, perm]
    return permute, permute


ELEMENTS = {
    "vector": (lambda: keras.layers.Dense(5), (4,), None),
    "signal": (lambda: CircularConv(5, 3), (16, 2), shift_action((2,))),
    "image": (lambda: CircularConv(5, 3, rank=2), (8, 8, 3), shift_action((2, 3))),
    "image_same_padding": (lambda: keras.layers.Conv2D(5, 3, padding="same"), (8, 8, 3), None),
    "point_cloud_1x1": (lambda: keras.layers.Dense(5), (6, 3), point_permutation),
    "point_cloud_deepsets": (lambda: DeepSetsEquivariant(5, pool="max"), (6, 3), point_permutation),
}
CASES = [(element, aggregation) for element in ELEMENTS for aggregation in AGGREGATIONS]


def make(element, aggregation):
    factory, shape, action = ELEMENTS[element]
    return DSSLayer(factory(), aggregation=aggregation), shape, action


@pytest.mark.parametrize("element,aggregation", CASES)
@given(seed=st.integers(0, 10**6))
def test_permuting_the_set_permutes_the_output(element, aggregation, seed):
    rng = np.random.default_rng(seed)
    layer, shape, _ = make(element, aggregation)
    x = rng.normal(size=(2, 5) + shape).astype("float32")
    perm = rng.permutation(5)
    assert_close(layer(x[:, perm]), to_numpy(layer(x))[:, perm])


@pytest.mark.parametrize("element,aggregation", [c for c in CASES if ELEMENTS[c[0]][2] is not None])
@given(seed=st.integers(0, 10**6))
def test_equivariant_to_the_element_group(element, aggregation, seed):
    rng = np.random.default_rng(seed)
    layer, shape, action = make(element, aggregation)
    x = rng.normal(size=(2, 5) + shape).astype("float32")
    act_in, act_out = action(rng)
    assert_close(layer(act_in(x)), act_out(to_numpy(layer(x))))


@pytest.mark.parametrize("element,aggregation", CASES)
def test_masked_padding_does_not_change_real_outputs(rng, element, aggregation):
    layer, shape, _ = make(element, aggregation)
    x = rng.normal(size=(3, 5) + shape).astype("float32")
    mask = random_mask(rng, 3, 5)
    padded, padded_mask = pad_sets(rng, x, mask, 3)
    real = mask > 0
    assert_close(to_numpy(layer(padded, mask=padded_mask))[:, :5][real], to_numpy(layer(x, mask=mask))[real])


def _dense_weights(layer):
    w1 = to_numpy(layer.element.layer.kernel)
    b1 = to_numpy(layer.element.layer.bias)
    w2 = to_numpy(layer.aggregate.kernel) if hasattr(layer, "aggregate") else None
    return w1, b1, w2


@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_vector_elements_give_the_published_formulas(rng, aggregation):
    layer = DSSLayer(keras.layers.Dense(3), aggregation=aggregation)
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    y = to_numpy(layer(x))
    w1, b1, w2 = _dense_weights(layer)
    h = x @ w1 + b1
    expected = {
        "sum": lambda: h + x.sum(axis=1, keepdims=True) @ w2,  # = DeepSets: X Λ + 1 Σ(X) Γ
        "max": lambda: h + x.max(axis=1, keepdims=True) @ w2,
        "aittala": lambda: np.concatenate([h, np.broadcast_to(h.max(axis=1, keepdims=True), h.shape)], axis=-1),
        "sridhar": lambda: h - h.mean(axis=1, keepdims=True),
    }[aggregation]
    assert_close(y, expected())


def test_aggregate_copy_has_no_bias_and_aittala_doubles_channels(rng):
    layer = DSSLayer(CircularConv(4, 3), aggregation="sum")
    layer(rng.normal(size=(2, 3, 8, 1)).astype("float32"))
    assert layer.aggregate.use_bias is False and layer.element.layer.use_bias is True
    aittala = DSSLayer(CircularConv(4, 3), aggregation="aittala")
    assert aittala.compute_output_shape((2, 3, 8, 1)) == (2, 3, 8, 8)
    assert aittala(rng.normal(size=(2, 3, 8, 1)).astype("float32")).shape == (2, 3, 8, 8)


@pytest.mark.parametrize("aggregation", AGGREGATIONS)
@given(seed=st.integers(0, 10**6))
def test_graph_elements_equivariant_to_node_and_set_permutations(aggregation, seed):
    rng = np.random.default_rng(seed)
    layer = DSSLayer(GraphConv(4), aggregation=aggregation)
    x = rng.normal(size=(2, 3, 6, 2)).astype("float32")
    a = (rng.random((2, 6, 6)) < 0.4).astype("float32")
    a = np.maximum(a, a.transpose(0, 2, 1))
    y = to_numpy(layer(x, adjacency=a))
    nodes, elements = rng.permutation(6), rng.permutation(3)
    moved = layer(x[:, elements][:, :, nodes], adjacency=a[:, nodes][:, :, nodes])
    assert_close(moved, y[:, elements][:, :, nodes])


def test_unknown_aggregation_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown DSS aggregation 'mean'"):
        DSSLayer(keras.layers.Dense(3), aggregation="mean")


@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_config_round_trip_rebuilds_the_same_layer(rng, aggregation):
    layer = DSSLayer(CircularConv(4, 3, strides=2), aggregation=aggregation)
    x = rng.normal(size=(2, 3, 8, 1)).astype("float32")
    y = layer(x)
    clone = DSSLayer.from_config(layer.get_config())
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    assert_close(clone(x), y)
    assert clone.get_config() == layer.get_config()


@pytest.mark.parametrize("initializer,keeps_elements_apart", [(None, False), ("zeros", True)])
def test_zero_initialised_aggregate_keeps_deep_stacks_element_aware(rng, initializer, keeps_elements_apart):
    """With sum aggregation and batch norm, each layer shrinks the differences between elements by about n."""
    from zoo.layers import SetBlock

    blocks = [SetBlock(DSSLayer(keras.layers.Dense(16), "sum", aggregate_initializer=initializer), "batch", "relu")
              for _ in range(6)]
    h = rng.normal(size=(16, 8, 4)).astype("float32")
    for block in blocks:
        h = block(h, training=True)
    h = to_numpy(h)
    spread = h.std(axis=1).mean() / h.std()  # differences between the elements of a set, relative to all
    assert (spread > 0.1) == keeps_elements_apart


def test_clones_stay_distinct_while_keras_tracks_shared_objects():
    """Keras marks configs whose objects had the same id() as shared while it loads a model; ids of collected
    temporaries are reused, so a base-layer config can carry a `shared_object_id`. L1 and L2 must stay two layers."""
    from keras.src.saving.serialization_lib import ObjectSharingScope

    config = dict(keras.saving.serialize_keras_object(keras.layers.Conv2D(4, 3)), shared_object_id=12345)
    with ObjectSharingScope():
        layer = DSSLayer(config, aggregation="sum")
    assert layer.aggregate is not layer.element.layer and not layer.aggregate.use_bias
    layer.build((None, 3, 8, 8, 2))
    assert len(layer.weights) == 3  # L1 kernel and bias, L2 kernel
    assert "shared_object_id" not in layer.get_config()["base_layer"]


def test_the_two_copies_of_a_seeded_base_layer_start_different():
    layer = DSSLayer(keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=3)))
    layer.build((None, 5, 4))
    assert not np.allclose(to_numpy(layer.element.layer.kernel), to_numpy(layer.aggregate.kernel))
