"""The general equivariant set model: a U-Net of DSS blocks with a DeepSets bottleneck."""

import keras
from keras import ops

from zoo.layers.base import build_in_order
from zoo.layers.blocks import SetBlock
from zoo.layers.element import element_conv
from zoo.layers.masking import batch_max, get_pool, mask_outputs, set_pool
from zoo.layers.siamese import Siamese
from zoo.models.architectures import SET_LAYER_KINDS, set_blocks, set_layer
from zoo.models.base import SetInputModel
from zoo.models.heads import MergingHead
from zoo.models.inputs import check_element_shape, elements_shape, split_inputs
from zoo.models.set_model import SET_GROUP

POOLS = {1: keras.layers.MaxPooling1D, 2: keras.layers.MaxPooling2D}
UPSAMPLES = {1: keras.layers.UpSampling1D, 2: keras.layers.UpSampling2D}
ELEMENT_RESIDUAL = "channel_max"  # the per-element residual: each element's maximum over its channels


@keras.saving.register_keras_serializable(package="zoo")
class SetUNet(SetInputModel):
    """Equivariant map from a set of signals or images to one output per element: `R^{n×d} → R^{n×d'}`.

    Encoder: per level two set blocks (`architecture`: DSS with any aggregation, or Siamese) and a 2× max-pool of
    each element. Bottleneck: a set block then (except for the pure Siamese net) a DeepSets block applied at every
    pixel (a DSS layer whose base is a 1×1 layer), so the elements exchange information at the coarsest scale.
    Decoder: 2× upsampling, the skip connection of the level, two set blocks. A 1×1 layer gives `out_channels`
    per element. Permuting the set permutes the outputs; with `padding="circular"` the model is also exactly
    equivariant to circular shifts of the elements by multiples of `2 ** (len(filters) - 1)` (one 2× pooling per
    level below the bottleneck). Padding slots are zero in the output.

    Args:
        out_channels: output channels per element.
        filters: channels of each encoder level (the bottleneck uses the last one).
        architecture: `"dss_sum"`, `"dss_max"`, `"dss_aittala"`, `"dss_sridhar"`, `"siamese"` or `"siamese_ds"`.
        rank: 1 for signals, 2 for images.
        kernel_size: convolution size.
        padding: `"same"` or `"circular"`.
        bottleneck_pool: set pooling of the bottleneck's DeepSets block, `"sum"` or `"max"`.
        activation, normalization: of every block.
        output_activation: of the output (e.g. `"sigmoid"` for images in [0, 1]).
        merge_pool: None for one output per element; `"max"` (or `"sum"`, `"mean"`) merges the set before the last
            two convolutions (burst deblurring): the output is then one image per set, invariant to the order.
        residual: None, or the input image the output is added to, so that the network learns a correction to it
            (residual learning). With `merge_pool`, how to pool the input set into one image: with `"mean"` the
            correction is to the per-pixel mean of the set, e.g. of a burst (needs `out_channels` equal to the
            input's channels). Without, `"channel_max"`: each element's maximum over its channels, copied into
            every output channel (e.g. a single-channel image as a grey-scale guess of its colours).
        output_range: None, or `(low, high)` to clamp the output (after `output_activation` and the residual).
        aggregate_initializer: initialiser of the DSS aggregate branches (`"zeros"` keeps the deep stack
            element-aware at the start of training, see `DSSLayer`).

    Inputs: `(batch, n, *spatial, channels)` (spatial sizes divisible by `2 ** (len(filters) - 1)`) or a dict
        with a mask.
    Output: `(batch, n, *spatial, out_channels)`, or `(batch, *spatial, out_channels)` with `merge_pool`.

    Example:
    >>> model = SetUNet(3, filters=(8, 16))
    >>> model(keras.random.normal((2, 6, 16, 16, 1))).shape
    (2, 6, 16, 16, 3)
    """

    def __init__(self, out_channels, filters=(32, 64, 128), architecture="dss_sum", rank=2, kernel_size=3,
                 padding="same", bottleneck_pool="max", activation="relu", normalization="batch",
                 output_activation=None, merge_pool=None, residual=None, output_range=None,
                 aggregate_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if architecture not in SET_LAYER_KINDS:
            raise ValueError(f"Unknown set architecture {architecture!r}; expected one of {SET_LAYER_KINDS}.")
        self.out_channels = int(out_channels)
        self.filters = tuple(int(f) for f in filters)
        self.architecture = architecture
        self.rank = int(rank)
        self.kernel_size = kernel_size
        self.padding = padding
        self.bottleneck_pool = bottleneck_pool
        self.activation = activation
        self.normalization = normalization
        self.output_activation = output_activation
        self.merge_pool = merge_pool
        if residual is not None:
            if merge_pool is not None:
                get_pool(residual)
            elif residual != ELEMENT_RESIDUAL:
                raise ValueError(f"residual={residual!r} needs `merge_pool` (it pools the input set into the image "
                                 f"that the merged output corrects); without it, residual is {ELEMENT_RESIDUAL!r}.")
        self.residual = residual
        self.output_range = None if output_range is None else tuple(float(v) for v in output_range)
        self.aggregate_initializer = aggregate_initializer
        kind = "siamese" if architecture == "siamese_ds" else architecture

        def blocks(width, count):
            convs = [element_conv(width, kernel_size, rank, padding) for _ in range(count)]
            return set_blocks(kind, convs, normalization=normalization, activation=activation,
                              aggregate_initializer=aggregate_initializer)

        self.down = [blocks(width, 2) for width in self.filters[:-1]]
        self.pools = [Siamese(POOLS[self.rank](2)) for _ in self.filters[:-1]]
        self.bottleneck = blocks(self.filters[-1], 1)
        if architecture != "siamese":  # a pure Siamese net lets the elements interact nowhere
            deepsets = set_layer(f"dss_{bottleneck_pool}", keras.layers.Dense(self.filters[-1]))
            self.bottleneck.append(SetBlock(deepsets, normalization=normalization, activation=activation))
        self.ups = [Siamese(UPSAMPLES[self.rank](2)) for _ in self.filters[:-1]]
        self.up = [blocks(width, 2) for width in reversed(self.filters[:-1])]
        if merge_pool:
            self.output_conv = MergingHead(merge_pool, [
                element_conv(self.filters[0], kernel_size, rank, padding), keras.layers.Activation(activation),
                element_conv(self.out_channels, 1, rank, "same")], name="output_conv")
        else:
            self.output_conv = Siamese(element_conv(self.out_channels, 1, rank, "same"), name="output_conv")
        self.output_act = keras.layers.Activation(output_activation or "linear", name="output_activation")
        element = {"group": "circular_shift", "axes": list(range(self.rank)), "step": 2 ** (len(self.filters) - 1),
                   "output": "equivariant"}
        self.symmetry = {"output": "invariant" if merge_pool else "equivariant", "set": SET_GROUP,
                         "element": element if padding == "circular" else None}

    def build(self, input_shape):
        shape = elements_shape(input_shape)
        self.element_shape = tuple(shape[2:])
        if self.merge_pool and self.residual and shape[-1] != self.out_channels:
            raise ValueError(f"`residual` adds the input to the output, so the input's channels "
                             f"({shape[-1]}) must equal `out_channels` ({self.out_channels}).")
        skips = []
        for level, pool in zip(self.down, self.pools):
            shape = build_in_order(level, shape)
            skips.append(shape)
            shape = build_in_order([pool], shape)
        shape = build_in_order(self.bottleneck, shape)
        for up, level, skip in zip(self.ups, self.up, reversed(skips)):
            shape = build_in_order([up], shape)
            shape = tuple(shape[:-1]) + (shape[-1] + skip[-1],)
            shape = build_in_order(level, shape)
        build_in_order([self.output_conv], shape)

    def call(self, inputs, mask=None, training=None):
        x, mask, _ = split_inputs(inputs, mask)
        check_element_shape(x.shape, self.element_shape, self.name)
        elements = x
        skips = []
        for level, pool in zip(self.down, self.pools):
            for block in level:
                x = block(x, mask=mask, training=training)
            skips.append(x)
            x = pool(x)
        for block in self.bottleneck:
            x = block(x, mask=mask, training=training)
        for up, level, skip in zip(self.ups, self.up, reversed(skips)):
            x = ops.concatenate([up(x), skip], axis=-1)
            for block in level:
                x = block(x, mask=mask, training=training)
        if self.merge_pool:
            y = self.output_act(self.output_conv(x, mask=mask, training=training))
            if self.residual:
                y = y + set_pool(elements, self.residual, mask)
            return self._clamp(y)
        y = self.output_act(self.output_conv(x))
        if self.residual:
            y = y + batch_max(elements, axis=-1, keepdims=True)
        return mask_outputs(self._clamp(y), mask)

    def _clamp(self, y):
        return y if self.output_range is None else ops.clip(y, *self.output_range)

    def get_config(self):
        return {
            **self.base_config(),
            "out_channels": self.out_channels,
            "filters": self.filters,
            "architecture": self.architecture,
            "rank": self.rank,
            "kernel_size": self.kernel_size,
            "padding": self.padding,
            "bottleneck_pool": self.bottleneck_pool,
            "activation": self.activation,
            "normalization": self.normalization,
            "output_activation": self.output_activation,
            "merge_pool": self.merge_pool,
            "residual": self.residual,
            "output_range": self.output_range,
            "aggregate_initializer": self.aggregate_initializer,
        }

