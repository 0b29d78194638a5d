"""SIRE paper, locally perturbed MNIST (Cohen-Karlik et al., 2020, §5): invariance to some permutations only.

Each digit is flattened to its 784 pixels, which are permuted at random inside consecutive windows of 4, then of 7
(`zoo.data.sequence_tasks.locally_perturbed`). The class does not change, so a model should be invariant to such
local permutations but not to all: a CNN sees the perturbed image, a GRU reads the pixels in order, and SIRE
pulls the GRU towards invariance to swaps of neighbouring reads (`RecurrentModel(sire_pairs="adjacent")`: the two
pixels that follow a state are swapped, not two pixels drawn from anywhere in the batch, which would pull towards
invariance to every reordering and so towards a model of the grey-level histogram alone).
"""

import numpy as np

from zoo.data import first_examples, mnist
from zoo.data.sequence_tasks import locally_perturbed
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.sire.architectures import LEARNING_RATES, SIRE_WEIGHTS, search_space
from zoo.families.sire.paper import PAPER
from zoo.models import ImageCNN, RecurrentModel
from zoo.tasks import Classification

WINDOWS = (4, 7)
PIXELS, GRU_UNITS = 784, 64
PAPER_ACCURACY = {"cnn": 0.963, "gru": 0.833, "sire_gru": 0.977}


def perturb(images, rng):
    """Digits `(count, 28, 28)` as pixel sequences `(count, 784)`, permuted inside windows of 4, then of 7."""
    for window in WINDOWS:
        images = locally_perturbed(images, window, rng)
    return images


_search = search_space(LEARNING_RATES[:2])
_sire_search = search_space(LEARNING_RATES[:2], sire_weight=SIRE_WEIGHTS)


class PerturbedMnistFamily(Family):
    """Classify MNIST digits whose pixel sequence was permuted inside small windows.

    Args:
        source: MNIST source (a folder of idx files, `"tfds"`, or None for `zoo.data.mnist.default_source()`).
    """

    def __init__(self, source=None):
        super().__init__(
            name="perturbed_mnist", paper=PAPER,
            description="the digit (0–9) of an MNIST image read as its 784 pixels, permuted at random inside windows "
                        "of 4 and then of 7 consecutive pixels",
            task=Classification(classes=[str(d) for d in range(10)]),
            architectures={
                "cnn": Architecture("CNN", {"learning_rate": 1e-3}, _search),
                "gru": Architecture("GRU", {"learning_rate": 1e-3}, _search),
                "sire_gru": Architecture("GRU + SIRE", {"learning_rate": 1e-3, "sire_weight": 0.1}, _sire_search,
                                         regularises="gru")},
            input_spec={"elements": [None, PIXELS], "range": "grey levels in [0, 1] of a digit's 784 pixels, row by "
                                                              "row, locally permuted (zoo.families.sire."
                                                              "perturbed_mnist.perturb)",
                        "value_range": [0.0, 1.0]},
            wording=Wording(
                datasets=("ylecun/mnist",),
                notes=("The paper trains on MNIST's 60,000 training digits; offline the zoo has only the real MNIST "
                       "test split, cut into 7,000 digits to train on, 1,000 to validate on and 2,000 held-out "
                       "digits to test on, so its training pool is far smaller than the paper's. Each digit's "
                       "perturbation is drawn once (training and validation) or per test seed; the order "
                       "sensitivity re-perturbs the same pixels inside the same windows.",
                       "SIRE here swaps the two pixels that follow a state in the digit's own sequence (neighbouring "
                       "reads, the swaps a local perturbation makes), not two pixels drawn from the whole batch: "
                       "the paper does not say which pairs it used for this task, and pulling a pixel reader "
                       "towards invariance to every reordering leaves it only the grey-level histogram (measured "
                       "on the CPU budget: λ = 1 with pairs drawn from the batch collapsed to one class, 0.123).",),
                data_licence=mnist.LICENCE,
                retrain=mnist.RETRAIN,
                reordering="the pixels permuted again inside windows of 4, then 7 (the class is unchanged)"),
            training=TrainingPlan(batch_size=64, budgets={
                "cpu": {"max_trials": 2, "search_epochs": 2, "search_train_size": 2_000, "epochs": 20, "patience": 5},
                "gpu": {"max_trials": 3, "search_epochs": 3, "search_train_size": 2_000, "epochs": 150,
                        "patience": 15}}),
            leaderboard=LeaderboardPlan(
                paper_results=PAPER_ACCURACY,
                paper_note="§5, locally perturbed MNIST test accuracy: CNN 0.963, GRU 0.833, GRU + SIRE 0.977",
                order_sensitivity=True))
        self.digits = mnist.MnistPools(source)
        self._fixed = {}

    def find_data(self):
        self.digits.find()

    def permute(self, x, rng):
        return perturb(np.asarray(x), rng)

    def build(self, architecture, sire_weight=0.0, **unused):
        self.check_architecture(architecture)
        if architecture == "cnn":
            model = ImageCNN((28, 28), 10, filters=(32, 64), dense_units=128, dropout=0.25, name=architecture)
        else:
            model = RecurrentModel(cell="gru", units=GRU_UNITS, output_units=10, sire_weight=sire_weight,
                                   sire_pairs="adjacent", seed=0, name=architecture)
        model.build((None, PIXELS))
        return model

    def load_split(self, split, seed=1, size=None, set_size=None):
        images, labels = self.digits[split]
        if split == "test":  # a fresh perturbation of the held-out digits per seed
            return perturb(images, np.random.default_rng([2, seed])), labels
        if split not in self._fixed:  # one fixed perturbation of the training and validation digits
            self._fixed[split] = perturb(images, np.random.default_rng([0 if split == "train" else 1]))
        return first_examples(self._fixed[split], labels, size)

    def entry_train_size(self):
        return f"{len(self.digits['train'][0]):,} digit images"

    def dataset_info(self, train_size=None):
        return {"name": self.digits.describe(),
                "training_split": f"{train_size or len(self.digits['train'][0]):,} training digits as pixel "
                                  "sequences permuted inside windows of 4 then 7 (one draw, seed 0); the "
                                  "validation digits likewise (seed 1)",
                "evaluation_split": "the held-out test digits, freshly perturbed for each seed (1, 2, 3)"}

