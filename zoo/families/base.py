"""What a model family is: one task of one paper, with every architecture compared on it.

A family is assembled from parts, each with one job:

- `Paper`: the publication (cards cite it);
- a task (`zoo.tasks`): loss, metrics and scoring;
- `Architecture`s: title, default hyper-parameters, search space, and why an architecture is weak by design;
- `Wording`: what the cards say (deviations from the paper, licences, why no weights ship);
- `TrainingPlan`: batch size, budgets and per-device hyper-parameters;
- `LeaderboardPlan`: the leaderboard's kind, the paper's numbers, the curve's set sizes;

plus the family's own code: `build` (a model of an architecture), `load_split` and `dataset_info` (its data).
Training, evaluation, cards and the CLI work on any family through this interface; registering one is a line in
`zoo.families`.

Example:
>>> family = get_family("signals")
>>> model = family.build("dss_sum", width=0.25)
>>> x, y = family.load_split("test", seed=1)
>>> family.evaluate(lambda x: model.predict(x, verbose=0), seed=1)
{'accuracy': 0.33}
"""

import dataclasses
import difflib
import inspect
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from zoo.data import permute_sets
from zoo.metrics import at_set_size, order_sensitivity
from zoo.train_options import budget_options

ORDER_SEED = 7  # the permutations of the order sensitivity: a stream of their own, apart from the test data's


@dataclasses.dataclass(frozen=True)
class Paper:
    """A publication, referred to by `key` in the registry, cards and leaderboards."""

    key: str
    title: str
    authors: str
    venue: str
    url: str | None = None

    def citation(self):
        """One line naming the paper: `Title (Authors, Venue)`."""
        return f"{self.title} ({self.authors}, {self.venue})"


@dataclasses.dataclass(frozen=True)
class Architecture:
    """One model a family compares.

    Attributes:
        title: the name the paper gives it (cards, leaderboards, README).
        defaults: hyper-parameters of a shipped entry unless the registry records others.
        search: `hp -> {name: value}` drawing hyper-parameters from a `keras_tuner.HyperParameters` (None: the
            defaults are used as they are).
        weak: why the architecture stays far below the others on this task by design (e.g. the paper's negative
            result), in a sentence; its cards say so and the beat-chance guard exempts it.
        trained: False when `build` sets the weights itself (an analytic solution): nothing is trained.
        regularises: the architecture this one is the regularised version of (the same model at weight 0); cards
            compare their order sensitivity, and training reuses that entry's hyper-parameters when it has been
            trained, so that the search only chooses the regulariser's own (`zoo.pipeline.train_entry`).
        paper_units: `{hyper-parameter: factor}` where the model's value is the paper's times `factor` (e.g. a
            regulariser's weight scaled to the task's output); cards and sweeps give the paper's value beside it.
    """

    title: str
    defaults: dict = dataclasses.field(default_factory=dict)
    search: Callable | None = None
    weak: str | None = None
    trained: bool = True
    regularises: str | None = None
    paper_units: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Wording:
    """What the cards of a family's entries say beyond the measurements.

    Attributes:
        notes: deviations from the paper and limits shared by every entry, as sentences.
        usage: extra lines for the card's "How to use" (e.g. a task-specific helper).
        data_licence: licence of the training data.
        weights_licence: licence of weights trained on the family's data.
        unavailable_reason: why no weights can be trained here (e.g. a licensed data set), or None.
        retrain: the command that retrains an entry, up to its options: `zoo train {name}` (`{name}` for the
            entry's name), after any install or environment variable it needs.
        retrain_budget: the `--budget` of that command for entries with no training record (`"auto"`: none given,
            `zoo train` picks the GPU budget when it sees a GPU); a trained entry's command repeats its own budget.
        datasets: the training data's names on the Hugging Face Hub or in tensorflow-datasets (the card's
            `datasets:`), when it has one.
        reordering: the reorderings π of the harness's order sensitivity (`Family.permute`), in words.
        credits: the attribution the training and test data ask for (authors and licences of photos, say), shown
            on every card of the family.
    """

    notes: tuple = ()
    usage: str = ""
    data_licence: str = ""
    weights_licence: str = "Apache-2.0"
    unavailable_reason: str | None = None
    retrain: str = "zoo train {name}"
    retrain_budget: str = "gpu"
    datasets: tuple = ()
    reordering: str = "each set's elements reordered at random"
    credits: str = ""


