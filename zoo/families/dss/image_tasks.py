"""DSS paper, the image tasks on photos (Maron et al., 2020, §6.3–6.4, Tables 2–3).

- Highest-quality image selection: 20 degraded copies of one photo; select the copy closest (L1) to the original.
- Colour-channel matching: 6 single-channel images from 2 photos; predict each one's full-colour image.
- Burst deblurring: 5 blurred, noisy copies of one photo; predict the sharp photo.

The paper trains on Places365 / CelebA / ImageNet. Offline, the default source is the shared folder of 21 real
photos of up to 2048 px (`../shared/data/photos`) when it exists, scikit-image's ~20 bundled photos otherwise; both
are cut into random crops at several scales and split by photo (`zoo.data.images`). `ZOO_PHOTOS` (or the family's
`source`) points a family at `tfds:places365_small`, `tfds:celeb_a` or any image folder instead.
"""

import os
from functools import partial
from pathlib import Path

import numpy as np

from zoo.data.batches import RandomBatches
from zoo.data.degradations import (
    burst_sets,
    channel_sets,
    grey_baseline,
    least_noise_scores,
    mean_baseline,
    median_baseline,
    quality_sets,
    random_scores,
    sharpness_scores,
)
from zoo.data.images import (
    SHARED_PHOTOS,
    augment_crops,
    default_photo_source,
    load_photos,
    photo_credits,
    photo_splits,
    random_crops,
)
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.dss.image_selection import (
    DEVICE_HYPERPARAMETERS,
    IMAGE_SIZE,
    build_selection_model,
    input_spec,
    selection_architectures,
)
from zoo.families.dss.paper import PAPER, SET_ARCHITECTURES, architectures
from zoo.families.widths import scaled, width_note
from zoo.models.unet import SetUNet
from zoo.tasks import ImageToImage, Selection

OFFLINE_DATASET = "scikit-image's bundled photos (random crops; photos split between training and test)"
SKIMAGE_LICENCE = "scikit-image's bundled photos (BSD-3-Clause and public-domain sources, see skimage.data)"
SHARED_DATASET = ("21 real colour photos of up to 2048 px from Debian's wallpaper packages (../shared/data/photos; "
                  "random crops at several scales, photos split between training, validation and test)")
AUGMENTATION = " (each turned by a random multiple of 90°, mirrored at random, its colour channels reordered at random)"
# 40 batches of 8 random sets make an epoch; the searches compare learning rates over a few short epochs.
PHOTO_BUDGETS = {"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 20, "epochs": 30, "patience": 6},
                 "gpu": {"max_trials": 3, "search_epochs": 3, "search_train_size": 20, "epochs": 40, "patience": 8}}
BATCH_SIZE, TRAIN_STEPS, VAL_SETS, TEST_SETS = 8, 40, 64, 128
TABLE_ORDER = ("siamese_ds", "dss_sum", "dss_max", "dss_sridhar", "dss_aittala")


