"""C_N group convolutions: exact equivariance to quarter turns (spatial turn + cyclic shift of the group axis),
the filter rotations they are built from, shape errors, and config / `.keras` round trips."""


import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, keras_file_round_trip, to_numpy
from zoo.layers.rotation import (
    RotationGroupConv2D,
    RotationLiftingConv2D,
    RotationMaxPooling2D,
    interpolation_matrix,
    quarter_turn_indices,
    rotate_features,
)

ORDERS = [4, 8]


def turn_images(x, turns):
    return np.ascontiguousarray(np.rot90(x, turns, axes=(1, 2)))


def turn_features(y, turns, group_order):
    """The expected action on C_N feature maps, in NumPy: turn the maps, roll the group axis by turns · N/4."""
    return np.roll(np.rot90(y, turns, axes=(1, 2)), turns * group_order // 4, axis=3)


def _scale(y):
    return max(float(np.abs(y).max()), 1.0)


@pytest.mark.parametrize("group_order", ORDERS)
@given(seed=st.integers(0, 10**6), height=st.integers(3, 11), width=st.integers(3, 11), turns=st.integers(1, 3),
       kernel_size=st.sampled_from([1, 3, 5]))
def test_lifting_conv_turns_and_shifts_with_the_image(group_order, seed, height, width, turns, kernel_size):
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    layer = RotationLiftingConv2D(3, group_order=group_order, kernel_size=kernel_size, activation="relu",
                                  bias_initializer="random_normal")
    x = rng.normal(size=(2, height, width, 2)).astype("float32")  # odd, even and non-square sizes alike
    y = to_numpy(layer(x))
    assert y.shape == (2, height, width, group_order, 3)
    assert_close(layer(turn_images(x, turns)), turn_features(y, turns, group_order), atol=1e-5 * _scale(y))


@pytest.mark.parametrize("group_order", ORDERS)
@given(seed=st.integers(0, 10**6), size=st.integers(3, 10), turns=st.integers(1, 3))
def test_group_conv_turns_and_shifts_with_its_input(group_order, seed, size, turns):
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    layer = RotationGroupConv2D(4, group_order=group_order, activation="tanh", bias_initializer="random_normal")
    x = rng.normal(size=(2, size, size + 1, group_order, 3)).astype("float32")
    y = to_numpy(layer(x))
    assert y.shape == (2, size, size + 1, group_order, 4)
    assert_close(layer(turn_features(x, turns, group_order)), turn_features(y, turns, group_order),
                 atol=1e-5 * _scale(y))


@pytest.mark.parametrize("group_order", [8])  # N = 4 at 28 × 28 with poolings: tests/models/test_cn_cnn.py
def test_a_stack_with_poolings_stays_exact_from_28_to_7(rng, group_order):
    layers = [RotationLiftingConv2D(4, group_order=group_order, activation="relu"), RotationMaxPooling2D(),
              RotationGroupConv2D(4, group_order=group_order, activation="relu"), RotationMaxPooling2D(),
              RotationGroupConv2D(5, group_order=group_order)]

    def stack(x):
        for layer in layers:
            x = layer(x)
        return to_numpy(x)

    x = rng.random((2, 28, 28, 1)).astype("float32")
    y = stack(x)
    assert y.shape == (2, 7, 7, group_order, 5)
    for turns in (1, 2, 3):
        assert_close(stack(turn_images(x, turns)), turn_features(y, turns, group_order), atol=1e-5 * _scale(y))


def test_negative_controls_a_plain_conv_and_a_group_conv_read_without_the_shift(rng):
    x = rng.normal(size=(2, 9, 9, 2)).astype("float32")
    conv = keras.layers.Conv2D(3, 3, padding="same")
    y = to_numpy(conv(x))
    assert np.abs(to_numpy(conv(turn_images(x, 1))) - turn_images(y, 1)).max() > 0.1  # a plain conv is not
    lift = RotationLiftingConv2D(3, group_order=4)
    y = to_numpy(lift(x))
    assert np.abs(to_numpy(lift(turn_images(x, 1))) - turn_images(y, 1)).max() > 0.1  # the shift is needed
    group = RotationGroupConv2D(3, group_order=4)
    features = rng.normal(size=(2, 9, 9, 4, 2)).astype("float32")
    y = to_numpy(group(features))
    unshifted = np.ascontiguousarray(np.rot90(features, 1, axes=(1, 2)))  # turned maps, group axis not rolled
    assert np.abs(to_numpy(group(unshifted)) - turn_features(y, 1, 4)).max() > 0.1


def test_rotate_features_is_the_numpy_group_action(rng):
    y = rng.normal(size=(2, 5, 6, 8, 3)).astype("float32")
    for turns in range(-1, 5):
        np.testing.assert_array_equal(to_numpy(rotate_features(y, turns, 8)), turn_features(y, turns % 4, 8))


def test_quarter_turns_of_the_filter_are_exact_index_flips_and_45_degrees_is_interpolated(rng):
    for k in (1, 3, 5):
        for turns in range(4):
            permutation = np.eye(k * k)[quarter_turn_indices(k, turns)]
            np.testing.assert_allclose(interpolation_matrix(k, turns * np.pi / 2), permutation, atol=1e-12)
    layer = RotationLiftingConv2D(2, group_order=8)
    layer.build((None, 7, 7, 1))
    kernels = to_numpy(layer.stacked_kernel()).reshape(3, 3, 1, 8, 2)
    psi = to_numpy(layer.kernel)
    for r in range(8):  # block r + 2 (90° more) is block r turned by np.rot90, exactly
        np.testing.assert_array_equal(kernels[..., (r + 2) % 8, :], np.rot90(kernels[..., r, :]))
    np.testing.assert_array_equal(kernels[..., 0, :], psi)
    turned = np.einsum("pq,qco->pco", interpolation_matrix(3, np.pi / 4), psi.reshape(9, 1, 2)).reshape(3, 3, 1, 2)
    assert_close(kernels[..., 1, :], turned, atol=1e-6)
    assert np.abs(kernels[1, 1, :, 1] - psi[1, 1]).max() < 1e-6  # the centre tap stays put
    assert not np.allclose(kernels[..., 1, :], psi)


def test_the_group_conv_filter_is_turned_and_cyclically_shifted():
    layer = RotationGroupConv2D(2, group_order=4)
    layer.build((None, 5, 5, 4, 3))
    kernels = to_numpy(layer.stacked_kernel()).reshape(3, 3, 4, 3, 4, 2)  # (k, k, t, c_in, r, c_out)
    psi = to_numpy(layer.kernel)  # (k, k, t, c_in, c_out)
    for r in range(4):
        np.testing.assert_array_equal(kernels[..., r, :], np.roll(np.rot90(psi, r), r, axis=2))


def test_pooling_halves_even_maps_and_refuses_odd_ones(rng):
    x = rng.normal(size=(2, 6, 4, 4, 3)).astype("float32")
    y = to_numpy(RotationMaxPooling2D()(x))
    np.testing.assert_array_equal(y, x.reshape(2, 3, 2, 2, 2, 4, 3).max(axis=(2, 4)))
    with pytest.raises(ValueError, match="even height and width"):
        RotationMaxPooling2D()(rng.normal(size=(2, 7, 7, 4, 3)).astype("float32"))


def test_bad_shapes_and_arguments_are_clear_errors(rng):
    with pytest.raises(ValueError, match=r"expects images \(batch, H, W, channels\)"):
        RotationLiftingConv2D(3)(rng.normal(size=(2, 5, 5, 4, 1)).astype("float32"))
    with pytest.raises(ValueError, match=r"expects C_N feature maps"):
        RotationGroupConv2D(3)(rng.normal(size=(2, 5, 5, 1)).astype("float32"))
    with pytest.raises(ValueError, match="group_order N = 8 but its input has 4 entries"):
        RotationGroupConv2D(3, group_order=8)(rng.normal(size=(2, 5, 5, 4, 1)).astype("float32"))
    with pytest.raises(ValueError, match="multiple of 4"):
        RotationLiftingConv2D(3, group_order=6)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        RotationGroupConv2D(3, kernel_size=4)


@pytest.mark.parametrize("cls", [RotationLiftingConv2D, RotationGroupConv2D])
def test_config_round_trip(cls):
    layer = cls(7, group_order=8, kernel_size=5, activation="elu", use_bias=False,
                kernel_initializer=keras.initializers.HeNormal(seed=3))
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    pooling = RotationMaxPooling2D()
    assert RotationMaxPooling2D.from_config(pooling.get_config()).get_config() == pooling.get_config()


def test_seeded_initializers_are_reproducible():
    def kernel():
        layer = RotationGroupConv2D(3, kernel_initializer=keras.initializers.GlorotUniform(seed=1))
        layer.build((None, 5, 5, 4, 2))
        return to_numpy(layer.kernel)

    np.testing.assert_array_equal(kernel(), kernel())


def test_keras_file_round_trip(tmp_path, rng):
    inputs = keras.Input((8, 8, 1))
    x = RotationLiftingConv2D(3, group_order=8, activation="relu", bias_initializer="random_normal")(inputs)
    x = RotationMaxPooling2D()(x)
    outputs = RotationGroupConv2D(2, group_order=8)(x)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "rotation.keras"
    loaded = keras_file_round_trip(model, path)
    x = rng.random((2, 8, 8, 1)).astype("float32")
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))
