"""Votes that a selection network's scores are combined with: cues from the geometry of the set itself, which
generalise from few training sets where a network's learned scores do not.

- The deviation cue: each element's mean absolute distance from the set's mean (the farthest-from-the-mean
  heuristic's cue).
- The path-end cue: whether an element ends the shortest path through all elements of the set (seriation). Frames
  of a video lie along a path in pixel space, so the first and the last frame end it, and a network is left to
  learn which end comes first.
"""

import itertools

import keras
import numpy as np
from keras import ops

from zoo.layers import masking
from zoo.layers.base import SetLayer
from zoo.layers.deviation import deviation_from_mean

# The shortest path is exact: every ordering of the set is scored, n!/2 of them (181 440 for 9 elements).
MAX_PATH_SET_SIZE = 9


def standardized(scores, mask=None):
    """Scores `(batch, n)` shifted and scaled to mean 0, standard deviation 1 over each set's real elements."""
    mean = masking.set_mean(scores, mask, keepdims=True)
    spread = ops.sqrt(masking.set_mean(ops.square(scores - mean), mask, keepdims=True))
    return (scores - mean) / (spread + 1e-6)


def pairwise_distances(elements):
    """Mean absolute difference between every two elements: `(batch, n, features) -> (batch, n, n)`.

    Built one row at a time, so memory stays at the size of the input whatever n is.
    """
    rows = [ops.mean(ops.abs(elements - elements[:, i : i + 1]), axis=-1) for i in range(elements.shape[1])]
    return ops.stack(rows, axis=1)


def path_orderings(n):
    """Every ordering of n elements up to reversal (the first index below the last): `(n!/2, n)` int32 (one row
    `[0]` for n = 1)."""
    orders = np.array(list(itertools.permutations(range(n))), "int32")
    return orders[orders[:, 0] <= orders[:, -1]]


def _shortest_path_ends(elements, real):
    """`path_ends` of flat elements `(batch, n, features)` with n ≤ `MAX_PATH_SET_SIZE` and a float mask."""
    n = elements.shape[1]
    orders = path_orderings(n)
    steps = orders[:, :-1] * n + orders[:, 1:]  # (orderings, n − 1) indices into the flat distance matrices

    def along_path(matrix):  # (batch, n, n) -> (batch, orderings): summed over each ordering's steps
        return ops.sum(ops.take(ops.reshape(matrix, (-1, n * n)), steps, axis=1), axis=-1)

    # Orderings with the fewest steps between a padding slot and a real element keep the padding in one run at one
    # end; among them, the shortest path through the real elements wins.
    lengths = along_path(pairwise_distances(elements) * real[:, :, None] * real[:, None, :])
    crossings = along_path(ops.abs(real[:, :, None] - real[:, None, :]))
    fewest = crossings <= masking.batch_min(crossings, axis=1, keepdims=True)
    lengths = ops.where(fewest, lengths, masking.batch_max(lengths, axis=1, keepdims=True) + 1.0)
    order = ops.take(ops.convert_to_tensor(orders), ops.argmin(lengths, axis=1), axis=0)  # (batch, n)
    # Ends of the real run along the best order: a real slot whose neighbour is the path's end or a padding slot.
    along = ops.take_along_axis(real, order, axis=1)
    border = ops.zeros_like(along[:, :1])
    before = ops.concatenate([border, along[:, :-1]], axis=1)
    after = ops.concatenate([along[:, 1:], border], axis=1)
    is_end = along * ops.cast((before < 0.5) | (after < 0.5), along.dtype)
    return ops.sum(is_end[:, :, None] * ops.one_hot(order, n, dtype=along.dtype), axis=1)


