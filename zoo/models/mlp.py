"""The MLP baseline: one network on the flattened, ordered set."""

import keras
from keras import ops

from zoo.layers.base import build_in_order
from zoo.layers.blocks import BN_MOMENTUM
from zoo.layers.masking import mask_outputs
from zoo.layers.normalization import BatchNormalization
from zoo.models.base import SetInputModel
from zoo.models.inputs import check_element_shape, elements_shape, split_inputs


@keras.saving.register_keras_serializable(package="zoo")
class FlatSetMLP(SetInputModel):
    """MLP on the concatenation of the set's elements: `y = MLP([x_1, ..., x_n])`.

    The baseline that ignores the set structure: it is not invariant to permutations (its declared symmetry is
    "none") and needs a fixed set size. Padding slots are zeroed before flattening.

    Args:
        units: output size.
        hidden_units: widths of the hidden layers.
        activation: hidden activation.
        normalization: `"batch"` to add batch norm after each hidden layer, or None.
        dropout: dropout after each hidden layer.
        output_activation: output activation (None: logits).

    Inputs: `(batch, n, *element_shape)` or `{"elements": ..., "mask": ...}`.
    Output: `(batch, units)`.

    Example:
    >>> FlatSetMLP(3, hidden_units=(32,))(keras.random.normal((4, 25, 100))).shape
    (4, 3)
    """

    def __init__(self, units, hidden_units=(), activation="relu", normalization=None, dropout=0.0,
                 output_activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.hidden_units = tuple(int(u) for u in hidden_units)
        self.activation = activation
        self.normalization = normalization
        self.dropout = float(dropout)
        self.output_activation = output_activation
        self.hidden = []
        for i, width in enumerate(self.hidden_units):
            self.hidden.append(keras.layers.Dense(width, name=f"dense_{i}"))
            if normalization == "batch":
                self.hidden.append(BatchNormalization(momentum=BN_MOMENTUM, name=f"norm_{i}"))
            self.hidden.append(keras.layers.Activation(activation, name=f"activation_{i}"))
            if self.dropout:
                self.hidden.append(keras.layers.Dropout(self.dropout, name=f"dropout_{i}"))
        self.output_dense = keras.layers.Dense(self.units, activation=output_activation, name="output_dense")

    def build(self, input_shape):
        shape = elements_shape(input_shape)
        self.set_shape = tuple(shape[1:])
        features = 1
        for dim in self.set_shape:
            if dim is None:
                raise ValueError(f"FlatSetMLP needs a fixed set and element shape; got {shape}.")
            features *= dim
        self.flat_features = features
        shape = (None, features)
        build_in_order(self.hidden + [self.output_dense], shape)

    def call(self, inputs, mask=None, training=None):
        x, mask, _ = split_inputs(inputs, mask)
        check_element_shape(x.shape, self.set_shape[1:], self.name)
        if x.shape[1] is not None and x.shape[1] != self.set_shape[0]:
            raise ValueError(f"{self.name} was built for sets of exactly {self.set_shape[0]} elements; "
                             f"got {x.shape[1]} (the MLP baseline cannot take other set sizes).")
        x = ops.reshape(mask_outputs(x, mask), (-1, self.flat_features))
        for layer in self.hidden:
            x = layer(x, training=training)
        return self.output_dense(x)

    def classifier_layer(self):
        return self.output_dense

    def _set_num_classes(self, config, num_classes):
        config["units"] = num_classes

    def get_config(self):
        return {
            **self.base_config(),
            "units": self.units,
            "hidden_units": self.hidden_units,
            "activation": self.activation,
            "normalization": self.normalization,
            "dropout": self.dropout,
            "output_activation": self.output_activation,
        }
