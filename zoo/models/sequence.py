"""Recurrent models that read a set as a sequence: the order-dependent baselines of set tasks."""

import keras

from zoo.layers.base import build_in_order
from zoo.layers.siamese import fold_set, set_size, unfold_set
from zoo.models.base import SetInputModel
from zoo.models.inputs import check_element_shape, elements_shape, split_inputs
from zoo.models.set_model import SET_GROUP

RNNS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def _deserialize(layer):
    return keras.saving.deserialize_keras_object(layer) if isinstance(layer, dict) else layer


@keras.saving.register_keras_serializable(package="zoo")
class SequenceModel(SetInputModel):
    """A recurrent network read over the elements in the order given: `y = ρ(RNN(φ(x_1), …, φ(x_n)))`.

    `φ` (the `encoder` layers) is applied to every element, an LSTM or GRU reads the encoded elements in order, and
    Dense layers `ρ` map its last state to the output. Padding slots (mask 0) are skipped by the recurrence, so a
    padded set gives the same output as the set alone; permuting the elements changes the output in general (the
    declared symmetry is `"none"`: `zoo.check_symmetry` reports how much the order matters).

    Args:
        encoder: element layers `φ` (instances or serialized configs), e.g. `[Embedding(10, 100)]` for tokens.
        rnn: `"lstm"` or `"gru"`.
        units: width of the recurrent state.
        head_units: widths of the hidden Dense layers of `ρ`.
        head_activation: their activation.
        output_units: size of the output.
        input_range: `(low, high)` of integer token inputs, checked on NumPy inputs.

    Inputs: `(batch, n, *element_shape)` or `{"elements": ..., "mask": (batch, n) float}`.
    Output: `(batch, output_units)`.

    Example:
    >>> model = SequenceModel([keras.layers.Embedding(10, 8)], rnn="gru", units=4)
    >>> model(np.array([[3, 1, 4], [1, 5, 9]])).shape
    (2, 1)
    """

    def __init__(self, encoder, rnn="lstm", units=50, head_units=(), head_activation="tanh", output_units=1,
                 **kwargs):
        super().__init__(**kwargs)
        if rnn not in RNNS:
            raise ValueError(f"Unknown recurrent layer {rnn!r}; expected one of {sorted(RNNS)}.")
        self.encoder = [_deserialize(layer) for layer in encoder]
        self.rnn_kind, self.units = rnn, int(units)
        self.head_units, self.head_activation = tuple(int(u) for u in head_units), head_activation
        self.output_units = int(output_units)
        self.rnn = RNNS[rnn](self.units, name="rnn")
        self.head = [keras.layers.Dense(u, activation=head_activation, name=f"head_{i}")
                     for i, u in enumerate(self.head_units)]
        self.output_dense = keras.layers.Dense(self.output_units, name="output_dense")
        self.symmetry = {"output": "none", "set": SET_GROUP, "element": None, "padding": True}

    def build(self, input_shape):
        shape = elements_shape(input_shape)
        self.element_shape = tuple(shape[2:])
        element = (None,) + self.element_shape
        element = build_in_order(self.encoder, element)
        self.rnn.build((None, shape[1]) + tuple(element[1:]))
        features = (None, self.units)
        for layer in self.head + [self.output_dense]:
            layer.build(features)
            features = layer.compute_output_shape(features)

    def call(self, inputs, mask=None, training=None):
        x, mask, _ = split_inputs(inputs, mask)
        check_element_shape(x.shape, self.element_shape, self.name)
        n = set_size(x)
        x = fold_set(x)
        for layer in self.encoder:
            x = layer(x)
        x = unfold_set(x, n)
        x = self.rnn(x, mask=None if mask is None else keras.ops.cast(mask, "bool"), training=training)
        for layer in self.head:
            x = layer(x)
        return self.output_dense(x)

    def compute_output_shape(self, input_shape):
        return (elements_shape(input_shape)[0], self.output_units)

    def get_config(self):
        return {
            **self.base_config(),
            "encoder": [keras.saving.serialize_keras_object(layer) for layer in self.encoder],
            "rnn": self.rnn_kind,
            "units": self.units,
            "head_units": self.head_units,
            "head_activation": self.head_activation,
            "output_units": self.output_units,
        }
