"""DSS paper, first-frame selection on UCF101 (Maron et al., 2020, §6.2, Table 1).

A set of 8 frames of one video, taken `stride` frames apart from a random start and shuffled; the model scores
every frame and the target is the earliest one. Elements are images: the DSS base layer is a 3×3 Conv2D.
"""

import os
from pathlib import Path

import numpy as np

from zoo.data.frame_sets import FrameSetBatches, frame_selection_sets, frame_size_for
from zoo.data.ucf101 import FrameCache, default_root, find_clips, split_clips
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.dss.image_selection import (
    DEFAULTS,
    DEVICE_HYPERPARAMETERS,
    IMAGE_SIZE,
    build_selection_model,
    choose_vote,
    input_spec,
    selection_architectures,
)
from zoo.families.dss.paper import PAPER
from zoo.families.widths import width_note
from zoo.layers.votes import path_ends
from zoo.tasks import Selection

SET_SIZE, STRIDE = 8, 5
VALIDATION_SEEDS = (1, 2, 3)
TRAIN_STEPS, BATCH_SIZE, SETS_PER_VIDEO = 40, 16, 50
# Training sets are drawn by threads while the device computes: with one, a GPU waits on every batch
# (evaluation/results/benchmark-frames-*.csv).
TRAIN_WORKERS = 4


def farthest_from_mean(x):
    """A trivial predictor: the frame farthest (L1) from the set's mean frame, an extreme of the motion (the first
    or the last frame). Returns scores."""
    return np.abs(x - x.mean(axis=1, keepdims=True)).mean(axis=(2, 3, 4))


def farther_path_end(x):
    """A trivial predictor: of the two ends of the shortest path through the frames (`path_ends`), the one
    farther from the set's mean frame. Returns scores."""
    deviation = farthest_from_mean(x)
    return 10.0 * np.asarray(path_ends(x)) + deviation / (deviation.max(axis=1, keepdims=True) + 1e-12)


def _search(hp, architecture):
    return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3, 3e-3]),
            "mean_deviation": hp.Boolean("mean_deviation", default=True)}