def path_ends(elements, mask=None):
    """1.0 for the two elements that end the shortest path through the set's real elements, 0.0 elsewhere.

    The path visits every real element once; its length is the sum of the mean absolute differences between
    consecutive elements. Every ordering is scored, so a set may hold at most `MAX_PATH_SET_SIZE` real elements;
    padded tensors may be longer, and a set with more real elements than that gets no ends (all 0). Equivariant to
    permutations of the set (up to exact ties in length), invariant to any transformation of the element axes
    applied to every element alike.

    Args:
        elements: `(batch, n, *element_shape)`, element shape known.
        mask: optional float mask `(batch, n)`; padding slots are never ends. Needed when n > `MAX_PATH_SET_SIZE`.

    Returns:
        `(batch, n)` float: the path's two ends (one element when a set has one).

    Example:
    >>> line = np.linspace(0, 1, 8, dtype="float32")[[3, 0, 7, 5, 1, 6, 2, 4], None]
    >>> np.asarray(path_ends(line[None]))  # the line's ends, 0 and 1, sit at positions 1 and 2
    array([[0., 1., 1., 0., 0., 0., 0., 0.]], dtype=float32)
    """
    n = elements.shape[1]
    if n is None or (n > MAX_PATH_SET_SIZE and mask is None):
        raise ValueError(f"The shortest path through a set scores every ordering: sets of at most "
                         f"{MAX_PATH_SET_SIZE} elements (longer padded tensors need a mask), got n = {n}.")
    flat = ops.reshape(elements, (-1, n, int(np.prod(elements.shape[2:]))))
    real = ops.ones(ops.shape(flat)[:2], flat.dtype) if mask is None else ops.cast(mask, flat.dtype)
    if n <= MAX_PATH_SET_SIZE:
        return _shortest_path_ends(flat, real)
    # Gather the real elements into the first slots (in their order), drop sets with too many, scatter back.
    slots = ops.argsort((1.0 - real) * n + ops.arange(n, dtype=flat.dtype), axis=1)[:, :MAX_PATH_SET_SIZE]
    picked = ops.one_hot(slots, n, dtype=flat.dtype)  # (batch, MAX_PATH_SET_SIZE, n)
    fits = ops.cast(ops.sum(real, axis=1, keepdims=True) <= MAX_PATH_SET_SIZE, flat.dtype)
    ends = _shortest_path_ends(ops.matmul(picked, flat), ops.take_along_axis(real, slots, axis=1) * fits)
    return ops.sum(ends[:, :, None] * picked, axis=1)


@keras.saving.register_keras_serializable(package="zoo")
class SelectionVote(SetLayer):
    """A selection network's scores plus cues from the set's geometry:
    `std(s) + deviation_weight · std(d) + path_end_weight · e`.

    `std` standardizes over each set's real elements, `d_i = mean |x_i − mean_j x_j|` over the element axes (the
    farthest-from-the-mean heuristic's cue) and `e_i` is 1 for the two ends of the shortest path through the set
    (`path_ends`), so a large `path_end_weight` restricts the choice to those two and leaves the network to pick
    between them. The votes are scale-free: a weight of 1 is the network's own spread.

    Equivariant to permutations of the set; invariant to any transformation of the element axes applied to every
    element alike (shifts, flips, rotations); padding slots keep a score of −1e9. The path-end cue takes sets of at
    most `MAX_PATH_SET_SIZE` real elements (`path_ends`).

    Inputs: `[scores, elements]`: scores `(batch, n)` (a `SelectionHead`'s logits) and elements
    `(batch, n, *element_shape)`, with an optional float mask `(batch, n)`.
    Output shape: `(batch, n)` logits.

    Example:
    >>> x = keras.random.uniform((2, 8, 64, 64, 3))
    >>> SelectionVote(deviation_weight=1.0, path_end_weight=4.0)([keras.random.normal((2, 8)), x]).shape
    (2, 8)
    """

    def __init__(self, deviation_weight=0.0, path_end_weight=0.0, **kwargs):
        super().__init__(**kwargs)
        self.deviation_weight = float(deviation_weight)
        self.path_end_weight = float(path_end_weight)

    def call(self, inputs, mask=None):
        scores, elements = inputs
        if isinstance(mask, (list, tuple)):  # Keras fills in one (absent) mask per input when none is given
            mask = next((m for m in mask if m is not None), None)
        votes = standardized(scores, mask)
        if self.deviation_weight:
            deviation = ops.mean(deviation_from_mean(elements, mask), axis=tuple(range(2, len(elements.shape))))
            votes = votes + self.deviation_weight * standardized(deviation, mask)
        if self.path_end_weight:
            votes = votes + self.path_end_weight * path_ends(elements, mask)
        if mask is None:
            return votes
        return ops.where(ops.cast(mask, "bool"), votes, masking.NEG_LARGE)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "deviation_weight": self.deviation_weight,
                "path_end_weight": self.path_end_weight}
