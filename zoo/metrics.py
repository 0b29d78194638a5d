"""Metrics of the zoo's tasks that Keras does not name."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
def mae_255(y_true, y_pred):
    """Mean absolute error per pixel on the 0–255 scale, for images in [0, 1] (DSS paper, Table 3)."""
    return 255.0 * ops.mean(ops.abs(ops.cast(y_true, y_pred.dtype) - y_pred), axis=tuple(range(1, len(y_pred.shape))))


def get_metric(name):
    """A Keras metric for a name: the zoo's own, or any name Keras knows."""
    if name == "mae_255":
        return keras.metrics.MeanMetricWrapper(mae_255, name="mae_255")
    return name
