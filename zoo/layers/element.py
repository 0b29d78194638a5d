"""Element layers equivariant to circular translations: the base layers of DSS for signals and images."""

import math

import keras
import numpy as np
from keras import ops


def circular_pad(x, kernel_size, axes):
    """Pad each axis in `axes` circularly: `k // 2` values on the left and `(k - 1) // 2` on the right.

    This is the split that makes a stride-1 VALID convolution of a length-L input return L outputs, each centred on
    its input position (old PyTorch versions split it unevenly). Padding wider than the input wraps more than once.
    """
    for axis, k in zip(axes, kernel_size):
        length = x.shape[axis]
        indices = ops.arange(-(k // 2), length + (k - 1) // 2) % length
        x = ops.take(x, indices, axis=axis)
    return x


@keras.saving.register_keras_serializable(package="zoo")
class CircularConv(keras.layers.Layer):
    """N-D convolution with circular padding: equivariant to circular translations of the element.

    `y = conv_valid(circular_pad(x), W) + b`. With stride s, shifting the input by `s·t` positions along an axis
    (whose length is divisible by s) shifts the output by t positions: exact equivariance to the circular
    translations C_L (stride 1) or to its subgroup of shifts by multiples of s.

    A circular convolution is a product of Fourier transforms, so where that costs far fewer operations (signals
    with long kernels over many channels, such as the DSS signal models' kernels of 50 steps over 160 channels) the
    layer computes it as one: `rfft` of the input, a matrix product per frequency, `irfft`, every s-th output kept.
    The function is the same (float32 round-off aside, ≈ 1e-6 of the output's scale); training steps of the DSS
    signal models at the paper's widths run ≈ 3.6× faster on TensorFlow and ≈ 30× faster under XLA on the CPU
    (`evaluation/benchmark.py`). `fft_pays_off` decides per input shape; nothing about it is saved.

    Args:
        filters: output channels.
        kernel_size: int or tuple, one per spatial axis.
        strides: int or tuple.
        rank: number of spatial axes (1 for signals, 2 for images).
        use_bias: add a bias per output channel.
        kernel_initializer, bias_initializer: initialisers.

    Input shape: `(batch, *spatial, channels)` with `rank` spatial axes.
    Output shape: `(batch, *ceil(spatial / strides), filters)`.

    Example:
    >>> CircularConv(8, 5, strides=2)(keras.random.normal((4, 100, 1))).shape
    (4, 50, 8)
    """

    def __init__(self, filters, kernel_size, strides=1, rank=1, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.rank = int(rank)
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"CircularConv(rank={self.rank}) expects (batch, *{self.rank} spatial axes, channels); "
                             f"got shape {input_shape}.")
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (input_shape[-1], self.filters),
                                      initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer)

    def call(self, inputs):
        if self.fft_pays_off(inputs.shape):
            outputs = self._fourier_conv(inputs)
        else:
            padded = circular_pad(inputs, self.kernel_size, axes=range(1, self.rank + 1))
            outputs = ops.conv(padded, self.kernel, strides=self.strides, padding="valid")
        return outputs + self.bias if self.use_bias else outputs

    def fft_pays_off(self, input_shape):
        """True when the Fourier form of this 1-D float32 convolution needs under half the multiply-adds of the
        direct one on inputs of `input_shape` (length known): `k·L/s·Cin·Cout` against `4·(L/2 + 1)·Cin·Cout` for
        the products plus ≈ `5·L·log2(L)` per input and output channel for the transforms."""
        length = input_shape[1]
        if self.rank != 1 or length is None or self.compute_dtype != "float32":
            return False
        channels_in, channels_out = input_shape[-1], self.filters
        direct = self.kernel_size[0] * math.ceil(length / self.strides[0]) * channels_in * channels_out
        fourier = (4 * (length // 2 + 1) * channels_in * channels_out
                   + 5 * length * math.log2(max(length, 2)) * (channels_in + channels_out))
        return direct > 2 * fourier

    def _fourier_conv(self, inputs):
        """The 1-D convolution through `rfft`: `y[t] = Σ_j W[j] x[(s·t + j − k // 2) mod L]` is the circular
        cross-correlation of x with the kernel folded onto L positions, whose transform is `X(f) · conj(U(f))`.

        Input `(batch, L, Cin)`; output `(batch, ceil(L / s), Cout)`, without the bias.
        """
        length, size, stride = inputs.shape[1], self.kernel_size[0], self.strides[0]
        fold = np.zeros((length, size), "float32")  # tap j lands on shift (j − k // 2) mod L
        fold[(np.arange(size) - size // 2) % length, np.arange(size)] = 1.0
        folded = ops.einsum("mk,kio->iom", fold, self.kernel)  # (Cin, Cout, L)
        u_real, u_imag = ops.rfft(folded)  # (Cin, Cout, F)
        x_real, x_imag = ops.rfft(ops.transpose(inputs, (0, 2, 1)))  # (batch, Cin, F)
        # [Re Y, Im Y] = [Re X, Im X] @ [[Re U, −Im U], [Im U, Re U]], one real product per frequency.
        x = ops.transpose(ops.concatenate([x_real, x_imag], axis=1), (2, 0, 1))  # (F, batch, 2 Cin)
        u = ops.concatenate([ops.concatenate([u_real, -u_imag], axis=1),
                             ops.concatenate([u_imag, u_real], axis=1)], axis=0)  # (2 Cin, 2 Cout, F)
        y = ops.transpose(ops.matmul(x, ops.transpose(u, (2, 0, 1))), (1, 2, 0))  # (batch, 2 Cout, F)
        outputs = ops.irfft((y[:, : self.filters], y[:, self.filters:]), fft_length=length)  # (batch, Cout, L)
        return ops.transpose(outputs[:, :, ::stride], (0, 2, 1))

    def compute_output_shape(self, input_shape):
        spatial = [None if size is None else -(-size // s) for size, s in zip(input_shape[1:-1], self.strides)]
        return (input_shape[0], *spatial, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "rank": self.rank,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


def _tuple(value, rank, name):
    value = (value,) * rank if isinstance(value, int) else tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"{name} needs {rank} values; got {value}.")
    return value


def element_conv(filters, kernel_size, rank=2, padding="same", strides=1):
    """The convolution base layer for signal (rank 1) or image (rank 2) elements.

    `padding="circular"` gives a `CircularConv` (exactly equivariant to circular translations); `"same"` and
    `"valid"` give Keras's `Conv1D` / `Conv2D` (translation-equivariant away from the borders).
    """
    if padding == "circular":
        return CircularConv(filters, kernel_size, strides=strides, rank=rank)
    conv = {1: keras.layers.Conv1D, 2: keras.layers.Conv2D}[rank]
    return conv(filters, kernel_size, strides=strides, padding=padding)
