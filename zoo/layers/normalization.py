"""Batch normalisation whose batch statistics cover the whole batch of a data-parallel training step."""

import keras
from keras import ops


def replica_context():
    """The replica context of a step of a TensorFlow distribution strategy over several replicas, else None (one
    replica, outside a step, or another backend: under JAX's `keras.distribution` a reduction over the batch axis
    already covers the global batch)."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    return context if context is not None and context.num_replicas_in_sync > 1 else None


@keras.saving.register_keras_serializable(package="zoo")
class BatchNormalization(keras.layers.BatchNormalization):
    """Keras's `BatchNormalization` whose batch mean and variance in training are those of the global batch when a
    TensorFlow distribution strategy (`tf.distribute.MirroredStrategy`) splits it over several replicas, so that
    data-parallel training computes what one device computes.

    Keras's own `synchronized=True` cannot serve the zoo: it is refused on JAX and PyTorch, and it is ignored when
    a mask is given (Keras 3.15 computes masked moments per replica), while the zoo's set blocks always normalise
    over the real elements only. Here every replica sums, over its slice of the batch, the mask (the count of real
    entries), the real entries and then their squared deviations from the global mean; each sum is added up over
    the replicas (`all_reduce`), so the statistics are the global batch's two-pass mean and variance, and a
    replica with an empty slice (batch 0) contributes nothing instead of a 0 / 0. Outside a multi-replica step
    (one device, JAX, PyTorch, inference) the layer is Keras's `BatchNormalization`, unchanged. It keeps Keras's
    class name and weights, so that entries saved with Keras's layer load into it: Keras's weight files address a
    layer held in a list (e.g. `FlatSetMLP.hidden`) by its class name.

    Args: those of `keras.layers.BatchNormalization` (`synchronized` stays False: the synchronisation is this
    layer's own).

    Input shape: any, e.g. `(batch, n, *element_shape, channels)`; mask: the input's shape without `axis`, 1 for
    a real entry and 0 for padding (optional).
    Output shape: the input's.

    Example:
    >>> norm = BatchNormalization(momentum=0.9)
    >>> norm(keras.random.normal((4, 5, 3)), training=True, mask=keras.ops.ones((4, 5))).shape
    (4, 5, 3)
    """

    def _moments(self, inputs, mask):
        context = replica_context()
        if context is None:
            return super()._moments(inputs, mask)
        import tensorflow as tf

        def total(values):
            local = ops.sum(values, axis=self._reduction_axes, keepdims=True)
            return context.all_reduce(tf.distribute.ReduceOp.SUM, local)

        real = ops.ones_like(inputs, dtype="bool") if mask is None else \
            ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), axis=self.axis), ops.shape(inputs))
        count = total(ops.cast(real, inputs.dtype))
        mean = ops.divide_no_nan(total(ops.where(real, inputs, 0.0)), count)
        variance = ops.divide_no_nan(total(ops.where(real, ops.square(inputs - mean), 0.0)), count)
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))
