"""The set-expansion model scores the same candidates the same way in chunks or one by one; the recurrent
baseline skips masked steps wherever they are."""

import keras
import numpy as np
import pytest

from zoo.models import RecurrentModel, SetExpansionModel


def test_scoring_every_token_in_chunks_equals_scoring_them_as_candidates(rng):
    model = SetExpansionModel(130, embedding_dim=6, phi_units=(8,), rho_units=(4,), vocabulary_chunk=50)
    model.build((None, None))
    x = {"elements": rng.integers(0, 130, size=(3, 4)), "mask": np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]],
                                                                          "float32")}
    every = model.predict(x, verbose=0)
    candidates = np.tile(np.arange(130), (3, 1))
    assert every.shape == (3, 130)  # three chunks: 50 + 50 + 30
    np.testing.assert_allclose(model.predict({**x, "candidates": candidates}, verbose=0), every, atol=1e-6)
    with pytest.raises(ValueError, match="candidates.*outside its vocabulary 0…129"):
        model.predict({**x, "candidates": np.full((3, 2), 130)}, verbose=0)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_masked_steps_are_skipped_wherever_they_are(rng, cell):
    model = RecurrentModel([keras.layers.Embedding(10, 4)], cell=cell, units=3, input_range=(1, 9))
    model.build((None, None))
    tokens = np.array([[3, 1, 4, 1, 5]], np.int32)
    holey = np.array([[3, 7, 1, 4, 9, 1, 5]], np.int32)  # 7 and 9 masked out
    mask = np.array([[1, 0, 1, 1, 0, 1, 1]], np.float32)
    np.testing.assert_allclose(model.predict({"elements": holey, "mask": mask}, verbose=0),
                               model.predict(tokens, verbose=0), atol=1e-6)
    assert not np.allclose(model.predict(tokens[:, ::-1], verbose=0), model.predict(tokens, verbose=0))
