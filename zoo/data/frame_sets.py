"""Sets of video frames for first-frame selection: random training batches and fixed evaluation sets."""

import keras
import numpy as np

from zoo.data.ucf101 import sample_frame_set

CROP_MARGIN = 9 / 8  # clips are kept at 9/8 of a model's input side, so random crops keep the scale (72 px for 64)


def frame_size_for(image_size):
    """Side of the square frames that sets for a model of input side `image_size` are cropped from (72 for 64)."""
    return round(image_size * CROP_MARGIN)


def _augment(frames, rng, image_size):
    """Random crop, horizontal flip and colour jitter, the same for every frame of the set (time is untouched)."""
    size = frames.shape[1]
    top, left = rng.integers(0, size - image_size + 1, size=2)
    x = frames[:, top : top + image_size, left : left + image_size].astype("float32") / 255.0
    if rng.random() < 0.5:
        x = x[:, :, ::-1]
    brightness, contrast = rng.uniform(-0.15, 0.15), rng.uniform(0.8, 1.2)
    mean = x.mean()
    return np.clip((x - mean) * contrast + mean + brightness, 0.0, 1.0)


def checked_clips(videos, n, stride, frame_size):
    """The clips as a list of frame arrays, after checking that each is `(frames, frame_size, frame_size, 3)` and
    has the `1 + (n − 1) · stride` frames a set needs; `videos` is a list of clips or `{name: clip}` (the errors
    then name the clips)."""
    named = dict(videos) if isinstance(videos, dict) else {f"clip #{i}": v for i, v in enumerate(videos)}
    if not named:
        raise ValueError("No clips to draw frame sets from.")
    expected = (frame_size, frame_size, 3)
    wrong = {name: tuple(np.shape(frames)[1:]) for name, frames in named.items() if np.shape(frames)[1:] != expected}
    if wrong:
        listed = ", ".join(f"{name} {shape}" for name, shape in list(wrong.items())[:10])
        raise ValueError(f"Frame sets are cropped from square {frame_size}-px frames; {len(wrong)} clip(s) are not: "
                         f"{listed}. Crops of other frames would be at the wrong scale for the model: prepare clips "
                         "with `zoo.prepare_clips` (or use `zoo.frame_training_sets`, which does).")
    span = 1 + (n - 1) * stride
    short = {name: len(frames) for name, frames in named.items() if len(frames) < span}
    if short:
        listed = ", ".join(f"{name} ({count} frames)" for name, count in list(short.items())[:10])
        raise ValueError(f"A set of {n} frames {stride} apart needs {span} frames; {len(short)} clip(s) are shorter: "
                         f"{listed}. Drop them, or use a smaller stride.")
    return list(named.values())


def _centre(frames, image_size):
    offset = (frames.shape[1] - image_size) // 2
    return frames[:, offset : offset + image_size, offset : offset + image_size].astype("float32") / 255.0


class FrameSetBatches(keras.utils.PyDataset):
    """Endless random training batches: each set is n frames of a random clip, `stride` apart, shuffled.

    Every epoch draws new sets (seeded by `seed`, the epoch and the batch index), so a run is reproducible.

    Args:
        videos: `(frames, size, size, 3)` uint8 arrays (cached clips), as a list or `{clip name: frames}`.
        n, stride: frames per set and their spacing in the clip; a `(low, high)` stride draws each set's
            spacing uniformly from low..high (as far as the clip is long enough), for sets of more motion scales.
        image_size: side of the crops fed to the model; clips must be `frame_size_for(image_size)` square
            (`zoo.prepare_clips`), a margin for random crops.
        batch_size, steps: sets per batch and batches per epoch.
        augment: random crops, flips and colour jitter (all preserving the arrow of time).

    Yields:
        `(x, y)` with x `(batch, n, image_size, image_size, 3)` float32 in [0, 1] and y the earliest frame's index.
    """

    def __init__(self, videos, n=8, stride=5, image_size=64, batch_size=16, steps=50, augment=True, seed=0,
                 **kwargs):
        super().__init__(**kwargs)
        self.videos = checked_clips(videos, n, min(np.atleast_1d(stride)), frame_size_for(image_size))
        self.n, self.stride = n, stride
        self.image_size, self.batch_size, self.steps = image_size, batch_size, steps
        self.augment, self.seed, self.epoch = augment, seed, 0

    def __len__(self):
        return self.steps

    def on_epoch_end(self):
        self.epoch += 1

    def _stride(self, num_frames, rng):
        if np.ndim(self.stride) == 0:
            return self.stride
        low, high = self.stride
        return int(rng.integers(low, max(low, min(high, (num_frames - 1) // (self.n - 1))) + 1))

    def __getitem__(self, index):
        rng = np.random.default_rng([self.seed, self.epoch, index])
        x = np.empty((self.batch_size, self.n, self.image_size, self.image_size, 3), "float32")
        y = np.empty((self.batch_size,), "int32")
        for i in range(self.batch_size):
            frames = self.videos[int(rng.integers(len(self.videos)))]
            indices, y[i] = sample_frame_set(len(frames), self.n, self._stride(len(frames), rng), rng)
            x[i] = (_augment(frames[indices], rng, self.image_size) if self.augment
                    else _centre(frames[indices], self.image_size))
        return x, y


def frame_selection_sets(videos, n=8, stride=5, image_size=64, sets_per_video=50, seed=1):
    """Fixed evaluation sets: `sets_per_video` random sets of each clip (a list, or `{name: clip}`, of
    `frame_size_for(image_size)`-px frames; centre crops), drawn with `seed`.

    Returns:
        `(x, y)`: x `(len(videos) · sets_per_video, n, image_size, image_size, 3)` float32, y the targets.
    """
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for frames in checked_clips(videos, n, stride, frame_size_for(image_size)):
        for _ in range(sets_per_video):
            indices, target = sample_frame_set(len(frames), n, stride, rng)
            xs.append(_centre(frames[indices], image_size))
            ys.append(target)
    return np.stack(xs), np.asarray(ys, "int32")
