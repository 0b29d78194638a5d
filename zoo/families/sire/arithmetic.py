"""SIRE paper, arithmetic on sets of integers (Cohen-Karlik et al., 2020, §5, Fig. 2).

Sequences of integers 0–99; the target is their sum, range (max − min) or variance, each a permutation-invariant
function. Models train with an L1 loss; sums and ranges are scored by the accuracy of the rounded prediction,
variances by their MSE, along a curve over lengths n = 5, 10, …, 30. One family per target: `gru_sum`,
`sire_gru_range`, `deepsets_variance`, ….
"""

import dataclasses

import numpy as np

from zoo.data.sequence_tasks import ARITHMETIC_TASKS, arithmetic_sets, expected_maximum
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.sire.architectures import (
    FULL_RUN_NOTE,
    SequenceWidths,
    build_sequence_model,
    integer_encoders,
    regulariser_notes,
    sequence_architectures,
    sub_architecture,
)
from zoo.families.sire.generated import GeneratedSplits
from zoo.families.sire.paper import PAPER
from zoo.tasks import Regression

TRAIN_SEQUENCES, VAL_SEQUENCES, TEST_PER_LENGTH = 2_000, 500, 500
WHAT = {"sum": "the sum of the integers", "range": "the range, max − min",
        "variance": "the population variance of the integers"}
# `sequence_architectures`'s `cell_options` of the tasks whose RNNs are not tanh RNNs reading the integers
# themselves, and why (the cards' notes).
ELEMENT_UNITS = 32
CELL_OPTIONS = {"range": {"rnn": {"activation": "relu"}},
                "variance": {"rnn": {"activation": "relu", "element_units": ELEMENT_UNITS}}}
RELU_NOTE = ("The plain and SIRE RNNs have a ReLU cell, the GRUs and LSTMs tanh, because tanh RNNs fitted the range "
             "and the variance poorly. A ReLU RNN trained outside `zoo train` (32 units, learning "
             "rate 3e-3, 150 epochs, seed 0) scored 0.55 range accuracy in the harness, where the tanh RNN entry "
             "scored 0.06; on the variance, a ReLU RNN entry measured MSE 1,700 where the tanh entry had measured "
             "6,300 (both reading the scaled integers themselves). On the sum "
             "a ReLU RNN scored 0.17 against the tanh entry's 0.30, so the sum's RNNs keep tanh.")
ELEMENT_NOTE = (f"The plain and SIRE RNNs read each integer through a ReLU layer of {ELEMENT_UNITS} units before the "
                "recurrence (`element_units`), so that the cell can add up features of the integers, such as their "
                "squares, in any order. Reading the scaled integers themselves (`zoo train`, test sets, seeds 1–3), "
                "the plain RNN measured MSE 1,700 at order sensitivity 35.4, and the SIRE RNN (relative distance, "
                "λ = 30) MSE 2,295 at 37.3, more order-sensitive than the plain RNN; with the layer, the plain RNN "
                "measures MSE 1,214 at 31.2.")

@dataclasses.dataclass(frozen=True)
class ArithmeticSetting:
    """Which sequences a family draws: integers 0 … `high`, training lengths uniform over `min(lengths)` …
    `max(lengths)`, tests at each of `lengths`, and `train_sequences` training sequences."""

    high: int = 99
    lengths: tuple = tuple(range(5, 31, 5))
    train_sequences: int = TRAIN_SEQUENCES

    def scales(self, task):
        """`(input scale, output scale)`: a recurrent model reads each integer times the input scale and outputs
        at unit scale; the sum's inputs are small enough that a running sum stays in the state's range."""
        if task == "sum":
            return 1 / (self.high * max(self.lengths)), float(self.high * max(self.lengths))
        return 1 / self.high, float(self.high + 1 if task == "range" else (self.high + 1) ** 2 / 10)

    def describe(self, count=None):
        """The training sequences in words (`count` of them; default `train_sequences`)."""
        count, lengths = count or self.train_sequences, self.lengths
        if len(lengths) == 1:
            return f"{count:,} sequences of {lengths[0]} integers 0–{self.high}"
        return f"{count:,} sequences of integers 0–{self.high} of uniform random lengths {min(lengths)}–{max(lengths)}"

    def tested(self):
        """The test lengths in words."""
        lengths = self.lengths
        return str(lengths[0]) if len(lengths) == 1 else ", ".join(map(str, lengths[:2])) + f", …, {lengths[-1]}"


