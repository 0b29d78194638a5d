"""Use a first-frame selection model (e.g. `dss_sum_ucf101`) on your own frames or video in a few lines.

>>> model = zoo.load("dss_sum_ucf101")
>>> result = zoo.select_first_frame(model, video="clip.mp4")
>>> result.index, result.probabilities
"""

import dataclasses

import numpy as np

from zoo.data.video import check_same_size, read_frames, square_resize
from zoo.families.dss.ucf101 import CACHE_SIZE, IMAGE_SIZE, SET_SIZE, STRIDE
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


def prepare_frames(frames, image_size=IMAGE_SIZE):
    """Frames `(h, w, 3)` (integers 0–255, or floats in [0, 1]) → the model's input
    `(1, n, image_size, image_size, 3)`; NaN, or floats that look like 0–255, are a clear error.

    Frames are centre-cropped to a square and resized exactly as in training (to the cache size, then a centre
    crop), so predictions match the harness's.
    """
    check_same_size(frames)
    frames = np.stack([np.asarray(f) for f in frames])
    if frames.dtype != np.uint8:
        if not np.isfinite(frames).all():
            bad = np.unique(np.argwhere(~np.isfinite(frames))[:, 0])
            raise ValueError(f"Frames {bad[:10].tolist()} hold NaN or infinite values.")
        if np.issubdtype(frames.dtype, np.integer):
            check_value_range(frames.astype(np.float32), (0, 255), "prepare_frames (integer frames)")
            frames = frames.astype(np.uint8)
        else:
            check_value_range(frames, (0.0, 1.0), "prepare_frames (float frames)")
            frames = np.clip(np.round(frames * 255.0), 0, 255).astype(np.uint8)
    cache_size = round(image_size * CACHE_SIZE / IMAGE_SIZE)
    resized = square_resize(frames, cache_size)
    offset = (cache_size - image_size) // 2
    crops = resized[:, offset : offset + image_size, offset : offset + image_size]
    return crops[None].astype("float32") / 255.0


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
