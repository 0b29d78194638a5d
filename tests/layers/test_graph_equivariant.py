import itertools
import math

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, random_mask, to_numpy
from zoo.layers.graph_equivariant import EquivariantGraphLinear, basis, basis_size

ORDERS = [(1, 1), (1, 2), (2, 1), (2, 2)]
BELL = {(1, 1): 2, (1, 2): 5, (2, 1): 5, (2, 2): 15}


def permute(x, perm, order):
    """Permute the node axes (1, and 2 for an edge tensor) of `x`."""
    x = x[:, perm]
    return x[:, :, perm] if order == 2 else x


def pad_nodes(rng, x, mask, order, extra):
    """Append `extra` padding nodes: garbage (large random values) in every new row and column, masked out."""
    n = x.shape[1]
    padded = 100 * rng.normal(size=(x.shape[0],) + (n + extra,) * order + x.shape[-1:]).astype("float32")
    padded[(slice(None),) + (slice(n),) * order] = x
    return padded, np.concatenate([mask, np.zeros((x.shape[0], extra), "float32")], axis=1)


def single_op_layer(b, input_order, output_order, n):
    """A 1-channel layer without bias whose only nonzero kernel, 1, is that of basis operation `b`."""
    layer = EquivariantGraphLinear(1, input_order, output_order, use_bias=False)
    layer.build((None,) + (n,) * input_order + (1,))
    for i, kernel in enumerate(layer.kernels):
        kernel.assign(np.full((1, 1), float(i == b), "float32"))
    return layer


def op_matrix(b, input_order, output_order, n):
    """The matrix `(n^l, n^k)` of basis operation `b` on flattened tensors."""
    layer = single_op_layer(b, input_order, output_order, n)
    unit_inputs = np.eye(n**input_order, dtype="float32").reshape((-1,) + (n,) * input_order + (1,))
    return to_numpy(layer(unit_inputs)).reshape(n**input_order, n**output_order).T


def equivariant_projector(input_order, output_order, n):
    """Orthogonal projector onto the flattened linear maps `M` with `P_l M = M P_k` for every permutation: the
    average of `vec(M) -> vec(P_l M P_k^T)` over all n! permutations."""
    projector = 0
    for perm in itertools.permutations(range(n)):
        p = np.eye(n)[list(perm)]
        p_in = p if input_order == 1 else np.kron(p, p)
        p_out = p if output_order == 1 else np.kron(p, p)
        projector = projector + np.kron(p_out, p_in)
    return projector / math.factorial(n)


@pytest.mark.parametrize("input_order,output_order", ORDERS)
def test_basis_sizes_are_the_bell_numbers(input_order, output_order):
    assert basis_size(input_order, output_order) == BELL[input_order, output_order]
    assert len(set(basis(input_order, output_order))) == BELL[input_order, output_order]


@pytest.mark.parametrize("input_order,output_order", ORDERS)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 7))
def test_permuting_the_nodes_permutes_the_output(input_order, output_order, seed, n):
    rng = np.random.default_rng(seed)
    layer = EquivariantGraphLinear(4, input_order, output_order, activation="tanh", bias_initializer="random_normal")
    x = rng.normal(size=(2,) + (n,) * input_order + (3,)).astype("float32")
    mask = random_mask(rng, 2, n)
    perm = rng.permutation(n)
    expected = permute(to_numpy(layer(x, mask=mask)), perm, output_order)
    assert_close(layer(permute(x, perm, input_order), mask=mask[:, perm]), expected)


@pytest.mark.parametrize("n", [4, 5])
@pytest.mark.parametrize("input_order,output_order", ORDERS)
def test_the_basis_spans_every_equivariant_linear_map(input_order, output_order, n):
    projector = equivariant_projector(input_order, output_order, n)
    dimension = np.linalg.matrix_rank(projector)
    assert dimension == BELL[input_order, output_order]
    ops = np.stack([op_matrix(b, input_order, output_order, n).ravel()
                    for b in range(basis_size(input_order, output_order))])
    np.testing.assert_allclose(ops @ projector, ops, atol=1e-5)  # each op is equivariant
    assert np.linalg.matrix_rank(ops) == dimension  # and together they span all equivariant maps


