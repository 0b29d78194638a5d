"""What a model family is: a paper's task, its data, its architectures and their search space."""

import keras

from zoo.metrics import get_metric


class Family:
    """One task of one paper, with every architecture the paper compares on it.

    Subclasses fill the class attributes and implement `build`, `search_space` and `load_split`; the training,
    evaluation and card code works on any family through this interface.

    Attributes:
        name: short name, the suffix of its zoo entries (`dss_sum_signals` is `dss_sum` in family `signals`).
        paper: key of the paper in `zoo.papers.PAPERS`.
        task: what the models do, in words.
        architectures: architecture names this family builds.
        metric: the metric the harness reports (a Keras metric name), `higher_is_better` its direction.
        paper_results: the paper's published metric per architecture (None where the paper gives a curve).
        paper_note: what the paper reports for this task, in words (e.g. the shape of a plotted curve).
        default_hyperparameters: hyper-parameters of the shipped entries unless the registry says otherwise.
        device_hyperparameters: hyper-parameters fixed per training budget ("cpu"/"gpu"), e.g. a reduced width.
        budget_overrides: per budget, values replacing `training.BUDGETS` entries (sizes are in `train_size_unit`).
        train_size_unit: what `size` counts in `load_split("train", size=...)`.
        data_licence: licence of the training data, for the weights' card.
        input_spec: the input a model of this family takes, in words and shapes.
        leaderboard_name: file name (without `.csv`) of the family's leaderboard.
        leaderboard_kind: `"study"` (every architecture retrained at several sizes and seeds) or `"entries"`
            (the shipped entries evaluated over several test seeds).
        study_test_data: what a study run is evaluated on, in words.
        study_hyperparameters: hyper-parameters every study run uses on top of its entry's (e.g. a smaller width).
        entry_train_size: the training-set size of the shipped entries, for the leaderboard.
        baselines: trivial predictors `{name: f(x) -> prediction}` the leaderboard measures beside the models.
        unavailable_reason: why no weights can be trained here (e.g. a licensed data set), or None.
        notes: deviations from the paper and limits of the entries, in sentences (for the cards).
        weights_licence: licence of weights trained on the family's offline data.
        usage: extra lines for the cards' "How to use" (e.g. a task-specific helper).
    """

    name = ""
    paper = ""
    task = ""
    architectures = ()
    metric = "accuracy"
    higher_is_better = True
    paper_results = {}
    paper_note = ""
    default_hyperparameters = {}
    device_hyperparameters = {}
    budget_overrides = {}
    train_size_unit = "training sets"
    data_licence = ""
    input_spec = {}
    leaderboard_kind = "entries"
    baselines = {}
    unavailable_reason = None
    notes = ()
    # Architectures that stay far below the others on the task for a reason the family states (e.g. the paper's negative
    # result); their cards say so and the beat-chance guard of the tests exempts them.
    weak_architectures = {}
    weights_licence = "Apache-2.0"
    usage = ""
    study_test_data = ""
    study_hyperparameters = {}
    entry_train_size = None

    @property
    def missing_data(self):
        """Why the family's data is not on this machine (e.g. no UCF101 folder), or None when it can be loaded."""
        return None

    @property
    def leaderboard_name(self):
        return self.name

    def build(self, architecture, **hyperparameters):
        """A fresh, built model of `architecture`."""
        raise NotImplementedError

    def search_space(self, hp, architecture):
        """Hyper-parameters drawn from a `keras_tuner.HyperParameters` for one architecture."""
        raise NotImplementedError

    def load_split(self, split, seed=1, size=None):
        """`(x, y)` of a split ("train", "val" or "test"); `seed` selects the draw, `size` the first examples."""
        raise NotImplementedError

    def dataset_info(self, train_size=None):
        """`{"name", "training_split", "evaluation_split"}`: the data a model was trained and evaluated on."""
        raise NotImplementedError

    def limitations(self, hyperparameters, architecture=None, findings=()):
        """What a user should know about an entry of `architecture` trained with `hyperparameters` (for its card),
        after `findings` measured elsewhere (e.g. a trivial baseline that beats it)."""
        width = hyperparameters.get("width", 1.0)
        notes = list(findings)
        if architecture in self.weak_architectures:
            notes.append("Far below the DSS models on this task, by design of the architecture: "
                         f"{self.weak_architectures[architecture]} It ships as the paper's point of comparison, not "
                         "as a model to use.")
        if width != 1.0:
            notes.append(f"Trained at {width:g}× the paper's channel widths, to keep the weights small and training "
                         "short; `zoo train NAME --budget gpu` trains the paper's widths.")
        return " ".join(notes + list(self.notes)) or "None recorded."

    def retrain_command(self, name):
        """The one command that retrains entry `name` from its data."""
        return f"zoo train {name} --budget gpu"

    def compile(self, model, learning_rate=1e-3, jit_compile="auto"):
        """Compile `model` with the family's loss and metric."""
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=self.loss(),
                      metrics=[get_metric(self.metric)], jit_compile=jit_compile)
        return model

    def loss(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def check_architecture(self, architecture):
        if architecture not in self.architectures:
            raise ValueError(f"Family {self.name!r} has no architecture {architecture!r}; "
                             f"expected one of {self.architectures}.")
