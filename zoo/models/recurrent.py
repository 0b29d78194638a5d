"""Recurrent models on sets, regularised towards permutation invariance (SIRE; Cohen-Karlik et al., 2020).

`s_t = f(s_{t−1}, φ(x_t))` from a learned initial state `s_0`, then `y = ρ(s_n)`. An RNN reads a set in the order
given; SIRE adds `λ · E ||f(f(s, x1), x2) − f(f(s, x2), x1)||²` to the loss, over states s reached from prefixes of
the training sequences and pairs of elements drawn from the batch (or, for invariance to local reorderings only, the
two elements that follow s in its sequence), so that the order matters less (λ = 0 is the plain RNN). SUB (the
paper's Appendix C) compares two random orders of a window of each sequence instead, and π-SGD reads every set in a
fresh random order at each training step and averages over random orders at inference.
"""

import keras
import numpy as np
from keras import ops

from zoo.layers.base import build_in_order
from zoo.layers.calling import per_example
from zoo.layers.siamese import fold_set, set_size, unfold_set
from zoo.models.base import SetInputModel
from zoo.models.inputs import check_element_shape, elements_shape, split_inputs
from zoo.models.set_model import SET_GROUP

CELLS = {"rnn": keras.layers.SimpleRNNCell, "gru": keras.layers.GRUCell, "lstm": keras.layers.LSTMCell}
SIRE_PAIRS = ("batch", "adjacent")
SIRE_SCALES = ("absolute", "relative")
SIRE_SAMPLES = 16  # states s per sequence and training step over which the SIRE expectation is averaged


@keras.saving.register_keras_serializable(package="zoo")
def relu(x):
    """`max(x, 0)` as a select: the values and gradients of `keras.activations.relu`, without the errors that
    TensorFlow's graph optimizer logs for a Relu inside a recurrent loop (TF 2.21: "remapper failed: NOT_FOUND: Op
    type not registered ''", four lines at each first call)."""
    return ops.where(x > 0, x, ops.zeros_like(x))


def _deserialize(layer):
    return keras.saving.deserialize_keras_object(layer) if isinstance(layer, dict) else layer


def _states_at(states, index):
    """Every state tensor `(batch, n + 1, units)` at one step per set: `index` `(batch,)`, or an int for all."""
    if isinstance(index, int):
        return [h[:, index] for h in states]
    return [ops.take_along_axis(h, index[:, None, None], axis=1)[:, 0] for h in states]


def _at(sequences, index):
    """Rows of `sequences` `(batch, steps, features)` at `index` `(batch, k)`, flattened to `(batch · k,
    features)`."""
    taken = ops.take_along_axis(sequences, index[:, :, None], axis=1)
    return ops.reshape(taken, (-1, sequences.shape[-1]))


def _draw_elements(features, mask, count, seed):
    """`count` elements `(count, features)` drawn uniformly, with replacement, among the real elements (mask 1) of
    the whole batch `features` `(batch, n, features)`."""
    flat, real = ops.reshape(features, (-1, features.shape[-1])), ops.reshape(mask, (-1,))
    positions = ops.arange(ops.shape(real)[0])
    real_first = ops.argsort(ops.where(real > 0, positions, positions + ops.shape(real)[0]))
    total = ops.sum(real)
    draws = ops.cast(ops.floor(keras.random.uniform((count,), seed=seed) * total), "int32")
    return ops.take(flat, ops.take(real_first, ops.minimum(draws, ops.cast(total, "int32") - 1)), axis=0)


def _adjacent_swaps(mask, blocks):
    """`(batch, n)` 1 where a swap of the elements at positions i and i + 1 may be drawn: both real, and inside one
    of the consecutive `blocks` of positions (their lengths, repeated along the sequence; `()`: one block).

    >>> ops.convert_to_numpy(_adjacent_swaps(np.ones((1, 6), "float32"), (2, 1)))
    array([[1., 0., 0., 1., 0., 0.]], dtype=float32)
    """
    n = ops.shape(mask)[1]
    real = ops.concatenate([mask[:, 1:], ops.zeros_like(mask[:, :1])], axis=1)  # i + 1 is real (real come first)
    if not blocks:
        return real
    starts = np.cumsum((0,) + tuple(blocks))[:-1]  # where each block begins within one period
    following = (ops.arange(n) + 1) % int(sum(blocks))
    inside = ops.all(ops.not_equal(following[:, None], ops.convert_to_tensor(starts, following.dtype)[None]), axis=1)
    return real * ops.cast(inside, mask.dtype)[None]