class FrameSelectionFamily(Family):
    def __init__(self, root=None, cache_dir=None):
        super().__init__(
            name="ucf101", paper=PAPER,
            description="first-frame selection: the earliest of 8 shuffled frames of a video",
            task=Selection(SET_SIZE, "the earliest frame"),
            # Dropout adds different noise to each frame of a set, which swamps the small frame-to-frame
            # differences the task depends on when there are only a few training clips: off here (the paper
            # trained on 9.5k videos).
            # Each frame enters beside its difference from the set's mean frame (`SetDeviation`), the heuristic's
            # cue: on the validation clips DSS(sum) reached 0.40 with it against 0.29 without (CPU budget).
            architectures=selection_architectures(_search, {**DEFAULTS, "mean_deviation": True}),
            input_spec=input_spec(SET_SIZE, "RGB in [0, 1], frames centre-cropped to a square and resized to 64 px"),
            baselines={"farthest_from_mean": farthest_from_mean, "farther_path_end": farther_path_end},
            wording=Wording(
                datasets=("ucf101",),
                notes=("Trained on the 22-clip UCF101 subset shared with the zoo, not on full UCF101: the paper's "
                       "number is for 9.5k training videos, so compare with care. Frames are 5 apart (stride 5), "
                       "centre-cropped and resized to 64 px.",),
                usage=("Pick the first of your own frames or video: `zoo.select_first_frame(model, "
                       "video=\"clip.mp4\")` or `zoo.select_first_frame(model, frames=[...])`.\n"),
                data_licence=("UCF101 footage (research use); several clips of the shared subset are CC BY-NC 3.0, so "
                              "these weights are for non-commercial research use"),
                weights_licence="CC-BY-NC-3.0",
                retrain="UCF101_ROOT=/path/to/folder/with/UCF-101 zoo train {name}"),
            training=TrainingPlan(
                budgets={"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 20, "epochs": 30,
                                 "patience": 6}},
                device_hyperparameters={"cpu": {"width": 0.25, "dropout": 0.0}, "gpu": DEVICE_HYPERPARAMETERS["gpu"]},
                train_size_unit=f"batches of {BATCH_SIZE} random sets per epoch"),
            leaderboard=LeaderboardPlan(
                name="ucf101_frame_selection",
                paper_results={"siamese_ds": 0.3641, "dss_sum": 0.766, "dss_max": 0.7639, "dss_sridhar": 0.6015,
                               "dss_aittala": 0.7796},
                paper_note="Table 1, full UCF101, mean of 5 runs; random choice 0.125"))
        self.root = root
        self.cache_dir = cache_dir or (Path(os.environ["ZOO_CACHE_DIR"]) / "ucf101"
                                       if os.environ.get("ZOO_CACHE_DIR") else None)
        self._cache = None

    def build(self, architecture, width=1.0, dropout=0.0, mean_deviation=False, deviation_vote=0.0, path_end_vote=0.0,
              **unused):
        self.check_architecture(architecture)
        return build_selection_model(architecture, SET_SIZE, width, dropout, mean_deviation, deviation_vote,
                                     path_end_vote)

    def after_fit(self, model, architecture, hyperparameters):
        """Choose the weights of the vote on the network's scores (`SelectionVote`) on the validation clips."""
        sets = [self.load_split("val", seed) for seed in VALIDATION_SEEDS]
        return choose_vote(self, model, architecture, hyperparameters, sets)

    def entry_notes(self, hyperparameters):
        notes = width_note(hyperparameters)
        deviation, path_end = hyperparameters.get("deviation_vote"), hyperparameters.get("path_end_vote")
        cues = ([f"{deviation:g}× the standardized distances from the set's mean frame (the farthest-from-mean "
                 "heuristic's cue)"] if deviation else [])
        cues += ([f"{path_end:g} on the two ends of the shortest path through the frames (the first and the last "
                  "frame of steady motion), leaving the network to tell which end comes first"] if path_end else [])
        if cues:
            notes.append("Its scores are the network's, standardized over the set, plus " + " and ".join(cues)
                         + " (`SelectionVote`): the network was trained alone, then the vote's weights were chosen on "
                         "the validation clips (none of the test clips).")
        return notes

    def find_data(self):
        find_clips(self.root or default_root())

    def _splits(self):
        root = self.root or default_root()
        return root, split_clips(find_clips(root), root)

    def videos(self, split):
        """Cached frames of the clips of one split (by group), `{clip name: frames}`."""
        if self._cache is None:
            self._cache = FrameCache(frame_size_for(IMAGE_SIZE), self.cache_dir)
        clips = self._splits()[1][split]
        return dict(zip([c.name for c in clips], self._cache.all(clips, f"decoding UCF101 {split} clips")))

    def load_split(self, split, seed=1, size=None, set_size=None):
        if split == "train":
            return FrameSetBatches(self.videos("train"), SET_SIZE, STRIDE, IMAGE_SIZE, BATCH_SIZE,
                                   steps=size or TRAIN_STEPS, seed=seed, workers=TRAIN_WORKERS)
        return frame_selection_sets(self.videos(split), SET_SIZE, STRIDE, IMAGE_SIZE, SETS_PER_VIDEO, seed)

    def entry_train_size(self):
        return f"{len(self._splits()[1]['train'])} clips"

    def dataset_info(self, train_size=None):
        root, splits = self._splits()
        names = {k: ", ".join(c.name for c in v) for k, v in splits.items()}
        return {
            "name": f"UCF101 clips in the official layout under {root.name} ({sum(map(len, splits.values()))} "
                    "clips)",
            "training_split": f"random 8-frame sets (stride {STRIDE}) of the {len(splits['train'])} training "
                              f"clips: {names['train']}; validation clips: {names['val']}",
            "evaluation_split": f"{SETS_PER_VIDEO} sets per held-out clip per seed (1, 2, 3) of the "
                                f"{len(splits['test'])} test clips: {names['test']}",
        }
