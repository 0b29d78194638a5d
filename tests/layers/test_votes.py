"""SelectionVote and the path-end cue: a selection network's scores plus cues from the set's own geometry."""

import itertools

import keras
import numpy as np
import pytest

from tests.helpers import assert_close, pad_sets, random_mask, to_numpy
from zoo.layers import SelectionVote
from zoo.layers.votes import MAX_PATH_SET_SIZE, path_ends, path_orderings


def _standardized(s):
    return (s - s.mean(axis=1, keepdims=True)) / (s.std(axis=1, keepdims=True) + 1e-6)


def _brute_force_ends(x):
    """The two ends of the shortest path through the elements `x (k, ...)`, by trying every ordering."""
    d = np.abs(x[:, None] - x[None]).mean(axis=tuple(range(2, x.ndim + 1)))
    best = min(itertools.permutations(range(len(x))), key=lambda p: sum(d[a, b] for a, b in zip(p, p[1:])))
    return {best[0], best[-1]}


def test_orderings_are_every_permutation_up_to_reversal():
    orders = path_orderings(5)
    assert orders.shape == (60, 5)
    assert len({tuple(o) for o in orders} | {tuple(o[::-1]) for o in orders}) == 120


def test_path_ends_are_the_ends_of_the_shortest_path(rng):
    x = rng.normal(size=(6, 7, 3, 3, 2)).astype("float32")
    ends = to_numpy(path_ends(x))
    for b in range(6):
        assert set(np.flatnonzero(ends[b])) == _brute_force_ends(x[b])


def test_frames_along_a_line_end_at_its_first_and_last(rng):
    start, direction = rng.uniform(size=(8, 8, 3)), rng.normal(size=(8, 8, 3))
    frames = np.stack([start + t * direction for t in range(8)]).astype("float32")
    perm = rng.permutation(8)
    ends = to_numpy(path_ends(frames[perm][None]))[0]
    assert set(perm[np.flatnonzero(ends)]) == {0, 7}


def test_masked_sets_end_at_their_real_elements(rng):
    x = rng.normal(size=(8, 8, 4)).astype("float32")
    mask = random_mask(rng, 8, 8)
    mask[0] = [1, 0, 0, 0, 0, 0, 0, 0]
    ends = to_numpy(path_ends(100 * (1 - mask[..., None]) + x, mask))
    assert (ends[mask == 0] == 0).all()
    for b in range(8):
        real = np.flatnonzero(mask[b])
        expected = {real[i] for i in _brute_force_ends(x[b, real])}
        assert set(np.flatnonzero(ends[b])) == expected


def test_long_padded_tensors_work_while_each_set_is_small_enough(rng):
    x = rng.normal(size=(3, 7, 4)).astype("float32")
    padded, mask = pad_sets(rng, x, np.ones((3, 7), "float32"), 6)
    perm = rng.permutation(13)
    ends = to_numpy(path_ends(padded[:, perm], mask[:, perm]))[:, np.argsort(perm)]
    assert_close(ends, np.concatenate([to_numpy(path_ends(x)), np.zeros((3, 6))], axis=1))
    assert (to_numpy(path_ends(padded, np.ones((3, 13), "float32"))) == 0).all()  # 13 real elements: no ends


def test_path_ends_refuse_sets_too_large_to_order_exactly():
    with pytest.raises(ValueError, match="at most 9"):
        path_ends(np.zeros((1, MAX_PATH_SET_SIZE + 1, 2), "float32"))
    with pytest.raises(ValueError, match="at most 9"):
        SelectionVote(path_end_weight=1.0)([np.zeros((1, 12), "float32"), np.zeros((1, 12, 2), "float32")])


def test_the_vote_adds_standardized_scores_deviation_and_path_ends(rng):
    scores, x = rng.normal(size=(3, 6)).astype("float32"), rng.uniform(size=(3, 6, 4, 4, 3)).astype("float32")
    deviation = np.abs(x - x.mean(axis=1, keepdims=True)).mean(axis=(2, 3, 4))
    ends = to_numpy(path_ends(x))
    out = to_numpy(SelectionVote(0.5, 2.0)([scores, x]))
    assert_close(out, _standardized(scores) + 0.5 * _standardized(deviation) + 2.0 * ends, atol=1e-4)
    assert_close(to_numpy(SelectionVote()([scores, x])), _standardized(scores), atol=1e-4)
    assert (to_numpy(SelectionVote(100.0)([scores, x])).argmax(1) == deviation.argmax(1)).all()
    picked = to_numpy(SelectionVote(path_end_weight=100.0)([scores, x])).argmax(1)
    assert ends[np.arange(3), picked].all()


@pytest.mark.parametrize("weights", [(1.0, 0.0), (0.5, 3.0)])
def test_the_vote_is_permutation_equivariant_shift_invariant_and_ignores_padding(rng, weights):
    scores, x = rng.normal(size=(2, 6)).astype("float32"), rng.uniform(size=(2, 6, 8, 8, 3)).astype("float32")
    layer, perm = SelectionVote(*weights), rng.permutation(6)
    out = to_numpy(layer([scores, x]))
    assert_close(to_numpy(layer([scores[:, perm], x[:, perm]])), out[:, perm], atol=1e-5)
    assert_close(to_numpy(layer([scores, np.roll(x, 3, axis=2)])), out, atol=1e-5)
    padded, mask = pad_sets(rng, x, np.ones((2, 6), "float32"), 2)
    padded_scores = np.concatenate([scores, rng.normal(size=(2, 2)).astype("float32")], axis=1)
    masked = to_numpy(layer([padded_scores, padded], mask=mask))
    assert_close(masked[:, :6], out, atol=1e-4)
    assert (masked[:, 6:] < -1e8).all()


def test_vote_config_round_trip():
    layer = SelectionVote(0.7, 4.0, name="vote")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, SelectionVote) and restored.name == "vote"
    assert (restored.deviation_weight, restored.path_end_weight) == (0.7, 4.0)
