"""Permutation-equivariant linear maps between node and edge tensors (Maron et al., ICLR 2019), as in the
equivariant graph VAE of Hansen et al. (2024).

A node tensor has order 1, `(batch, n, channels)`; an edge tensor has order 2, `(batch, n, n, channels)`. The
linear maps from order k to order l that commute with every permutation of the nodes form a space of dimension
bell(k + l): 2, 5, 5 and 15. Each basis operation reads one *source* off the input (the input itself, its transpose,
its diagonal, a mean over a node axis, ...) and writes it to one *target* of the output (each node, each pair, the
diagonal, every pair of a row or of a column), e.g. `("row_mean", "column")`: `out_ij = mean_k x_jk`.
"""

import keras
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer, clone_initializer

# Sources of each input order and targets of each output order, by kind: a source is written only to targets of its
# kind. Edge-valued: (batch, n, n, c); node-valued: (batch, n, c); pooled: (batch, 1, c).
SOURCES = {
    1: {"node": ("node",), "pooled": ("mean",)},
    2: {"edge": ("edge", "transpose"), "node": ("diagonal", "row_mean", "column_mean"),
        "pooled": ("diagonal_mean", "mean")},
}
TARGETS = {
    1: {"node": ("node",), "pooled": ("node",)},
    2: {"edge": ("edge",), "node": ("diagonal", "row", "column"), "pooled": ("diagonal", "all")},
}


def basis(input_order, output_order):
    """The basis operations `(source, target)` of the equivariant linear maps from `input_order` to `output_order`."""
    sources, targets = SOURCES[input_order], TARGETS[output_order]
    return tuple((source, target) for kind in ("edge", "node", "pooled")
                 for source in sources.get(kind, ()) for target in targets.get(kind, ()))


def basis_size(input_order, output_order):
    """Dimension of the space of equivariant linear maps: 2 (1→1), 5 (1→2, 2→1), 15 (2→2)."""
    return len(basis(input_order, output_order))


def _sources(x, order, mask):
    """Every source of `x`; the means count only real nodes (mean over all pairs: only pairs of real nodes)."""
    if order == 1:
        return {"node": x, "mean": masking.set_mean(x, mask, keepdims=True)}
    transpose = ops.transpose(x, (0, 2, 1, 3))
    diagonal = ops.moveaxis(ops.diagonal(x, axis1=1, axis2=2), -1, 1)
    row_mean = masking.set_mean(transpose, mask)  # (row_mean)_i = mean_j x_ij
    return {
        "edge": x,
        "transpose": transpose,
        "diagonal": diagonal,
        "row_mean": row_mean,
        "column_mean": masking.set_mean(x, mask),  # (column_mean)_j = mean_i x_ij
        "diagonal_mean": masking.set_mean(diagonal, mask, keepdims=True),
        "mean": masking.set_mean(row_mean, mask, keepdims=True),
    }


def _place(value, target, n):
    """Write a node-valued `(batch, n, u)` or pooled `(batch, 1, u)` value to `target` of an order-2 output."""
    if target == "diagonal":  # out_ii = v_i
        return ops.eye(n, dtype=value.dtype)[:, :, None] * value[:, :, None, :]
    if target == "column":  # out_ij = v_j
        return value[:, None]
    if target in ("row", "all"):  # out_ij = v_i
        return value[:, :, None]
    return value  # "edge" (and "node" of an order-1 output)


@keras.saving.register_keras_serializable(package="zoo")
class EquivariantGraphLinear(SetLayer):
    """Permutation-equivariant linear layer between node (order 1) and edge (order 2) tensors.

    `f(X) = σ(Σ_b op_b(X) W_b + bias)`, one kernel `W_b` of shape `(channels, units)` for each of the bell(k + l)
    basis operations `op_b` of `basis(input_order, output_order)` (2, 5, 5 or 15). The pooling operations are means
    over the real nodes (or real pairs of nodes), so the scale of the output does not grow with n. An order-2 output
    has two biases: one on the diagonal, one off it. Outputs at padding nodes (and at pairs with a padding node) are
    0, and padding never changes the real outputs. Permuting the nodes (rows and columns of an edge tensor together)
    permutes the output the same way.

    Args:
        units: output channels.
        input_order, output_order: 1 (node tensor) or 2 (edge tensor).
        activation: activation σ (any Keras activation identifier).
        use_bias: add the bias (per output channel; diagonal and off-diagonal ones for an order-2 output).
        kernel_initializer, bias_initializer: initialisers (each kernel and each bias gets its own instance, seeded
            apart when the initializer is seeded).

    Input shape: `(batch, n, channels)` or `(batch, n, n, channels)`, float node mask `(batch, n)` optional.
    Output shape: `(batch, n, units)` or `(batch, n, n, units)`.

    Example:
    >>> layer = EquivariantGraphLinear(8, input_order=2, output_order=1)
    >>> layer(keras.random.normal((2, 5, 5, 3)), mask=keras.ops.ones((2, 5))).shape
    (2, 5, 8)
    """

    def __init__(self, units, input_order, output_order, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if input_order not in (1, 2) or output_order not in (1, 2):
            raise ValueError(f"EquivariantGraphLinear maps orders 1 and 2; got {input_order} → {output_order}.")
        self.units = int(units)
        self.input_order = input_order
        self.output_order = output_order
        self.basis = basis(input_order, output_order)
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        expected = "(batch, n, channels)" if self.input_order == 1 else "square (batch, n, n, channels)"
        valid = len(input_shape) == self.input_order + 2
        if valid and self.input_order == 2:
            valid = None in input_shape[1:3] or input_shape[1] == input_shape[2]
        if not valid:
            raise ValueError(f"EquivariantGraphLinear of input order {self.input_order} expects {expected}; "
                             f"got shape {input_shape}.")
        self.kernels = [self.add_weight(name=f"kernel_{source}_to_{target}", shape=(input_shape[-1], self.units),
                                        initializer=clone_initializer(self.kernel_initializer, offset=i))
                        for i, (source, target) in enumerate(self.basis)]
        if self.use_bias and self.output_order == 1:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
        elif self.use_bias:
            self.diagonal_bias = self.add_weight(name="diagonal_bias", shape=(self.units,),
                                                 initializer=clone_initializer(self.bias_initializer))
            self.off_diagonal_bias = self.add_weight(name="off_diagonal_bias", shape=(self.units,),
                                                     initializer=clone_initializer(self.bias_initializer, offset=1))

    def call(self, inputs, mask=None):
        n = ops.shape(inputs)[1]
        if mask is not None:
            mask = ops.cast(mask, inputs.dtype)
        sources = _sources(inputs, self.input_order, mask)
        targets = {}  # sum the terms of each target before placing it in the (larger) output
        for (source, target), kernel in zip(self.basis, self.kernels):
            term = ops.matmul(sources[source], kernel)
            targets[target] = targets[target] + term if target in targets else term
        outputs = sum(_place(value, target, n) for target, value in targets.items())
        if self.use_bias and self.output_order == 1:
            outputs = outputs + self.bias
        elif self.use_bias:
            eye = ops.eye(n, dtype=outputs.dtype)[:, :, None]
            outputs = outputs + self.off_diagonal_bias + eye * (self.diagonal_bias - self.off_diagonal_bias)
        outputs = self.activation(outputs)
        if mask is not None and self.output_order == 2:
            return outputs * mask[:, :, None, None] * mask[:, None, :, None]
        return masking.mask_outputs(outputs, mask)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:2]) + tuple(input_shape[1:2]) * (self.output_order - 1) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "input_order": self.input_order,
            "output_order": self.output_order,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