def _weighted_mean(values, weights=None):
    """The mean of `values` `(batch,)`; with `weights` `(batch,)`, the weighted mean."""
    if weights is None:
        return ops.mean(values)
    return ops.sum(values * weights) / ops.maximum(ops.sum(weights), 1.0)


def _squared_distance(states, others, weights=None, relative=False):
    """Mean over the batch of the squared distance between two lists of state tensors, summed over them; with
    `weights` `(batch,)`, the weighted mean. `relative` divides it by the mean squared norm of the states, so
    that shrinking every state (which a ReLU cell can undo in its read-out) does not shrink the distance."""
    distance = _weighted_mean(sum(ops.sum(ops.square(a - b), axis=-1) for a, b in zip(states, others)), weights)
    if not relative:
        return distance
    norms = sum(ops.sum(ops.square(a) + ops.square(b), axis=-1) for a, b in zip(states, others)) / 2.0
    return distance / (_weighted_mean(norms, weights) + keras.config.epsilon())


@keras.saving.register_keras_serializable(package="zoo")
class RecurrentModel(SetInputModel):
    """An RNN, GRU or LSTM over the elements in the order given, with a learned initial state and the SIRE
    regulariser in its loss.

    Padding slots (mask 0) leave the state unchanged, so a padded set gives the output of the set alone. The
    output depends on the order: a plain model declares no set symmetry, a regularised or π-SGD one declares
    invariance with `exact: False`, so `zoo.check_symmetry` reports how far it is from invariant. `model.fit`
    trains the regulariser on every backend: it lives in `compute_loss`, and `model.sire_penalty(x)` measures it.

    Args:
        encoder: element layers `φ` (instances or serialized configs), e.g. `[Embedding(100, 32)]` for tokens;
            `[]` feeds the elements themselves (`(batch, n, features)`).
        cell: `"rnn"`, `"gru"` or `"lstm"`.
        units: width of the state.
        activation: the cell's activation (`"tanh"`; `"relu"` for the exact parity RNN).
        head_units, head_activation: hidden Dense layers of `ρ`.
        dropout: dropout rate on the last state, before `ρ` (training only).
        output_units: size of the output.
        output_scale: a constant the output is multiplied by, so that targets of large magnitude (sums of
            integers) are learned at unit scale.
        sire_weight: λ of the SIRE regulariser (0: a plain recurrent model).
        sire_pairs: which two elements x1, x2 SIRE swaps after a state s: `"batch"` (the paper's: two drawn among
            the batch's real elements, towards invariance to every reordering) or `"adjacent"` (the two that follow
            s in its own sequence: swaps of neighbouring reads, towards invariance to local reorderings).
        sire_blocks: with adjacent pairs, the lengths of the consecutive blocks of positions inside which the target
            is invariant, repeated along the sequence (e.g. `(10, 10)`, the two halves of a sequence of 20, or `(4,)`,
            windows of 4): swaps across a block boundary are not drawn. `()`: every adjacent swap.
        sire_scale: `"absolute"` (the paper's squared distance) or `"relative"`: the squared distance over the mean
            squared norm of the two states, so that the penalty cannot fall by shrinking the states (a ReLU cell
            shrinks them and scales its read-out up to match, and the output's order sensitivity rises).
        sire_samples: how many states s of each sequence (each with its own pair x1, x2) the SIRE expectation is
            averaged over at every training step: more samples estimate the same expectation with less noise.
        sire_state_length: 0 takes the states s after prefixes of the training sequences (the paper's); L > 0 after
            0 to L reads of elements drawn from the batch's real elements, so that the penalty also reaches states
            beyond the training lengths (batch pairs only).
        sub_weight, sub_length: λ of the SUB regulariser (Appendix C; `sub_penalty`) and the length of its windows.
        permutations: k > 0 makes it π-SGD (Janossy pooling): every training step reads each set in a fresh random
            order, and a prediction is the mean over k pseudo-random orders of the set's positions (the paper's
            baseline used 20), fixed by `seed`: a set gets the same prediction in any batch, padded or not.
        seed: seed of the regulariser's draws.

    Inputs: `(batch, n, *element_shape)` or `{"elements": ..., "mask": (batch, n) float}`.
    Output: `(batch, output_units)`.

    Example:
    >>> model = RecurrentModel([keras.layers.Embedding(10, 8)], cell="gru", units=4, sire_weight=0.1)
    >>> model(np.array([[3, 1, 4], [1, 5, 9]])).shape
    (2, 1)
    """

    def __init__(self, encoder=(), cell="gru", units=20, activation="tanh", head_units=(), head_activation="relu",
                 dropout=0.0, output_units=1, output_scale=1.0, sire_weight=0.0, sire_pairs="batch",
                 sire_blocks=(), sire_scale="absolute", sire_samples=SIRE_SAMPLES, sire_state_length=0, sub_weight=0.0,
                 sub_length=4, permutations=0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if cell not in CELLS:
            raise ValueError(f"Unknown recurrent cell {cell!r}; expected one of {sorted(CELLS)}.")
        if sire_pairs not in SIRE_PAIRS:
            raise ValueError(f"Unknown SIRE pairs {sire_pairs!r}; expected one of {SIRE_PAIRS}.")
        if sire_blocks and (sire_pairs != "adjacent" or min(sire_blocks) < 1):
            raise ValueError(f"sire_blocks={tuple(sire_blocks)!r} needs sire_pairs='adjacent' and blocks of at least "
                             "one position.")
        if sire_scale not in SIRE_SCALES:
            raise ValueError(f"Unknown SIRE scale {sire_scale!r}; expected one of {SIRE_SCALES}.")
        self.encoder = [_deserialize(layer) for layer in encoder]
        self.cell_kind, self.units, self.activation = cell, int(units), activation
        self.head_units, self.head_activation = tuple(int(u) for u in head_units), head_activation
        self.output_units, self.output_scale = int(output_units), float(output_scale)
        self.sire_weight, self.sire_pairs, self.seed = float(sire_weight), sire_pairs, seed
        self.sire_blocks = tuple(int(b) for b in sire_blocks)
        self.sire_scale, self.sire_samples = sire_scale, int(sire_samples)
        if sire_state_length and sire_pairs != "batch":
            raise ValueError(f"sire_state_length={sire_state_length!r} needs sire_pairs='batch': adjacent pairs are "
                             "those of the training sequences.")
        self.sire_state_length = int(sire_state_length)
        self.sub_weight, self.sub_length = float(sub_weight), int(sub_length)
        self.permutations = int(permutations)
        self.cell = CELLS[cell](self.units, activation=relu if activation == "relu" else activation, name="cell")
        self.dropout = float(dropout)
        self.head = [keras.layers.Dense(u, activation=head_activation, name=f"head_{i}")
                     for i, u in enumerate(self.head_units)]
        self.state_dropout = keras.layers.Dropout(self.dropout, seed=seed, name="state_dropout")
        self.output_dense = keras.layers.Dense(self.output_units, name="output_dense")
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Regularised (SIRE, SUB) or π-SGD models aim at invariance without building it in: `check_symmetry` reports
        # their error; a plain recurrent model has no set symmetry.
        regularised = bool(self.sire_weight or self.sub_weight or self.permutations)
        self.symmetry = {"output": "invariant" if regularised else "none", "set": SET_GROUP, "element": None,
                         "padding": True, **({"exact": False} if regularised else {})}

    def build(self, input_shape):
        shape = elements_shape(input_shape)
        self.element_shape = tuple(shape[2:])
        features = build_in_order(self.encoder, (None,) + self.element_shape)
        features = (None, 1) if len(features) == 1 else features
        self.cell.build(tuple(features))
        sizes = self.cell.state_size if isinstance(self.cell.state_size, (list, tuple)) else [self.cell.state_size]
        self.initial_states = [self.add_weight(shape=(size,), initializer="zeros", name=f"initial_state_{i}")
                               for i, size in enumerate(sizes)]
        features = (None, self.units)
        for layer in self.head + [self.output_dense]:
            layer.build(features)
            features = layer.compute_output_shape(features)

    def encode(self, x):
        """`φ` on every element: `(batch, n, *element_shape) -> (batch, n, features)`; scalar elements (e.g. bits,
        with no encoder) are one feature."""
        n = set_size(x)
        x = fold_set(x)
        for layer in self.encoder:
            x = layer(x)
        x = ops.cast(x, self.compute_dtype)
        return unfold_set(x[:, None] if len(x.shape) == 1 else x, n)

    def step(self, states, features, training=None):
        """`f(s, x)`: the states after reading one encoded element `(batch, features)`."""
        return list(per_example(lambda x, states: self.cell(x, states, training=training)[1], features,
                                states=list(states)))

    def _features(self, inputs, mask):
        """Encoded elements `(batch, n, features)` and a float mask `(batch, n)`."""
        x, mask, _ = split_inputs(inputs, mask)
        if not self.built:  # the penalties may be measured before any call
            self.build(tuple(x.shape))
        check_element_shape(x.shape, self.element_shape, self.name)
        features = self.encode(x)
        mask = ops.ones(ops.shape(features)[:2], features.dtype) if mask is None else ops.cast(mask, features.dtype)
        return features, mask

    def _recur(self, features, mask, training=None, initial=None):
        """The states after every prefix of `features`, from `initial` (default: the learned initial state)."""
        if initial is None:
            batch = ops.shape(features)[0]
            initial = [ops.broadcast_to(s, (batch, s.shape[0])) for s in self.initial_states]

        def read(states, inputs):
            element, real = inputs[:, :-1], inputs[:, -1:]
            new = self.step(states, element, training)
            new = [ops.where(real > 0, n, s) for n, s in zip(new, states)]
            return new, new

        # One scanned tensor (the mask as a last feature): TensorFlow's scan cannot check several tensors of an
        # unknown length against each other.
        steps = ops.moveaxis(ops.concatenate([features, mask[:, :, None]], axis=-1), 1, 0)
        _, history = ops.scan(read, initial, steps)
        return [ops.concatenate([s[:, None], ops.moveaxis(h, 0, 1)], axis=1) for s, h in zip(initial, history)]

    def states(self, inputs, mask=None, training=None):
        """The states after every prefix: a list (one per state tensor, two for an LSTM) of `(batch, n + 1,
        units)`, the learned initial state first."""
        return self._recur(*self._features(inputs, mask), training=training)

    def _shuffled(self, features, mask, draws=None):
        """Each set's real elements in the order of `draws` `(batch, n)` (default: fresh uniform draws); padding
        stays last, in place."""
        n = ops.shape(mask)[1]
        if draws is None:
            draws = keras.random.uniform(ops.shape(mask), seed=self.seed_generator)
        keys = ops.where(mask > 0, draws, 2.0 + ops.cast(ops.arange(n), mask.dtype)[None])
        order = ops.one_hot(ops.argsort(keys, axis=1), n, dtype=features.dtype)  # (batch, n, n)
        return ops.einsum("bij,bjf->bif", order, features), ops.einsum("bij,bj->bi", order, mask)

    def _fixed_draws(self, mask, index):
        """Keys in [0, 1) of each position, the same for every set, batch and call, so that inference orders never
        depend on the batch or on padding: `frac(position · α)` for an irrational α per `index` and `seed`
        (distinct for every position, by the three-gap theorem)."""
        alpha = float(np.sqrt(2 + 3 * (index + 97 * (self.seed or 0))) % 1.0)  # 2 mod 3: never a square
        positions = ops.cast(ops.arange(ops.shape(mask)[1]), "float32")[None] + 1.0
        scaled = positions * alpha
        return ops.cast(ops.broadcast_to(scaled - ops.floor(scaled), ops.shape(mask)), mask.dtype)

    def _read_out(self, features, mask, training=None):
        x = self.state_dropout(_states_at(self._recur(features, mask, training), -1)[0], training=training)
        for layer in self.head:
            x = layer(x, training=training)
        return self.output_dense(x) * self.output_scale

    def call(self, inputs, mask=None, training=None):
        features, mask = self._features(inputs, mask)
        if not self.permutations:
            return self._read_out(features, mask, training)
        if training:  # π-SGD: a fresh random order of every set at every step
            return self._read_out(*self._shuffled(features, mask), training=training)
        # The same k orders of each set's positions at every prediction: predictions reproduce and ignore padding.
        # The k orders are read in one recurrence over k stacked copies of the batch.
        orders = [self._shuffled(features, mask, self._fixed_draws(mask, i)) for i in range(self.permutations)]
        outputs = self._read_out(ops.concatenate([f for f, _ in orders], axis=0),
                                 ops.concatenate([m for _, m in orders], axis=0))
        return ops.mean(ops.reshape(outputs, (self.permutations, -1, self.output_units)), axis=0)

    def sire_penalty(self, inputs, mask=None):
        """The SIRE term `E ||f(f(s, x1), x2) − f(f(s, x2), x1)||²` (summed over the state tensors) for one batch,
        averaged over `sire_samples` draws per sequence: a state s reached from a random real prefix of the sequence
        (0 to all of its elements; with `sire_state_length` L, 0 to L random reads of the batch's real elements),
        and two elements drawn from the batch's real elements (`sire_pairs="batch"`) or the two that follow s in its
        sequence (`"adjacent"`; sets of fewer than two elements do not count); over the states' mean squared norm
        with `sire_scale="relative"`."""
        return self._sire(*self._features(inputs, mask))

    def sub_penalty(self, inputs, mask=None):
        """The SUB term: `E ||f(s, π1(w)) − f(s, π2(w))||²` for a window w of `sub_length` consecutive elements of
        each sequence, read in two random orders π1, π2 from the state s reached just before it."""
        features, mask = self._features(inputs, mask)
        return self._sub(features, mask, self._recur(features, mask))

    def _sire(self, features, mask, states=None):
        """The SIRE term; `states`: those after every prefix of `features`, when already computed."""
        batch = ops.shape(features)[0]
        if self.sire_state_length:  # states s after random sequences of the batch's elements, up to the length
            length = self.sire_state_length
            features = ops.reshape(_draw_elements(features, mask, batch * length, self.seed_generator),
                                   (batch, length, features.shape[-1]))
            mask, states = ops.ones((batch, length), features.dtype), None
        if states is None:
            states = self._recur(features, mask)
        n = ops.shape(features)[1]
        draws = keras.random.uniform((batch, self.sire_samples), seed=self.seed_generator)
        if self.sire_pairs == "adjacent":  # the state before two consecutive real reads, k-th of the allowed swaps
            allowed = ops.cumsum(_adjacent_swaps(mask, self.sire_blocks), axis=1)  # allowed swaps up to i
            count = allowed[:, -1]
            k = ops.floor(draws * ops.maximum(count, 1.0)[:, None])
            index = ops.sum(ops.cast(allowed[:, None, :] <= k[:, :, None], "int32"), axis=2)
            index = ops.where(count[:, None] >= 1.0, index, 0)
            x1, x2 = (_at(features, i) for i in (index, ops.minimum(index + 1, n - 1)))
            weights = ops.reshape(ops.repeat(ops.cast(count >= 1.0, features.dtype)[:, None],
                                             self.sire_samples, axis=1), (-1,))
        else:  # a state after any real prefix, 0 … length elements; two elements drawn from the whole batch
            lengths = ops.sum(mask, axis=1)  # real elements come first: padding is last
            index = ops.cast(ops.floor(draws * (lengths + 1.0)[:, None]), "int32")
            x1, x2 = (_draw_elements(features, mask, batch * self.sire_samples, self.seed_generator)
                      for _ in range(2))
            weights = None
        s = [_at(h, index) for h in states]
        return _squared_distance(self.step(self.step(s, x1), x2), self.step(self.step(s, x2), x1), weights=weights,
                                 relative=self.sire_scale == "relative")

    def _sub(self, features, mask, states):
        batch, n = ops.shape(features)[0], features.shape[1]
        length = min(self.sub_length, n)
        start = keras.random.randint((batch,), 0, n - length + 1, seed=self.seed_generator)
        before = _states_at(states, start)
        window = ops.one_hot(start[:, None] + ops.arange(length)[None], n, dtype=features.dtype)  # (batch, L, n)
        elements, real = ops.einsum("bln,bnf->blf", window, features), ops.einsum("bln,bn->bl", window, mask)
        one, two = (_states_at(self._recur(*self._shuffled(elements, real), initial=before), -1) for _ in range(2))
        return _squared_distance(one, two)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training)
        if training and (self.sire_weight or self.sub_weight):
            features, mask = self._features(x, None)
            states = self._recur(features, mask) if self.sub_weight else None  # SUB's pass also serves SIRE
            if self.sire_weight:
                loss = loss + self.sire_weight * self._sire(features, mask, states)
            if self.sub_weight:
                loss = loss + self.sub_weight * self._sub(features, mask, states)
        return loss

    def compute_output_shape(self, input_shape):
        return (elements_shape(input_shape)[0], self.output_units)

    def get_config(self):
        return {
            **self.base_config(),
            "encoder": [keras.saving.serialize_keras_object(layer) for layer in self.encoder],
            "cell": self.cell_kind,
            "units": self.units,
            "activation": self.activation,
            "head_units": self.head_units,
            "head_activation": self.head_activation,
            "dropout": self.dropout,
            "output_units": self.output_units,
            "output_scale": self.output_scale,
            "sire_weight": self.sire_weight,
            "sire_pairs": self.sire_pairs,
            "sire_blocks": self.sire_blocks,
            "sire_scale": self.sire_scale,
            "sire_samples": self.sire_samples,
            "sire_state_length": self.sire_state_length,
            "sub_weight": self.sub_weight,
            "sub_length": self.sub_length,
            "permutations": self.permutations,
            "seed": self.seed,
        }


