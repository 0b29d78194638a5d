"""What a family asks of its models: the loss, the metrics, how the harness scores predictions, and card wording.

A family holds one task object. Training compiles with `loss()` and `keras_metrics()`; the harness scores NumPy
predictions (of a model or of a trivial baseline alike) with `score(y, prediction)`, which may return several
metrics; `describe` writes one line per set for `zoo predict`.

Example:
>>> task = Classification(classes=("sine", "square", "sawtooth"))
>>> task.score(np.array([0, 2]), np.array([[2.0, 0.1, 0.3], [0.0, 0.2, 0.1]]))
{'accuracy': 0.5}
"""

import keras
import numpy as np
from keras import ops

from zoo.metrics import accuracy, get_metric


class Task:
    """Base class of the tasks.

    Attributes:
        task_type: the task type on the model card (Hugging Face `model-index`).
        primary: the metric the README table, the leaderboards' plots and the beat-chance guard lead with.
        chance: the primary metric of a random guess, where one is defined.
        output: what the model outputs, in words (for the cards).
    """

    task_type = "other"
    primary = ""
    chance = None
    output = ""

    def loss(self):
        raise NotImplementedError

    def keras_metrics(self):
        """Metrics Keras reports during training (the first is logged as the validation metric)."""
        return [get_metric(self.primary)]

    @property
    def monitored(self):
        """The name Keras logs the first training metric under (`val_<name>` on validation data)."""
        metric = self.keras_metrics()[0]
        return metric if isinstance(metric, str) else metric.name

    def score(self, y, prediction):
        """`{metric: value}` of NumPy predictions against targets."""
        raise NotImplementedError

    def describe(self, prediction, target):
        """One line for one set: what the model predicted and what was right."""
        raise NotImplementedError


