"""DSS paper, the image tasks on photos (Maron et al., 2020, §6.3–6.4, Tables 2–3).

- Highest-quality image selection: 20 degraded copies of one photo; select the copy closest (L1) to the original.
- Colour-channel matching: 6 single-channel images from 2 photos; predict each one's full-colour image.
- Burst deblurring: 5 blurred, noisy copies of one photo; predict the sharp photo.

The paper trains on Places365 / CelebA / ImageNet. Offline, the default source is the ~20 photos that ship
inside scikit-image, cut into random crops and split by photo (`zoo.data.images`); `ZOO_PHOTOS` (or the
family's `source`) points a family at `tfds:places365_small`, `tfds:celeb_a` or an image folder instead.
"""

import os

import keras
import numpy as np

from zoo.data.batches import RandomBatches
from zoo.data.degradations import burst_sets, channel_sets, grey_baseline, median_baseline, quality_sets
from zoo.data.images import load_photos, random_crops
from zoo.families.base import Family
from zoo.families.image_selection import IMAGE_SIZE, ImageSelectionFamily, scaled
from zoo.models.architectures import DSS_ARCHITECTURES
from zoo.models.unet import SetUNet

OFFLINE_DATASET = "scikit-image's bundled photos (random crops; photos split between training and test)"


# 40 batches of 8 random sets make an epoch; the searches compare learning rates over a few short epochs.
PHOTO_BUDGETS = {"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 20, "epochs": 30, "patience": 6},
                 "gpu": {"max_trials": 3, "search_epochs": 3, "search_train_size": 20, "epochs": 40, "patience": 8}}


class PhotoTask:
    """Random crops of the photos of a source, drawn into sets by `make_sets(crops, rng)`."""

    source = "skimage"
    colour_only = False
    crops_per_set = 1
    batch_size, train_steps, val_sets, test_sets = 8, 40, 64, 128

    def __init__(self, source=None):
        self.source = source or os.environ.get("ZOO_PHOTOS", self.source)
        self._photos = {}

    def photos(self, split):
        if split not in self._photos:
            self._photos[split] = list(load_photos(self.source, split, colour_only=self.colour_only).values())
        return self._photos[split]

    def draw(self, split, rng, count):
        return self.make_sets(random_crops(self.photos(split), IMAGE_SIZE, count * self.crops_per_set, rng), rng)

    def load_split(self, split, seed=1, size=None):
        if split == "train":
            return RandomBatches(lambda rng, count: self.draw("train", rng, count), self.batch_size,
                                 size or self.train_steps, seed=seed)
        if split == "val":  # fixed sets cut from the training photos, never from the test photos
            return self.draw("train", np.random.default_rng([10_000, seed]), self.val_sets)
        return self.draw("test", np.random.default_rng(seed), self.test_sets)

    def dataset_info(self, train_size=None):
        name = OFFLINE_DATASET if self.source == "skimage" else str(self.source)
        return {"name": name,
                "training_split": f"random {IMAGE_SIZE} px crops of the training photos, {self.batch_size} sets "
                                  f"× {train_size or self.train_steps} batches per epoch; {self.val_sets} fixed "
                                  "validation sets cut from the training photos",
                "evaluation_split": f"{self.test_sets} sets per seed (1, 2, 3) cut from the held-out photos"}

    @property
    def notes(self):
        if self.source != "skimage":
            return ()
        return (f"Trained and tested on {IMAGE_SIZE} px crops of the few photos bundled with scikit-image (training "
                "and test photos disjoint), not on the paper's Places365 / CelebA / ImageNet: compare with the "
                "paper's numbers with care.",)

    @property
    def train_size_unit(self):
        return f"batches of {self.batch_size} random sets per epoch"

    @property
    def entry_train_size(self):
        return f"{len(self.photos('train'))} photos"


QUALITY_PAPER = {  # Table 2 (Places): Siamese+DS / DSS(sum) / DSS(max) / DSS(Sridhar) / DSS(Aittala)
    ("noise", 10): (77.2, 78.48, 77.99, 76.8, 78.34), ("noise", 30): (65.89, 68.35, 67.85, 61.52, 66.89),
    ("noise", 50): (59.24, 62.6, 61.59, 55.25, 62.02), ("occlusion", 10): (82.15, 83.13, 83.27, 83.21, 83.19),
    ("occlusion", 30): (77.47, 78, 78.69, 78.71, 78.27), ("occlusion", 50): (76.2, 77.29, 76.64, 77.04, 77.03),
}
ARCHITECTURES = ("siamese_ds",) + DSS_ARCHITECTURES
TABLE_ORDER = ("siamese_ds", "dss_sum", "dss_max", "dss_sridhar", "dss_aittala")


