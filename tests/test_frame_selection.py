"""`zoo.select_first_frame` on frames and videos, and its errors."""

import numpy as np
import pytest

import zoo
from tests.data.conftest import ramp_frames, write_video
from tests.models.zoo_models import ucf101_model
from zoo.data.video import CorruptVideoError


@pytest.fixture(scope="module")
def model():
    return ucf101_model("dss_sum")


def test_frames_in_any_order_give_a_distribution_over_them(model, rng):
    frames = list(rng.integers(0, 255, size=(8, 90, 120, 3), dtype=np.uint8))
    result = zoo.select_first_frame(model, frames=frames)
    assert 0 <= result.index < 8 and result.scores.shape == (8,)
    assert result.probabilities.sum() == pytest.approx(1.0) and result.frame_numbers is None
    reordered = zoo.select_first_frame(model, frames=frames[::-1])
    np.testing.assert_allclose(reordered.scores, result.scores[::-1], rtol=1e-5, atol=1e-4)  # equivariant


def test_float_frames_and_other_set_sizes(model, rng):
    frames = list(rng.random((5, 64, 64, 3)).astype("float32"))
    assert zoo.select_first_frame(model, frames=frames, n=None).scores.shape == (5,)


def test_a_video_file(model, tmp_path):
    path = write_video(tmp_path / "clip.mp4", ramp_frames(60))
    result = zoo.select_first_frame(model, video=path, stride=5, start=3, seed=1)
    assert sorted(result.frame_numbers.tolist()) == list(range(3, 3 + 8 * 5, 5))
    assert 0 <= result.index < 8


def test_bad_inputs_are_clear_errors(model, tmp_path, rng):
    frames = list(rng.integers(0, 255, size=(8, 64, 64, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="either frames= .* or video="):
        zoo.select_first_frame(model)
    with pytest.raises(ValueError, match="same size"):
        zoo.select_first_frame(model, frames=frames[:7] + [np.zeros((32, 32, 3), np.uint8)])
    with pytest.raises(ValueError, match="set of 5 frames; the model expects sets of 8"):
        zoo.select_first_frame(model, frames=frames[:5])
    with pytest.raises(ValueError, match="has 20 frames"):
        zoo.select_first_frame(model, video=write_video(tmp_path / "short.avi", ramp_frames(20)))
    (tmp_path / "corrupt.mp4").write_bytes(b"\\x00" * 100)
    with pytest.raises(CorruptVideoError):
        zoo.select_first_frame(model, video=tmp_path / "corrupt.mp4")
    with pytest.raises(FileNotFoundError):
        zoo.select_first_frame(model, video=tmp_path / "missing.gif")
