"""Metrics of the zoo's tasks: Keras metrics for training, NumPy scorers for the harness, and metric keys.

A measurement is keyed by its metric name (`"accuracy"`, `"recall@100"`, `"mae_255"`), or, on a curve over set
sizes, by the metric at one set size (`"accuracy@n=25"`, see `at_set_size`).
"""

import re

import keras
import numpy as np
from keras import ops

SET_SIZE_MARK = "@n="
# Metrics where a smaller value is better; every other metric is better when larger.
LOWER_IS_BETTER = {"mae_255", "mae", "mse", "median_rank", "loss", "scatter", "order_sensitivity"}


@keras.saving.register_keras_serializable(package="zoo")
def mae_255(y_true, y_pred):
    """Mean absolute error per pixel on the 0–255 scale, for images in [0, 1] (DSS paper, Table 3)."""
    return 255.0 * ops.mean(ops.abs(ops.cast(y_true, y_pred.dtype) - y_pred), axis=tuple(range(1, len(y_pred.shape))))


@keras.saving.register_keras_serializable(package="zoo")
def rounded_accuracy(y_true, y_pred):
    """1 where the prediction rounded to the nearest integer equals the integer target (e.g. a sum of digits)."""
    y_pred = ops.reshape(y_pred, ops.shape(y_true))
    return ops.cast(ops.equal(ops.round(y_pred), ops.cast(y_true, y_pred.dtype)), "float32")


KERAS_METRICS = {"mae_255": mae_255, "rounded_accuracy": rounded_accuracy}


def get_metric(name):
    """A Keras metric for a name: the zoo's own, or any name Keras knows."""
    if name in KERAS_METRICS:
        return keras.metrics.MeanMetricWrapper(KERAS_METRICS[name], name=name)
    return name


def at_set_size(metric, set_size):
    """The key of `metric` measured on sets of `set_size` elements: `"accuracy@n=25"`."""
    return f"{metric}{SET_SIZE_MARK}{int(set_size)}"


def split_key(key):
    """`"accuracy@n=25"` → `("accuracy", 25)`; `"recall@100"` → `("recall@100", None)`."""
    match = re.fullmatch(rf"(.+){re.escape(SET_SIZE_MARK)}(\d+)", key)
    return (match.group(1), int(match.group(2))) if match else (key, None)


def higher_is_better(key):
    """Whether a larger value of the metric `key` is better."""
    return split_key(key)[0] not in LOWER_IS_BETTER


def accuracy(y, scores):
    """Fraction of rows whose largest score is at the target index."""
    return float(np.mean(np.argmax(scores, axis=-1) == np.asarray(y)))


def order_sensitivity(outputs, permuted_outputs):
    """Mean |f(x) − f(πx)|: how much predictions move when the sets' elements are reordered (0 for an invariant
    model), from the outputs on the sets and on the same sets permuted."""
    return float(np.mean(np.abs(np.asarray(outputs, "float64") - np.asarray(permuted_outputs, "float64"))))