class ImageQualityFamily(PhotoTask, ImageSelectionFamily):
    """Select the least degraded of 20 copies: Gaussian noise (σ up to 10, 30, 50) or occlusion (up to 10–50 %)."""

    set_size = 20
    data_licence = "scikit-image's bundled photos (BSD-3-Clause and public-domain sources, see skimage.data)"
    budget_overrides = PHOTO_BUDGETS

    def __init__(self, kind, level, source=None):
        PhotoTask.__init__(self, source)
        self.kind, self.level = kind, level
        self.name = f"quality_{kind}{level}"
        what = f"Gaussian noise σ up to {level}" if kind == "noise" else f"occlusion up to {level} %"
        self.task = f"highest-quality image selection: the best of 20 copies with blur and {what}"
        self.paper_results = {a: v / 100 for a, v in zip(TABLE_ORDER, QUALITY_PAPER[(kind, level)])}
        self.paper_note = "Table 2, Places365, accuracy; random choice 0.05"

    def make_sets(self, crops, rng):
        return quality_sets(crops, self.set_size, self.kind, self.level, rng)


class ImageToImageFamily(PhotoTask, Family):
    """Set-to-image tasks with the U-Net of DSS blocks: mean absolute error per pixel on the 0–255 scale."""

    paper = "dss"
    architectures = ARCHITECTURES
    metric = "mae_255"
    higher_is_better = False
    colour_only = True
    default_hyperparameters = {"width": 0.25, "learning_rate": 1e-3}
    device_hyperparameters = {"cpu": {"width": 0.25}, "gpu": {"width": 1.0}}
    data_licence = "scikit-image's bundled photos (BSD-3-Clause and public-domain sources, see skimage.data)"
    # The U-Nets keep improving for many epochs: a longer fit, and a learning rate halved only after 4 flat epochs.
    budget_overrides = {"cpu": PHOTO_BUDGETS["cpu"],
                        "gpu": dict(PHOTO_BUDGETS["gpu"], max_trials=2, epochs=80, patience=12)}
    filters = (32, 64, 128)
    merge_pool = None

    @property
    def input_spec(self):
        return {"elements": [None, self.set_size, IMAGE_SIZE, IMAGE_SIZE, 3], "mask": [None, self.set_size],
                "range": "RGB in [0, 1]"}

    def loss(self):
        return keras.losses.MeanAbsoluteError()

    def build(self, architecture, width=1.0, **unused):
        self.check_architecture(architecture)
        model = SetUNet(3, filters=scaled(self.filters, width), architecture=architecture, padding="same",
                        output_activation="sigmoid", merge_pool=self.merge_pool, name=architecture)
        model.build((None, self.set_size, IMAGE_SIZE, IMAGE_SIZE, 3))
        return model

    def search_space(self, hp, architecture):
        return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3, 3e-3])}


class ColourMatchingFamily(ImageToImageFamily):
    name = "colour_matching"
    task = "colour-channel matching: the full-colour image of each of 6 single-channel images of 2 photos"
    set_size, crops_per_set = 6, 2
    paper_results = {"siamese_ds": 8.06, "dss_sum": 1.78, "dss_max": 1.92, "dss_sridhar": 1.97, "dss_aittala": 1.67,
                     "baseline:grey_scale": 14.68}
    paper_note = ("Table 3, Places365, MAE 0–255 (CelebA: 6 / 1.27 / 1.34 / 1.35 / 1.17); grey-scale trivial "
                  "predictor 14.68 (CelebA 18.72)")
    baselines = {"grey_scale": grey_baseline}

    def make_sets(self, crops, rng):
        return channel_sets(crops, rng)


class BurstDeblurringFamily(ImageToImageFamily):
    name = "burst_deblurring"
    task = "burst deblurring: one sharp image from 5 blurred, noisy copies"
    set_size = 5
    merge_pool = "max"  # the paper's larger U-Net takes the max over the set before its last two convolutions
    filters = (32, 64, 128, 256)
    paper_results = {"siamese_ds": 6.15, "dss_sum": 6.11, "dss_max": 5.87, "dss_sridhar": 21.01, "dss_aittala": 5.7,
                     "baseline:median_pixel": 16.75}
    paper_note = "Table 3, ImageNet 128 px, MAE 0–255; median-pixel trivial predictor 16.75"
    weak_architectures = {"dss_sridhar": "every layer subtracts the mean over the burst, which removes the scene "
                                         "that all five frames share, so the sharp image must be rebuilt from what "
                                         "differs between frames (the paper's Table 3: 21.01 against 5.7-6.15)."}
    baselines = {"median_pixel": median_baseline}

    def make_sets(self, crops, rng):
        return burst_sets(crops, self.set_size, rng)