class PhotoSets:
    """Sets drawn from random crops of the photos of a source: `make_sets(crops, rng) -> (x, y)`.

    Args:
        make_sets: turns `crops_per_set × count` crops into `count` sets.
        crops_per_set: crops each set is made from.
        colour_only: use colour photos only.
        source: an image folder, `"skimage"` or `"tfds:<builder>"` (default: `ZOO_PHOTOS`, else
            `default_photo_source()`: the shared photo folder when it exists).
        augment: turn, mirror and reorder the colour channels of the training crops at random (`augment_crops`).
    """

    def __init__(self, make_sets, crops_per_set=1, colour_only=False, source=None, augment=False):
        self.make_sets, self.crops_per_set, self.colour_only = make_sets, crops_per_set, colour_only
        self.augment = augment
        self.source = str(source or os.environ.get("ZOO_PHOTOS") or default_photo_source())
        self._photos = {}

    @property
    def is_folder(self):
        return self.source != "skimage" and not self.source.startswith("tfds:")

    def photos(self, split):
        if split not in self._photos:
            self._photos[split] = list(load_photos(self.source, split, colour_only=self.colour_only).values())
        return self._photos[split]

    def draw(self, split, rng, count):
        crops = random_crops(self.photos(split), IMAGE_SIZE, count * self.crops_per_set, rng)
        return self.make_sets(augment_crops(crops, rng) if self.augment and split == "train" else crops, rng)

    def load_split(self, split, seed=1, size=None):
        if split == "train":
            return RandomBatches(lambda rng, count: self.draw("train", rng, count), BATCH_SIZE, size or TRAIN_STEPS,
                                 seed=seed)
        if split == "val":  # fixed sets, never from the test photos
            return self.draw("val", np.random.default_rng([10_000, seed]), VAL_SETS)
        return self.draw("test", np.random.default_rng(seed), TEST_SETS)

    def _split_names(self):
        """The sorted photo names of each split of a folder with a `MANIFEST.csv` (the split written down), else
        None."""
        credits = photo_credits(self.source) if self.is_folder else []
        if not credits:
            return None
        splits = photo_splits(row["file"] for row in credits)
        return {split: sorted(name for name, s in splits.items() if s == split) for split in ("train", "val", "test")}

    def train_size(self, names=None):
        """How many photos the training crops come from, in words (`names`: `_split_names()`, when known)."""
        names = names or self._split_names()
        return f"{len(names['train']) if names else len(self.photos('train'))} photos"

    def dataset_info(self, train_size=None):
        shared = self.is_folder and Path(self.source).resolve() == SHARED_PHOTOS.resolve()
        name = OFFLINE_DATASET if self.source == "skimage" else SHARED_DATASET if shared else self.source
        names = self._split_names()
        photos = (lambda split: f" ({', '.join(names[split])})") if names else (lambda split: "")
        validation = "the validation photos" + photos("val") if self.is_folder else "the training photos"
        return {"name": name, "train_size": self.train_size(names),
                "training_split": f"random {IMAGE_SIZE} px crops of the training photos{photos('train')}"
                                  f"{AUGMENTATION if self.augment else ''}, "
                                  f"{BATCH_SIZE} sets × {train_size or TRAIN_STEPS} batches per epoch; {VAL_SETS} "
                                  f"fixed validation sets cut from {validation}",
                "evaluation_split": f"{TEST_SETS} sets per seed (1, 2, 3) cut from the held-out photos"
                                    f"{photos('test')}"}

    def licence(self):
        """The photos' licences, in words."""
        if self.source == "skimage":
            return SKIMAGE_LICENCE
        credits = photo_credits(self.source) if self.is_folder else []
        if not credits:
            return f"the licences of the photos in {self.source}"
        licences = ", ".join(sorted({row["licence"] for row in credits}))
        return f"each photo under its own licence ({licences}; see the data credits)"

    def credits(self):
        """Every photo's author and licence, from the folder's `MANIFEST.csv` (CC-BY needs the credit); "" when it
        has none."""
        credits = photo_credits(self.source) if self.is_folder else []
        return "; ".join(f"{row['file']} © {row['author']} ({row['licence']})" for row in credits)

    def notes(self):
        if self.source == "skimage":
            return (f"Trained and tested on {IMAGE_SIZE} px crops of the few photos bundled with scikit-image "
                    "(training and test photos disjoint), not on the paper's Places365 / CelebA / ImageNet: compare "
                    "with the paper's numbers with care.",)
        if not self.is_folder:
            return ()
        return (f"The family's data: {IMAGE_SIZE} px crops, at scales from a tenth of a photo's shorter side to the "
                "whole photo, of real high-resolution photos split by photo (training, validation and test photos "
                "disjoint), where the paper used hundreds of thousands of Places365 / CelebA / ImageNet images: "
                "compare with its numbers with care. The training data above says what this entry was trained on. "
                "On a machine without the shared photo folder the family falls back to scikit-image's photos, and "
                "`zoo eval` measures there instead.",)


class PhotoFamily(Family):
    """A DSS image task on `PhotoSets`: data, wording and training plan shared by the image tasks."""

    def __init__(self, photos, notes=(), budgets=PHOTO_BUDGETS, **parts):
        super().__init__(
            paper=PAPER,
            wording=Wording(notes=photos.notes() + tuple(notes), data_licence=photos.licence(),
                            credits=photos.credits()),
            training=TrainingPlan(budgets=budgets, device_hyperparameters=DEVICE_HYPERPARAMETERS,
                                  train_size_unit=f"batches of {BATCH_SIZE} random sets per epoch"),
            **parts)
        self.photos = photos

    def load_split(self, split, seed=1, size=None, set_size=None):
        return self.photos.load_split(split, seed, size)

    def dataset_info(self, train_size=None):
        return self.photos.dataset_info(train_size)

    def entry_train_size(self):
        return self.photos.train_size()

    def entry_notes(self, hyperparameters):
        return width_note(hyperparameters)


