"""Use a first-frame selection model (e.g. `dss_sum_ucf101`) on your own frames or video, and fine-tune it on
your own videos, in a few lines, with exactly the preprocessing of its training.

>>> model = zoo.load("dss_sum_ucf101")
>>> result = zoo.select_first_frame(model, video="clip.mp4")
>>> result.index, result.probabilities
>>> model.fit(zoo.frame_training_sets(["a.mp4", "b.mp4"]), validation_data=zoo.frame_evaluation_sets(["c.mp4"]))
"""

import dataclasses
import os

import numpy as np

from zoo.data.frame_sets import FrameSetBatches, frame_selection_sets, frame_size_for
from zoo.data.video import check_same_size, read_frames, square_resize
from zoo.families.dss.ucf101 import BATCH_SIZE, IMAGE_SIZE, SET_SIZE, STRIDE
from zoo.models.inputs import check_value_range


@dataclasses.dataclass
class FirstFrame:
    """The prediction for one set of frames.

    Attributes:
        index: position (in the frames as given) of the frame predicted to come first.
        scores: the model's logit per frame.
        probabilities: softmax of the scores over the frames.
        frame_numbers: for a video, the frame number of each frame of the set (None for given frames).
    """

    index: int
    scores: np.ndarray
    probabilities: np.ndarray
    frame_numbers: np.ndarray | None = None


def _uint8_frames(frames, what):
    """Frames `(..., h, w, 3)` as uint8: integers 0–255 or floats in [0, 1]; NaN, or floats that look like
    0–255, are a clear error."""
    frames = np.asarray(frames)
    if frames.dtype == np.uint8:
        return frames
    if not np.isfinite(frames).all():
        bad = np.unique(np.argwhere(~np.isfinite(frames))[:, 0])
        raise ValueError(f"{what}: Frames {bad[:10].tolist()} hold NaN or infinite values.")
    if np.issubdtype(frames.dtype, np.integer):
        check_value_range(frames.astype(np.float32), (0, 255), f"{what} (integer frames)")
        return frames.astype(np.uint8)
    check_value_range(frames, (0.0, 1.0), f"{what} (float frames)")
    return np.clip(np.round(frames * 255.0), 0, 255).astype(np.uint8)


def prepare_frames(frames, image_size=IMAGE_SIZE):
    """Frames `(h, w, 3)` (integers 0–255, or floats in [0, 1]) → the model's input
    `(1, n, image_size, image_size, 3)`; NaN, or floats that look like 0–255, are a clear error.

    Frames are centre-cropped to a square and resized exactly as in training (to `frame_size_for(image_size)`,
    then a centre crop), so predictions match the harness's.
    """
    check_same_size(frames)
    frames = _uint8_frames(np.stack([np.asarray(f) for f in frames]), "prepare_frames")
    frame_size = frame_size_for(image_size)
    resized = square_resize(frames, frame_size)
    offset = (frame_size - image_size) // 2
    crops = resized[:, offset : offset + image_size, offset : offset + image_size]
    return crops[None].astype("float32") / 255.0


def _named(videos):
    """`{name: video}` from a dict, or from a list of files (named by their stem) or frame arrays."""
    if isinstance(videos, dict):
        return dict(videos)
    if isinstance(videos, str | os.PathLike):
        raise ValueError(f"Pass a list of videos, not one: [{str(videos)!r}].")
    return {os.path.splitext(os.path.basename(v))[0] if isinstance(v, str | os.PathLike) else f"clip #{i}": v
            for i, v in enumerate(videos)}


def prepare_clips(videos, image_size=IMAGE_SIZE):
    """Your videos, preprocessed exactly as the UCF101 entries' clips: `{name: (frames, s, s, 3) uint8}`.

    Each video is centre-cropped to a square and resized to `s = frame_size_for(image_size)` (72 px for the
    zoo's 64-px models), the margin that training crops from.

    Args:
        videos: a list of video files (avi, mp4, gif) or frame arrays `(frames, h, w, 3)` (uint8, or floats in
            [0, 1]), or `{name: file or array}`.
        image_size: the model's input side (`model.get_build_config()["input_shape"][2]`).

    Example:
    >>> clips = zoo.prepare_clips(["kick.mp4", "jump.mp4"])
    >>> {name: frames.shape for name, frames in clips.items()}
    {'kick': (120, 72, 72, 3), 'jump': (95, 72, 72, 3)}
    """
    from tqdm.auto import tqdm

    named = _named(videos)
    if not named:
        raise ValueError("No videos given.")
    clips = {}
    for name, video in tqdm(named.items(), desc="preparing clips", disable=len(named) < 20):
        frames = read_frames(video) if isinstance(video, str | os.PathLike) else _uint8_frames(video, f"clip {name}")
        if frames.ndim != 4 or frames.shape[-1] != 3:
            raise ValueError(f"Clip {name} must be (frames, height, width, 3) RGB; got shape {frames.shape}.")
        clips[name] = square_resize(frames, frame_size_for(image_size))
    return clips


