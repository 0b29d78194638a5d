"""Call a layer with only the keyword inputs it declares (the mask, a graph's adjacency, ...)."""

import inspect


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
    import keras

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
