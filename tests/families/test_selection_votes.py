"""Choosing a selection network's vote weights on validation sets (`choose_vote`, UCF101's `after_fit`)."""

import numpy as np

from tests.helpers import assert_close
from zoo.families import get_family
from zoo.families.dss.image_selection import VOTE_GRID, choose_vote
from zoo.layers import SelectionVote


def _frames_along_lines(rng, sets=24, n=8):
    """Sets of n frames moving steadily from a random image in a random direction, shuffled; y = the first."""
    start = rng.uniform(0.3, 0.7, size=(sets, 1, 64, 64, 3))
    step = rng.normal(scale=0.03, size=(sets, 1, 64, 64, 3))
    frames = (start + np.arange(n)[None, :, None, None, None] * step).astype("float32")
    order = np.argsort(rng.random((sets, n)), axis=1)
    shuffled = np.take_along_axis(frames, order[:, :, None, None, None], axis=1)
    return shuffled, np.argmax(order == 0, axis=1).astype("int32")


def test_the_best_vote_on_validation_ships_and_is_recorded(rng):
    family = get_family("ucf101")
    hyperparameters = {"width": 0.05, "mean_deviation": True, "learning_rate": 1e-3}
    network = family.build("dss_sum", **hyperparameters)
    network.set_weights([np.zeros_like(w) for w in network.get_weights()])  # one score for every frame: no choice
    validation = [_frames_along_lines(rng) for _ in range(2)]
    voted, chosen, record = choose_vote(family, network, "dss_sum", hyperparameters, validation)

    accuracy = record["validation_accuracy"]
    assert len(accuracy) == len(VOTE_GRID["deviation_vote"]) * len(VOTE_GRID["path_end_vote"])
    best = f"deviation_vote {chosen['deviation_vote']:g}, path_end_vote {chosen['path_end_vote']:g}"
    assert accuracy[best] == max(accuracy.values())
    assert accuracy["deviation_vote 0, path_end_vote 0"] == np.mean([np.mean(y == 0) for _, y in validation])
    assert accuracy[best] > 0.4  # the first frame of a steady motion always ends the path and is farthest out
    assert record["summary"].startswith("Vote weights chosen on the validation split (2 seeds)")

    x = validation[0][0]
    expected = SelectionVote(chosen["deviation_vote"], chosen["path_end_vote"])([network.predict(x, verbose=0), x])
    assert_close(voted.predict(x, verbose=0), np.asarray(expected), atol=1e-4)
    assert voted.compiled and voted.vote is not None
