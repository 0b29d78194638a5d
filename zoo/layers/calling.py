"""Call a layer with only the keyword inputs it declares (the mask, a graph's adjacency, ...)."""

import inspect

import keras
from keras import ops


def accepted_context(layer, context):
    """The entries of `context` that `layer.call` takes as keyword arguments."""
    parameters = inspect.signature(layer.call).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return dict(context)
    return {key: value for key, value in context.items() if key in parameters}


def training_dependent_layers(model):
    """`(batch_norms, dropouts)`: the layers inside `model` that behave differently in training (dropouts of a
    positive rate only).

    Example:
    >>> norms, dropouts = training_dependent_layers(zoo.load("dss_sum_signals"))
    """
    layers = list(model._flatten_layers(include_self=False))
    return ([layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)],
            [layer for layer in layers if isinstance(layer, keras.layers.Dropout) and layer.rate > 0])


def call_layer(layer, inputs, mask=None, training=None, **context):
    """`layer(inputs, mask=..., training=..., **context)`, dropping the keywords `layer.call` does not take.

    Set models pass the set mask and per-set side inputs (e.g. `adjacency`) down through every block; element
    layers such as pooling or a Dense take neither. `training` always goes to the layer's `__call__`, which hands it
    to the layers inside: a model must pass it on itself, since JAX's trainer runs `Model.call` through
    `stateless_call`, outside any Keras call context.
    """
    kwargs = accepted_context(layer, context)
    if mask is not None and "mask" in inspect.signature(layer.call).parameters:
        kwargs["mask"] = mask
    return layer(inputs, training=training, **kwargs)


def per_example(function, x, **batched):
    """`function(x, **batched)` for a `function` that maps each example of the batch `x` on its own (a convolution, a
    Dense, a recurrent layer), also for a batch of 0 examples.

    TensorFlow's CPU convolutions (oneDNN) return their input unchanged for an empty batch, and Keras's `ops.add` on
    TensorFlow takes an empty `(0, k)` tensor for a bias, so such layers crash, or silently return the wrong
    trailing shape, on a batch of 0. A replica of a data-parallel step receives one when the global batch is
    smaller than the number of replicas. So an empty batch gets one zero example appended (to `x` and to each of
    `batched`), whose output is dropped: a batch size known when `function` is traced (JAX, PyTorch, eager
    TensorFlow) changes nothing for a non-empty batch; an unknown one (a TensorFlow graph) appends `batch == 0`
    examples, i.e. none to a non-empty batch.

    Args:
        function: maps `(batch, ...)` to a tensor or a structure of tensors `(batch, ...)`, each example
            independently of the others (no batch statistics).
        x: `(batch, ...)`.
        **batched: more inputs of `function` (tensors `(batch, ...)` or structures of them), passed as keywords
            (e.g. a graph's adjacency, a recurrent cell's states).

    Returns:
        `function(x, **batched)`, of batch 0 when `x` has batch 0.

    Example:
    >>> per_example(keras.layers.Conv2D(4, 3), keras.ops.zeros((0, 8, 8, 3))).shape
    (0, 6, 6, 4)
    """
    batch = x.shape[0]
    if batch is not None and batch > 0:
        return function(x, **batched)
    size = ops.shape(x)[0]
    extra = 1 if batch == 0 else ops.cast(ops.equal(size, 0), "int32")

    def padded(tensor):
        return ops.concatenate([tensor, ops.zeros((extra, *ops.shape(tensor)[1:]), tensor.dtype)], axis=0)

    outputs = function(padded(x), **keras.tree.map_structure(padded, batched))
    return keras.tree.map_structure(lambda y: y[:size], outputs)