QUALITY_PAPER = {  # Table 2 (Places): Siamese+DS / DSS(sum) / DSS(max) / DSS(Sridhar) / DSS(Aittala)
    ("noise", 10): (77.2, 78.48, 77.99, 76.8, 78.34), ("noise", 30): (65.89, 68.35, 67.85, 61.52, 66.89),
    ("noise", 50): (59.24, 62.6, 61.59, 55.25, 62.02), ("occlusion", 10): (82.15, 83.13, 83.27, 83.21, 83.19),
    ("occlusion", 30): (77.47, 78, 78.69, 78.71, 78.27), ("occlusion", 50): (76.2, 77.29, 76.64, 77.04, 77.03),
}
QUALITY_SET_SIZE = 20


def _quality_search(hp, architecture):
    # Once its aggregate branch grows from zero, a DSS(sum) layer moves n times further per Adam step than the
    # others (the branch sees the sum of n = 20 elements): at 3e-4 its training diverged within two epochs.
    rates = [1e-4, 3e-4] if architecture == "dss_sum" else [3e-4, 1e-3]
    return {"learning_rate": hp.Choice("learning_rate", rates), "dropout": hp.Choice("dropout", [0.0, 0.1])}


class ImageQualityFamily(PhotoFamily):
    """Select the least degraded of 20 copies: Gaussian noise (σ up to 10, 30, 50) or occlusion (up to 10–50 %)."""

    def __init__(self, kind, level, source=None):
        what = f"Gaussian noise σ up to {level}" if kind == "noise" else f"occlusion up to {level} %"
        super().__init__(
            PhotoSets(lambda crops, rng: quality_sets(crops, QUALITY_SET_SIZE, kind, level, rng), source=source,
                      augment=True),
            name=f"quality_{kind}{level}",
            description=f"highest-quality image selection: the best of 20 copies with blur and {what}",
            task=Selection(QUALITY_SET_SIZE, "the copy closest to the clean photo"),
            architectures=selection_architectures(_quality_search),
            input_spec=input_spec(QUALITY_SET_SIZE),
            # classical estimates without learning (noise level; sharpness, lowered by blur and flat patches) and
            # chance
            baselines={"least_noise": least_noise_scores, "sharpest": sharpness_scores, "random": random_scores},
            notes=("`zoo train` turns its training crops by a random multiple of 90°, mirrors them and reorders "
                   "their colour channels at random (the training data above says whether this entry's were): "
                   "blur, noise, occlusion and the target look alike in every orientation and channel order, and "
                   "the variety of the few training photos grows. Measured with `zoo train "
                   "dss_max_quality_occlusion50 --budget cpu` on the shared photos (accuracy on the validation sets "
                   "of seeds 1–3 / the harness's test accuracy): 0.542 / 0.586 without it, 0.667 / 0.643 with it; "
                   "the entry trained on scikit-image's photos without it measured 0.599 / 0.674.",),
            leaderboard=LeaderboardPlan(
                paper_results={a: v / 100 for a, v in zip(TABLE_ORDER, QUALITY_PAPER[(kind, level)])},
                paper_note="Table 2, Places365, accuracy; random choice 0.05"))

    def build(self, architecture, width=1.0, dropout=0.0, **unused):
        self.check_architecture(architecture)
        return build_selection_model(architecture, QUALITY_SET_SIZE, width, dropout)


def _unet_search(hp, architecture, rates):
    return {"learning_rate": hp.Choice("learning_rate", list(rates))}


class ImageToImageFamily(PhotoFamily):
    """Set-to-image tasks with the U-Net of DSS blocks: mean absolute error per pixel on the 0–255 scale.

    Args:
        set_size: images per set.
        filters: channels of the U-Net's levels at the paper's width.
        merge_pool: None for one image per element; `"max"` to merge the set into one image.
        unet: further `SetUNet` options of the task (default: batch norm and a sigmoid output in [0, 1]).
        learning_rates: the search's choices.
    """

    def __init__(self, photos, set_size, filters=(32, 64, 128), merge_pool=None, unet=None,
                 learning_rates=(3e-4, 1e-3, 3e-3), weak=None, **parts):
        # The U-Nets keep improving for many epochs: a longer fit, and a learning rate halved only after 4 flat
        # epochs.
        super().__init__(
            photos, budgets={"cpu": PHOTO_BUDGETS["cpu"],
                             "gpu": dict(PHOTO_BUDGETS["gpu"], max_trials=2, epochs=80, patience=12)},
            task=ImageToImage(per_element=merge_pool is None),
            architectures=architectures(SET_ARCHITECTURES, {"width": 0.25, "learning_rate": 1e-3},
                                        partial(_unet_search, rates=learning_rates), weak),
            input_spec=input_spec(set_size, "RGB in [0, 1]"), **parts)
        self.set_size, self.filters, self.merge_pool = set_size, filters, merge_pool
        self.unet = {"output_activation": "sigmoid", **(unet or {})}

    def build(self, architecture, width=1.0, **unused):
        self.check_architecture(architecture)
        model = SetUNet(3, filters=scaled(self.filters, width), architecture=architecture, padding="same",
                        merge_pool=self.merge_pool, name=architecture, **self.unet)
        model.build((None, self.set_size, IMAGE_SIZE, IMAGE_SIZE, 3))
        return model


