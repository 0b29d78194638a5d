"""RecurrentModel: RNN / GRU / LSTM over a set's elements with a learned initial state and the SIRE regulariser."""

import keras
import numpy as np
import pytest

from tests.helpers import assert_close, to_numpy
from zoo.models.recurrent import RecurrentModel, exact_parity_rnn


def _tokens(rng, batch=16, n=6):
    return rng.integers(0, 10, size=(batch, n))


def _model(cell="gru", sire_weight=0.0, **kwargs):
    return RecurrentModel([keras.layers.Embedding(10, 8)], cell=cell, units=6, sire_weight=sire_weight,
                          input_range=(0, 9), seed=0, **kwargs)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_padding_leaves_the_output_of_each_set_alone(rng, cell):
    model, x = _model(cell), _tokens(rng)
    mask = np.ones(x.shape, "float32")
    mask[:, 4:] = 0.0
    mask[0, 1:] = 0.0
    padded = to_numpy(model({"elements": x, "mask": mask}))
    assert_close(padded[1:], to_numpy(model(x[1:, :4])), atol=1e-5)
    assert_close(padded[:1], to_numpy(model(x[:1, :1])), atol=1e-5)


def test_the_states_start_from_the_learned_initial_state(rng):
    model, x = _model("lstm"), _tokens(rng)
    model(x)
    model.initial_states[1].assign(np.arange(6, dtype="float32"))
    hidden, carry = model.states(x)
    assert hidden.shape == (16, 7, 6) and carry.shape == (16, 7, 6)
    assert_close(to_numpy(carry)[:, 0], np.broadcast_to(np.arange(6, dtype="float32"), (16, 6)))
    assert all(w.trainable for w in model.initial_states)


def test_the_order_of_the_elements_matters_to_a_plain_rnn(rng):
    model, x = _model("gru"), _tokens(rng)
    assert np.abs(to_numpy(model(x)) - to_numpy(model(x[:, ::-1]))).max() > 1e-4


def test_sire_is_zero_for_an_update_that_commutes_and_positive_otherwise(rng):
    """A linear RNN whose recurrent matrix is the identity adds W·x + b at every step: the order never matters."""
    model, x = _model("rnn", activation=None), _tokens(rng)
    model(x)
    model.cell.recurrent_kernel.assign(np.eye(6, dtype="float32"))
    model.cell.bias.assign(rng.normal(size=6).astype("float32"))
    assert float(model.sire_penalty(x)) < 1e-10
    assert np.abs(to_numpy(model(x)) - to_numpy(model(x[:, ::-1]))).max() < 1e-5
    relative = _model("rnn", activation=None, sire_scale="relative")
    relative(x)
    relative.set_weights(model.get_weights())
    assert float(relative.sire_penalty(x)) < 1e-10
    model.cell.recurrent_kernel.assign(rng.normal(size=(6, 6)).astype("float32"))
    assert float(model.sire_penalty(x)) > 1e-4


def test_adjacent_sire_swaps_the_two_reads_that_follow_the_state(rng):
    """On two-element sequences the only adjacent pair is the whole sequence: the penalty is the squared distance
    between the last states of the sequence read forwards and backwards."""
    model, x = _model("gru", sire_weight=1.0, sire_pairs="adjacent"), _tokens(rng, n=2)
    forwards, backwards = (to_numpy(model.states(seq)[0][:, -1]) for seq in (x, x[:, ::-1]))
    assert_close(model.sire_penalty(x), np.mean(np.sum((forwards - backwards) ** 2, axis=-1)), atol=1e-6)


def test_adjacent_sire_ignores_sets_too_short_to_swap_and_padding(rng):
    model, x = _model("lstm", sire_weight=1.0, sire_pairs="adjacent"), _tokens(rng, batch=4, n=5)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]], "float32")
    assert float(model.sire_penalty({"elements": x, "mask": mask})) > 1e-6
    assert float(model.sire_penalty({"elements": x[2:], "mask": mask[2:]})) == 0.0
    assert float(model.sire_penalty({"elements": x[1:2], "mask": mask[1:2]})) == pytest.approx(
        float(model.sire_penalty(x[1:2, :2])), abs=1e-6)


