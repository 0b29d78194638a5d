"""A set block: an equivariant set layer followed by masked batch norm, activation and dropout."""

import keras
from keras import ops

from zoo.layers.base import SetLayer
from zoo.layers.calling import call_layer
from zoo.layers.masking import broadcast_mask
from zoo.layers.normalization import BatchNormalization

# PyTorch's default (its momentum 0.1): the papers' models were trained with it, and the moving statistics then
# settle within tens of steps instead of hundreds, which matters for short training runs and searches.
BN_MOMENTUM = 0.9


@keras.saving.register_keras_serializable(package="zoo")
class SetBlock(SetLayer):
    """`y = dropout(σ(BN(layer(X))))`, the repeating unit of every set network in the zoo.

    `layer` is any permutation-equivariant set layer (`DSSLayer`, `DeepSetsEquivariant`, `Siamese`). Batch
    statistics are computed over the real elements only (the set mask is passed to the batch norm), so padding
    never shifts the normalisation of the real elements, and over the global batch when a TensorFlow strategy
    splits it over replicas (`zoo.layers.normalization.BatchNormalization`). Each step is equivariant, so the
    block is too.

    Args:
        layer: the set layer (instance or serialized config).
        normalization: `"batch"` or `None`.
        activation: any Keras activation identifier.
        dropout: dropout rate applied after the activation.

    Input shape: `(batch, n, *element_shape)`, float mask `(batch, n)` optional, side inputs as keywords.
    Output shape: `layer`'s output shape.

    Example:
    >>> block = SetBlock(DeepSetsEquivariant(8), normalization="batch", activation="relu")
    >>> block(keras.random.normal((2, 5, 3))).shape
    (2, 5, 8)
    """

    def __init__(self, layer, normalization=None, activation=None, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            layer = keras.saving.deserialize_keras_object(layer)
        if normalization not in (None, "batch"):
            raise ValueError(f"normalization must be 'batch' or None; got {normalization!r}.")
        self.layer = layer
        self.normalization = normalization
        self.activation = keras.activations.get(activation)
        self.dropout_rate = float(dropout)
        if normalization == "batch":
            self.norm = BatchNormalization(momentum=BN_MOMENTUM, name="norm")
        if self.dropout_rate:
            self.dropout = keras.layers.Dropout(self.dropout_rate, name="dropout")

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if self.normalization and not self.norm.built:
            self.norm.build(self.layer.compute_output_shape(input_shape))

    def call(self, inputs, mask=None, training=None, **context):
        x = call_layer(self.layer, inputs, mask=mask, **context)
        if self.normalization:
            norm_mask = None
            if mask is not None:
                norm_mask = ops.broadcast_to(broadcast_mask(mask, x)[..., 0], ops.shape(x)[:-1])
            x = self.norm(x, training=training, mask=norm_mask)
        x = self.activation(x)
        if self.dropout_rate:
            x = self.dropout(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "layer": keras.saving.serialize_keras_object(self.layer),
            "normalization": self.normalization,
            "activation": keras.activations.serialize(self.activation),
            "dropout": self.dropout_rate,
        }
