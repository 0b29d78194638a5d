"""UCF101 (Soomro et al., 2012) for the DSS first-frame selection task.

Two sources:

- the official archive layout in a folder the user names: `UCF-101/<Class>/v_<Class>_gXX_cYY.<avi|mp4|gif>`, with
  the official split lists `ucfTrainTestlist/{train,test}list0K.txt` beside it when present;
- tensorflow-datasets' `ucf101` builder when its prepared data is available (`data_dir`, `manual_dir`).

Clips of one group (gXX) share actor and scene, so splits are always by group, never by clip. Frames are decoded
once, centre-cropped, resized and cached (in memory and, optionally, as `.npy` files on disk).
"""

import dataclasses
import hashlib
import os
import re
from pathlib import Path

import numpy as np

from zoo.data import SHARED_DATA
from zoo.data.video import VIDEO_SUFFIXES, read_frames, square_resize

CLIP_NAME = re.compile(r"^v_(?P<label>[A-Za-z0-9]+)_g(?P<group>\d+)_c(?P<clip>\d+)$")
# The official split k holds out groups 7(k-1)+1 … 7k (split 1: groups 1–7); validation takes groups 24–25 out of
# the training groups.
OFFICIAL_TEST_GROUPS = {1: range(1, 8), 2: range(8, 15), 3: range(15, 22)}
OFFICIAL_VAL_GROUPS = (24, 25)
SHARED_SUBSET = SHARED_DATA / "ucf101_subset"
# The 22-clip subset shipped to developers: held-out groups chosen so that test and validation each mix sources and
# formats (the official split 1 would leave 7 training clips).
SUBSET_SPLITS = {"test": (3, 7, 11, 19, 23), "val": (2, 24)}
SUBSET_MANIFEST_HEADER = "clip,file,format,frames,resolution,source_repository"


@dataclasses.dataclass(frozen=True)
class Clip:
    """One video of the official layout."""

    path: Path
    label: str
    group: int
    clip: int

    @property
    def name(self):
        return self.path.stem


def default_root():
    """The folder holding `UCF-101/`: `$UCF101_ROOT`, else the shared 22-clip subset when it exists."""
    root = os.environ.get("UCF101_ROOT")
    if root:
        return Path(root)
    if SHARED_SUBSET.is_dir():
        return SHARED_SUBSET
    raise FileNotFoundError(
        "No UCF101 data: set UCF101_ROOT (or pass root=) to the folder that holds UCF-101/<Class>/*.avi, "
        "as unpacked from the official archive, or prepare tensorflow-datasets' ucf101.")


def is_shared_subset(root):
    """Whether `root` is the shared 22-clip subset: it sits beside the checkout or carries the subset's MANIFEST.csv."""
    root = Path(root)
    if SHARED_SUBSET.is_dir() and root.resolve() == SHARED_SUBSET.resolve():
        return True
    manifest = root / "MANIFEST.csv"
    return manifest.is_file() and manifest.read_text().startswith(SUBSET_MANIFEST_HEADER)


def find_clips(root=None):
    """Every clip under `root/UCF-101/` (or `root` itself when it is the `UCF-101` folder), sorted by name."""
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise FileNotFoundError(f"UCF101 folder {root} does not exist.")
    videos = root / "UCF-101" if (root / "UCF-101").is_dir() else root
    clips = []
    for path in sorted(videos.glob("*/*")):
        match = CLIP_NAME.match(path.stem)
        if path.suffix.lower() in VIDEO_SUFFIXES and match and path.parent.name == match["label"]:
            clips.append(Clip(path, match["label"], int(match["group"]), int(match["clip"])))
    if not clips:
        raise FileNotFoundError(f"No clips named UCF-101/<Class>/v_<Class>_gXX_cYY.(avi|mp4|gif) under {root}.")
    return clips


def _official_list(root, kind, split):
    for folder in (root, root / "ucfTrainTestlist", root.parent / "ucfTrainTestlist"):
        path = folder / f"{kind}list0{split}.txt"
        if path.is_file():
            return {Path(line.split()[0]).stem for line in path.read_text().splitlines() if line.strip()}
    return None


