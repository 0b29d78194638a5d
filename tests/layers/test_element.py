import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, to_numpy
from zoo.layers import CircularConv
from zoo.layers.element import circular_pad


def reference_circular_conv1d(x, kernel, stride):
    """Direct loop: y[t] = Σ_j Σ_c x[(s·t + j − k//2) mod L, c] · W[j, c, :]."""
    batch, length, _ = x.shape
    k = kernel.shape[0]
    out = []
    for t in range(0, length, stride):
        idx = (t + np.arange(k) - k // 2) % length
        out.append(np.einsum("bjc,jco->bo", x[:, idx], kernel))
    return np.stack(out, axis=1)


@pytest.mark.parametrize("kernel_size,strides", [(5, 1), (4, 2), (100, 2), (7, 1)])
def test_circular_conv1d_matches_reference_loop(rng, kernel_size, strides):
    x = rng.normal(size=(2, 20, 3)).astype("float32")
    layer = CircularConv(4, kernel_size, strides=strides, use_bias=False)
    y = to_numpy(layer(x))
    assert y.shape == (2, -(-20 // strides), 4)
    assert_close(y, reference_circular_conv1d(x, to_numpy(layer.kernel), strides))


@pytest.mark.parametrize("length,kernel_size,strides", [(24, 24, 1), (24, 24, 2), (25, 25, 2), (18, 40, 3)])
def test_fourier_path_matches_reference_loop(rng, length, kernel_size, strides):
    x = rng.normal(size=(3, length, 24)).astype("float32")
    layer = CircularConv(32, kernel_size, strides=strides)
    layer.build(x.shape)
    assert layer.fft_pays_off(x.shape)
    y = to_numpy(layer(x))
    assert y.shape == (3, -(-length // strides), 32)
    expected = reference_circular_conv1d(x, to_numpy(layer.kernel), strides) + to_numpy(layer.bias)
    assert_close(y, expected, atol=1e-4 * np.abs(expected).max())


@given(shift=st.integers(0, 11), seed=st.integers(0, 10**6))
def test_fourier_path_is_equivariant_to_shifts_by_multiples_of_the_stride(shift, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 24, 24)).astype("float32")
    layer = CircularConv(32, 24, strides=2)
    assert layer.fft_pays_off(x.shape)
    y = to_numpy(layer(x))
    assert_close(layer(np.roll(x, 2 * shift, axis=1)), np.roll(y, shift, axis=1), atol=1e-4 * np.abs(y).max())


def test_the_direct_path_stays_where_the_fourier_one_would_not_pay_off():
    assert not CircularConv(4, 5).fft_pays_off((2, 20, 3))  # short kernel, few channels
    assert not CircularConv(160, 100, strides=2).fft_pays_off((2, 100, 1))  # one input channel (signals' first conv)
    assert CircularConv(160, 50, strides=2).fft_pays_off((2, 50, 160))  # the signals models' second conv
    assert not CircularConv(32, 24).fft_pays_off((2, None, 24))  # length unknown until called
    assert not CircularConv(32, 8, rank=2).fft_pays_off((2, 16, 16, 24))  # images keep the direct conv


def test_padding_wider_than_the_input_wraps_around():
    x = np.arange(3, dtype="float32").reshape(1, 3, 1)
    padded = to_numpy(circular_pad(x, (8,), axes=(1,)))
    assert padded[0, :, 0].tolist() == [2, 0, 1, 2, 0, 1, 2, 0, 1, 2]


@given(shift=st.integers(0, 23), seed=st.integers(0, 10**6))
def test_stride1_circular_conv1d_is_shift_equivariant(shift, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 24, 2)).astype("float32")
    layer = CircularConv(3, 5)
    assert_close(layer(np.roll(x, shift, axis=1)), np.roll(to_numpy(layer(x)), shift, axis=1))


@given(shift=st.integers(0, 11), seed=st.integers(0, 10**6))
def test_strided_circular_conv_is_equivariant_to_shifts_by_multiples_of_the_stride(shift, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 24, 2)).astype("float32")
    layer = CircularConv(3, 6, strides=2)
    assert_close(layer(np.roll(x, 2 * shift, axis=1)), np.roll(to_numpy(layer(x)), shift, axis=1))


@given(dy=st.integers(0, 7), dx=st.integers(0, 7), seed=st.integers(0, 10**6))
def test_circular_conv2d_is_equivariant_to_2d_shifts(dy, dx, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    layer = CircularConv(4, 3, rank=2)
    assert_close(layer(np.roll(x, (dy, dx), axis=(1, 2))), np.roll(to_numpy(layer(x)), (dy, dx), axis=(1, 2)))


def test_wrong_rank_is_a_clear_error(rng):
    with pytest.raises(ValueError, match=r"CircularConv\(rank=2\) expects"):
        CircularConv(4, 3, rank=2)(rng.normal(size=(2, 8, 3)).astype("float32"))


def test_config_round_trip():
    layer = CircularConv(4, (3, 5), strides=(1, 2), rank=2, use_bias=False)
    clone = CircularConv.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
