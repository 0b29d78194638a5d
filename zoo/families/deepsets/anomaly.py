"""DeepSets paper, set anomaly detection (Zaheer et al., 2017, §4.3, Fig. 5).

In a set of 16 images every member but one shares a property; select the odd one out. Each image goes through the
same small conv net, then permutation-equivariant DeepSets layers score every member in the context of the whole
set and a softmax over the set picks one. The non-equivariant baseline concatenates the members' features in order
and maps them with an MLP, so it must learn the task once per position.
"""

import keras
import numpy as np

from zoo.data import mnist
from zoo.data.anomaly_sets import odd_one_out_sets
from zoo.data.batches import RandomBatches
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.paper import PAPER
from zoo.layers import ElementPooling, Siamese
from zoo.models import FlatSetHead, SelectionHead, SetModel
from zoo.models.architectures import set_blocks
from zoo.tasks import Selection

SET_SIZE = 16
FEATURES = 128  # the per-member feature vector both architectures start from
BASELINE_WEAKNESS = ("concatenating the members in order ties every output to one position, so the odd one out must "
                     "be learnt 16 times over and a permuted set gets a different answer (the paper's "
                     "non-equivariant baseline stays near chance, 6.3 %).")


def _search(hp):
    return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3])}


def anomaly_architectures():
    """The equivariant model and the non-equivariant baseline."""
    defaults = {"learning_rate": 1e-3}
    return {"deepsets": Architecture("DeepSets (equivariant)", defaults, _search),
            "mlp": Architecture("Non-equivariant baseline (MLP on the concatenated set)", defaults, _search,
                                weak=BASELINE_WEAKNESS)}


def anomaly_model(architecture, image_shape, conv_widths, set_size=SET_SIZE):
    """Conv net on every image (3×3 valid convs, BN, ReLU, 2× max-pooling), a Dense feature layer, then the
    equivariant DeepSets scoring layers (256, 128, 1) or the flat baseline head; built."""
    blocks = []
    for width in conv_widths:
        blocks += set_blocks("siamese", [keras.layers.Conv2D(width, 3, padding="valid")], activation="relu")
        blocks.append(Siamese(keras.layers.MaxPooling2D(2)))
    blocks += [ElementPooling("flatten"), Siamese(keras.layers.Dense(FEATURES, activation="relu"))]
    if architecture == "deepsets":
        head = SelectionHead((256, 128), pool="max", activation="elu")
    else:
        head = FlatSetHead(set_size, hidden_units=(256, 128))
    model = SetModel(blocks, head, name=architecture)
    model.build((None, set_size) + tuple(image_shape))
    return model


class AnomalyMnistFamily(Family):
    batch_size, train_steps, val_sets, test_sets = 32, 100, 512, 1000

    def __init__(self, source=None):
        super().__init__(
            name="anomaly_mnist", paper=PAPER,
            description="set anomaly detection: the one digit of another class among 16 MNIST digits",
            task=Selection(SET_SIZE, "the odd one out"),
            architectures=anomaly_architectures(),
            input_spec={"elements": [None, SET_SIZE, 28, 28, 1], "mask": [None, SET_SIZE],
                        "range": "grey-scale 28 × 28 MNIST images in [0, 1]", "value_range": [0.0, 1.0]},
            wording=Wording(
                datasets=("ylecun/mnist",),
                notes=("The paper's set anomaly task uses CelebA faces (sets of 16 where one lacks two attributes "
                       "the others share; `anomaly_celeba`); here the odd one out is the digit of another class, on "
                       "the real MNIST test split cut into 7,000 digits to train on (randomly deformed when drawn), "
                       "1,000 to validate on and 2,000 held-out digits to test on.",),
                data_licence=mnist.LICENCE,
                retrain=mnist.RETRAIN),
            training=TrainingPlan(batch_size=self.batch_size,
                                  budgets={"cpu": {"max_trials": 2, "search_epochs": 2, "search_train_size": 50,
                                                   "epochs": 40, "patience": 9}},
                                  train_size_unit=f"batches of {self.batch_size} random sets per epoch"),
            leaderboard=LeaderboardPlan(
                paper_note="§4.3 on CelebA (not MNIST): equivariant DeepSets 0.75, non-equivariant baseline ≈ 0.063; "
                           "random choice 0.0625"))
        self.digits = mnist.MnistPools(source)

    def find_data(self):
        self.digits.find()

    def build(self, architecture, **unused):
        self.check_architecture(architecture)
        return anomaly_model(architecture, (28, 28, 1), (32, 64))

    def _draw(self, pool, rng, count):
        images, labels = self.digits[pool]
        return odd_one_out_sets(images[..., None], labels, count, rng, SET_SIZE)

    def _train_batch(self, rng, count):
        x, y = self._draw("train", rng, count)
        return mnist.deform(x, rng), y

    def load_split(self, split, seed=1, size=None, set_size=None):
        if split == "train":
            return RandomBatches(self._train_batch, self.batch_size, size or self.train_steps, seed=seed)
        stream = 1 if split == "val" else 2
        return self._draw(split, np.random.default_rng([stream, seed]), self.val_sets if split == "val" else
                          self.test_sets)

    def entry_train_size(self):
        return f"{len(self.digits['train'][0])} digit images"

    def dataset_info(self, train_size=None):
        return {"name": self.digits.describe(),
                "training_split": f"random sets of 16 training digits (15 of one class, 1 of another), each "
                                  f"randomly deformed, {self.batch_size} sets × {train_size or self.train_steps} "
                                  f"batches per epoch; {self.val_sets} validation sets of the held-out validation "
                                  "digits",
                "evaluation_split": f"{self.test_sets} sets per seed (1, 2, 3) of the held-out digits"}