def split_clips(clips, root=None, split=1, groups=None):
    """Split clips by group into `{"train", "val", "test"}`.

    Order of precedence: `groups` (`{"test": (...), "val": (...)}`), the official test list of `split` when it
    lies beside the videos, the shipped subset's groups when `root` is that subset, else the official group rule
    (split k holds out groups 7(k−1)+1 … 7k). Validation groups come out of the training groups.
    """
    root = Path(root) if root is not None else None
    val_groups = set((groups or {}).get("val", OFFICIAL_VAL_GROUPS))
    official = _official_list(root, "test", split) if root is not None and groups is None else None
    if groups is not None:
        test = set(groups.get("test", ()))
        is_test = [c.group in test for c in clips]
    elif official is not None:
        is_test = [c.name in official for c in clips]
    elif root is not None and is_shared_subset(root):
        val_groups = set(SUBSET_SPLITS["val"])
        is_test = [c.group in SUBSET_SPLITS["test"] for c in clips]
    else:
        is_test = [c.group in OFFICIAL_TEST_GROUPS[split] for c in clips]
    splits = {"train": [], "val": [], "test": []}
    for clip, test in zip(clips, is_test):
        splits["test" if test else "val" if clip.group in val_groups else "train"].append(clip)
    return splits


class FrameCache:
    """Decoded, centre-cropped, resized frames of each clip, decoded once.

    Without `cache_dir` the frames stay in memory (enough for a few hundred clips). With it, each clip is saved
    once as a `.npy` file and read back memory-mapped, so full UCF101 (13,320 clips) trains without holding its
    ≈ 40 GB of frames in memory and later runs never decode video again.

    Args:
        size: side of the cached square frames.
        cache_dir: optional folder for the `.npy` copies (`$ZOO_CACHE_DIR/ucf101` when the family makes it).
    """

    def __init__(self, size, cache_dir=None):
        self.size = int(size)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._frames = {}

    def _disk_path(self, clip):
        stat = clip.path.stat()
        key = hashlib.sha1(f"{clip.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
        return self.cache_dir / f"{clip.name}_{self.size}_{key}.npy"

    def __call__(self, clip):
        """`(frames, size, size, 3)` uint8 frames of `clip`."""
        if clip.path not in self._frames:
            if self.cache_dir is None:
                self._frames[clip.path] = square_resize(read_frames(clip.path), self.size)
            else:
                disk = self._disk_path(clip)
                if not disk.exists():
                    disk.parent.mkdir(parents=True, exist_ok=True)
                    tmp = disk.with_suffix(".tmp.npy")
                    np.save(tmp, square_resize(read_frames(clip.path), self.size))
                    tmp.replace(disk)
                self._frames[clip.path] = np.load(disk, mmap_mode="r")
        return self._frames[clip.path]

    def all(self, clips, description="decoding clips"):
        """Frames of every clip, with a progress bar while decoding."""
        from tqdm.auto import tqdm

        fresh = [c for c in clips if c.path not in self._frames]
        for clip in tqdm(fresh, desc=description, disable=len(fresh) < 50):
            self(clip)
        return [self(clip) for clip in clips]


def sample_frame_set(num_frames, n, stride, rng):
    """Frame indices of one set and its target: n frames `stride` apart from a random start, in random order.

    Returns:
        `(indices, target)`: `indices` in presentation order, `target` the position of the earliest frame.

    Raises:
        ValueError: the clip has fewer than `1 + (n − 1) · stride` frames.
    """
    span = 1 + (n - 1) * stride
    if num_frames < span:
        raise ValueError(f"A set of {n} frames {stride} apart needs {span} frames; the clip has {num_frames}.")
    start = int(rng.integers(0, num_frames - span + 1))
    order = rng.permutation(n)
    indices = start + stride * order
    return indices, int(np.argmin(order))


def tfds_videos(split="train", data_dir=None, manual_dir=None, config="ucf101_1_256", size=72, max_videos=None):
    """Videos of tensorflow-datasets' `ucf101` builder, as `{name: (frames, size, size, 3) uint8}`.

    Reads a prepared data set offline (`download=False`); with `manual_dir`, tfds prepares it from the files the
    user downloaded there (UCF101_videos.zip and the split lists). tfds keeps the official train/test split but no
    group ids, so its split is used as is.

    Raises:
        FileNotFoundError: the builder's data is not prepared in `data_dir` and no `manual_dir` was given.
    """
    import tensorflow_datasets as tfds

    name = f"ucf101/{config}"
    if manual_dir is not None:
        tfds.builder(name, data_dir=data_dir).download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir, download=False)
    except AssertionError as error:  # tfds's way of saying the data is not prepared
        raise FileNotFoundError(
            f"tensorflow-datasets' {name} is not prepared in {data_dir or 'the default data_dir'}; pass "
            "manual_dir= with the downloaded UCF101 files, or use the official folder layout instead.") from error
    videos = {}
    for index, example in enumerate(tfds.as_numpy(dataset)):
        if max_videos is not None and index >= max_videos:
            break
        videos[f"{split}_{index:05d}_label{int(example['label'])}"] = square_resize(example["video"], size)
    return videos
