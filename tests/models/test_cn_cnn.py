"""The C_N classifier: logits invariant and latent equivariant (cyclic shift by N/4) under quarter turns of the
digit, `check_symmetry` on its declaration, a training step, `.keras` round trip and clear input errors."""


import keras
import numpy as np
import pytest

import zoo
from tests.helpers import assert_close, keras_file_round_trip, to_numpy
from zoo.models.cn_cnn import CNClassifier

ORDERS = [4, 8]


def small_model(group_order=4, group_pool="max", image_shape=(28, 28), build_shape=(None, 28, 28)):
    keras.utils.set_random_seed(0)
    model = CNClassifier(image_shape, 10, group_order=group_order, filters=(4, 6, 6), group_pool=group_pool,
                         dense_units=8, name=f"cn_{group_order}")
    model.build(build_shape)
    return model


def digits(rng, batch=3):
    return rng.random((batch, 28, 28)).astype("float32")


def turn(x, turns):
    return np.ascontiguousarray(np.rot90(x, turns, axes=(1, 2)))


@pytest.mark.parametrize("group_order,group_pool", [(4, "max"), (8, "mean")])
def test_logits_are_invariant_to_quarter_turns(rng, group_order, group_pool):
    model = small_model(group_order, group_pool)
    x = digits(rng)
    logits = to_numpy(model(x))
    for turns in (1, 2, 3):
        assert_close(model(turn(x, turns)), logits, atol=1e-5)
    assert_close(model(turn(x, 1)[..., None]), logits, atol=1e-5)  # (batch, 28, 28, 1)
    assert_close(model(turn(x, 1).reshape(3, 784)), logits, atol=1e-5)  # flattened turned pixels


@pytest.mark.parametrize("group_order", ORDERS)
def test_the_latent_shifts_cyclically_by_a_quarter_of_the_group_per_quarter_turn(rng, group_order):
    model = small_model(group_order)
    x = digits(rng)
    latent = to_numpy(model.equivariant_latent(x))
    assert latent.shape == (3, group_order, 6)
    assert np.abs(latent - np.roll(latent, 1, axis=1)).max() > 1e-4  # not trivially constant over the group
    for turns in (1, 2, 3):
        assert_close(model.equivariant_latent(turn(x, turns)), np.roll(latent, turns * group_order // 4, axis=1),
                     atol=1e-5)


def test_check_symmetry_judges_the_quarter_turns_and_only_reports_row_permutations(rng):
    model = small_model(8)
    report = zoo.check_symmetry(model, digits(rng), trials=3)
    assert report["passed"] and report["judged"] == ["element"] and report["element"] <= report["tolerance"]
    assert report["permutation"] > report["tolerance"]  # shuffling an image's rows changes the logits
    four_d = small_model(4, build_shape=(None, 28, 28, 1))
    assert zoo.check_symmetry(four_d, digits(rng)[..., None], trials=2)["passed"]


def test_fit_runs_a_step_and_moves_the_weights(rng):
    model = small_model(4)
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [to_numpy(w).copy() for w in model.trainable_weights]
    history = model.fit(digits(rng, 8), rng.integers(0, 10, 8), batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert all(not np.array_equal(b, to_numpy(w)) for b, w in zip(before, model.trainable_weights))


def test_keras_file_round_trip_gives_identical_outputs(tmp_path, rng):
    model = small_model(8, "mean")
    path = tmp_path / "cn.keras"
    loaded = keras_file_round_trip(model, path)
    x = digits(rng)
    assert type(loaded) is CNClassifier and loaded.symmetry == model.symmetry
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))
    np.testing.assert_array_equal(to_numpy(loaded.equivariant_latent(x)), to_numpy(model.equivariant_latent(x)))


def test_new_class_count_keeps_the_features(rng):
    model = small_model(4)
    other = model.with_num_classes(3)
    x = digits(rng)
    assert to_numpy(other(x)).shape == (3, 3)
    np.testing.assert_array_equal(to_numpy(other.equivariant_latent(x)), to_numpy(model.equivariant_latent(x)))


def test_bad_inputs_and_arguments_are_clear_errors(rng):
    model = small_model(4)
    with pytest.raises(ValueError, match=r"takes images \(batch, 28, 28\) or \(batch, 28, 28, 1\) or \(batch, 784\)"):
        model(rng.random((2, 27, 27)).astype("float32"))
    with pytest.raises(ValueError, match=r"got an input of shape \(2, 28, 28, 3\)"):
        model.predict(rng.random((2, 28, 28, 3)).astype("float32"), verbose=0)
    with pytest.raises(ValueError, match="NaN"):
        model.equivariant_latent(np.full((1, 28, 28), np.nan, "float32"))
    with pytest.raises(ValueError, match="square images"):
        CNClassifier((28, 20), 10)
    with pytest.raises(ValueError, match=r"would pool a 7 × 7 map"):
        CNClassifier((28, 28), 10, filters=(4, 4, 4), pooling=(True, True, True))
    with pytest.raises(ValueError, match="one per conv"):
        CNClassifier((28, 28), 10, filters=(4, 4), pooling=(True,))
    with pytest.raises(ValueError, match="multiple of 4"):
        CNClassifier((28, 28), 10, group_order=6)
    with pytest.raises(ValueError, match="group_pool"):
        CNClassifier((28, 28), 10, group_pool="sum")
