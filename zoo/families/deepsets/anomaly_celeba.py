"""DeepSets paper, set anomaly detection on CelebA (Zaheer et al., 2017, §4.3, Fig. 5).

A set of 16 faces: 15 share two attributes (picked at random per set), one has neither; select the odd one out.
The architectures are those of `anomaly_mnist` (`zoo.families.deepsets.anomaly`) on 64 × 64 RGB faces with a
three-stage conv net. CelebA is for non-commercial research only and cannot be downloaded here: the zoo carries
the loader, the set drawer and the models, tested on generated fixtures, and no weights.
"""

import numpy as np

from zoo.data import celeba
from zoo.data.batches import RandomBatches
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.anomaly import SET_SIZE, anomaly_architectures, anomaly_model
from zoo.families.deepsets.paper import PAPER
from zoo.families.widths import scaled, width_note
from zoo.tasks import Selection

IMAGE_SHAPE = (celeba.IMAGE_SIZE, celeba.IMAGE_SIZE, 3)
CONV_WIDTHS = (32, 64, 128)


class AnomalyCelebaFamily(Family):
    """The odd face out among 16 CelebA faces (`root=`: a folder of the official files or `"tfds"`; default
    `$CELEBA_ROOT`, see `zoo.data.celeba`).

    Example:
    >>> family = AnomalyCelebaFamily(root="/data/celeba")
    >>> x, y = family.load_split("test", seed=1)
    >>> x.shape
    (1000, 16, 64, 64, 3)
    """

    batch_size, train_steps, val_sets, test_sets = 32, 200, 256, 1000

    def __init__(self, root=None):
        super().__init__(
            name="anomaly_celeba", paper=PAPER,
            description="set anomaly detection: the one face among 16 CelebA faces that lacks two attributes the "
                        "other 15 share",
            task=Selection(SET_SIZE, "the odd one out"),
            architectures=anomaly_architectures(),
            input_spec={"elements": [None, SET_SIZE, *IMAGE_SHAPE], "mask": [None, SET_SIZE],
                        "range": "RGB faces in [0, 1]: aligned CelebA images centre-cropped to a square and resized "
                                 "to 64 × 64", "value_range": [0.0, 1.0]},
            wording=Wording(
                datasets=("celeb_a",),
                notes=("Each face goes through the zoo's anomaly conv net (3×3 conv stages of 32, 64 and 128 "
                       "channels with batch norm, ReLU and max-pooling, then a 128-wide feature layer), shared with "
                       "`anomaly_mnist`. Training sets are drawn afresh every batch from the official training "
                       "faces, validation sets from the official validation faces.",),
                data_licence="CelebA (Liu et al., 2015): non-commercial research use only",
                unavailable_reason=celeba.LICENCE_NOTE,
                retrain="CELEBA_ROOT=/path/to/celeba zoo train {name}"),
            training=TrainingPlan(batch_size=self.batch_size,
                                  train_size_unit=f"batches of {self.batch_size} random sets per epoch"),
            leaderboard=LeaderboardPlan(
                paper_results={"deepsets": 0.75, "mlp": 0.063},
                paper_note="§4.3, CelebA test sets: equivariant DeepSets 0.75, non-equivariant baseline ≈ 0.063; "
                           "random choice 0.0625"))
        self.root = root
        self._faces = {}

    def find_data(self):
        source = self.root or celeba.default_source()
        if source != "tfds":
            celeba.official_files(source)

    def build(self, architecture, width=1.0, **unused):
        """The `anomaly_mnist` architecture on 64 × 64 RGB faces, conv widths (32, 64, 128) × `width`."""
        self.check_architecture(architecture)
        return anomaly_model(architecture, IMAGE_SHAPE, scaled(CONV_WIDTHS, width))

    def entry_notes(self, hyperparameters):
        return width_note(hyperparameters)

    def faces(self, split):
        """`(images uint8, attributes bool)` of an official split, read once."""
        if split not in self._faces:
            self._faces[split] = celeba.load_faces(self.root, split)[:2]
        return self._faces[split]

    def load_split(self, split, seed=1, size=None, set_size=None):
        images, attributes = self.faces(split)
        if split == "train":
            return RandomBatches(lambda rng, count: celeba.odd_face_sets(images, attributes, count, rng, SET_SIZE),
                                 self.batch_size, size or self.train_steps, seed=seed)
        count, stream = (self.val_sets, 1) if split == "val" else (self.test_sets, 2)
        return celeba.odd_face_sets(images, attributes, count, np.random.default_rng([stream, seed]), SET_SIZE)

    def dataset_info(self, train_size=None):
        return {"name": "CelebA aligned faces (Liu et al., 2015; non-commercial research use, not available to the "
                        "zoo), 64 × 64 RGB",
                "training_split": f"random sets of 16 faces of the official training split (162,770 faces), "
                                  f"{self.batch_size} sets × {train_size or self.train_steps} batches per epoch; "
                                  f"{self.val_sets} validation sets of the official validation split",
                "evaluation_split": f"{self.test_sets} sets per seed (1, 2, 3) of the official test split "
                                    "(19,962 faces)"}
