"""Interpretation paper, rotation-invariant MNIST classifiers (Hansen et al., 2024, §4.2 and Fig. 8).

Real MNIST digits turned by uniformly random angles (`zoo.data.rotated_mnist`). `cn_cnn` is a C_N group-convolution
classifier (`zoo.models.CNClassifier`, the Keras-native stand-in for the paper's SO(2)-steerable CNN): invariant to
quarter turns by construction, with an equivariant latent `(batch, N, channels)` that `model.equivariant_latent`
returns for the paper's projection study. `cnn_aug` is a plain CNN that learns rotation invariance from its data
alone (a fresh random rotation of every training image at each step), the paper's Fig. 8 comparison. Entries:
`cn_cnn_rotated_mnist`, `cnn_aug_rotated_mnist`.
"""

from zoo.data import first_examples, mnist
from zoo.data.rotated_mnist import rotated_mnist
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.interp.paper import PAPER
from zoo.models import CNClassifier, ImageCNN
from zoo.tasks import Classification

GROUP_ORDER = 8  # rotations by 45°: the quarter turns exact on the pixel grid, the others interpolated


def _search(hp):
    return {"learning_rate": hp.Choice("learning_rate", [1e-3, 3e-3])}


class RotatedMnistFamily(Family):
    """Classify MNIST digits turned by a random angle.

    Args:
        source: MNIST source (a folder of idx files, `"tfds"`, or None for `zoo.data.mnist.default_source()`).
    """

    def __init__(self, source=None):
        super().__init__(
            name="rotated_mnist", paper=PAPER,
            description="the digit (0–9) of an MNIST image turned by a uniformly random angle",
            task=Classification(classes=[str(d) for d in range(10)]),
            architectures={
                "cn_cnn": Architecture(f"C{GROUP_ORDER} group-convolution CNN", {"learning_rate": 3e-3}, _search),
                "cnn_aug": Architecture("CNN with rotation augmentation", {"learning_rate": 1e-3}, _search)},
            input_spec={"elements": [None, 28, 28], "range": "grey levels in [0, 1] of a 28 × 28 digit",
                        "value_range": [0.0, 1.0]},
            wording=Wording(
                datasets=("ylecun/mnist",),
                notes=("The paper trains an SO(2)-steerable CNN on rotated MNIST's 60,000 training digits; here a "
                       f"C{GROUP_ORDER} group-convolution network (exactly invariant to quarter turns, "
                       "approximately to the 45° steps between) trains on the 7,000 digits of the zoo's offline "
                       "MNIST pool (the real MNIST test split cut into 7,000 / 1,000 / 2,000 digits), each turned "
                       "by a random angle drawn once; the test digits are turned afresh for each test seed.",
                       "The widths (C8 CNN: 16, 32 and 32 filters per rotation, 64 dense units; augmented CNN: 32 "
                       "and 64 filters, 128 dense units) and the CPU budget of at most 60 epochs (the training "
                       "section records the epochs run) are the zoo's choices."),
                data_licence=mnist.LICENCE,
                retrain=mnist.RETRAIN),
            training=TrainingPlan(batch_size=64, budgets={"cpu": {
                "max_trials": 2, "search_epochs": 2, "search_train_size": 2_000, "epochs": 60, "patience": 8}}),
            leaderboard=LeaderboardPlan(
                paper_note="§4.2 and Fig. 8: the paper gives no test accuracy; its figures study the latent space "
                           "(evaluation/interp.py regenerates them)"))
        self.digits = mnist.MnistPools(source)

    def find_data(self):
        self.digits.find()

    def build(self, architecture, **unused):
        self.check_architecture(architecture)
        if architecture == "cn_cnn":
            model = CNClassifier((28, 28), 10, group_order=GROUP_ORDER, filters=(16, 32, 32), dense_units=64,
                                 name=architecture)
        else:
            model = ImageCNN((28, 28), 10, filters=(32, 64), dense_units=128, dropout=0.25,
                             rotation_augmentation=True, name=architecture)
        model.build((None, 28, 28))
        return model

    def load_split(self, split, seed=1, size=None, set_size=None):
        # Training and validation digits are turned once (seed 0); the test digits afresh for each seed.
        images, labels, _ = rotated_mnist(split, seed=seed if split == "test" else 0, pools=self.digits)
        return first_examples(images, labels, size)

    def entry_train_size(self):
        return f"{len(self.digits['train'][0]):,} digit images"

    def dataset_info(self, train_size=None):
        return {"name": f"rotated MNIST (zoo.data.rotated_mnist) from {self.digits.describe()}",
                "training_split": f"{train_size or len(self.digits['train'][0]):,} training digits, each turned by "
                                  "a uniformly random angle (drawn once, seed 0); the validation digits likewise",
                "evaluation_split": "the held-out test digits, turned by fresh random angles for each seed (1, 2, 3)"}