def test_sire_blocks_keep_the_adjacent_swaps_inside_each_block(rng):
    """In `a a b b` (then padding) only the swap of the middle two reads changes anything: blocks `(2,)` never
    draw it, so the penalty is zero, while every adjacent swap (no blocks) draws it and is positive."""
    a, b = rng.choice(10, size=2, replace=False)
    x = np.tile(np.array([[a, a, b, b, 0]]), (8, 1))
    mask = np.tile(np.array([[1, 1, 1, 1, 0]], "float32"), (8, 1))
    everywhere, blocked = (_model("gru", sire_weight=1.0, sire_pairs="adjacent", sire_blocks=blocks)
                           for blocks in ((), (2,)))
    assert float(everywhere.sire_penalty({"elements": x, "mask": mask})) > 1e-6
    assert float(blocked.sire_penalty({"elements": x, "mask": mask})) == 0.0
    ragged = _model("gru", sire_weight=1.0, sire_pairs="adjacent", sire_blocks=(3, 1))  # a a b | b
    assert float(ragged.sire_penalty({"elements": x, "mask": mask})) > 1e-6


def test_sire_blocks_need_adjacent_pairs():
    with pytest.raises(ValueError, match="sire_blocks"):
        _model("gru", sire_weight=1.0, sire_blocks=(2, 2))
    with pytest.raises(ValueError, match="sire_blocks"):
        _model("gru", sire_weight=1.0, sire_pairs="adjacent", sire_blocks=(2, 0))


def _saturating_rnn(**kwargs):
    """A tanh RNN h' = tanh(2h ± 0.5) on tokens 3 (+) and 7 (−) from h = 0: near 0 the order of two reads shows
    (tanh(2·tanh(0.5) − 0.5) against its negative), and after many reads the state saturates and hides it."""
    model = _model("rnn", sire_weight=1.0, sire_samples=64, **kwargs)
    model(np.array([[3], [7]]))
    embeddings = np.zeros((10, 8), "float32")
    embeddings[3, :6], embeddings[7, :6] = 0.5, -0.5
    model.encoder[0].embeddings.assign(embeddings)
    model.cell.kernel.assign(np.eye(8, 6, dtype="float32"))
    model.cell.recurrent_kernel.assign(2 * np.eye(6, dtype="float32"))
    model.cell.bias.assign(np.zeros(6, "float32"))
    model.initial_states[0].assign(np.zeros(6, "float32"))
    return model


def test_sire_state_length_takes_states_after_up_to_that_many_reads_of_the_batch_elements(rng):
    """On a batch of two one-element sets the paper's states are those after 0 or 1 reads; with
    `sire_state_length=30` the penalty estimates the expectation over states after 0–30 random reads of the two
    elements, which a direct Monte Carlo estimate with the model's own step gives."""
    x, length = np.array([[3], [7]]), 30
    deep, shallow = _saturating_rnn(sire_state_length=length), _saturating_rnn()
    estimate = np.mean([float(deep.sire_penalty(x)) for _ in range(40)])
    codes = to_numpy(deep.encode(np.array([[3, 7]])))[0]
    draws = 8000
    reads, picks = rng.integers(0, length + 1, draws), rng.integers(0, 2, (draws, length + 2))
    states = [np.zeros((draws, 6), "float32")]
    for t in range(length):
        states = [np.where((t < reads)[:, None], to_numpy(new), old)
                  for new, old in zip(deep.step(states, codes[picks[:, t]]), states)]
    x1, x2 = codes[picks[:, length]], codes[picks[:, length + 1]]
    one, two = (to_numpy(deep.step(deep.step(states, a), b)[0]) for a, b in ((x1, x2), (x2, x1)))
    expected = np.mean(np.sum((one - two) ** 2, axis=-1))
    assert abs(estimate - expected) < 0.25 * expected
    assert estimate < 0.2 * np.mean([float(shallow.sire_penalty(x)) for _ in range(10)])


