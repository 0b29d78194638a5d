"""DeepSets paper, image tagging (Zaheer et al., 2017, §4.2.3, Table 4), on MS-COCO caption words.

Given an image and some of its tags, score every tag of the vocabulary; the 5 best are the predicted tags. A small
conv net encodes the image, an embedding and an MLP φ encode each given tag, summed over the (masked) set, and ρ
maps [Σ φ(tag), image features] to one logit per vocabulary tag, so the output is invariant to the order of the
given tags. Training is multi-label (binary cross-entropy on the image's other tags); the harness measures TagProp's
per-tag precision, recall and F1 of the top 5 and N+, the number of tags recalled at least once. COCO is not on the
zoo's machines: the loader, the model and the most-frequent-tags baseline are tested on generated fixtures, and no
weights ship.
"""

import functools

import keras
import numpy as np
from keras import ops

from zoo.data import coco_tags
from zoo.data.batches import RandomBatches
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.paper import PAPER
from zoo.layers import masking
from zoo.layers.base import build_in_order
from zoo.models import SetInputModel
from zoo.models.inputs import check_element_shape, split_inputs
from zoo.models.set_model import SET_GROUP
from zoo.tasks import Task

IMAGE = "image"
TOP_K = 5
MODEL_HYPERPARAMETERS = ("embedding_dim", "phi_units", "conv_filters", "image_units", "rho_units")
BATCH_SIZE, TRAIN_STEPS = 64, 300


def _missing_image(model_name):
    return ValueError(f"{model_name} needs the image: pass {{'elements': tags, 'mask': mask, '{IMAGE}': images}}.")


def _dense(units, activation, prefix):
    return [keras.layers.Dense(u, activation=activation, name=f"{prefix}_{i}") for i, u in enumerate(units)]