FIG_2 = ArithmeticSetting()
APPENDIX_C = ArithmeticSetting(high=19, lengths=(10,), train_sequences=200)


def appendix_c_family():
    """SIRE against SUB (the paper's Appendix C): the sum of 10 integers 0–19 from 200 training sequences, a GRU
    plain, with SIRE and with SUB; `zoo sweep` plots accuracy against each regulariser's λ."""
    output_scale = APPENDIX_C.scales("sum")[1]
    architectures = sequence_architectures(output_scale=output_scale)
    return ArithmeticFamily(
        "sum", APPENDIX_C, name="sum_small",
        architectures={"gru": architectures["gru"], "sire_gru": architectures["sire_gru"],
                       "sub_gru": sub_architecture("gru", output_scale=output_scale)},
        paper_note="Appendix C: accuracy against λ for SIRE and SUB on the sum of 10 integers 0–19 from 200 "
                   "training examples; the best λ is 0.1 for SIRE and 0.001 for SUB (curves only)")


def expected_target(task, lengths, high=99):
    """E[target | n] for n integers drawn uniformly from 0 … `high`: what a predictor that sees only the length
    can do best (in expectation)."""
    n = np.asarray(lengths, "float64")
    if task == "sum":
        return n * high / 2
    if task == "range":  # E[min] = high − E[max] by symmetry
        return 2 * expected_maximum(n, high) - high
    return ((high + 1) ** 2 - 1) / 12 * (n - 1) / n


def _lengths(x):
    return np.asarray(x["mask"]).sum(axis=1) if isinstance(x, dict) else np.full(len(x), np.shape(x)[1])