def frame_training_sets(videos, n=SET_SIZE, stride=STRIDE, image_size=IMAGE_SIZE, batch_size=BATCH_SIZE,
                        steps=50, augment=True, seed=0):
    """Endless random training sets from your videos for `model.fit`, as the UCF101 entries were trained.

    Args:
        videos: as for `prepare_clips` (files, frame arrays, or `{name: ...}`; already prepared clips work too).
        n, stride: frames per set and their spacing (the entries: 8 frames, 5 apart).
        image_size: the model's input side.
        batch_size, steps: sets per batch and batches per epoch.
        augment: random crops, flips and colour jitter, shared by the frames of a set (time is never reversed).

    Returns:
        A `keras.utils.PyDataset` of `(x, y)`: x `(batch, n, image_size, image_size, 3)` float32 in [0, 1], y the
        position of the earliest frame.

    Example:
    >>> model = zoo.load("dss_sum_ucf101")
    >>> model.fit(zoo.frame_training_sets(["a.mp4", "b.mp4"]), epochs=3,
    ...           validation_data=zoo.frame_evaluation_sets(["c.mp4"]))
    """
    return FrameSetBatches(prepare_clips(videos, image_size), n, stride, image_size, batch_size, steps,
                           augment=augment, seed=seed)


def frame_evaluation_sets(videos, n=SET_SIZE, stride=STRIDE, image_size=IMAGE_SIZE, sets_per_video=50, seed=1):
    """Fixed sets from your videos (centre crops, as the harness evaluates): `(x, y)` for `model.evaluate` or
    `validation_data`; `sets_per_video` random sets of each video, drawn with `seed`."""
    return frame_selection_sets(prepare_clips(videos, image_size), n, stride, image_size, sets_per_video, seed)


def select_first_frame(model, frames=None, video=None, n=SET_SIZE, stride=STRIDE, start=0, shuffle=True, seed=0):
    """Predict which of an unordered set of frames comes first in time.

    Args:
        model: a first-frame selection model (`zoo.load("dss_sum_ucf101")`).
        frames: a list of same-size frames `(h, w, 3)`, in any order (uint8 or float in [0, 1]).
        video: instead of frames, a video file (avi, mp4, gif): `n` frames `stride` apart from frame `start` are
            taken, shuffled when `shuffle` (with `seed`), and scored.
        n: with `frames`, the number of frames expected (None: any); with `video`, frames to take.

    Returns:
        `FirstFrame`.

    Raises:
        ValueError: no input, both inputs, fewer frames than `n`, or frames of different sizes.
        FileNotFoundError / CorruptVideoError: the video is missing or cannot be decoded.
    """
    if (frames is None) == (video is None):
        raise ValueError("Pass either frames= (a list of frames) or video= (a video file), not both or neither.")
    numbers = None
    if video is not None:
        clip = read_frames(video)
        span = 1 + (n - 1) * stride
        if len(clip) < start + span:
            raise ValueError(f"{video} has {len(clip)} frames; a set of {n} frames {stride} apart from frame "
                             f"{start} needs {start + span}.")
        numbers = start + stride * np.arange(n)
        if shuffle:
            numbers = np.random.default_rng(seed).permutation(numbers)
        frames = list(clip[numbers])
    elif n is not None and len(frames) < n:
        raise ValueError(f"Got a set of {len(frames)} frames; the model expects sets of {n}. Pass n=None to "
                         "score any number of frames.")
    if len(frames) < 2:
        raise ValueError("A set needs at least two frames to have a first one.")
    image_size = model.get_build_config()["input_shape"][2]
    scores = np.asarray(model.predict(prepare_frames(frames, image_size), verbose=0))[0]
    probabilities = np.exp(scores - scores.max())
    probabilities /= probabilities.sum()
    return FirstFrame(int(np.argmax(scores)), scores, probabilities, numbers)
