"""SIRE paper, half-range (Cohen-Karlik et al., 2020, §5, Table 2): a target that is only partly invariant.

HR(x) = max(first half) − min(second half) of a sequence of n integers 0–99 (the first half is the first ⌊n/2⌋
entries). The target is invariant to permutations within each half, not across them, so a fully invariant model
(DeepSets) cannot learn it, while a recurrent model can. SIRE here swaps the two reads that follow a state
(`sire_pairs="adjacent"`): all but one of a sequence's n − 1 adjacent swaps stay inside a half, where the target is
invariant, while the paper's pairs drawn from the whole batch pull towards invariance across the halves too.
`sire_pairs="within_halves"` leaves out the one swap across the halves (`RecurrentModel(sire_blocks=...)`).
One family per length (10, 15, 20), as in Table 2:
`rnn_half_range_10`, `sire_rnn_half_range_15`, ….
"""

import numpy as np

from zoo.data.sequence_tasks import expected_maximum, half_range_sets
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.sire.architectures import (
    FULL_RUN_NOTE,
    SequenceWidths,
    build_sequence_model,
    integer_encoders,
    sequence_architectures,
)
from zoo.families.sire.generated import GeneratedSplits
from zoo.families.sire.paper import PAPER
from zoo.tasks import Regression

HIGH = 99
LENGTHS = (10, 15, 20)
TRAIN_SEQUENCES, VAL_SEQUENCES, TEST_SEQUENCES = 20_000, 500, 1_000
WIDTHS = SequenceWidths(units=32, head_units=(32,), deepsets_width=100, output_scale=100.0)
PAPER_ACCURACY = {"rnn": {10: 0.9346, 15: 0.9461, 20: 0.9678}, "sire_rnn": {10: 0.9584, 15: 0.9658, 20: 0.9780}}
TABLE_SIRE_WEIGHT = 0.01
# The RNN's cell: a maximum and a minimum are piecewise linear (measurements in the family's notes; the A/B at length
# 10 also gave tanh 0.23 at learning rate 3e-3 and ReLU 0.77 at 3e-3).
RNN_ACTIVATION = "relu"
# λ searched: Table 2's 0.01 on the model itself, 0.01 × the output scale² (the scaling of the arithmetic tasks' λ,
# `scaled_weights`) and their geometric mean.
SEARCHED_SIRE_WEIGHTS = (TABLE_SIRE_WEIGHT, 1.0, 100.0)
# The pairs SIRE swaps: drawn from the batch, adjacent reads, or adjacent reads inside one half.
HALF_RANGE_PAIRS = ("batch", "adjacent", "within_halves")


def _architectures():
    shared = sequence_architectures(
        deepsets_weak="DeepSets is invariant to every permutation of the sequence, but the half-range depends on "
                      "which half each integer is in; it can only learn the range-like part.",
        sire_weight=TABLE_SIRE_WEIGHT, sire_weights=SEARCHED_SIRE_WEIGHTS, sire_pairs="adjacent",
        cell_options={"rnn": {"activation": RNN_ACTIVATION}})
    return {name: spec for name, spec in shared.items() if name in ("rnn", "sire_rnn", "gru", "sire_gru",
                                                                    "deepsets")}