class Classification(Task):
    """One label per set, from logits: cross-entropy, accuracy.

    Args:
        classes: class names, or None with `num_classes`.
        num_classes: number of classes when they have no names.
    """

    task_type = "set-classification"
    primary = "accuracy"

    def __init__(self, classes=None, num_classes=None):
        self.classes = tuple(classes) if classes else None
        self.num_classes = len(self.classes) if self.classes else int(num_classes)
        self.chance = 1.0 / self.num_classes
        self.output = f"logits over {self.num_classes} classes"

    def loss(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def score(self, y, prediction):
        return {"accuracy": accuracy(y, prediction)}

    def _label(self, index):
        return f"{index} ({self.classes[index]})" if self.classes else str(index)

    def describe(self, prediction, target):
        return (f"predicted {self._label(int(np.argmax(prediction)))}, true {self._label(int(target))}, "
                f"scores {[round(float(v), 3) for v in prediction]}")


class Selection(Classification):
    """Pick one element of each set: a logit per element, cross-entropy over the set, accuracy.

    Args:
        set_size: elements per set (chance is one over it).
        what: what the selected element is, in words (e.g. "the earliest frame").
    """

    task_type = "set-selection"

    def __init__(self, set_size, what="the target element"):
        super().__init__(num_classes=set_size)
        self.set_size = int(set_size)
        self.output = f"a logit per element; the largest marks {what}"

    def describe(self, prediction, target):
        probabilities = np.exp(prediction - np.max(prediction))
        probabilities /= probabilities.sum()
        chosen = int(np.argmax(prediction))
        return f"selected element {chosen} (p = {probabilities[chosen]:.2f}), true {int(target)}"


class Regression(Task):
    """A number per set.

    Args:
        loss: `"mse"` or `"mae"`.
        integer_targets: targets are integers (e.g. a sum of digits): the primary metric is then `accuracy`, the
            fraction of predictions that round to the target.
        what: what the number is, in words.
    """

    task_type = "set-regression"

    def __init__(self, loss="mse", integer_targets=False, what="the target"):
        if loss not in ("mse", "mae"):
            raise ValueError(f"Regression loss must be 'mse' or 'mae'; got {loss!r}.")
        self.loss_name = loss
        self.integer_targets = integer_targets
        self.primary = "accuracy" if integer_targets else "mse"
        self.output = f"{what} (one number per set)"

    def loss(self):
        return keras.losses.MeanSquaredError() if self.loss_name == "mse" else keras.losses.MeanAbsoluteError()

    def keras_metrics(self):
        return [get_metric("rounded_accuracy"), "mae"] if self.integer_targets else ["mse", "mae"]

    def score(self, y, prediction):
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        prediction = np.asarray(prediction, dtype=np.float64).reshape(-1)
        scores = {"mse": float(np.mean((prediction - y) ** 2)), "mae": float(np.mean(np.abs(prediction - y)))}
        if self.integer_targets:
            scores = {"accuracy": float(np.mean(np.round(prediction) == y)), **scores}
        return scores

    def describe(self, prediction, target):
        value = float(np.asarray(prediction).reshape(-1)[0])
        rounded = f" (rounded {round(value)})" if self.integer_targets else ""
        return f"predicted {value:.3f}{rounded}, true {float(target):g}"


class ImageToImage(Task):
    """Images out, compared pixel by pixel: L1 loss, mean absolute error on the 0–255 scale.

    Args:
        per_element: one image per element of the set (True) or one image per set.
    """

    task_type = "image-to-image"
    primary = "mae_255"

    def __init__(self, per_element=True):
        self.per_element = per_element
        self.output = "an RGB image in [0, 1] per element" if per_element else "one RGB image in [0, 1] per set"

    def loss(self):
        return keras.losses.MeanAbsoluteError()

    def score(self, y, prediction):
        return {"mae_255": float(255.0 * np.mean(np.abs(np.asarray(y, np.float64) - prediction)))}

    def describe(self, prediction, target):
        error = 255 * float(np.mean(np.abs(np.asarray(prediction) - target)))
        return f"prediction {np.shape(prediction)}, mean absolute error {error:.2f} (0-255)"


class GraphReconstruction(Task):
    """Reconstruct graphs whose nodes and edges carry types (an autoencoder's task): the model brings its own loss
    (e.g. a VAE's negative ELBO) and outputs logits of every node's and every pair's type.

    Targets and inputs alike are `{node_key: int (batch, n), 1 … T with 0 at padding slots, edge_key: int (batch,
    n, n), 0 for no edge}`; predictions are `{node_key: (batch, n, T), edge_key: (batch, n, n, E)}` logits. The
    scores: `node_accuracy` (real nodes), `edge_accuracy` (each unordered pair of real nodes once),
    `reconstruction_accuracy` (graphs decoded exactly: every node and every pair right) and, with `valid`, the
    `validity` of the decoded graphs.

    Args:
        node_key, edge_key: names of the node-type and edge-type entries.
        valid: `valid(nodes (n,), edges (n, n)) -> bool` for one decoded graph without padding (e.g. a molecule's
            valence rules), or None.
        what: what a graph is, in words.
    """

    task_type = "graph-reconstruction"
    primary = "reconstruction_accuracy"

    def __init__(self, node_key="nodes", edge_key="edges", valid=None, what="graphs"):
        self.node_key, self.edge_key, self.valid = node_key, edge_key, valid
        self.output = f"logits of every node's type and every pair's edge type of the reconstructed {what}"

    def loss(self):
        return None  # the model's own compute_loss

    def keras_metrics(self):
        return []

    @property
    def monitored(self):
        return "loss"

    def decode(self, prediction, mask):
        """The most likely graphs of logits: `(nodes (batch, n), 0 at padding; edges (batch, n, n), symmetric, 0 on
        the diagonal and at padding)`."""
        mask = np.asarray(mask) > 0
        nodes = (np.argmax(np.asarray(prediction[self.node_key]), axis=-1) + 1) * mask
        edges = np.triu(np.argmax(np.asarray(prediction[self.edge_key]), axis=-1), k=1)
        edges = (edges + np.swapaxes(edges, 1, 2)) * (mask[:, :, None] & mask[:, None, :])
        return nodes, edges

    def score(self, y, prediction):
        nodes, edges = np.asarray(y[self.node_key]), np.asarray(y[self.edge_key])
        mask = nodes > 0
        decoded_nodes, decoded_edges = self.decode(prediction, mask)
        pairs = np.triu(mask[:, :, None] & mask[:, None, :], k=1)
        node_right, edge_right = decoded_nodes == nodes, decoded_edges == edges
        exact = (node_right | ~mask).all(axis=1) & (edge_right | ~pairs).all(axis=(1, 2))
        scores = {"reconstruction_accuracy": float(exact.mean()), "node_accuracy": float(node_right[mask].mean()),
                  "edge_accuracy": float(edge_right[pairs].mean())}
        if self.valid is not None:
            scores["validity"] = float(np.mean([self.valid(n[m], e[m][:, m]) for n, e, m in
                                                zip(decoded_nodes, decoded_edges, mask)]))
        return scores

    def describe(self, prediction, target):
        mask = np.asarray(target[self.node_key]) > 0
        batch = {key: np.asarray(value)[None] for key, value in prediction.items()}
        nodes, edges = self.decode(batch, mask[None])
        right = (nodes[0] == target[self.node_key]).all() and (edges[0] == target[self.edge_key]).all()
        return (f"decoded node types {nodes[0][mask].tolist()} ({int(np.triu(edges[0] > 0).sum())} edges): "
                f"{'exact' if right else 'not exact'}")


@keras.saving.register_keras_serializable(package="zoo")
class MarginRanking(keras.losses.Loss):
    """Margin ranking loss over pairs: `mean over valid pairs of max(0, margin − s⁺ + s⁻)`.

    `y_pred` holds the scores of `m` positive candidates then `m` negative ones, `(batch, 2m)`; `y_true` `(batch, m)`
    weighs each (positive, negative) pair (1 for a real pair, 0 for padding).
    """

    def __init__(self, margin=0.1, name="margin_ranking", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)

    def call(self, y_true, y_pred):
        m = ops.shape(y_true)[1]
        weights = ops.cast(y_true, y_pred.dtype)
        hinge = ops.relu(self.margin - y_pred[:, :m] + y_pred[:, m:])
        return ops.sum(hinge * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


@keras.saving.register_keras_serializable(package="zoo")
def pair_accuracy(y_true, y_pred):
    """Fraction of (positive, negative) candidate pairs scored in the right order (see `MarginRanking`)."""
    m = ops.shape(y_true)[1]
    weights = ops.cast(y_true, y_pred.dtype)
    right = ops.cast(y_pred[:, :m] > y_pred[:, m:], y_pred.dtype)
    return ops.sum(right * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)


def ranks(scores, targets):
    """1-based rank of each target among all candidates of its row (ties share their mean rank).

    Args:
        scores: `(batch, candidates)`.
        targets: `(batch, k)` candidate indices, -1 for padding.

    Returns:
        A flat array of the ranks of the real targets.
    """
    found = []
    for row, wanted in zip(scores, targets):
        ordered = np.sort(row)
        values = row[wanted[wanted >= 0]]
        greater = len(row) - np.searchsorted(ordered, values, side="right")
        equal = np.searchsorted(ordered, values, side="right") - np.searchsorted(ordered, values, side="left")
        found.append(1 + greater + (equal - 1) / 2)
    return np.concatenate(found)


class Ranking(Task):
    """Rank every candidate (e.g. every word of a vocabulary) for membership of a set: trained with a margin
    ranking loss on positive and random negative candidates, scored with rank statistics of the true members.

    Args:
        vocabulary: a function returning the candidates' names (called only to describe predictions, so a family
            need not read its data before it is used).
        margin: margin of the loss.
        recall_at: the k of the `recall@k` metrics.
    """

    task_type = "set-expansion"
    primary = "mrr"
    output = "a score per candidate; the highest-scored candidates belong to the set"

    def __init__(self, vocabulary, margin=0.1, recall_at=(10, 100, 1000)):
        self.vocabulary, self.margin, self.recall_at = vocabulary, float(margin), tuple(recall_at)

    def loss(self):
        return MarginRanking(self.margin)

    def keras_metrics(self):
        return [keras.metrics.MeanMetricWrapper(pair_accuracy, name="pair_accuracy")]

    def score(self, y, prediction):
        found = ranks(np.asarray(prediction), np.asarray(y))
        return {**{f"recall@{k}": float(np.mean(found <= k)) for k in self.recall_at},
                "mrr": float(np.mean(1.0 / found)), "median_rank": float(np.median(found))}

    def describe(self, prediction, target):
        names = self.vocabulary()
        top = np.argsort(-np.asarray(prediction))[:10]
        hits = len(set(top.tolist()) & set(np.asarray(target).tolist()))
        return f"top 10: {', '.join(names[i] for i in top)} ({hits} of them in the set)"
