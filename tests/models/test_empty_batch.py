"""Every model takes a batch of 0 sets, as a replica of a data-parallel step receives when the global batch is
smaller than the number of replicas, and returns a batch of 0 outputs of the right shape; a set of 0 elements is
still refused."""

import keras
import numpy as np
import pytest

from tests.models.zoo_models import ALL_MODELS, inputs_for, model_params


def _empty_batch(x):
    """The first 0 sets of `x`, as backend tensors (a NumPy batch of 0 sets is refused as a user error)."""
    return keras.tree.map_structure(lambda array: keras.ops.convert_to_tensor(array[:0]), x)


def _shapes(outputs):
    return [tuple(output.shape) for output in keras.tree.flatten(outputs)]


def _graph_call(model, x, training):
    """`model(x)` traced by TensorFlow with an unknown batch size, as in a `fit` step of a strategy's replica."""
    import tensorflow as tf

    signature = keras.tree.map_structure(lambda t: tf.TensorSpec((None, *t.shape[1:]), t.dtype), x)
    return tf.function(lambda inputs: model(inputs, training=training), input_signature=[signature])(x)


@pytest.mark.parametrize("name", model_params(ALL_MODELS))
def test_a_batch_of_zero_sets_gives_a_batch_of_zero_outputs(rng, name):
    model = ALL_MODELS[name]()
    x = inputs_for(model, rng, batch=2)
    expected = [(0, *shape[1:]) for shape in _shapes(model(x, training=False))]
    empty = _empty_batch(x)
    for training in (False, True):
        assert _shapes(model(empty, training=training)) == expected
        if keras.config.backend() == "tensorflow":
            assert _shapes(_graph_call(model, empty, training)) == expected


def test_sets_of_zero_elements_are_still_refused(rng):
    model = ALL_MODELS["signals_dss_sum"]()
    with pytest.raises(ValueError, match="empty sets"):
        model(np.zeros((2, 0, 100, 1), "float32"))
