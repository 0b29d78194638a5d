"""A rotation-invariant image classifier built from C_N group convolutions, with a reachable C_N-equivariant latent:
the model of "Interpreting Equivariant Representations" (Hansen et al., ICML 2024) on rotated MNIST, with C_N
group convolutions (Cohen & Welling, 2016) standing in for the paper's SO(2)-steerable CNN."""

import keras
from keras import KerasTensor, ops

from zoo.layers.base import build_in_order
from zoo.layers.rotation import RotationGroupConv2D, RotationLiftingConv2D, RotationMaxPooling2D
from zoo.models.cnn import ImageClassifier
from zoo.models.inputs import split_inputs

GROUP_POOLS = ("max", "mean")


@keras.saving.register_keras_serializable(package="zoo")
class CNClassifier(ImageClassifier):
    """Lifting conv, C_N group convs (ReLU, optional 2 × 2 max-pooling), a mean over space, an invariant pool over
    the group axis and a Dense head.

    `z(x) = mean_{H, W} G_L ∘ … ∘ G_1 ∘ L(x)` is the **equivariant latent** `(batch, N, c)`: turning the image by
    90° shifts it cyclically by N/4 along its group axis, `z(rot90(x)) = roll(z(x), N/4, axis=1)`. The logits
    `head(pool_N z(x))` (`pool_N` a max or mean over the N rotations) are invariant to quarter turns. Both hold
    exactly (up to float error) for N = 4 and for the quarter turns of larger N; other angles (45° for N = 8,
    arbitrary ones) are only approximately respected, as far as the interpolated filters and training make them.
    `equivariant_latent(x)` returns z, to be read with invariant projections (e.g. of its orbit under the shifts).

    Exactness needs stride-1 convolutions with odd kernels (symmetric "same" padding) and 2 × 2 poolings of maps of
    even size only: `pooling` may not pool an odd-sized map (28 → 14 → 7 is fine; a third pooling is refused).

    Declared symmetry: no set symmetry (`"output": "none"`: permuting the rows of an image changes the output) and
    the element group `rotation90` with an invariant output. `zoo.check_symmetry` reads a `(batch, H, W)` or
    `(batch, H, W, 1)` image batch as sets of rows, so the image plane is its element axes `[-1, 0]` (the set axis
    and the first element axis); it then judges the quarter-turn invariance and only reports the row permutations.
    Flattened `(batch, H · W)` inputs cannot be turned: give `check_symmetry` images.

    Args:
        image_shape: `(height, width)` or `(height, width, channels)` of the images; square.
        output_units: number of classes.
        group_order: N, the number of filter rotations (a multiple of 4).
        filters: channels per rotation of the lifting conv (first) and of each group conv.
        pooling: one flag per conv: 2 × 2 max-pooling (stride 2) after it (default: after all but the last).
        kernel_size: odd filter size.
        group_pool: `"max"` or `"mean"` over the group axis of the latent.
        dense_units: width of a hidden ReLU Dense layer of the head (0: logits straight from the pooled latent).
        dropout: dropout rate before the output (training only).

    Inputs: `(batch, height · width · channels)` flattened pixels, or `(batch, *image_shape)`.
    Output: `(batch, output_units)` logits.

    Example:
    >>> model = CNClassifier((28, 28), 10, group_order=4, filters=(8, 16, 16))
    >>> model(keras.random.uniform((2, 28, 28))).shape
    (2, 10)
    >>> model.equivariant_latent(keras.random.uniform((2, 28, 28))).shape
    (2, 4, 16)
    """

    symmetry = {"output": "none", "set": None,
                "element": {"group": "rotation90", "axes": [-1, 0], "output": "invariant"}}

    def __init__(self, image_shape, output_units, group_order=4, filters=(16, 32, 32), pooling=None, kernel_size=3,
                 group_pool="max", dense_units=64, dropout=0.0, **kwargs):
        super().__init__(image_shape, output_units, **kwargs)
        if len(self.image_shape) not in (2, 3) or self.image_shape[0] != self.image_shape[1]:
            raise ValueError(f"CNClassifier takes square images, image_shape (size, size) or (size, size, channels) "
                             f"(a quarter turn must map the image onto itself); got {image_shape}.")
        self.group_order = int(group_order)
        self.filters = tuple(int(f) for f in filters)
        if not self.filters:
            raise ValueError("CNClassifier needs at least one conv (filters is empty).")
        self.pooling = tuple(bool(p) for p in pooling) if pooling is not None else \
            (True,) * (len(self.filters) - 1) + (False,)
        if len(self.pooling) != len(self.filters):
            raise ValueError(f"pooling has {len(self.pooling)} flags for {len(self.filters)} convs; give one per conv.")
        size = self.image_shape[0]
        for i, pool in enumerate(self.pooling):
            if pool and size % 2:
                raise ValueError(f"pooling after conv {i} would pool a {size} × {size} map: 2 × 2 pooling commutes "
                                 "with quarter turns only on maps of even size. Drop that pooling.")
            size = size // 2 if pool else size
        if group_pool not in GROUP_POOLS:
            raise ValueError(f"group_pool must be one of {GROUP_POOLS}; got {group_pool!r}.")
        self.kernel_size, self.group_pool = int(kernel_size), group_pool
        self.dense_units, self.dropout = int(dense_units or 0), float(dropout)
        self.blocks = []
        for i, (width, pool) in enumerate(zip(self.filters, self.pooling)):
            conv = RotationLiftingConv2D if i == 0 else RotationGroupConv2D
            self.blocks.append(conv(width, group_order=self.group_order, kernel_size=self.kernel_size,
                                    activation="relu", name="lift" if i == 0 else f"group_conv_{i}"))
            if pool:
                self.blocks.append(RotationMaxPooling2D(name=f"pool_{i}"))
        self.head = []
        if self.dense_units:
            self.head.append(keras.layers.Dense(self.dense_units, activation="relu", name="dense"))
        self.head += [keras.layers.Dropout(self.dropout, name="dropout"),
                      keras.layers.Dense(self.output_units, name="output_dense")]

    def build(self, input_shape):
        maps = build_in_order(self.blocks, (None,) + self._image_shape())
        build_in_order(self.head, (None, maps[-1]))

    def _latent(self, inputs, training=None):
        x = self.images(inputs)
        for layer in self.blocks:
            x = layer(x, training=training)
        return ops.mean(x, axis=(1, 2))

    def equivariant_latent(self, inputs, training=False):
        """The C_N-equivariant latent `(batch, N, filters[-1])` of the images `inputs` (any input form the model
        takes): a quarter turn of the images rolls it by N/4 along axis 1. NumPy inputs are checked as in `predict`.
        """
        if not isinstance(split_inputs(inputs)[0], KerasTensor):
            inputs = self._checked(inputs)
        return self._latent(inputs, training=training)

    def call(self, inputs, training=None):
        latent = self._latent(inputs, training=training)
        x = ops.max(latent, axis=1) if self.group_pool == "max" else ops.mean(latent, axis=1)
        for layer in self.head:
            x = layer(x, training=training)
        return x

    def get_config(self):
        return {**self.base_config(), "group_order": self.group_order, "filters": self.filters,
                "pooling": self.pooling, "kernel_size": self.kernel_size, "group_pool": self.group_pool,
                "dense_units": self.dense_units, "dropout": self.dropout}
