"""C_N group convolutions on images (Cohen & Welling, 2016): convolutions whose filter is applied in N rotated
copies, so that rotating the input image rotates the feature maps and cyclically shifts their group axis.

Feature maps of the group are `(batch, H, W, N, channels)`: axis 3 holds one map per rotation r · 360°/N of the
filter. N is a multiple of 4, so that the quarter turns are in the group and exact on the pixel grid.

Exactness (rotation by 90° about the image centre, `np.rot90(x, k, axes=(1, 2))`):

- Rotations of the filter by multiples of 90° are index flips (`rot90` of the kernel), exact. For N = 4 every
  rotation is one. For N = 8 (or 12, 16, ...) the rotations inside the first quarter (45°, or 30° and 60°, ...)
  are a fixed bilinear interpolation matrix applied to the k × k filter (taps whose source falls outside the
  filter are zero); the other rotations are quarter turns of those, so only the C_4 subgroup is exact: turning
  the image by 45° does not rotate the feature maps exactly (the pixel grid itself has no 45° symmetry).
- Convolutions use stride 1, `padding="same"` and an odd `kernel_size`, so the zero padding is symmetric and a
  quarter turn of the input commutes with the convolution for images of any size, square or not (the pixel grid
  of an H × W image turned by 90° is the W × H grid). Even kernels would pad one side more than the other and
  are refused.
- `RotationMaxPooling2D` (2 × 2, stride 2) is exact only on maps of even height and width: then its windows tile
  the grid and a quarter turn maps windows onto windows (28 → 14 → 7 stays exact; a third pooling of 7 × 7 would
  drop one row and one column, different ones after a turn, and is refused).
- Global pooling over space (mean or max over H, W) is exactly invariant to the turn, leaving a `(batch, N, c)`
  latent that a quarter turn shifts cyclically by N/4 along its group axis.
"""

import keras
import numpy as np
from keras import ops

from zoo.layers.base import clone_initializer


def _check_group_order(group_order):
    group_order = int(group_order)
    if group_order < 4 or group_order % 4:
        raise ValueError(f"group_order must be a positive multiple of 4 (so that quarter turns are exact on the pixel "
                         f"grid); got {group_order}.")
    return group_order


def _check_kernel_size(kernel_size):
    kernel_size = int(kernel_size)
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be odd (symmetric 'same' padding keeps turns exact); got {kernel_size}.")
    return kernel_size


def quarter_turn_indices(kernel_size, turns):
    """Flat indices `idx` such that `flat_filter[idx]` is the k × k filter turned by `turns` × 90° like
    `np.rot90(filter, turns)` (counter-clockwise as displayed, rows first)."""
    grid = np.arange(kernel_size * kernel_size).reshape(kernel_size, kernel_size)
    return np.rot90(grid, turns).reshape(-1)


def interpolation_matrix(kernel_size, angle):
    """The `(k², k²)` matrix `B` of a bilinear rotation of a k × k filter by `angle` radians about its centre, in the
    sense of `np.rot90`: `(B @ flat_filter)` is the turned filter. Taps whose source lies outside the filter get
    zero weight from there. For a multiple of 90° it is the exact permutation of `quarter_turn_indices`."""
    centre = (kernel_size - 1) / 2
    cos, sin = np.cos(angle), np.sin(angle)
    matrix = np.zeros((kernel_size * kernel_size, kernel_size * kernel_size))
    for i in range(kernel_size):
        for j in range(kernel_size):
            y, x = i - centre, j - centre
            # np.rot90 sends the source (x, -y) to (y, x); a turn by `angle` reads the filter at R(-angle) (y, x)
            source_y, source_x = y * cos + x * sin + centre, x * cos - y * sin + centre
            source_y, source_x = np.round(source_y, 12), np.round(source_x, 12)  # cos(90°) is 6e-17, not 0
            top, left = int(np.floor(source_y)), int(np.floor(source_x))
            dy, dx = source_y - top, source_x - left
            for row, col, weight in ((top, left, (1 - dy) * (1 - dx)), (top, left + 1, (1 - dy) * dx),
                                     (top + 1, left, dy * (1 - dx)), (top + 1, left + 1, dy * dx)):
                if weight > 0 and 0 <= row < kernel_size and 0 <= col < kernel_size:
                    matrix[i * kernel_size + j, row * kernel_size + col] += weight
    return matrix


