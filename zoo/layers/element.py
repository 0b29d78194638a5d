"""Element layers equivariant to circular translations: the base layers of DSS for signals and images."""

import keras
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
        padded = circular_pad(inputs, self.kernel_size, axes=range(1, self.rank + 1))
        outputs = ops.conv(padded, self.kernel, strides=self.strides, padding="valid")
        return outputs + self.bias if self.use_bias else outputs

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
