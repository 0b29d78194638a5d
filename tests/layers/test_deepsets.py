import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, pad_sets, random_mask, to_numpy
from zoo.layers import DeepSetsEquivariant, SetPooling

FORMS = [(pool, single) for pool in ("sum", "mean", "max") for single in (False, True)]


@pytest.mark.parametrize("pool,single_matrix", FORMS)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 9))
def test_permuting_the_set_permutes_the_output(pool, single_matrix, seed, n):
    rng = np.random.default_rng(seed)
    layer = DeepSetsEquivariant(5, pool=pool, single_matrix=single_matrix, activation="tanh")
    x = rng.normal(size=(3, n, 4)).astype("float32")
    perm = rng.permutation(n)
    assert_close(layer(x[:, perm]), to_numpy(layer(x))[:, perm])


@pytest.mark.parametrize("pool,single_matrix", FORMS)
def test_masked_padding_does_not_change_real_outputs(rng, pool, single_matrix):
    layer = DeepSetsEquivariant(5, pool=pool, single_matrix=single_matrix)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = random_mask(rng, 3, 6)
    padded, padded_mask = pad_sets(rng, x, mask, 4)
    out, out_padded = to_numpy(layer(x, mask=mask)), to_numpy(layer(padded, mask=padded_mask))
    real = mask > 0
    assert_close(out_padded[:, :6][real], out[real])


def test_lambda_gamma_form_is_the_published_formula(rng):
    layer = DeepSetsEquivariant(3, pool="mean")
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    y = to_numpy(layer(x))
    lam, gamma, bias = (to_numpy(w) for w in (layer.lam, layer.gamma, layer.bias))
    assert_close(y, x @ lam + x.mean(axis=1, keepdims=True) @ gamma + bias)


def test_single_matrix_form_is_the_published_formula(rng):
    layer = DeepSetsEquivariant(3, pool="max", single_matrix=True)
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    y = layer(x)
    gamma, beta = to_numpy(layer.gamma), to_numpy(layer.bias)
    assert_close(y, beta + (x - x.max(axis=1, keepdims=True)) @ gamma)


@pytest.mark.parametrize("pool", ["sum", "mean", "max"])
@given(seed=st.integers(0, 10**6))
def test_set_pooling_is_invariant_and_ignores_padding(pool, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    mask = random_mask(rng, 2, 6)
    layer = SetPooling(pool)
    perm = rng.permutation(6)
    assert_close(layer(x[:, perm], mask=mask[:, perm]), layer(x, mask=mask))
    padded, padded_mask = pad_sets(rng, x, mask, 3)
    assert_close(layer(padded, mask=padded_mask), layer(x, mask=mask))


def test_wrong_input_rank_is_a_clear_error(rng):
    with pytest.raises(ValueError, match=r"expects \(batch, n, features\)"):
        DeepSetsEquivariant(3)(rng.normal(size=(2, 5, 4, 1)).astype("float32"))


def test_config_round_trip():
    layer = DeepSetsEquivariant(7, pool="max", single_matrix=True, activation="elu", use_bias=False)
    assert DeepSetsEquivariant.from_config(layer.get_config()).get_config() == layer.get_config()


def test_lambda_and_gamma_start_from_separate_draws_of_a_seeded_initializer():
    import keras

    def weights():
        layer = DeepSetsEquivariant(4, kernel_initializer=keras.initializers.GlorotUniform(seed=1))
        layer.build((None, 5, 3))
        return to_numpy(layer.lam), to_numpy(layer.gamma)

    lam, gamma = weights()
    assert not np.allclose(lam, gamma)  # one seeded instance would start them identical
    again = weights()
    np.testing.assert_array_equal(lam, again[0])  # still reproducible from the seed
    np.testing.assert_array_equal(gamma, again[1])