@keras.saving.register_keras_serializable(package="zoo")
class ImageTaggingModel(SetInputModel):
    """Scores every vocabulary tag for an image given a set of its tags: `ρ([Σ_{t ∈ S} φ(t), CNN(image)])`.

    φ embeds a tag and maps it with Dense layers; the set is the masked sum of its tags' φ, so permuting or padding
    the given tags leaves the output unchanged. The image is a side input, encoded by 3×3 convolutions (ReLU, 2×
    max-pooling), a global average and a Dense layer. A given tag always gets a logit of −1e9: the model proposes
    only new tags.

    Args:
        vocabulary_size: number of tags (ids 0 … vocabulary_size − 1); one logit each.
        embedding_dim: width of the tag embedding.
        phi_units: widths of φ's Dense layers after the embedding.
        conv_filters: channels of the image convolutions, one 2× pooling after each.
        image_units: width of the image feature vector.
        rho_units: widths of ρ's hidden Dense layers (a Dense of `vocabulary_size` logits follows).
        image_size: side of the square RGB images.

    Inputs: `{"elements": int (batch, n) tag ids, "mask": (batch, n), "image": (batch, size, size, 3) in [0, 1]}`.
    Output: `(batch, vocabulary_size)` logits.

    Example:
    >>> model = ImageTaggingModel(50, embedding_dim=8, phi_units=(8,), conv_filters=(4,), image_units=8,
    ...                           rho_units=(16,), image_size=16)
    >>> model({"elements": np.array([[3, 7]]), "image": np.zeros((1, 16, 16, 3))}).shape
    (1, 50)
    """

    def __init__(self, vocabulary_size, embedding_dim=64, phi_units=(128,), conv_filters=(32, 64, 128),
                 image_units=128, rho_units=(256,), image_size=64, **kwargs):
        kwargs.setdefault("input_range", (0, int(vocabulary_size) - 1))
        super().__init__(**kwargs)
        self.vocabulary_size, self.embedding_dim = int(vocabulary_size), int(embedding_dim)
        self.phi_units, self.rho_units = tuple(int(u) for u in phi_units), tuple(int(u) for u in rho_units)
        self.conv_filters = tuple(int(f) for f in conv_filters)
        self.image_units, self.image_size = int(image_units), int(image_size)
        self.embedding = keras.layers.Embedding(self.vocabulary_size, self.embedding_dim, name="embedding")
        self.phi = _dense(self.phi_units, "relu", "phi")
        self.encoder = []
        for i, filters in enumerate(self.conv_filters):
            self.encoder += [keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv_{i}"),
                             keras.layers.MaxPooling2D(2, name=f"pool_{i}")]
        self.encoder += [keras.layers.GlobalAveragePooling2D(name="image_pool"),
                         keras.layers.Dense(self.image_units, activation="relu", name="image_features")]
        self.rho = _dense(self.rho_units, "relu", "rho")
        self.logits = keras.layers.Dense(self.vocabulary_size, name="logits")
        self.symmetry = {"output": "invariant", "set": SET_GROUP, "element": None}

    def build(self, input_shape):
        self.element_shape = ()
        self.embedding.build((None,))
        tag_features = build_in_order(self.phi, (None, self.embedding_dim))[-1]
        image_features = build_in_order(self.encoder, (None, self.image_size, self.image_size, 3))[-1]
        build_in_order(self.rho + [self.logits], (None, tag_features + image_features))

    def call(self, inputs):  # no `mask` argument: the mask comes in the input dict, never from Keras
        tags, mask, context = split_inputs(inputs)
        check_element_shape(tags.shape, self.element_shape, self.name)
        if IMAGE not in context:
            raise _missing_image(self.name)
        x = self.embedding(tags)
        for layer in self.phi:
            x = layer(x)
        image = context[IMAGE]
        for layer in self.encoder:
            image = layer(image)
        x = ops.concatenate([masking.set_sum(x, mask), image], axis=-1)
        for layer in self.rho:
            x = layer(x)
        given = masking.set_sum(ops.one_hot(tags, self.vocabulary_size), mask)
        return ops.where(given > 0, masking.NEG_LARGE, self.logits(x))

    def check_inputs(self, x):
        super().check_inputs(x)
        if isinstance(x, np.ndarray) or (isinstance(x, dict) and IMAGE not in x):  # datasets pass unchecked
            raise _missing_image(self.name)

    def get_config(self):
        return {
            **self.base_config(),
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "phi_units": self.phi_units,
            "conv_filters": self.conv_filters,
            "image_units": self.image_units,
            "rho_units": self.rho_units,
            "image_size": self.image_size,
        }


@keras.saving.register_keras_serializable(package="zoo")
def top5_image_f1(y_true, y_pred):
    """Per image, the F1 of its 5 best-scored tags against its tags: `2 · hits / (5 + |tags|)`."""
    y_true = ops.cast(y_true, y_pred.dtype)
    _, top = ops.top_k(y_pred, TOP_K)
    hits = ops.sum(ops.take_along_axis(y_true, top, axis=1), axis=1)
    return 2.0 * hits / (TOP_K + ops.sum(y_true, axis=1))


def top_k_tags(prediction, k=TOP_K):
    """`(N, V)` bool: the `k` best-scored tags of each row (ties: the smaller tag id first)."""
    order = np.argsort(-np.asarray(prediction), axis=1, kind="stable")[:, :k]
    chosen = np.zeros(np.shape(prediction), bool)
    np.put_along_axis(chosen, order, True, axis=1)
    return chosen