class ColourMatchingFamily(ImageToImageFamily):
    def __init__(self, source=None):
        super().__init__(
            PhotoSets(channel_sets, crops_per_set=2, colour_only=True, source=source), set_size=6,
            unet={"output_activation": None, "residual": "channel_max", "output_range": (0.0, 1.0)},
            notes=("Unlike the paper's U-Net, the zoo's adds its output to each element's own channel copied into "
                   "all three (the grey-scale prediction), so it learns a correction to that prediction (residual "
                   "learning), and clamps the result to the image range. Measured with `zoo train "
                   "dss_sridhar_colour_matching --budget cpu` on the shared photos (harness, test seeds 1–3): MAE "
                   "28.5 without the residual, behind the grey-scale prediction's 23.5, and 11.0 with it.",),
            name="colour_matching",
            description="colour-channel matching: the full-colour image of each of 6 single-channel images of 2 "
                        "photos",
            baselines={"grey_scale": grey_baseline},
            leaderboard=LeaderboardPlan(
                paper_results={"siamese_ds": 8.06, "dss_sum": 1.78, "dss_max": 1.92, "dss_sridhar": 1.97,
                               "dss_aittala": 1.67, "baseline:grey_scale": 14.68},
                paper_note="Table 3, Places365, MAE 0–255 (CelebA: 6 / 1.27 / 1.34 / 1.35 / 1.17); grey-scale "
                           "trivial predictor 14.68 (CelebA 18.72)"))


class BurstDeblurringFamily(ImageToImageFamily):
    def __init__(self, source=None):
        super().__init__(
            PhotoSets(lambda crops, rng: burst_sets(crops, 5, rng), colour_only=True, source=source), set_size=5,
            # The paper's larger U-Net takes the max over the set before its last two convolutions, has no batch
            # norm and clamps its output. The zoo's also learns a correction to the burst's per-pixel mean: with
            # the CPU budget the U-Net alone had not learnt to reproduce the photos' colours (dss_max, 12 epochs,
            # test MAE 10.2 against the median's 7.5), with the residual it measured 6.0.
            filters=(32, 64, 128, 256), merge_pool="max",
            unet={"normalization": None, "output_activation": None, "residual": "mean",
                  "output_range": (0.0, 1.0)},
            # Without batch norm, at 3e-3 the correction stopped changing within the first epochs: the output
            # stayed the burst's mean (validation MAE 6.85, the mean's).
            learning_rates=(3e-4, 1e-3),
            name="burst_deblurring", description="burst deblurring: one sharp image from 5 blurred, noisy copies",
            notes=("Unlike the paper's U-Net, the zoo's adds its output to the per-pixel mean of the burst, so it "
                   "learns a correction to that mean (residual learning); like the authors' code it has no batch "
                   "norm and clamps its output to the image range.",
                   "The bursts here are milder than the paper's (motion blur of up to 17 px, noise σ = 0.05): the "
                   "per-pixel mean and median of a burst are much closer to the sharp photo than the paper's "
                   "median (16.75), so both are in the leaderboard as trivial predictors."),
            baselines={"median_pixel": median_baseline, "mean_pixel": mean_baseline},
            leaderboard=LeaderboardPlan(
                paper_results={"siamese_ds": 6.15, "dss_sum": 6.11, "dss_max": 5.87, "dss_sridhar": 21.01,
                               "dss_aittala": 5.7, "baseline:median_pixel": 16.75},
                paper_note="Table 3, ImageNet 128 px, MAE 0–255; median-pixel trivial predictor 16.75"))