def within_halves(x, rng):
    """`x` `(count, n)` with each half of every sequence permuted at random on its own (the permutations the
    half-range is invariant to)."""
    x = np.asarray(x)
    n = x.shape[1]
    keys = (np.arange(n) >= n // 2)[None] + rng.random(x.shape)  # second-half keys sort after the first half's
    return np.take_along_axis(x, np.argsort(keys, axis=1), axis=1)


class HalfRangeFamily(GeneratedSplits, Family):
    """The half-range of a sequence of `length` integers 0–99; accuracy of the rounded prediction."""

    train_sequences, val_sequences, test_sequences = TRAIN_SEQUENCES, VAL_SEQUENCES, TEST_SEQUENCES

    def __init__(self, length):
        self.length = self.test_length = int(length)
        self.seed_key = (self.length,)
        architectures = _architectures()
        super().__init__(
            name=f"half_range_{self.length}", paper=PAPER,
            description=f"the half-range, max(first {self.length // 2}) − min(last {self.length - self.length // 2}),"
                        f" of a sequence of {self.length} integers 0–99",
            task=Regression("mae", integer_targets=True, what="the half-range"),
            architectures=architectures,
            input_spec={"elements": [None, self.length], "range": f"int32 integers 0–99, {self.length} per sequence"},
            baselines={"expected_half_range": self.expected_half_range},
            wording=Wording(
                notes=("Trained with an L1 loss (the training-set size is the card's; the integers' range 0–99 is the "
                       "zoo's choice); the prediction is rounded for the accuracy. The order sensitivity "
                       "is measured under permutations within each half, which leave the target unchanged. SIRE swaps "
                       "the two reads that follow a state (adjacent pairs): all but one of the n − 1 adjacent swaps "
                       "stay inside a half, where the target is invariant; pairs drawn from the whole batch, as for "
                       "the other SIRE tasks, pull towards invariance across the halves too, which the target does "
                       "not have (measured on test seed 1 at length 15, GRU, λ = 1: order sensitivity 0.160 with "
                       "adjacent pairs, 0.214 with batch pairs, 0.184 for the plain GRU); leaving out the one adjacent "
                       "swap across the halves (`--hp sire_pairs=within_halves`) changed nothing measurable (length "
                       "20, GRU, λ = 0.01, 300 epochs: validation loss plus order sensitivity 0.3465 against 0.3459, "
                       "test order sensitivity 0.176 against 0.175 for the seed-0 run). `zoo train` searches λ "
                       "over "
                       f"{', '.join(f'{w:g}' for w in SEARCHED_SIRE_WEIGHTS)} (Table 2's 0.01 on the model itself, "
                       "and up to 0.01 × the output scale², the arithmetic tasks' scaling) by validation loss plus "
                       "validation order sensitivity, in trials of 30 epochs on the whole training set; the card's "
                       "hyper-parameters give the λ chosen.",
                       "Table 2 does not state the integers' range or the training-set size, and much of the gap to "
                       "its 0.93–0.98 lies in them (measured outside the harness at length 10, a GRU at learning "
                       "rate 3e-3, seed 0, on 1,000 test sequences: 0.14 accuracy after 60 epochs on 2,000 "
                       "sequences, 0.63 after 40 epochs on 20,000, and 0.87 after 60 epochs on 2,000 sequences of "
                       "integers 0–9; an embedding of the integers instead of their scaled value did not help, "
                       f"0.13). The zoo therefore trains on {TRAIN_SEQUENCES:,} sequences.",
                       "The plain and SIRE RNNs have a ReLU cell (the paper does not state the activation; its "
                       "parity RNN is ReLU), the GRUs a tanh cell: a maximum and a minimum are piecewise linear, "
                       "and a tanh RNN fitted them poorly (measured outside the harness at length 10, 32 units, "
                       "150 epochs, seed 0, on 1,000 test sequences: 0.31 accuracy with tanh, 0.85 with ReLU; a "
                       "ReLU GRU reached 0.40 in the same comparison, where the tanh GRU entry scores 0.82 in the "
                       "harness).",
                       "The length-20 GRUs that ship were trained with `--seed 1` (other initial weights and batch "
                       "order, the same data), which beat the seed-0 runs on validation for both. On the test sets "
                       "the seed-0 runs measured order sensitivity 0.175 (SIRE) against 0.140 (plain), the seed-1 "
                       "runs 0.122 against 0.150. Over the two seeds that is 0.149 against 0.145: at this length "
                       "the training seed moves the order sensitivity more than SIRE does.",
                       FULL_RUN_NOTE),
                data_licence="synthetic integer sequences generated by the zoo (no licence restrictions)",
                retrain_budget="cpu",
                reordering="each half of every sequence reordered at random on its own (the target is unchanged)"),
            training=TrainingPlan(batch_size=128, budgets={"cpu": {
                "max_trials": 3, "search_epochs": 30, "search_train_size": None, "epochs": 150, "patience": 20}}),
            leaderboard=LeaderboardPlan(
                paper_results={name: {"accuracy": values[self.length]} for name, values in PAPER_ACCURACY.items()},
                paper_note="Table 2: test accuracy of a plain RNN (λ = 0) and SIRE (λ = 0.01) at lengths 10, 15, 20: "
                           "0.9346 / 0.9461 / 0.9678 and 0.9584 / 0.9658 / 0.9780",
                order_sensitivity=True))

    def expected_half_range(self, x):
        """A trivial predictor: E[HR] for uniform integers, E[max of the first half] − E[min of the rest]."""
        half = self.length // 2
        value = expected_maximum(half, HIGH) - (HIGH - expected_maximum(self.length - half, HIGH))
        return np.full(len(np.asarray(x)), float(value))

    def permute(self, x, rng):
        return within_halves(x, rng)

    def build(self, architecture, sire_weight=0.0, permutations=0, sire_pairs="batch", activation="tanh", **unused):
        """A model of `architecture`; `sire_pairs` is recorded by the entries trained with adjacent pairs (those
        recorded without it swap pairs drawn from the batch): `"adjacent"`, every adjacent swap, or
        `"within_halves"`, the adjacent swaps inside each half only (`RecurrentModel`'s `sire_blocks`: the two
        halves); `activation` by those whose cell is not tanh."""
        self.check_architecture(architecture)
        if sire_pairs not in HALF_RANGE_PAIRS:
            raise ValueError(f"Unknown SIRE pairs {sire_pairs!r} for the half-range; expected one of "
                             f"{HALF_RANGE_PAIRS}.")
        blocks = (self.length // 2, self.length - self.length // 2) if sire_pairs == "within_halves" else ()
        encoders = integer_encoders(1 / HIGH, 1 / HIGH, WIDTHS.deepsets_width)
        return build_sequence_model(architecture, WIDTHS, *encoders, (0, HIGH), sire_weight, permutations,
                                    sire_pairs="adjacent" if blocks else sire_pairs, sire_blocks=blocks,
                                    activation=activation)

    def draw(self, count, rng, split, length=None):
        return half_range_sets(count, rng, self.length)

    def dataset_info(self, train_size=None):
        return {"name": "integer sequences generated by the zoo (zoo.data.sequence_tasks.half_range_sets)",
                "training_split": f"{train_size or TRAIN_SEQUENCES:,} sequences of {self.length} integers 0–99 "
                                  f"drawn with seed [0, {self.length}]; {VAL_SEQUENCES} validation sequences",
                "evaluation_split": f"{TEST_SEQUENCES:,} sequences of {self.length} integers per seed (1, 2, 3)"}
