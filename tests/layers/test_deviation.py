"""SetDeviation: each element beside its distance from the set's mean."""

import keras
import numpy as np

from tests.helpers import assert_close, pad_sets, to_numpy
from zoo.layers import DeviationVote, SetDeviation


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


def _standardized(s):
    return (s - s.mean(axis=1, keepdims=True)) / (s.std(axis=1, keepdims=True) + 1e-6)


def test_the_vote_adds_standardized_scores_and_the_standardized_deviation(rng):
    scores, x = rng.normal(size=(3, 6)).astype("float32"), rng.uniform(size=(3, 6, 4, 4, 3)).astype("float32")
    deviation = np.abs(x - x.mean(axis=1, keepdims=True)).mean(axis=(2, 3, 4))
    out = to_numpy(DeviationVote(0.5)([scores, x]))
    assert_close(out, _standardized(scores) + 0.5 * _standardized(deviation), atol=1e-4)
    assert (to_numpy(DeviationVote(100.0)([scores, x])).argmax(1) == deviation.argmax(1)).all()


def test_the_vote_is_permutation_equivariant_shift_invariant_and_ignores_padding(rng):
    scores, x = rng.normal(size=(2, 6)).astype("float32"), rng.uniform(size=(2, 6, 8, 8, 3)).astype("float32")
    layer, perm = DeviationVote(), rng.permutation(6)
    out = to_numpy(layer([scores, x]))
    assert_close(to_numpy(layer([scores[:, perm], x[:, perm]])), out[:, perm], atol=1e-5)
    assert_close(to_numpy(layer([scores, np.roll(x, 3, axis=2)])), out, atol=1e-5)
    padded, mask = pad_sets(rng, x, np.ones((2, 6), "float32"), 2)
    padded_scores = np.concatenate([scores, rng.normal(size=(2, 2)).astype("float32")], axis=1)
    masked = to_numpy(layer([padded_scores, padded], mask=mask))
    assert_close(masked[:, :6], out, atol=1e-4)
    assert (masked[:, 6:] < -1e8).all()


def test_vote_config_round_trip():
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(DeviationVote(0.7)))
    assert isinstance(restored, DeviationVote) and restored.weight == 0.7
