"""DSS paper, first-frame selection on UCF101 (Maron et al., 2020, §6.2, Table 1).

A set of 8 frames of one video, taken `stride` frames apart from a random start and shuffled; the model scores
every frame and the target is the earliest one. Elements are images: the DSS base layer is a 3×3 Conv2D.
"""

import os
from pathlib import Path

import numpy as np

from zoo.data.frame_sets import FrameSetBatches, frame_selection_sets
from zoo.data.ucf101 import FrameCache, default_root, find_clips, split_clips
from zoo.families.image_selection import IMAGE_SIZE, ImageSelectionFamily

SET_SIZE, STRIDE, CACHE_SIZE = 8, 5, 72


def farthest_from_mean(x):
    """A trivial predictor: the frame farthest (L1) from the set's mean frame, an extreme of the motion (the first
    or the last frame). Returns scores."""
    return np.abs(x - x.mean(axis=1, keepdims=True)).mean(axis=(2, 3, 4))



class FrameSelectionFamily(ImageSelectionFamily):
    name = "ucf101"
    task = "first-frame selection: the earliest of 8 shuffled frames of a video"
    set_size = SET_SIZE
    paper_results = {"siamese_ds": 0.3641, "dss_sum": 0.766, "dss_max": 0.7639, "dss_sridhar": 0.6015,
                     "dss_aittala": 0.7796}
    paper_note = "Table 1, full UCF101, mean of 5 runs; random choice 0.125"
    # Dropout adds different noise to each frame of a set, which swamps the small frame-to-frame differences the
    # task depends on when there are only a few training clips: off here (the paper trained on 9.5k videos).
    default_hyperparameters = {"width": 0.25, "learning_rate": 1e-3, "dropout": 0.0}
    device_hyperparameters = {"cpu": {"width": 0.25, "dropout": 0.0}, "gpu": {"width": 1.0}}
    baselines = {"farthest_from_mean": farthest_from_mean}
    weights_licence = "CC-BY-NC-3.0"
    usage = ("Pick the first of your own frames or video: `zoo.select_first_frame(model, video=\"clip.mp4\")` or "
             "`zoo.select_first_frame(model, frames=[...])`.\n")
    data_licence = ("UCF101 footage (research use); several clips of the shared subset are CC BY-NC 3.0, so these "
                    "weights are for non-commercial research use")
    train_steps, batch_size, sets_per_video = 40, 16, 50
    leaderboard_name = "ucf101_frame_selection"
    train_size_unit = f"batches of {batch_size} random sets per epoch"
    budget_overrides = {"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 20, "epochs": 30,
                                "patience": 6}}

    def search_space(self, hp, architecture):
        return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3, 3e-3])}

    def __init__(self, root=None, cache_dir=None):
        self.root = root
        self.cache_dir = cache_dir or (Path(os.environ["ZOO_CACHE_DIR"]) / "ucf101"
                                       if os.environ.get("ZOO_CACHE_DIR") else None)
        self._cache = None

    @property
    def missing_data(self):
        try:
            find_clips(self.root or default_root())
        except FileNotFoundError as error:
            return str(error)
        return None

    @property
    def input_spec(self):
        return dict(super().input_spec, range="RGB in [0, 1], frames centre-cropped to a square and resized to 64 px")

    def videos(self, split):
        """Cached frames of the clips of one split (by group)."""
        root = self.root or default_root()
        if self._cache is None:
            self._cache = FrameCache(CACHE_SIZE, self.cache_dir)
        return self._cache.all(split_clips(find_clips(root), root)[split], f"decoding UCF101 {split} clips")

    def load_split(self, split, seed=1, size=None):
        if split == "train":
            return FrameSetBatches(self.videos("train"), SET_SIZE, STRIDE, IMAGE_SIZE, self.batch_size,
                                   steps=size or self.train_steps, seed=seed)
        return frame_selection_sets(self.videos(split), SET_SIZE, STRIDE, IMAGE_SIZE, self.sets_per_video, seed)

    notes = ("Trained on the 22-clip UCF101 subset shared with the zoo, not on full UCF101: the paper's number is "
             "for 9.5k training videos, so compare with care. Frames are 5 apart (stride 5), centre-cropped and "
             "resized to 64 px.",)

    def retrain_command(self, name):
        return f"UCF101_ROOT=/path/to/folder/with/UCF-101 zoo train {name} --budget gpu"

    @property
    def entry_train_size(self):
        root = self.root or default_root()
        return f"{len(split_clips(find_clips(root), root)['train'])} clips"

    def dataset_info(self, train_size=None):
        root = self.root or default_root()
        splits = split_clips(find_clips(root), root)
        names = {k: ", ".join(c.name for c in v) for k, v in splits.items()}
        return {
            "name": f"UCF101 clips in the official layout under {root.name} ({sum(map(len, splits.values()))} "
                    "clips)",
            "training_split": f"random 8-frame sets (stride {STRIDE}) of the {len(splits['train'])} training "
                              f"clips: {names['train']}; validation clips: {names['val']}",
            "evaluation_split": f"{self.sets_per_video} sets per held-out clip per seed (1, 2, 3) of the "
                                f"{len(splits['test'])} test clips: {names['test']}",
        }