class Tagging(Task):
    """Multi-label tagging: a logit per vocabulary tag, binary cross-entropy, top-k scored per tag.

    `score` follows TagProp's convention: precision and recall are computed per tag and averaged over the tags that
    occur in the targets (a tag never predicted has precision 0), F1 is that of the mean precision and recall, and
    N+ counts the tags with a recall above 0.

    Args:
        vocabulary_size: number of tags.
        names: the tags' words, for `describe` (set by the family once its data is read).

    Example:
    >>> Tagging(6).score(np.array([[1, 1, 0, 0, 0, 0]]), np.array([[9, 0, 8, 7, 6, 5]]))["recall"]
    0.5
    """

    task_type = "image-tagging"
    primary = "f1"

    def __init__(self, vocabulary_size, names=None):
        if vocabulary_size <= TOP_K:
            raise ValueError(f"Tagging predicts the top {TOP_K} tags, so it needs a larger vocabulary than "
                             f"{vocabulary_size} tags.")
        self.vocabulary_size, self.names = int(vocabulary_size), names
        self.output = (f"a logit for each of the {self.vocabulary_size:,} vocabulary tags; the {TOP_K} highest are "
                       "the predicted tags (given tags score −1e9)")

    def loss(self):
        return keras.losses.BinaryCrossentropy(from_logits=True)

    def keras_metrics(self):
        return [keras.metrics.MeanMetricWrapper(top5_image_f1, name="image_f1")]

    def score(self, y, prediction):
        truth, chosen = np.asarray(y) > 0.5, top_k_tags(prediction)
        correct, relevant, predicted = (truth & chosen).sum(axis=0), truth.sum(axis=0), chosen.sum(axis=0)
        tags = relevant > 0
        recall = correct[tags] / relevant[tags]
        precision = np.where(predicted[tags] > 0, correct[tags] / np.maximum(predicted[tags], 1), 0.0)
        p, r = float(precision.mean()), float(recall.mean())
        return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "n_plus": int((recall > 0).sum())}

    def _word(self, tag):
        return self.names[tag] if self.names else str(tag)

    def describe(self, prediction, target):
        top = np.flatnonzero(top_k_tags(np.asarray(prediction)[None])[0])
        truth = set(np.flatnonzero(np.asarray(target) > 0.5).tolist())
        return (f"tags {', '.join(self._word(t) for t in top)} ({len(truth & set(top.tolist()))} of the image's "
                f"{len(truth)} other tags)")


def _search(hp):
    return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3])}