def test_sire_state_length_needs_batch_pairs():
    with pytest.raises(ValueError, match="sire_state_length"):
        _model("gru", sire_weight=1.0, sire_pairs="adjacent", sire_state_length=10)


def test_sire_draws_its_pairs_uniformly_among_the_real_elements_of_the_batch(rng):
    from zoo.models.recurrent import _draw_elements

    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [1, 1, 0, 0]], "float32")
    codes = np.arange(12, dtype="float32").reshape(3, 4, 1)  # each element is its position in the batch
    drawn = to_numpy(_draw_elements(codes, mask, 6000, keras.random.SeedGenerator(0)))[:, 0].astype(int)
    real = np.flatnonzero(mask.reshape(-1))
    assert set(drawn) == set(real)  # every real element, and never padding
    counts = np.bincount(drawn, minlength=12)[real]
    assert np.abs(counts / len(drawn) - 1 / len(real)).max() < 0.02  # uniform: 1/6 each, ± 0.02


def test_more_sire_samples_estimate_the_same_penalty_with_less_noise(rng):
    x = _tokens(rng, batch=8)

    def penalties(samples):
        model = _model("gru", sire_weight=1.0, sire_samples=samples)
        model(x)
        model.set_weights(reference.get_weights())
        return np.array([float(model.sire_penalty(x)) for _ in range(40)])

    reference = _model("gru")
    reference(x)
    one, many = penalties(1), penalties(64)
    assert many.std() < 0.4 * one.std()
    assert abs(many.mean() - one.mean()) < 3 * one.std() / np.sqrt(len(one))  # one expectation


def test_relative_sire_ignores_the_scale_of_the_states_and_absolute_sire_does_not(rng):
    """A ReLU RNN with no biases and a zero initial state is positively homogeneous: inputs 10× as large give states
    10× as large, so the absolute penalty grows 100× and the relative one stays."""
    x = _tokens(rng)

    def penalty(input_scale, sire_scale):
        model = RecurrentModel([keras.layers.Rescaling(input_scale)], cell="rnn", units=6, activation="relu",
                               sire_weight=1.0, sire_scale=sire_scale, seed=0)
        model(x)
        model.set_weights([w if w.ndim > 1 else np.zeros_like(w) for w in weights])
        return float(model.sire_penalty(x))

    reference = RecurrentModel([keras.layers.Rescaling(1.0)], cell="rnn", units=6, activation="relu", seed=1)
    reference(x)
    weights = reference.get_weights()
    assert penalty(1.0, "absolute") > 1e-3
    assert penalty(10.0, "absolute") == pytest.approx(100 * penalty(1.0, "absolute"), rel=1e-4)
    assert penalty(10.0, "relative") == pytest.approx(penalty(1.0, "relative"), rel=1e-4)
    assert 1e-4 < penalty(1.0, "relative") < 2.0  # a squared distance over a mean squared norm


def test_an_unknown_kind_of_sire_pairs_is_a_clear_error():
    with pytest.raises(ValueError, match="SIRE pairs"):
        _model("gru", sire_pairs="neighbours")
    with pytest.raises(ValueError, match="Unknown SIRE scale 'outputs'"):
        _model("gru", sire_scale="outputs")


def test_sub_is_zero_for_an_update_that_commutes_and_positive_otherwise(rng):
    model, x = _model("lstm", sub_length=3), _tokens(rng)
    assert float(model.sub_penalty(x)) > 1e-6
    linear = _model("rnn", activation=None, sub_length=3)
    linear(x)
    linear.cell.recurrent_kernel.assign(np.eye(6, dtype="float32"))
    assert float(linear.sub_penalty(x)) < 1e-10