def rotate_filters(kernel, group_order, kernel_size):
    """The N rotated copies of a flattened filter bank `kernel` `(k², ...)`: a list of N tensors `(k², ...)`, copy r
    turned by r · 360°/N. Turns by multiples of 90° are index flips; the others apply a bilinear interpolation matrix
    within the first quarter, then index flips (so copy r + N/4 is exactly copy r turned by 90°)."""
    quarter = group_order // 4
    bases = [kernel]
    for j in range(1, quarter):
        matrix = ops.convert_to_tensor(interpolation_matrix(kernel_size, 2 * np.pi * j / group_order).astype("float32"),
                                       dtype=kernel.dtype)
        bases.append(ops.tensordot(matrix, kernel, axes=1))
    return [ops.take(bases[r % quarter], quarter_turn_indices(kernel_size, r // quarter), axis=0)
            for r in range(group_order)]


def rotate_features(features, turns, group_order):
    """The group action on C_N feature maps `(batch, H, W, N, c)`: turn the maps by `turns` × 90° (as
    `np.rot90(·, turns, axes=(1, 2))` turns the images) and shift the group axis cyclically by `turns` · N/4.

    (Flips and transposes rather than `keras.ops.rot90`, which turns non-square maps wrongly by 180° on the
    TensorFlow backend of Keras 3.15.)

    Example:
    >>> layer = RotationLiftingConv2D(4, group_order=4)
    >>> x = keras.random.normal((1, 9, 9, 1))
    >>> turned = layer(ops.swapaxes(ops.flip(x, axis=2), 1, 2))  # x turned by 90°, as np.rot90(x, 1, axes=(1, 2))
    >>> # turned equals rotate_features(layer(x), 1, 4) up to float error
    """
    turns = turns % 4
    if turns == 2:
        features = ops.flip(ops.flip(features, axis=1), axis=2)
    elif turns == 1:
        features = ops.swapaxes(ops.flip(features, axis=2), 1, 2)
    elif turns == 3:
        features = ops.flip(ops.swapaxes(features, 1, 2), axis=2)
    return ops.roll(features, turns * (group_order // 4), axis=3)


class _RotationConv(keras.layers.Layer):
    """What the lifting and group convolutions share: arguments, bias, activation, config."""

    def __init__(self, filters, group_order=4, kernel_size=3, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.group_order = _check_group_order(group_order)
        self.kernel_size = _check_kernel_size(kernel_size)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def _add_weights(self, kernel_shape):
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape,
                                      initializer=clone_initializer(self.kernel_initializer))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=clone_initializer(self.bias_initializer))

    def _convolve(self, images, kernel):
        """`images (batch, H, W, channels)` convolved with the stacked rotated `kernel (k, k, channels, N · filters)`,
        reshaped to `(batch, H, W, N, filters)`, plus the bias shared by the N rotations, through the activation."""
        outputs = ops.conv(images, kernel, strides=1, padding="same", data_format="channels_last")
        shape = ops.shape(outputs)
        outputs = ops.reshape(outputs, (shape[0], shape[1], shape[2], self.group_order, self.filters))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "group_order": self.group_order,
            "kernel_size": self.kernel_size,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


@keras.saving.register_keras_serializable(package="zoo")
class RotationLiftingConv2D(_RotationConv):
    """Lifting convolution from images to C_N feature maps: one output block per rotation of the filter.

    `f(x)[p, r, o] = σ(b_o + Σ_q Σ_c x[p + q, c] · (R_r ψ)[q, c, o])`, with `R_r` the turn of the k × k filter
    `ψ` by r · 360°/N (stride 1, zero `"same"` padding, odd k).

    Turning the image by 90° turns every output map by 90° and shifts the group axis cyclically by N/4:
    `f(rot90(x)) = rotate_features(f(x), 1, N)`, exactly for N = 4 and for the C_4 subgroup of larger N (the other
    filter rotations are bilinear interpolations, see the module docstring).

    Args:
        filters: output channels per rotation (c_out).
        group_order: N, a multiple of 4.
        kernel_size: odd filter size k.
        activation: activation σ (pointwise, so it keeps the equivariance).
        use_bias: add the bias b (one per output channel, shared by the N rotations).
        kernel_initializer, bias_initializer: initialisers of ψ and b.

    Input shape: `(batch, H, W, c_in)`.
    Output shape: `(batch, H, W, N, filters)`.

    Example:
    >>> layer = RotationLiftingConv2D(8, group_order=4)
    >>> layer(keras.random.normal((2, 28, 28, 1))).shape
    (2, 28, 28, 4, 8)
    """

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"RotationLiftingConv2D expects images (batch, H, W, channels); got shape {input_shape}.")
        if input_shape[-1] is None:
            raise ValueError(f"RotationLiftingConv2D needs a known number of input channels; got shape {input_shape}.")
        self._add_weights((self.kernel_size, self.kernel_size, input_shape[-1], self.filters))

    def stacked_kernel(self):
        """The N rotated filters side by side: `(k, k, c_in, N · filters)`, rotation-major."""
        k = self.kernel_size
        channels = self.kernel.shape[2]
        flat = ops.reshape(self.kernel, (k * k, channels, self.filters))
        rotated = ops.stack(rotate_filters(flat, self.group_order, k), axis=-2)  # (k², c_in, N, filters)
        return ops.reshape(rotated, (k, k, channels, self.group_order * self.filters))

    def call(self, inputs):
        return self._convolve(inputs, self.stacked_kernel())

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:3]) + (self.group_order, self.filters)


