"""DeepSets paper, red-shift estimation of galaxy clusters (Zaheer et al., 2017, §4.2.1, Table 2).

A redMaPPer galaxy cluster of SDSS DR8 is a set of 20–300 member galaxies, each with 17 photometric features;
estimate every member's red-shift from the whole cluster. The model is permutation-equivariant (one red-shift per
member): DeepSets equivariant layers 128-128-128-1 with tanh, masked so clusters of any size share a padded batch.
It is scored by the scatter, the mean over galaxies with a spectroscopic red-shift of |z_spec − z| / (1 + z_spec).
The catalogues are public but not on the zoo's machines: the loader, the model and redMaPPer's own estimate as the
baseline are tested on generated fixtures, and no weights ship.
"""

import keras
import numpy as np
from keras import ops

from zoo.data.batches import RandomBatches
from zoo.data.redmapper import FEATURES, SOURCE_NOTE, cluster_sets, find_root, load_splits, redmapper_baseline
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.paper import PAPER
from zoo.models import PerElementHead, SetModel
from zoo.models.architectures import deepsets_blocks
from zoo.tasks import Task

UNITS = (128, 128, 128)  # the hidden equivariant layers; the head adds the fourth, one red-shift per member
BATCH_SIZE, TRAIN_STEPS = 64, 200


def _weighted_mean(errors, y_true, y_pred):
    """Per set, the sum of its members' weighted errors over the batch's mean weight per set: the batch's mean
    (Keras's reduction) is then the mean over every weighted member of the batch."""
    weight = ops.cast(y_true[..., 1], y_pred.dtype)
    per_set = ops.sum(errors * weight, axis=1)
    return per_set / ops.maximum(ops.mean(ops.sum(weight, axis=1)), 1e-6)


def _target_and_prediction(y_true, y_pred):
    target = ops.cast(y_true[..., 0], y_pred.dtype)
    return target, ops.reshape(y_pred, ops.shape(target))


@keras.saving.register_keras_serializable(package="zoo")
def member_scatter(y_true, y_pred):
    """Scatter |z_spec − z| / (1 + z_spec) over the members with a target. y_true `(batch, n, 2)` = [z_spec,
    weight], y_pred `(batch, n)`."""
    target, y_pred = _target_and_prediction(y_true, y_pred)
    return _weighted_mean(ops.abs(target - y_pred) / (1.0 + target), y_true, y_pred)


@keras.saving.register_keras_serializable(package="zoo")
def member_mae(y_true, y_pred):
    """Mean absolute error |z_spec − z| over the members with a target (layout as `member_scatter`)."""
    target, y_pred = _target_and_prediction(y_true, y_pred)
    return _weighted_mean(ops.abs(target - y_pred), y_true, y_pred)


class MemberRedshift(Task):
    """A red-shift per member of a set, scored on the members with a spectroscopic red-shift.

    Targets are `(sets, n, 2)`: the spectroscopic red-shift and a weight (1 for a member that has one, 0 for the
    other members and the padding). The loss is the scatter itself (a weighted MAE).

    Example:
    >>> y = np.array([[[0.2, 1.0], [0.0, 0.0]]])
    >>> MemberRedshift().score(y, np.array([[0.26, 0.5]]))
    {'scatter': 0.05, 'mae': 0.06}
    """

    task_type = "set-regression"
    primary = "scatter"
    output = "a red-shift per member galaxy, in the order of the members (0 in padding slots)"

    def loss(self):
        return member_scatter

    def keras_metrics(self):
        return [keras.metrics.MeanMetricWrapper(member_scatter, name="scatter"),
                keras.metrics.MeanMetricWrapper(member_mae, name="mae")]

    def score(self, y, prediction):
        y = np.asarray(y, np.float64)
        target, known = y[..., 0], y[..., 1] > 0
        error = np.abs(np.asarray(prediction, np.float64).reshape(target.shape) - target)[known]
        return {"scatter": float(np.mean(error / (1.0 + target[known]))), "mae": float(np.mean(error))}

    def describe(self, prediction, target):
        target = np.asarray(target, np.float64)
        known = target[:, 1] > 0
        predicted, true = np.asarray(prediction, np.float64).reshape(-1)[known], target[known, 0]
        scatter = np.mean(np.abs(predicted - true) / (1.0 + true))
        return (f"{int(known.sum())} members with a spectroscopic red-shift: mean predicted z {predicted.mean():.3f}, "
                f"true {true.mean():.3f}, scatter {scatter:.4f}")