@dataclasses.dataclass(frozen=True)
class TrainingPlan:
    """How a family's entries are trained.

    Attributes:
        batch_size: batch size of searches and fits on array data (random-batch data sets bring their own).
        budgets: per budget name (`"cpu"`, `"gpu"`), values replacing `training.BUDGETS` entries.
        device_hyperparameters: per budget name, hyper-parameters fixed for that device (e.g. a smaller width).
        train_size_unit: what `size` counts in `load_split("train", size=...)`.
    """

    batch_size: int = 64
    budgets: dict = dataclasses.field(default_factory=dict)
    device_hyperparameters: dict = dataclasses.field(default_factory=dict)
    train_size_unit: str = "training sets"

    def budget_hyperparameters(self, budget):
        """The hyper-parameters that budget `budget` (`"cpu"`, `"gpu"`) fixes: its device's, then any in `budgets`.
        The trainer fixes them and a card's retrain command leaves them out, so both read them here."""
        return {**self.device_hyperparameters.get(budget, {}),
                **self.budgets.get(budget, {}).get("hyperparameters", {})}


@dataclasses.dataclass(frozen=True)
class LeaderboardPlan:
    """What a family's leaderboard holds and what it is compared with.

    Attributes:
        kind: `"entries"` (the shipped entries, evaluated over several test seeds) or `"study"` (every
            architecture retrained at several training-set sizes and seeds).
        name: file name of the leaderboard without `.csv` (default: the family's name).
        paper_results: the paper's numbers per architecture (or `"baseline:<name>"`): a number for the primary
            metric, or `{metric: number}`, or `{metric: {set_size: number}}` for a curve.
        paper_note: where the paper's numbers come from, in words.
        set_sizes: the set sizes of a curve: the harness then measures every metric at each size.
        study_sizes, study_seeds: default training-set sizes and seeds of a study.
        study_hyperparameters: hyper-parameters every study run uses on top of its entry's.
        study_test_data: what a study run is evaluated on, in words.
        entry_train_size: the training-set size of the shipped entries, for the leaderboard.
        order_sensitivity: whether the harness measures how much predictions depend on the order of a set's
            elements, mean |f(x) − f(πx)| over the test sets with π drawn by `Family.permute` (a leaderboard
            column), for families whose models are not invariant by construction.
    """

    kind: str = "entries"
    name: str | None = None
    paper_results: dict = dataclasses.field(default_factory=dict)
    paper_note: str = ""
    set_sizes: tuple = ()
    study_sizes: tuple = (300, 1000)
    study_seeds: tuple = (0, 1, 2)
    study_hyperparameters: dict = dataclasses.field(default_factory=dict)
    study_test_data: str = ""
    entry_train_size: object = None
    order_sensitivity: bool = False


@dataclasses.dataclass(frozen=True)
class ReferenceCode:
    """The authors' public implementation of a family's models, which `python -m evaluation.benchmark --reference
    CHECKOUT` times against the zoo's, step for step.

    Attributes:
        repository: where a user clones it from.
        marker: a file every checkout holds (relative path), to refuse a wrong folder at once.
        script: a script timing one training step of one of their models, run as `python SCRIPT CLASS REPEATS`
            with the checkout in `$REFERENCE_CHECKOUT`; its last line is `class,device,params,ms`. It reads their
            code from the checkout at run time: none of it is kept here.
        classes: `{zoo architecture: their class}`, in the order the benchmark runs them.
    """

    repository: str
    marker: str
    script: Path
    classes: dict


