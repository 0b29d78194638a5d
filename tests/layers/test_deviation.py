"""SetDeviation: each element beside its distance from the set's mean."""

import keras
import numpy as np

from tests.helpers import assert_close, pad_sets, to_numpy
from zoo.layers import SetDeviation


def test_it_is_the_element_and_its_absolute_deviation_from_the_mean(rng):
    x = rng.normal(size=(2, 5, 4, 4, 3)).astype("float32")
    out = to_numpy(SetDeviation()(x))
    assert out.shape == (2, 5, 4, 4, 6)
    assert_close(out[..., :3], x)
    assert_close(out[..., 3:], np.abs(x - x.mean(axis=1, keepdims=True)))


def test_permuting_the_set_permutes_the_output_and_shifts_of_the_elements_shift_it(rng):
    x = rng.normal(size=(2, 6, 8, 8, 3)).astype("float32")
    layer, perm = SetDeviation(), rng.permutation(6)
    assert_close(to_numpy(layer(x[:, perm])), to_numpy(layer(x))[:, perm])
    assert_close(to_numpy(layer(np.roll(x, 3, axis=2))), np.roll(to_numpy(layer(x)), 3, axis=2))


def test_masked_padding_never_enters_the_mean(rng):
    x = rng.normal(size=(2, 5, 4, 4, 3)).astype("float32")
    padded, mask = pad_sets(rng, x, np.ones((2, 5), "float32"), 3)
    assert_close(to_numpy(SetDeviation()(padded, mask=mask))[:, :5], to_numpy(SetDeviation()(x)))


def test_config_round_trip():
    layer = SetDeviation(name="deviation")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, SetDeviation) and restored.name == "deviation"