def redshift_model(units=UNITS, pool="max"):
    """The paper's equivariant network: DeepSets layers `units` with tanh, then one red-shift per member; built."""
    model = SetModel(deepsets_blocks(units, pool=pool, normalization=None, activation="tanh"),
                     PerElementHead(pool=pool), name="deepsets")
    model.build((None, None, len(FEATURES)))
    return model


def _search(hp):
    return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3])}


class RedshiftFamily(Family):
    """Red-shift of every member of a redMaPPer cluster.

    Args:
        root: folder of the two official FITS catalogues (default `$REDMAPPER_ROOT`).
        min_members, max_members: the cluster sizes kept (the paper: 20–300); sets are padded to `max_members`.
    """

    def __init__(self, root=None, min_members=20, max_members=300):
        super().__init__(
            name="redshift", paper=PAPER,
            description="photometric red-shift of every member galaxy of a redMaPPer cluster (SDSS DR8), estimated "
                        "from the whole cluster",
            task=MemberRedshift(),
            architectures={"deepsets": Architecture("DeepSets (equivariant layers 128-128-128-1, tanh)",
                                                    {"learning_rate": 1e-3}, _search)},
            input_spec={"elements": [None, max_members, len(FEATURES)], "mask": [None, max_members], "z_lambda": [None],
                        "range": f"per member the {len(FEATURES)} redMaPPer columns {', '.join(FEATURES)}, "
                                 "standardised with the training members' mean and standard deviation; `z_lambda` "
                                 "(the catalogue's photometric red-shift of the cluster) is read only by the "
                                 "redMaPPer baseline"},
            baselines={"redmapper": redmapper_baseline},
            wording=Wording(
                notes=("The paper states neither the pooling of its equivariant layers nor its split of the clusters: "
                       "the zoo's layers use max pooling (as the paper's point-cloud code) without normalisation, "
                       "and the clusters are split 80/10/10 by a fixed permutation (seed 0). Features are "
                       "standardised with the training members' statistics. Members without a spectroscopic "
                       "red-shift stay in their cluster as inputs but are left out of the loss and the scatter; the "
                       "loss is the scatter itself.",),
                data_licence="public SDSS DR8 data (SDSS data policy) and the public redMaPPer catalogue (Rykoff "
                             "et al., 2014)",
                unavailable_reason=f"{SOURCE_NOTE[0].upper()}{SOURCE_NOTE[1:]}, so no weights were trained",
                retrain="REDMAPPER_ROOT=/path/to/redmapper zoo train {name}"),
            training=TrainingPlan(batch_size=BATCH_SIZE,
                                  train_size_unit=f"batches of {BATCH_SIZE} random training clusters per epoch"),
            leaderboard=LeaderboardPlan(
                paper_results={"deepsets": 0.023, "baseline:redmapper": 0.025},
                paper_note="Table 2, scatter on redMaPPer SDSS DR8 clusters: MLP 0.026, redMaPPer 0.025, DeepSets "
                           "0.023 (the zoo's redmapper baseline, the catalogue's Z_LAMBDA for every member, stands "
                           "for the paper's redMaPPer row)"))
        self.root, self.min_members, self.max_members = root, int(min_members), int(max_members)
        self._splits = None

    def splits(self):
        """The standardised train/validation/test clusters, read once."""
        if self._splits is None:
            self._splits = load_splits(self.root, self.min_members, self.max_members)
        return self._splits

    def find_data(self):
        find_root(self.root)

    def build(self, architecture, units=UNITS, pool="max", **unused):
        self.check_architecture(architecture)
        return redshift_model(units, pool)

    def load_split(self, split, seed=1, size=None, set_size=None):
        if split not in ("train", "val", "test"):
            raise ValueError(f"Unknown split {split!r}; expected 'train', 'val' or 'test'.")
        clusters = self.splits()[split]
        if split == "train":
            return RandomBatches(
                lambda rng, count: cluster_sets(clusters.take(rng.integers(len(clusters.ids), size=count)),
                                                self.max_members),
                BATCH_SIZE, size or TRAIN_STEPS, seed=seed)
        return cluster_sets(clusters, self.max_members)

    def dataset_info(self, train_size=None):
        kept = f"clusters of {self.min_members}–{self.max_members} members with a spectroscopic red-shift"
        return {"name": "redMaPPer SDSS DR8 v6.3 public catalogues (members and clusters; not on the zoo's machines)",
                "training_split": f"80 % of the {kept} (fixed permutation by cluster, seed 0), {BATCH_SIZE} random "
                                  f"clusters × {train_size or TRAIN_STEPS} batches per epoch; 10 % validation clusters",
                "evaluation_split": "the other 10 % of the clusters, the same for every seed; members without a "
                                    "spectroscopic red-shift are inputs, not targets"}
