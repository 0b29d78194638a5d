"""The DSS paper's image selection network, shared by its selection tasks (UCF101 frames, image quality).

Three blocks of three valid 3×3 convolutions (BN, ELU, dropout) with max-pooling 2, 2 and 5 bring a 64 px image
(62–81 px work) to 1 × 1; a DeepSets block (256 → 256 → 128 → 1, max pooling, ELU) then scores every element and a
softmax over the set selects one (Maron et al., 2020, Appendix).
"""

import itertools

import keras
import numpy as np

from zoo.families.dss.paper import SET_ARCHITECTURES, architectures, set_layer_kind
from zoo.families.widths import scaled
from zoo.layers.deviation import SetDeviation
from zoo.layers.siamese import Siamese
from zoo.layers.votes import SelectionVote
from zoo.models.architectures import set_blocks
from zoo.models.heads import SelectionHead
from zoo.models.set_model import SetModel

IMAGE_SIZE = 64
POOLS = (2, 2, 5)
# Output channels of the three convs of each block ([in, mid, out] in the paper: in→mid, mid→mid, mid→out).
PAPER_WIDTHS = {
    "dss": ((32, 32, 64), (64, 64, 128), (128, 128, 256)),
    "siamese_ds": ((50, 50, 100), (100, 100, 180), (200, 200, 256)),
    "dss_aittala": ((90, 90, 100), (100, 100, 100), (110, 110, 128)),  # concatenation doubles each output
}
HEAD_WIDTHS = (256, 128)
DEFAULTS = {"width": 0.25, "learning_rate": 1e-3, "dropout": 0.0}
# The paper's widths take ≈ 6 s per batch of 16 sets of 8 images on 2 CPU cores; a quarter of them ≈ 0.5 s.
DEVICE_HYPERPARAMETERS = {"cpu": {"width": 0.25}, "gpu": {"width": 1.0}}
# Vote weights tried after training, simplest first (`choose_vote`).
VOTE_GRID = {"deviation_vote": (0.0, 0.5, 1.0), "path_end_vote": (0.0, 1.0, 2.0, 4.0)}


def widths_for(architecture):
    """Conv widths of an architecture: the paper's, Sridhar's (one conv per layer) taken from the Siamese net."""
    if architecture in PAPER_WIDTHS:
        return PAPER_WIDTHS[architecture]
    return PAPER_WIDTHS["siamese_ds" if architecture == "dss_sridhar" else "dss"]


def selection_architectures(search, defaults=DEFAULTS):
    """The paper's five set architectures of the selection tables, with a family's search space."""
    return architectures(SET_ARCHITECTURES, defaults, search)


def input_spec(set_size, what="RGB in [0, 1], 64 × 64 px"):
    return {"elements": [None, set_size, IMAGE_SIZE, IMAGE_SIZE, 3], "mask": [None, set_size], "range": what,
            "value_range": [0.0, 1.0]}


def build_selection_model(architecture, set_size, width=1.0, dropout=0.0, mean_deviation=False, deviation_vote=0.0,
                          path_end_vote=0.0):
    """The paper's image selection network of `architecture` for sets of `set_size` 64 px images, built.

    With `mean_deviation`, every image enters beside its absolute difference from the set's mean image
    (`SetDeviation`): the cue of the farthest-from-the-mean heuristic, as channels the network learns to weigh.
    With `deviation_vote` or `path_end_vote` > 0, the network's standardized scores are added to that weight times
    the heuristic's standardized scores, or to that weight on the two ends of the shortest path through the set
    (`SelectionVote`).
    """
    blocks = [SetDeviation()] if mean_deviation else []
    for stage, pool in zip(widths_for(architecture), POOLS):
        convs = [keras.layers.Conv2D(c, 3, padding="valid") for c in scaled(stage, width)]
        # A zero-initialised aggregate keeps nine stacked DSS(sum) layers element-aware (see DSSLayer).
        blocks += set_blocks(set_layer_kind(architecture), convs, activation="elu", dropout=dropout,
                             aggregate_initializer="zeros")
        blocks.append(Siamese(keras.layers.MaxPooling2D(pool)))
    head = SelectionHead(scaled(HEAD_WIDTHS, width), pool="max", activation="elu")
    vote = SelectionVote(deviation_vote, path_end_vote) if deviation_vote or path_end_vote else None
    model = SetModel(blocks, head, vote=vote, name=architecture)
    model.build((None, set_size, IMAGE_SIZE, IMAGE_SIZE, 3))
    return model


def choose_vote(family, model, architecture, hyperparameters, validation_sets, grid=VOTE_GRID):
    """Choose a trained selection network's vote weights (`SelectionVote`) by accuracy on validation sets.

    The network's scores are computed once; each pair of weights in `grid` is scored, and the first best in the
    grid's order ships (so a cue enters only when it beats the simpler choices before it).

    Args:
        family: the family that builds and compiles `architecture`.
        model: the trained network (any vote it has is replaced).
        hyperparameters: its hyper-parameters.
        validation_sets: `[(x, y), ...]` of the validation split, one per seed.
        grid: `{"deviation_vote": weights, "path_end_vote": weights}`.

    Returns:
        `(model, hyperparameters, record)` for `Family.after_fit`: the compiled model with the chosen vote.
    """
    unvoted = {**hyperparameters, **{key: 0.0 for key in grid}}
    network = family.build(architecture, **unvoted)
    network.set_weights(model.get_weights())
    scored = [(network.predict(x, batch_size=32, verbose=0), x, y) for x, y in validation_sets]
    accuracy = {}
    for weights in itertools.product(*grid.values()):
        vote = SelectionVote(*weights)
        votes = [keras.ops.convert_to_numpy(vote([s, x])) for s, x, _ in scored]
        accuracy[weights] = float(np.mean([np.mean(v.argmax(axis=1) == y) for v, (_, _, y) in zip(votes, scored)]))
    best = max(accuracy, key=accuracy.get)
    chosen = {**hyperparameters, **dict(zip(grid, best))}
    voted = family.compile(family.build(architecture, **chosen), chosen.get("learning_rate", 1e-3))
    voted.set_weights(model.get_weights())
    tried = {", ".join(f"{key} {w:g}" for key, w in zip(grid, weights)): round(acc, 4)
             for weights, acc in accuracy.items()}
    summary = (f"Vote weights chosen on the validation split ({len(validation_sets)} seeds): "
               + ", ".join(f"{key} {w:g}" for key, w in zip(grid, best))
               + f", validation accuracy {accuracy[best]:.3f} (network alone {accuracy[(0.0,) * len(grid)]:.3f}).")
    return voted, chosen, {"summary": summary, "validation_accuracy": tried}