class Family:
    """One task of one paper, with every architecture the paper compares on it.

    Subclasses pass their parts to `__init__` and implement `build`, `load_split` and `dataset_info`.

    Args:
        name: short name, the suffix of its entries (`dss_sum_signals` is architecture `dss_sum` of `signals`).
        paper: the `Paper`.
        description: what the models do, in words.
        task: the task (`zoo.tasks`).
        architectures: `{name: Architecture}` in the paper's order.
        input_spec: the input a model takes, in words and shapes (for the cards).
        baselines: trivial predictors `{name: f(x) -> prediction}`, scored by the harness beside the models.
        wording, training, leaderboard: the `Wording`, `TrainingPlan` and `LeaderboardPlan`.
        reference: the authors' `ReferenceCode`, where the benchmark can time it against the zoo's models.
    """

    def __init__(self, name, paper, description, task, architectures, input_spec, baselines=None, wording=None,
                 training=None, leaderboard=None, reference=None):
        self.name = name
        self.paper = paper
        self.description = description
        self.task = task
        self.architectures = dict(architectures)
        self.input_spec = input_spec
        self.baselines = dict(baselines or {})
        self.wording = wording or Wording()
        self.training = training or TrainingPlan()
        self.leaderboard = leaderboard or LeaderboardPlan()
        self.reference = reference

    # The family's own code.

    def build(self, architecture, **hyperparameters):
        """A fresh, built model of `architecture`."""
        raise NotImplementedError

    def load_split(self, split, seed=1, size=None, set_size=None):
        """`(x, y)` of a split ("train", "val" or "test"), or a Keras `PyDataset` of training batches.

        `seed` selects the draw, `size` the number of training examples (in `training.train_size_unit`),
        `set_size` the number of elements per set (curve families).
        """
        raise NotImplementedError

    def dataset_info(self, train_size=None):
        """`{"name", "training_split", "evaluation_split"}`: the data a model was trained and evaluated on."""
        raise NotImplementedError

    @property
    def missing_data(self):
        """Why the family's data is not on this machine, or None when it can be loaded: the message of the
        `FileNotFoundError` that `find_data` raises."""
        try:
            self.find_data()
        except FileNotFoundError as error:
            return str(error)
        return None

    def find_data(self):
        """Checks that the family's data is on this machine, without reading it; raises `FileNotFoundError`
        naming what is missing and where to put it. Families whose data is generated or shipped have nothing to
        check."""

    def entry_notes(self, hyperparameters):
        """Sentences a card adds about an entry's hyper-parameters (e.g. a reduced width)."""
        return []

    def findings(self, model, architecture):
        """What a card reports that the family measures on a trained model beyond the metrics (e.g. how far
        learned weights are from an analytic solution), in sentences; "" for nothing."""
        return ""

    def after_fit(self, model, architecture, hyperparameters):
        """A step after the fit that chooses, on the validation split, hyper-parameters that need no training
        (e.g. the weights of a vote on the network's scores).

        Returns:
            `(model, hyperparameters, record)`: the compiled model to ship, its hyper-parameters and what to record
            in the entry's training section (`None`: nothing was done).
        """
        return model, hyperparameters, None

    def entry_train_size(self):
        """The training-set size of the shipped entries, for the leaderboard."""
        return self.leaderboard.entry_train_size

    def permute(self, x, rng):
        """`x` rearranged by a random element of the symmetry group the task's target is invariant to, for the
        harness's order sensitivity (default: each set's real elements in a random order)."""
        return permute_sets(x, rng)

    # Generic behaviour.

    @property
    def leaderboard_name(self):
        return self.leaderboard.name or self.name

    def title(self, architecture):
        return self.architectures[architecture].title

    def paper_hyperparameters(self, architecture, hyperparameters):
        """`{name: the paper's value}` of those `hyperparameters` an `architecture` model takes in other units than
        the paper's (`Architecture.paper_units`)."""
        units = self.check_architecture(architecture).paper_units
        return {name: value / units[name] for name, value in hyperparameters.items() if name in units}

    def check_architecture(self, architecture):
        if architecture not in self.architectures:
            raise ValueError(f"Family {self.name!r} has no architecture {architecture!r}; "
                             f"expected one of {tuple(self.architectures)}.")
        return self.architectures[architecture]

    def search_space(self, hp, architecture):
        """Hyper-parameters of one trial: the architecture's defaults updated with its search space."""
        spec = self.check_architecture(architecture)
        return {**spec.defaults, **(spec.search(hp) if spec.search else {})}

    def hyperparameter_names(self, architecture):
        """The hyper-parameters `architecture` takes: the named keyword arguments of `build`, its defaults and
        search space, the budgets' and the learning rate (the trainer's). A family whose `build` reads others from
        `**hyperparameters` adds them here."""
        import keras_tuner

        keywords = {name for name, parameter in inspect.signature(self.build).parameters.items()
                    if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)}
        budgets = {name for budget in {"cpu", "gpu", *self.training.budgets}
                   for name in self.training.budget_hyperparameters(budget)}
        return ((keywords - {"architecture"}) | set(self.search_space(keras_tuner.HyperParameters(), architecture))
                | budgets | {"learning_rate"})

    def check_hyperparameters(self, architecture, names):
        """Raises `ValueError` for a name in `names` that `architecture` does not take (a typo would otherwise be
        recorded on the card while the model ignores it), suggesting close names.

        Example:
        >>> get_family("parity").check_hyperparameters("sire_gru", ["sire_wieght"])
        ValueError: Architecture 'sire_gru' of family 'parity' takes no hyper-parameter 'sire_wieght' (did you mean
        'sire_weight' or 'sub_weight'?); it takes activation, learning_rate, permutations, sire_scale, …
        """
        known = self.hyperparameter_names(architecture)
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
                hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
                raise ValueError(f"Architecture {architecture!r} of family {self.name!r} takes no hyper-parameter "
                                 f"{name!r}{hint}; it takes {', '.join(sorted(known))}.")

    def evaluate(self, predict, seed):
        """`{metric: value}` of `predict` (a model's or a baseline's `x -> prediction`) on the test split of `seed`.

        With `leaderboard.set_sizes`, every metric is measured at each set size (`"accuracy@n=25"`), and the
        plain metric is its mean over the sizes. With `leaderboard.order_sensitivity`, `"order_sensitivity"` is
        measured alongside.
        """
        if not self.leaderboard.set_sizes:
            return self._score(predict, seed)
        scores, per_size = {}, {}
        for set_size in self.leaderboard.set_sizes:
            for metric, value in self._score(predict, seed, set_size).items():
                scores[at_set_size(metric, set_size)] = value
                per_size.setdefault(metric, []).append(value)
        return {**{m: sum(v) / len(v) for m, v in per_size.items()}, **scores}

    def _score(self, predict, seed, set_size=None):
        """The task's metrics of `predict` on one test draw, and its order sensitivity when the family measures it."""
        x, y = self.load_split("test", seed=seed, set_size=set_size)
        prediction = predict(x)
        scores = self.task.score(y, prediction)
        if self.leaderboard.order_sensitivity:
            permuted = predict(self.permute(x, np.random.default_rng([ORDER_SEED, seed, set_size or 0])))
            scores["order_sensitivity"] = order_sensitivity(prediction, permuted)
        return scores

    def paper_result(self, architecture, metric, set_size=None):
        """The paper's number for `architecture` (or `"baseline:<name>"`) on `metric` (at `set_size`), or None."""
        result = self.leaderboard.paper_results.get(architecture)
        if isinstance(result, dict):
            result = result.get(metric)
            if isinstance(result, dict):
                return result.get(set_size)
            return result if set_size is None else None
        return result if metric == self.task.primary and set_size is None else None

    @property
    def trained_set_sizes(self):
        """`(smallest, largest)` number of elements in the training sets, or None when they vary freely (the
        default: the fixed set size of `input_spec`, if any)."""
        size = self.input_spec.get("elements", [None, None])[1]
        return (size, size) if isinstance(size, int) else None

    def paper_results(self, architecture):
        """Every number the paper gives for `architecture`, as `{metric key: value}` (curve points as
        `metric@n=N`)."""
        result = self.leaderboard.paper_results.get(architecture)
        if result is None:
            return {}
        if not isinstance(result, dict):
            return {self.task.primary: result}
        flat = {}
        for metric, value in result.items():
            points = value if isinstance(value, dict) else {None: value}
            flat.update({metric if n is None else at_set_size(metric, n): v for n, v in points.items()})
        return flat

    def limitations(self, architecture, hyperparameters, findings=()):
        """What a user should know about an entry (for its card), after `findings` measured elsewhere (e.g. a
        trivial baseline that beats it)."""
        notes = list(findings)
        weak = self.architectures[architecture].weak if architecture in self.architectures else None
        if weak:
            notes.append(f"Weak on this task by design: {weak} It ships as the paper's point of comparison, not "
                         "as a model to use.")
        notes += self.entry_notes(hyperparameters)
        return " ".join(notes + list(self.wording.notes))

    def retrain_command(self, name, record=None):
        """The one command that retrains entry `name` from its data, as its training record says it was trained.

        Args:
            record: the entry's `zoo.json` (or what it holds of `training` and `hyperparameters`); None for an entry
                that has none. Its `training.budget` becomes `--budget` (the family's `retrain_budget` without
                one), its `training.budget_overrides` the options that replaced the budget's fields (`--epochs
                300`). A `--hp` repeats each hyper-parameter its trainer fixed (`training.fixed_by_trainer`) and
                each that differs from what the budget fixes (e.g. the 0.25× width of an entry trained with the
                GPU budget, which fixes 1.0). A `training.seed` other than 0 becomes `--seed`.

        >>> record = {"training": {"budget": "gpu"}, "hyperparameters": {"width": 0.25, "dropout": 0.1}}
        >>> get_family("quality_noise10").retrain_command("dss_max_quality_noise10", record)
        'zoo train dss_max_quality_noise10 --budget gpu --hp width=0.25'
        """
        record = record or {}
        training = record.get("training", {})
        budget = training.get("budget") or self.wording.retrain_budget
        by_budget = self.training.budget_hyperparameters(budget)
        fixed = {**{key: value for key, value in (record.get("hyperparameters") or {}).items()
                    if key in by_budget and value != by_budget[key]}, **(training.get("fixed_by_trainer") or {})}
        return " ".join([self.wording.retrain.format(name=name), *([f"--budget {budget}"] if budget != "auto" else []),
                         *budget_options(training.get("budget_overrides") or {}),
                         *(f"--hp {key}={value}" for key, value in fixed.items()),
                         *([f"--seed {training['seed']}"] if training.get("seed") else [])])

    def example_model(self, architecture, hyperparameters):
        """A model of `architecture` to describe it (parameters, symmetry) on cards of entries without weights;
        built even where the family's data is missing."""
        return self.build(architecture, **hyperparameters)

    def compile(self, model, learning_rate=1e-3, jit_compile="auto", warmup_steps=0):
        """Compile `model` with the task's loss and metrics, so that `model.fit` works at once.

        With `warmup_steps`, Adam's learning rate rises linearly from 0 to `learning_rate` over that many steps and
        stays there. A built model gets its optimizer built too, so that `model.save` writes the optimizer's full
        state and `keras.models.load_model` restores it without a mismatch warning, trained or not."""
        if warmup_steps:  # cosine decay with alpha = 1 decays nothing: a linear warm-up, then constant
            learning_rate = keras.optimizers.schedules.CosineDecay(
                0.0, decay_steps=1, alpha=1.0, warmup_target=learning_rate, warmup_steps=warmup_steps)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=self.task.loss(),
                      metrics=self.task.keras_metrics(), jit_compile=jit_compile)
        if model.built:
            model.optimizer.build(model.trainable_variables)
        return model