# The paper's 3-unit ReLU RNN for parity (Cohen-Karlik et al., 2020): h_t = ReLU(W3·x_t + W2·(W1·h_{t−1}) + B) and
# parity = W1·h_t. With s = parity + x ∈ {0, 1, 2}, h = (2s, ReLU(2s − 1), ReLU(2s − 3)) and W1·h = (0, 1, 0).
PARITY_W1, PARITY_W2, PARITY_W3, PARITY_B = (1.0, -1.0, -1.0), (2.0, 2.0, 2.0), (2.0, 2.0, 2.0), (0.0, -1.0, -3.0)


def exact_parity_rnn(name="exact_rnn_parity"):
    """The 3-unit ReLU RNN with the paper's analytic weights: the parity of a 0/1 sequence of any length, exactly,
    with no training.

    Inputs: `(batch, n)` bits (0/1 integers), with an optional mask for sequences shorter than n.
    Output: `(batch, 1)` float, the parity (0.0 or 1.0).

    Example:
    >>> exact_parity_rnn().predict(np.array([[1, 0, 1, 1], [1, 1, 0, 0]]), verbose=0)
    array([[1.], [0.]], dtype=float32)
    """
    model = RecurrentModel(cell="rnn", units=3, activation="relu", input_range=(0, 1), name=name)
    model.build((None, None))
    w1 = np.array(PARITY_W1, "float32")
    model.cell.kernel.assign(np.array([PARITY_W3], "float32"))
    model.cell.recurrent_kernel.assign(np.outer(w1, PARITY_W2).astype("float32"))  # h @ R = (W1·h) W2
    model.cell.bias.assign(np.array(PARITY_B, "float32"))
    model.output_dense.kernel.assign(w1[:, None])
    model.output_dense.bias.assign(np.zeros(1, "float32"))
    return model