class ImageTaggingCocoFamily(Family):
    """Tag MS-COCO images with the words of their captions.

    Args:
        source: the COCO folder of the official layout, or `"tfds"` / `"tfds:<data_dir>"` (default `$COCO_ROOT`).
        vocabulary_size: tags in the vocabulary.
        given_tags: tags given with each test image.
        max_given: at most this many tags given with a training image (1 … min(tags − 1, max_given), uniformly).
        max_images: read only the first images of each split (None: all).
    """

    def __init__(self, source=None, vocabulary_size=1000, given_tags=1, max_given=8, max_images=None):
        super().__init__(
            name="image_tagging_coco", paper=PAPER,
            description=f"image tagging on MS-COCO: given an image and {given_tags} of its tags, rank the other "
                        f"words of its captions among a {vocabulary_size:,}-word vocabulary",
            task=Tagging(vocabulary_size),
            architectures={"deepsets": Architecture("DeepSets (tag set summed, conditioned on the image)",
                                                    {"learning_rate": 1e-3}, _search)},
            input_spec={"elements": [None, None], "mask": [None, None],
                        IMAGE: [None, coco_tags.IMAGE_SIZE, coco_tags.IMAGE_SIZE, 3],
                        "range": f"int32 tag ids 0–{vocabulary_size - 1} (ranked by training frequency) of the "
                                 f"given tags; `{IMAGE}`: RGB in [0, 1], centre-cropped and resized to "
                                 f"{coco_tags.IMAGE_SIZE} × {coco_tags.IMAGE_SIZE}"},
            baselines={"most_frequent": functools.partial(coco_tags.frequency_baseline,
                                                          vocabulary_size=vocabulary_size)},
            wording=Wording(
                datasets=("coco_captions",),
                notes=("The paper tags ESP game and IAPRTC-12.5 images (and COCO with its own tags) from pretrained "
                       "VGG features; here the tags are the words of COCO's captions outside a short stop-word "
                       "list, a small conv net learns from the 64 × 64 pixels, training uses binary "
                       "cross-entropy, and every test image comes with one of its tags given (drawn per seed), "
                       "which the model never predicts again. Precision, recall and F1 of the top 5 are per tag "
                       "(TagProp's convention), N+ counts the tags recalled at least once.",),
                usage=f"Pass `{{'elements': tag ids, 'mask': mask, '{IMAGE}': images}}`; the {TOP_K} highest "
                      "logits are the predicted tags (`family.task.names` maps ids to words once the data is read).",
                data_licence="MS-COCO 2014 (annotations CC BY 4.0; images under the Flickr terms of use)",
                unavailable_reason=f"{coco_tags.SOURCE_NOTE}, so no weights were trained",
                retrain="COCO_ROOT=/path/to/coco zoo train {name}"),
            training=TrainingPlan(batch_size=BATCH_SIZE,
                                  train_size_unit=f"batches of {BATCH_SIZE} random training images per epoch"),
            leaderboard=LeaderboardPlan(
                paper_note="Table 4 is on other data: ESP game, DeepSets precision 39, recall 34, F1 36, N+ 246 "
                           "(TagProp protocol, VGG features); no paper number is for this COCO caption-word setup"))
        self.source, self.vocabulary_size, self.given_tags = source, int(vocabulary_size), int(given_tags)
        self.max_given, self.max_images = int(max_given), max_images
        self._data = None

    def data(self):
        """`{"vocabulary", "train", "val", "test"}` (see `coco_tags.load_tags`), read once."""
        if self._data is None:
            self._data = coco_tags.load_tags(self.source, self.vocabulary_size, self.max_images)
            self.task.names = self._data["vocabulary"]
        return self._data

    def find_data(self):
        coco_tags.find_source(self.source)

    def build(self, architecture, **hyperparameters):
        """The model; `hyperparameters` may set any of `MODEL_HYPERPARAMETERS` (others, e.g. the learning rate,
        are the trainer's)."""
        self.check_architecture(architecture)
        chosen = {k: v for k, v in hyperparameters.items() if k in MODEL_HYPERPARAMETERS}
        model = ImageTaggingModel(self.vocabulary_size, name=architecture, **chosen)
        model.build({"elements": (None, None), "mask": (None, None),
                     IMAGE: (None, model.image_size, model.image_size, 3)})
        return model

    def hyperparameter_names(self, architecture):
        return super().hyperparameter_names(architecture) | set(MODEL_HYPERPARAMETERS)

    def load_split(self, split, seed=1, size=None, set_size=None):
        if split not in ("train", "val", "test"):
            raise ValueError(f"Unknown split {split!r}; expected 'train', 'val' or 'test'.")
        data = self.data()[split]
        if split == "train":
            return RandomBatches(
                lambda rng, count: coco_tags.training_sets(data, rng, count, self.vocabulary_size, self.max_given),
                BATCH_SIZE, size or TRAIN_STEPS, seed=seed)
        rng = np.random.default_rng([1 if split == "val" else 2, seed])
        return coco_tags.evaluation_sets(data, rng, self.vocabulary_size, self.given_tags)

    def dataset_info(self, train_size=None):
        return {"name": "MS-COCO 2014 tagged with caption words (official annotations and images, or "
                        "tensorflow-datasets coco_captions; not on the zoo's machines)",
                "training_split": f"train2014 (tfds: Karpathy train) images with at least two tags, each with 1–"
                                  f"{self.max_given} of its tags given; {BATCH_SIZE} random images × "
                                  f"{train_size or TRAIN_STEPS} batches per epoch; validation: 5,000 val2014 "
                                  "images (tfds: Karpathy val)",
                "evaluation_split": f"5,000 other val2014 images (tfds: Karpathy test) with more than "
                                    f"{self.given_tags} tags, {self.given_tags} given per image, drawn per seed"}
