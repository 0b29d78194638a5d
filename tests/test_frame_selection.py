"""`zoo.select_first_frame` on frames and videos, and its errors."""

import numpy as np
import pytest

import zoo
from tests.data.conftest import ramp_frames
from tests.models.zoo_models import ucf101_model
from zoo.data.video import CorruptVideoError, write_video


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


def test_nan_or_0_to_255_float_frames_are_clear_errors_and_integer_frames_work(model, rng):
    frames = rng.integers(0, 255, size=(8, 64, 64, 3))
    as_uint8 = zoo.select_first_frame(model, frames=list(frames.astype(np.uint8)))
    np.testing.assert_allclose(zoo.select_first_frame(model, frames=list(frames)).scores, as_uint8.scores)
    with pytest.raises(ValueError, match="look like 0–255 pixel values: divide by 255"):
        zoo.select_first_frame(model, frames=list(frames.astype("float32")))
    with_nan = frames.astype("float32") / 255
    with_nan[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Frames \[3\] hold NaN"):
        zoo.select_first_frame(model, frames=list(with_nan))


def test_a_loaded_image_model_refuses_0_to_255_floats_and_takes_noisy_ones():
    model = zoo.load("dss_sum_quality_noise50")
    x = np.random.default_rng(0).random((2, *model.zoo_info["input_spec"]["elements"][1:]), dtype=np.float32)
    model.predict(x + np.random.default_rng(1).normal(0, 0.3, x.shape).astype("float32"), verbose=0)
    for call in (model.predict, model):
        with pytest.raises(ValueError, match=r"takes values in \[0, 1\].*divide by 255"):
            call(x * 255)


def test_fine_tuning_on_your_own_videos_round_trips_through_zoo_save(tmp_path):
    """Two clips of your own (a file and a frame array, full size) → training sets with the entries'
    preprocessing → a fine-tuned model that saves, loads and predicts the same."""
    model = zoo.load("dss_sum_ucf101")
    video = write_video(tmp_path / "kick.mp4", ramp_frames(60, 90, 120))
    clips = zoo.prepare_clips([video, ramp_frames(50, 120, 90)])
    assert {name: c.shape for name, c in clips.items()} == {"kick": (60, 72, 72, 3), "clip #1": (50, 72, 72, 3)}
    batches = zoo.frame_training_sets([video, ramp_frames(50, 120, 90)], batch_size=4, steps=2)
    x, y = zoo.frame_evaluation_sets({"held_out": ramp_frames(45, 100, 100)}, sets_per_video=3)
    assert x.shape == (3, 8, 64, 64, 3) and y.shape == (3,)
    history = model.fit(batches, epochs=1, validation_data=(x, y), verbose=0).history
    assert np.isfinite(history["loss"]).all() and "val_accuracy" in history

    info = zoo.save(model, tmp_path / "my_first_frame", dataset={"name": "two clips of my own",
                                                               "training_split": "kick.mp4 and one array",
                                                               "evaluation_split": "one held-out array"},
                    metrics={"accuracy": float(history["val_accuracy"][-1])})
    assert info["architecture"] == "dss_sum" and info["family"] == "ucf101"
    loaded = zoo.load(str(tmp_path / "my_first_frame"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert zoo.select_first_frame(loaded, frames=list(ramp_frames(8, 90, 120))).scores.shape == (8,)


def test_your_videos_are_checked_before_any_training(tmp_path):
    with pytest.raises(ValueError, match="a list of videos, not one"):
        zoo.prepare_clips("kick.mp4")
    with pytest.raises(FileNotFoundError, match="missing.mp4 not found"):
        zoo.prepare_clips([tmp_path / "missing.mp4"])
    with pytest.raises(ValueError, match=r"clip #0 \(float frames\).*divide by 255"):
        zoo.prepare_clips([ramp_frames(40).astype("float32")])
    with pytest.raises(ValueError, match=r"needs 36 frames; 1 clip\(s\) are shorter: clip #0 \(20 frames\)"):
        zoo.frame_training_sets([ramp_frames(20)])
