"""DeepSets paper, point-cloud classification on ModelNet40 (Zaheer et al., 2017, §4.1, Table 1).

An object is a set of points sampled on its surface; classify it into one of 40 classes. Three
permutation-equivariant layers `tanh(Γ(x − 1 max x) + β)` transform every point in the context of the cloud, a
max over the points makes the result invariant, and a small MLP with dropout gives the logits. One family per
number of points (100, 1000, 5000), as in Table 1. The data is for academic research only and cannot be
downloaded here: the zoo carries the loader and the models, tested on generated fixtures, and no weights.
"""

import numpy as np

from zoo.data import modelnet
from zoo.data.batches import RandomBatches
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.paper import PAPER
from zoo.families.widths import scaled, width_note
from zoo.layers import DeepSetsEquivariant, SetBlock
from zoo.models import InvariantHead, SetModel
from zoo.tasks import Classification

PAPER_ACCURACY = {100: (0.82, 0.02), 1000: (0.87, 0.01), 5000: (0.90, 0.003)}  # Table 1, mean ± std
UNITS = {100: 256, 1000: 256, 5000: 512}  # width of every layer (the authors' run.py)
BATCH_SIZE, VAL_FRACTION = 64, 0.1


def input_spec(points):
    """The input of a model on clouds of `points` points, for the cards."""
    return {"elements": [None, points, 3], "mask": [None, points],
            "range": "x, y, z of points on the object's surface, each cloud standardised (minus its mean, divided by "
                     "its standard deviation over all coordinates)"}


def deepsets_point_cloud_model(points, width=1.0, name="deepsets"):
    """Three equivariant layers `tanh(Γ(x − max x) + β)`, max over the points, Dense (tanh), dropout 0.5, 40
    logits; every width is the paper's for clouds of `points` points (256, or 512 for 5000) × `width`. Built for
    clouds of any number of points `(batch, n, 3)`."""
    (units,) = scaled((UNITS[points],), width)
    blocks = [SetBlock(DeepSetsEquivariant(units, pool="max", single_matrix=True), activation="tanh")
              for _ in range(3)]
    head = InvariantHead(len(modelnet.CLASSES), pool="max", hidden_units=(units,), activation="tanh", dropout=0.5)
    model = SetModel(blocks, head, name=name)
    model.build((None, None, 3))
    return model


def _paper_note():
    numbers = "; ".join(f"{n} points {mean:.2f} ± {std:g}" for n, (mean, std) in PAPER_ACCURACY.items())
    return f"Table 1, ModelNet40 test accuracy of DeepSets: {numbers}; random choice 0.025"


class PointCloudFamily(Family):
    """ModelNet40 classification from clouds of `points` points (`root=` or `$MODELNET_ROOT`, see
    `zoo.data.modelnet`).

    Example:
    >>> family = PointCloudFamily(1000, root="/data/ModelNet40")
    >>> model = family.compile(family.build("deepsets"))
    >>> model.fit(family.load_split("train"), validation_data=family.load_split("val"), epochs=1)
    """

    batch_size = BATCH_SIZE

    def __init__(self, points, root=None):
        if points not in PAPER_ACCURACY:
            raise ValueError(f"Table 1 has {tuple(PAPER_ACCURACY)} points per cloud; got {points}.")
        super().__init__(**self.parts(points))
        self.points, self.root = points, root
        self._splits = {}

    def parts(self, points):
        """The family's parts for clouds of `points` points (a paper that compares other models on the same data
        overrides this and `build`)."""
        return dict(
            name=f"point_clouds_{points}", paper=PAPER,
            description=f"3D object classification: the ModelNet40 class (of 40) of a cloud of {points} points "
                        "sampled on the object's surface",
            task=Classification(classes=modelnet.CLASSES),
            architectures={"deepsets": Architecture("DeepSets (max-pooling equivariant layers, tanh)",
                                                    {"width": 1.0, "learning_rate": 1e-3})},
            input_spec=input_spec(points),
            wording=Wording(
                notes=(f"{VAL_FRACTION:.0%} of the official training objects (a fixed draw) are held out for "
                       "validation, which the paper does not do. Training batches are drawn at random with "
                       "replacement rather than in shuffled epochs. The authors' code also applies dropout before "
                       "the hidden layer of the classifier, uses Adam with ε = 1e-3, weight decay 1e-7, gradient "
                       "clipping at norm 5 and a learning rate divided by 10 every 400 of 1,000 epochs; the zoo "
                       "trains with its standard Adam (learning rate 1e-3) for up to 1,000 epochs with early "
                       "stopping.",),
                data_licence=modelnet.DATA_LICENCE,
                unavailable_reason=modelnet.LICENCE_NOTE,
                retrain="MODELNET_ROOT=/path/to/ModelNet40 zoo train {name}"),
            training=TrainingPlan(batch_size=BATCH_SIZE, budgets={"gpu": {"epochs": 1000, "patience": 100}},
                                  train_size_unit=f"batches of {BATCH_SIZE} augmented training clouds per epoch"),
            leaderboard=LeaderboardPlan(paper_results={"deepsets": PAPER_ACCURACY[points][0]},
                                        paper_note=_paper_note()))

    def find_data(self):
        modelnet.find_source(self.root)

    def build(self, architecture, width=1.0, **unused):
        self.check_architecture(architecture)
        return deepsets_point_cloud_model(self.points, width, name=architecture)

    def entry_notes(self, hyperparameters):
        return width_note(hyperparameters)

    def split(self, name):
        """`(clouds, labels)` of `"train"`, `"val"` (a fixed tenth of the official training objects) or
        `"test"`, read once."""
        if name not in self._splits:
            if name == "test":
                self._splits["test"] = modelnet.load_clouds(self.root, "test", self.points)
            else:
                x, y = modelnet.load_clouds(self.root, "train", self.points)
                order = np.random.default_rng(0).permutation(len(y))
                held_out, kept = np.split(order, [max(1, round(VAL_FRACTION * len(y)))])
                self._splits["val"], self._splits["train"] = (x[held_out], y[held_out]), (x[kept], y[kept])
        return self._splits[name]

    def load_split(self, split, seed=1, size=None, set_size=None):
        """The test and validation clouds are fixed (`seed` changes nothing); training batches are random
        training clouds, augmented (`zoo.data.modelnet.augment`)."""
        x, y = self.split(split)
        if split != "train":
            return x, y

        def draw(rng, count):
            chosen = rng.integers(len(y), size=count)
            return modelnet.augment(x[chosen], rng), y[chosen]

        return RandomBatches(draw, self.batch_size, size or max(1, len(y) // self.batch_size), seed=seed)

    def dataset_info(self, train_size=None):
        per_epoch = f"{train_size} batches" if train_size else "about one pass over the objects"
        return {"name": f"ModelNet40 (Wu et al., 2015; licensed for academic research, not available to the zoo) as "
                        f"clouds of {self.points} surface points",
                "training_split": f"the 9,843 official training objects less a fixed {VAL_FRACTION:.0%} held out "
                                  f"for validation, in random batches of {self.batch_size} clouds ({per_epoch} per "
                                  "epoch), each cloud rotated about z by up to ±0.1π and scaled by 0.8–1.25 per axis",
                "evaluation_split": "the 2,468 official test objects (one fixed cloud each)"}