def test_the_loss_adds_lambda_times_sire_while_training_only(rng):
    model, x, y = _model("gru", sire_weight=3.0), _tokens(rng), rng.normal(size=(16, 1)).astype("float32")
    model.compile("adam", "mse")
    y_pred = model(x)
    plain = float(model.compute_loss(x=x, y=y, y_pred=y_pred, training=False))
    assert_close(plain, float(np.mean(to_numpy(keras.losses.mean_squared_error(y, y_pred)))), atol=1e-5)
    assert float(model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)) > plain


def test_lambda_zero_is_the_plain_loss_even_while_training(rng):
    model, x, y = _model("lstm", sire_weight=0.0), _tokens(rng), rng.normal(size=(16, 1)).astype("float32")
    model.compile("adam", "mse")
    y_pred = model(x)
    expected = float(np.mean(to_numpy(keras.losses.mean_squared_error(y, y_pred))))
    assert_close(float(model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)), expected, atol=1e-6)


def test_the_output_scale_multiplies_the_output_and_round_trips(rng):
    x = _tokens(rng)
    plain, scaled = _model("gru"), _model("gru", output_scale=1000.0)
    plain(x), scaled(x)
    scaled.set_weights(plain.get_weights())
    assert_close(to_numpy(scaled(x)), 1000.0 * to_numpy(plain(x)), rtol=1e-5)
    assert RecurrentModel.from_config(scaled.get_config()).output_scale == 1000.0


def test_fit_with_a_large_sire_or_sub_lambda_drives_the_model_towards_invariance(rng):
    x, y = _tokens(rng, batch=64), rng.normal(size=(64, 1)).astype("float32")

    def order_error(sire_weight, sub_weight=0.0):
        keras.utils.set_random_seed(0)
        model = _model("gru", sire_weight=sire_weight, sub_weight=sub_weight)
        model.compile(keras.optimizers.Adam(0.01), "mse")
        model.fit(x, y, batch_size=16, epochs=8, verbose=0)
        return np.abs(to_numpy(model(x)) - to_numpy(model(x[:, ::-1]))).mean()

    assert order_error(10.0) < 0.5 * order_error(0.0)
    assert order_error(0.0, sub_weight=10.0) < 0.5 * order_error(0.0)


def test_config_and_keras_file_round_trip(rng, tmp_path):
    model = _model("lstm", sire_weight=0.1, sire_pairs="adjacent", sire_samples=3, sub_weight=0.01, sub_length=3,
                   activation="relu", head_units=(5,), sire_scale="relative", sire_blocks=(2, 3))
    deep = RecurrentModel.from_config(_model("gru", sire_weight=0.1, sire_state_length=7).get_config())
    assert deep.sire_state_length == 7
    x = _tokens(rng)
    expected = to_numpy(model(x))
    path = tmp_path / "rnn.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored, RecurrentModel)
    assert (restored.cell_kind, restored.sire_weight, restored.activation) == ("lstm", 0.1, "relu")
    assert (restored.sire_pairs, restored.sire_samples, restored.sub_weight, restored.sub_length) == (
        "adjacent", 3, 0.01, 3)
    assert (restored.sire_scale, restored.sire_blocks) == ("relative", (2, 3))
    assert_close(to_numpy(restored(x)), expected, atol=1e-6)


def test_an_unknown_cell_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown recurrent cell 'transformer'"):
        RecurrentModel(cell="transformer")


def test_the_analytic_parity_rnn_is_exact_at_any_length(rng):
    model = exact_parity_rnn()
    bits = rng.integers(0, 2, size=(64, 100))
    mask = (np.arange(100)[None] < rng.integers(1, 101, size=(64, 1))).astype("float32")
    parity = to_numpy(model.predict({"elements": bits, "mask": mask}, verbose=0))[:, 0]
    assert (parity == (bits * mask).sum(axis=1) % 2).all()
    assert model.predict(np.array([[1] * 1000]), verbose=0)[0, 0] == 0.0
    with pytest.raises(ValueError):
        model.predict(np.array([[0, 2, 1]]), verbose=0)  # not a bit