@pytest.mark.parametrize("input_order,output_order", ORDERS)
def test_masked_padding_does_not_change_real_outputs_and_outputs_zero_there(rng, input_order, output_order):
    layer = EquivariantGraphLinear(5, input_order, output_order, activation="sigmoid", bias_initializer="ones")
    x = rng.normal(size=(3,) + (6,) * input_order + (4,)).astype("float32")
    mask = random_mask(rng, 3, 6)
    padded, padded_mask = pad_nodes(rng, x, mask, input_order, 3)
    out, out_padded = to_numpy(layer(x, mask=mask)), to_numpy(layer(padded, mask=padded_mask))
    real = (slice(None),) + (slice(6),) * output_order
    assert_close(out_padded[real], out)
    real_pairs = padded_mask if output_order == 1 else padded_mask[:, :, None] * padded_mask[:, None, :]
    assert np.all(out_padded[real_pairs == 0] == 0)
    assert np.all(out_padded[real_pairs > 0] > 0)  # sigmoid(·) > 0: zeroed after the activation, not before


@pytest.mark.parametrize("input_order,output_order", ORDERS)
def test_pooling_operations_are_means_over_the_real_nodes(rng, input_order, output_order):
    """On an all-ones input (garbage at padding), every op outputs 1 on its support and 0 elsewhere, whatever n."""
    mask = random_mask(rng, 3, 7)
    x = np.ones((3,) + (7,) * input_order + (1,), "float32")
    x, mask = pad_nodes(rng, x, mask, input_order, 2)
    for b in range(basis_size(input_order, output_order)):
        y = to_numpy(single_op_layer(b, input_order, output_order, 9)(x, mask=mask))
        assert np.all(np.isclose(y, 0, atol=1e-6) | np.isclose(y, 1, atol=1e-6)), basis(input_order, output_order)[b]
        assert np.isclose(y.max(), 1, atol=1e-6)


@pytest.mark.parametrize("input_order", [1, 2])
def test_zero_kernels_leave_the_diagonal_and_off_diagonal_biases(rng, input_order):
    layer = EquivariantGraphLinear(3, input_order, 2, kernel_initializer="zeros")
    x = rng.normal(size=(2,) + (5,) * input_order + (4,)).astype("float32")
    mask = random_mask(rng, 2, 5)
    layer.build(x.shape)
    diagonal, off_diagonal = rng.normal(size=(2, 3)).astype("float32")
    layer.diagonal_bias.assign(diagonal)
    layer.off_diagonal_bias.assign(off_diagonal)
    pairs = (mask[:, :, None] * mask[:, None, :])[..., None]
    eye = np.eye(5, dtype="float32")[:, :, None]
    assert_close(layer(x, mask=mask), pairs * (eye * diagonal + (1 - eye) * off_diagonal))


def test_wrong_input_shapes_are_clear_errors(rng):
    with pytest.raises(ValueError, match=r"expects \(batch, n, channels\)"):
        EquivariantGraphLinear(3, 1, 2)(rng.normal(size=(2, 5, 5, 1)).astype("float32"))
    with pytest.raises(ValueError, match=r"expects square \(batch, n, n, channels\)"):
        EquivariantGraphLinear(3, 2, 2)(rng.normal(size=(2, 5, 4, 1)).astype("float32"))
    with pytest.raises(ValueError, match="orders 1 and 2"):
        EquivariantGraphLinear(3, 3, 1)


def test_kernels_start_from_separate_draws_of_a_seeded_initializer():
    layer = EquivariantGraphLinear(4, 2, 2, kernel_initializer=keras.initializers.GlorotUniform(seed=1))
    layer.build((None, 5, 5, 3))
    kernels = [to_numpy(k) for k in layer.kernels]
    assert all(not np.allclose(a, b) for a, b in itertools.combinations(kernels, 2))


def test_config_round_trip():
    layer = EquivariantGraphLinear(7, 2, 1, activation="elu", use_bias=False, kernel_initializer="he_normal")
    assert EquivariantGraphLinear.from_config(layer.get_config()).get_config() == layer.get_config()


def test_keras_file_round_trip(tmp_path, rng):
    edges, mask = keras.Input((5, 5, 2)), keras.Input((5,))
    nodes = EquivariantGraphLinear(4, 2, 1, activation="relu", bias_initializer="random_normal")(edges, mask=mask)
    outputs = EquivariantGraphLinear(3, 1, 2, bias_initializer="random_normal")(nodes, mask=mask)
    model = keras.Model([edges, mask], outputs)
    x = [rng.normal(size=(2, 5, 5, 2)).astype("float32"), random_mask(rng, 2, 5)]
    model.save(tmp_path / "graph.keras")
    loaded = keras.saving.load_model(tmp_path / "graph.keras")
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))
