"""DSS paper, first-frame selection on UCF101 (Maron et al., 2020, §6.2, Table 1).

A set of 8 frames of one video, taken `stride` frames apart from a random start and shuffled; the model scores
every frame and the target is the earliest one. Elements are images: the DSS base layer is a 3×3 Conv2D.
"""

import keras

from zoo.data.frame_sets import FrameSetBatches, frame_selection_sets
from zoo.data.ucf101 import FrameCache, default_root, find_clips, split_clips
from zoo.families.base import Family
from zoo.layers.siamese import Siamese
from zoo.models.architectures import DSS_ARCHITECTURES, set_blocks
from zoo.models.heads import SelectionHead
from zoo.models.set_model import SetModel

SET_SIZE, STRIDE, IMAGE_SIZE, CACHE_SIZE = 8, 5, 64, 72
POOLS = (2, 2, 5)  # three blocks of three valid 3×3 convs: 64 px → 1 × 1 after the last pool (62–81 px work)
# Output channels of the three convs of each block ([in, mid, out] in the paper: in→mid, mid→mid, mid→out).
PAPER_WIDTHS = {
    "dss": ((32, 32, 64), (64, 64, 128), (128, 128, 256)),
    "siamese_ds": ((50, 50, 100), (100, 100, 180), (200, 200, 256)),
    "dss_aittala": ((90, 90, 100), (100, 100, 100), (110, 110, 128)),  # concatenation doubles each output
}
HEAD_WIDTHS = (256, 128)


def widths_for(architecture):
    if architecture in PAPER_WIDTHS:
        return PAPER_WIDTHS[architecture]
    # Sridhar's layer has one convolution, like the Siamese net: give it the Siamese widths (as for signals).
    return PAPER_WIDTHS["siamese_ds" if architecture == "dss_sridhar" else "dss"]


def scaled(widths, width):
    return tuple(max(1, round(w * width)) for w in widths)


class FrameSelectionFamily(Family):
    name = "ucf101"
    paper = "dss"
    task = "first-frame selection: the earliest of 8 shuffled frames of a video"
    dataset = "UCF101"
    architectures = ("siamese_ds",) + DSS_ARCHITECTURES
    metric = "accuracy"
    paper_results = {"siamese_ds": 0.3641, "dss_sum": 0.766, "dss_max": 0.7639, "dss_sridhar": 0.6015,
                     "dss_aittala": 0.7796}
    paper_note = "Table 1, full UCF101, mean of 5 runs; random choice 0.125"
    default_hyperparameters = {"width": 0.25, "learning_rate": 1e-3, "dropout": 0.1}
    # The paper's widths take ≈ 6 s per batch of 16 sets on 2 CPU cores; a quarter of them ≈ 0.5 s.
    device_hyperparameters = {"cpu": {"width": 0.25}, "gpu": {"width": 1.0}}
    data_licence = ("UCF101 footage (research use); several clips of the shared subset are CC BY-NC 3.0, so these "
                    "weights are for non-commercial research use")
    input_spec = {"elements": [None, SET_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3], "mask": [None, SET_SIZE],
                  "range": "RGB in [0, 1], frames centre-cropped to a square and resized to 64 px"}
    train_steps, batch_size, sets_per_video = 40, 16, 50
    leaderboard_name = "ucf101_frame_selection"
    train_size_unit = f"batches of {batch_size} random sets per epoch"
    budget_overrides = {"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 20, "epochs": 30,
                                "patience": 6}}

    def __init__(self, root=None, cache_dir=None):
        self.root, self.cache_dir = root, cache_dir
        self._cache = None

    def build(self, architecture, width=1.0, dropout=0.0, **unused):
        self.check_architecture(architecture)
        kind = "siamese" if architecture == "siamese_ds" else architecture
        blocks = []
        for stage, pool in zip(widths_for(architecture), POOLS):
            convs = [keras.layers.Conv2D(c, 3, padding="valid") for c in scaled(stage, width)]
            blocks += set_blocks(kind, convs, activation="elu", dropout=dropout, aggregate_initializer="zeros")
            blocks.append(Siamese(keras.layers.MaxPooling2D(pool)))
        head = SelectionHead(scaled(HEAD_WIDTHS, width), pool="max", activation="elu")
        model = SetModel(blocks, head, name=architecture)
        model.build((None, SET_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3))
        return model

    def search_space(self, hp, architecture):
        return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3]),
                "dropout": hp.Choice("dropout", [0.0, 0.1, 0.2])}

    def videos(self, split):
        """Cached frames of the clips of one split (by group)."""
        root = self.root or default_root()
        if self._cache is None:
            self._cache = FrameCache(CACHE_SIZE, self.cache_dir)
        return [self._cache(clip) for clip in split_clips(find_clips(root), root)[split]]

    def load_split(self, split, seed=1, size=None):
        if split == "train":
            return FrameSetBatches(self.videos("train"), SET_SIZE, STRIDE, IMAGE_SIZE, self.batch_size,
                                   steps=size or self.train_steps, seed=seed)
        return frame_selection_sets(self.videos(split), SET_SIZE, STRIDE, IMAGE_SIZE, self.sets_per_video, seed)

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
