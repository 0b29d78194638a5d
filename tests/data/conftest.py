import numpy as np
import pytest

from zoo.data.video import write_video


def ramp_frames(count, height=48, width=64):
    """Frame t is a flat grey of value 5t (+ a small pattern), so time order is visible in the intensity."""
    frames = np.zeros((count, height, width, 3), np.uint8)
    for t in range(count):
        frames[t] = min(5 * t, 250)
        frames[t, : height // 4, : width // 4] = 255 - min(5 * t, 250)
    return frames


@pytest.fixture
def ucf_tree(tmp_path):
    """A fake official UCF-101 tree: 3 classes, several groups, avi/mp4/gif clips of 40–50 frames."""
    root = tmp_path / "ucf"
    specs = [("Archery", 1, 1, ".avi"), ("Archery", 8, 2, ".mp4"), ("Biking", 2, 1, ".gif"), ("Biking", 9, 1, ".avi"),
             ("Diving", 10, 3, ".mp4"), ("Diving", 24, 1, ".avi")]
    for label, group, clip, suffix in specs:
        write_video(root / "UCF-101" / label / f"v_{label}_g{group:02d}_c{clip:02d}{suffix}", ramp_frames(40 + group))
    return root
