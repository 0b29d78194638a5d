"""Decode video clips (avi, mp4, gif) into RGB frames, and prepare frames for image set models."""

from pathlib import Path

import numpy as np

VIDEO_SUFFIXES = (".avi", ".mp4", ".gif")


class CorruptVideoError(ValueError):
    """A video file that exists but cannot be decoded."""


def read_frames(path):
    """All frames of a video file as `(frames, height, width, 3)` uint8 RGB.

    OpenCV decodes avi, mp4 and gif (through its FFmpeg backend).

    Raises:
        FileNotFoundError: the file does not exist.
        CorruptVideoError: no frame could be decoded.
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Video {path} not found.")
    capture = cv2.VideoCapture(str(path))
    frames = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        capture.release()
    if not frames:
        raise CorruptVideoError(f"Could not decode any frame of {path}: the file is corrupt or not a video.")
    shapes = {frame.shape for frame in frames}
    if len(shapes) > 1:
        raise CorruptVideoError(f"{path} has frames of different sizes {sorted(shapes)}.")
    return np.stack(frames)


def write_video(path, frames, fps=25):
    """Write `(frames, height, width, 3)` uint8 RGB frames as avi (MJPG), mp4 (mp4v) or gif (Pillow); returns path.

    Used for the synthetic clips of tests and benchmarks; `read_frames` reads them back.
    """
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gif":
        from PIL import Image

        images = [Image.fromarray(f) for f in frames]
        images[0].save(path, save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0)
        return path
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if path.suffix == ".avi" else "mp4v"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (frames.shape[2], frames.shape[1]))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def square_resize(frames, size):
    """Centre-crop frames `(..., h, w, 3)` to a square and resize them to `size × size` (uint8 kept)."""
    import cv2

    frames = np.asarray(frames)
    h, w = frames.shape[-3:-1]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    cropped = frames[..., top : top + side, left : left + side, :]
    flat = cropped.reshape((-1, side, side, 3))
    resized = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in flat])
    return resized.reshape(frames.shape[:-3] + (size, size, 3))


def check_same_size(frames):
    """Raise a clear error unless every frame in a list has the same shape `(h, w, 3)`."""
    shapes = [tuple(np.shape(frame)) for frame in frames]
    if any(len(shape) != 3 or shape[-1] != 3 for shape in shapes):
        raise ValueError(f"Frames must be (height, width, 3) RGB arrays; got shapes {shapes}.")
    if len(set(shapes)) > 1:
        raise ValueError(f"Frames of one set must all have the same size; got shapes {shapes}.")