def test_pisgd_shuffles_the_real_elements_and_keeps_padding_last(rng):
    model = _model("gru", permutations=4)
    x = rng.normal(size=(5, 6, 3)).astype("float32")
    mask = np.ones((5, 6), "float32")
    mask[:, 4:] = 0.0
    shuffled, shuffled_mask = (to_numpy(t) for t in model._shuffled(x, mask))
    assert_close(shuffled_mask, mask)
    for row in range(5):
        assert sorted(map(tuple, shuffled[row, :4])) == sorted(map(tuple, x[row, :4]))
        assert_close(shuffled[row, 4:], x[row, 4:])


def test_pisgd_averages_over_more_orders_to_depend_less_on_the_order(rng):
    x = _tokens(rng, batch=32)

    def order_error(permutations):
        keras.utils.set_random_seed(0)
        model = _model("gru", permutations=permutations)
        return np.abs(to_numpy(model(x)) - to_numpy(model(x[:, ::-1]))).mean()

    assert order_error(64) < 0.5 * order_error(1)
    model = _model("gru", permutations=2)
    model.compile("adam", "mse")
    model.fit(x, rng.normal(size=(32, 1)).astype("float32"), epochs=1, verbose=0)  # a random order per step
    assert RecurrentModel.from_config(model.get_config()).permutations == 2


def test_predict_takes_sequences_of_ever_new_lengths(rng):
    model = exact_parity_rnn()
    for length in (3, 9, 27, 40, 81):  # Keras relaxes the traced shape to an unknown length along the way
        bits = rng.integers(0, 2, size=(4, length))
        assert (model.predict(bits, verbose=0)[:, 0] == bits.sum(axis=1) % 2).all()


def test_pisgd_predictions_reproduce(rng):
    model, x = _model("lstm", permutations=5), _tokens(rng)
    first = to_numpy(model.predict(x, verbose=0))
    model(x, training=True)  # training draws move on; predictions keep their k orders
    assert_close(to_numpy(model.predict(x, verbose=0)), first, atol=1e-6)
    assert_close(to_numpy(model.predict(x[:5], verbose=0)), first[:5], atol=1e-6)  # whatever the batch
    padded = {"elements": np.pad(x, ((0, 0), (0, 3))), "mask": np.pad(np.ones(x.shape, "float32"), ((0, 0), (0, 3)))}
    assert_close(to_numpy(model.predict(padded, verbose=0)), first, atol=1e-5)
    keys = to_numpy(model._fixed_draws(np.ones((2, 50), "float32"), 0))
    assert len(np.unique(keys[0])) == 50 and 0 <= keys.min() and keys.max() < 1  # a proper order, no ties


def test_a_relu_cell_computes_relu_and_its_gradient_and_keeps_tensorflows_optimizer_quiet(rng):
    import os
    import subprocess
    import sys

    from zoo.models.recurrent import relu

    model = _model("rnn", activation="relu")
    assert model.cell.activation is relu and model.get_config()["activation"] == "relu"
    x = np.array([-2.0, -1e-7, 0.0, 1e-7, 3.0], "float32")
    assert_close(to_numpy(relu(x)), to_numpy(keras.activations.relu(x)))
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tensor = tf.constant(x)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(tensor)
            ours, theirs = relu(tensor), keras.activations.relu(tensor)
        assert_close(tape.gradient(ours, tensor).numpy(), tape.gradient(theirs, tensor).numpy())  # 0 at 0
    # A Relu inside the recurrent loop made TensorFlow's graph optimizer log "remapper failed" at the first call.
    script = ("import numpy as np; from zoo.models.recurrent import RecurrentModel; "
              "RecurrentModel(cell='rnn', units=4, activation='relu').predict(np.ones((2, 5, 1)), verbose=0)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "remapper failed" not in result.stderr and "tfg_optimizer" not in result.stderr