class ArithmeticFamily(GeneratedSplits, Family):
    """The sum, range or variance of a sequence of integers, trained on sequences of several lengths and tested at
    each length.

    Args:
        task: `"sum"`, `"range"` or `"variance"`.
        setting: the `ArithmeticSetting` (default: Fig. 2's, integers 0–99 at lengths 5–30).
        name: the family's name (default: the task's).
        architectures: `{name: Architecture}` (default: every architecture of `sequence_architectures`).
        paper_note: where the paper's comparison is, in words.
    """

    val_sequences, test_sequences = VAL_SEQUENCES, TEST_PER_LENGTH

    def __init__(self, task, setting=FIG_2, name=None, architectures=None, paper_note=None):
        if task not in ARITHMETIC_TASKS:
            raise ValueError(f"Unknown arithmetic task {task!r}; expected one of {ARITHMETIC_TASKS}.")
        self.arithmetic_task, self.setting = task, setting
        output_scale = setting.scales(task)[1]
        self.widths = SequenceWidths(units=32, head_units=(32,), deepsets_width=100, output_scale=output_scale)
        integer, lengths = task != "variance", setting.lengths
        cell_options = CELL_OPTIONS.get(task)
        super().__init__(
            name=name or task, paper=PAPER,
            description=f"{WHAT[task]} of a sequence of integers 0–{setting.high}, tested at "
                        f"{'length' if len(lengths) == 1 else 'lengths'} {setting.tested()}",
            task=Regression("mae", integer_targets=integer, what=WHAT[task]),
            architectures=architectures or sequence_architectures(output_scale=output_scale,
                                                                  cell_options=cell_options),
            input_spec={"elements": [None, None], "mask": [None, None],
                        "range": f"int32 integers 0–{setting.high} (a bare int array is read as sequences with "
                                 "every entry real)"},
            baselines={"expected_given_length": self.expected_given_length},
            wording=Wording(
                notes=(f"Trained with an L1 loss on {setting.describe()} (the zoo's choice where the paper gives no "
                       "number); "
                       + ("the prediction is rounded to the nearest integer for the accuracy"
                          if integer else "the variance is scored by its MSE, as in the paper")
                       + f"; the test uses {TEST_PER_LENGTH} sequences per length and seed.",
                       "The models output at unit scale times the target's scale, so the SIRE and SUB weights λ are "
                       "searched over the paper's values × that scale² (zoo.families.sire.architectures."
                       "scaled_weights; e.g. 100–10,000 for ranges): the unscaled values left the order sensitivity "
                       "where λ = 0 had it.",
                       *([RELU_NOTE] if cell_options else []), FULL_RUN_NOTE),
                data_licence="synthetic integer sequences generated by the zoo (no licence restrictions)",
                retrain_budget="cpu"),
            training=TrainingPlan(batch_size=32, budgets={"cpu": {
                "max_trials": 3, "search_epochs": 10, "epochs": 150, "patience": 20}}),
            leaderboard=LeaderboardPlan(
                set_sizes=lengths if len(lengths) > 1 else (),
                paper_note=paper_note or "Fig. 2: accuracy (variance: MSE) against the length n = 5, …, 30; SIRE "
                                         "generalises better than the plain RNNs and DeepSets on sum (curves only, "
                                         "no numbers given)",
                order_sensitivity=True))

    @property
    def train_sequences(self):
        return self.setting.train_sequences

    @property
    def trained_set_sizes(self):
        """`(shortest, longest)` training length (the leaderboard tests the same lengths): a `zoo.SetSizeWarning`
        flags sequences more than twice the longest or under half the shortest (a sum of 2 or 100 integers)."""
        return min(self.setting.lengths), max(self.setting.lengths)

    @property
    def test_length(self):
        """The length of a test draw without `set_size`: the setting's longest."""
        return self.setting.lengths[-1]

    @property
    def input_scale(self):
        """The factor that brings the integers to unit scale before the recurrence."""
        return self.setting.scales(self.arithmetic_task)[0]

    def entry_notes(self, hyperparameters):
        return ([ELEMENT_NOTE] if hyperparameters.get("element_units") else []) + (
            regulariser_notes(hyperparameters))

    def paper_hyperparameters(self, architecture, hyperparameters):
        """The paper's values of the scaled weights, but none for λ of the relative SIRE distance: the paper has no
        such distance."""
        paper = super().paper_hyperparameters(architecture, hyperparameters)
        if hyperparameters.get("sire_scale") == "relative":
            paper.pop("sire_weight", None)
        return paper

    def expected_given_length(self, x):
        """A trivial predictor: E[target | n], from the length alone."""
        return expected_target(self.arithmetic_task, _lengths(x), self.setting.high)

    def build(self, architecture, sire_weight=0.0, permutations=0, sub_weight=0.0, activation="tanh",
              sire_scale="absolute", element_units=0, **unused):
        """A model of `architecture`; `activation` is recorded by the entries whose cell is not tanh, `sire_scale` by
        those trained with the relative SIRE distance, `element_units` by recurrent models that read each integer
        through a ReLU layer of that width (`integer_encoders`)."""
        self.check_architecture(architecture)
        high = self.setting.high
        encoders = integer_encoders(self.input_scale, 1 / high, self.widths.deepsets_width, int(element_units))
        return build_sequence_model(architecture, self.widths, *encoders, (0, high), sire_weight, permutations,
                                    sub_weight, sire_scale=sire_scale, activation=activation)

    def draw(self, count, rng, split, length=None):
        lengths = self.setting.lengths
        return arithmetic_sets(count, rng, length or (min(lengths), max(lengths)), self.arithmetic_task,
                               self.setting.high)

    def dataset_info(self, train_size=None):
        per = "of" if len(self.setting.lengths) == 1 else "per"
        return {"name": f"integer sequences generated by the zoo (zoo.data.sequence_tasks.arithmetic_sets, "
                        f"task {self.arithmetic_task!r})",
                "training_split": f"{self.setting.describe(train_size)} drawn with seed 0; {VAL_SEQUENCES} "
                                  "validation sequences of the same lengths",
                "evaluation_split": f"{TEST_PER_LENGTH} sequences {per} length {self.setting.tested()} per seed "
                                    "(1, 2, 3)"}