@keras.saving.register_keras_serializable(package="zoo")
class RotationGroupConv2D(_RotationConv):
    """Group convolution on C_N feature maps: the filter is turned spatially and its group axis shifted cyclically.

    `f(x)[p, r, o] = σ(b_o + Σ_q Σ_t Σ_c x[p + q, t, c] · (R_r ψ)[q, (t − r) mod N, c, o])`, with `R_r` the turn of
    the k × k filter `ψ (k, k, N, c_in, c_out)` by r · 360°/N (stride 1, zero `"same"` padding, odd k).

    Turning the input maps by 90° and shifting their group axis by N/4 (`rotate_features(x, 1, N)`) does the same
    to the output, exactly for N = 4 and for the C_4 subgroup of larger N (see the module docstring).

    Args:
        filters: output channels per rotation (c_out).
        group_order: N, a multiple of 4; the input's axis 3 must have N entries.
        kernel_size: odd filter size k.
        activation: activation σ (pointwise, so it keeps the equivariance).
        use_bias: add the bias b (one per output channel, shared by the N rotations).
        kernel_initializer, bias_initializer: initialisers of ψ and b.

    Input shape: `(batch, H, W, N, c_in)`.
    Output shape: `(batch, H, W, N, filters)`.

    Example:
    >>> layer = RotationGroupConv2D(16, group_order=4)
    >>> layer(keras.random.normal((2, 14, 14, 4, 8))).shape
    (2, 14, 14, 4, 16)
    """

    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError(f"RotationGroupConv2D expects C_N feature maps (batch, H, W, N, channels); got shape "
                             f"{input_shape}.")
        if input_shape[3] != self.group_order:
            raise ValueError(f"RotationGroupConv2D has group_order N = {self.group_order} but its input has "
                             f"{input_shape[3]} entries on the group axis (axis 3); got shape {input_shape}.")
        if input_shape[-1] is None:
            raise ValueError(f"RotationGroupConv2D needs a known number of input channels; got shape {input_shape}.")
        self._add_weights((self.kernel_size, self.kernel_size, self.group_order, input_shape[-1], self.filters))

    def stacked_kernel(self):
        """The N turned and shifted filters side by side: `(k, k, N · c_in, N · filters)`, group-major on both."""
        k, n = self.kernel_size, self.group_order
        channels = self.kernel.shape[3]
        flat = ops.reshape(self.kernel, (k * k, n, channels, self.filters))
        rotated = [ops.take(turned, (np.arange(n) - r) % n, axis=1)  # (R_r ψ)[q, (t − r) mod N]
                   for r, turned in enumerate(rotate_filters(flat, n, k))]
        stacked = ops.stack(rotated, axis=-2)  # (k², N, c_in, N, filters)
        return ops.reshape(stacked, (k, k, n * channels, n * self.filters))

    def call(self, inputs):
        shape = ops.shape(inputs)
        images = ops.reshape(inputs, (shape[0], shape[1], shape[2], self.group_order * self.kernel.shape[3]))
        return self._convolve(images, self.stacked_kernel())

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:3]) + (self.group_order, self.filters)


@keras.saving.register_keras_serializable(package="zoo")
class RotationMaxPooling2D(keras.layers.Layer):
    """Spatial 2 × 2 max-pooling with stride 2 of C_N feature maps, the same for every group channel.

    `f(x)[p, r, c] = max_{δ ∈ {0, 1}²} x[2p + δ, r, c]`. It commutes with quarter turns (`rotate_features`) only
    when H and W are even, so odd sizes are refused: 28 → 14 → 7 is exact, 7 → 3 would not be.

    Input shape: `(batch, H, W, N, c)` with H, W even.
    Output shape: `(batch, H / 2, W / 2, N, c)`.

    Example:
    >>> RotationMaxPooling2D()(keras.random.normal((2, 28, 28, 4, 8))).shape
    (2, 14, 14, 4, 8)
    """

    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError(f"RotationMaxPooling2D expects C_N feature maps (batch, H, W, N, channels); got shape "
                             f"{input_shape}.")
        for size in input_shape[1:3]:
            if size is not None and size % 2:
                raise ValueError(f"RotationMaxPooling2D pools maps of even height and width only (2 × 2 windows then "
                                 f"tile the grid and commute with 90° turns); got shape {input_shape}.")

    def call(self, inputs):
        shape = ops.shape(inputs)
        merged = ops.reshape(inputs, (shape[0], shape[1], shape[2], shape[3] * shape[4]))
        pooled = ops.max_pool(merged, pool_size=2, strides=2, padding="valid", data_format="channels_last")
        pooled_shape = ops.shape(pooled)
        return ops.reshape(pooled, (pooled_shape[0], pooled_shape[1], pooled_shape[2], shape[3], shape[4]))

    def compute_output_shape(self, input_shape):
        halve = [None if size is None else size // 2 for size in input_shape[1:3]]
        return (input_shape[0], *halve, *input_shape[3:])
