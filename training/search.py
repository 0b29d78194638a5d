"""Hyper-parameter search with keras-tuner, sized for the device at hand."""

import keras
import keras_tuner

from training.hypermodel import FamilyHyperModel
from zoo.environment import has_gpu

# "cpu": a small search that fits in a developer session on 2 cores; "gpu": the full search. A budget may also
# fix `train_size` (None: the whole training split) and `hyperparameters` (overriding the search).
BUDGETS = {
    "cpu": {"max_trials": 3, "search_epochs": 4, "search_train_size": 1000, "epochs": 40, "patience": 8},
    "gpu": {"max_trials": 12, "search_epochs": 20, "search_train_size": None, "epochs": 100, "patience": 10},
}


def resolve_budget(budget="auto"):
    """The budget dict for `"cpu"`, `"gpu"` or `"auto"` (GPU budget when a GPU is visible); a dict passes through."""
    if isinstance(budget, dict):
        return dict(budget)
    if budget == "auto":
        budget = "gpu" if has_gpu() else "cpu"
    if budget not in BUDGETS:
        raise ValueError(f"Unknown budget {budget!r}; expected 'auto' or one of {sorted(BUDGETS)}.")
    return dict(BUDGETS[budget], name=budget)


def fit_inputs(data, batch_size):
    """`model.fit` keyword arguments for `(x, y)` arrays (with `batch_size`) or a dataset of batches."""
    return {"x": data[0], "y": data[1], "batch_size": batch_size} if isinstance(data, tuple) else {"x": data}


def make_tuner(family, architecture, budget, directory, seed=0, fixed=None):
    """The `RandomSearch` tuner of a search over `FamilyHyperModel(family, architecture, fixed)`, its state in
    `directory/<architecture>_<family>`.

    It never overwrites: an existing search is reloaded, so an interrupted one resumes and a process that joins a
    distributed search late never deletes the others' trials (delete `directory` to start afresh). Under
    keras-tuner's variables (`KERASTUNER_TUNER_ID`, `KERASTUNER_ORACLE_IP`, `KERASTUNER_ORACLE_PORT`) the tuner is
    that process's chief or worker (`training.distributed`).

    Example:
    >>> import tempfile
    >>> from zoo.families import get_family
    >>> tuner = make_tuner(get_family("identity_sum"), "deepsets_trained", resolve_budget("cpu"), tempfile.mkdtemp())
    >>> tuner.project_name
    'deepsets_trained_identity_sum'
    """
    hypermodel = FamilyHyperModel(family, architecture, fixed=fixed)
    return keras_tuner.RandomSearch(
        hypermodel, objective=keras_tuner.Objective(hypermodel.objective, "min"),
        max_trials=budget["max_trials"], seed=seed, directory=str(directory), project_name=hypermodel.name,
        overwrite=False)


def run_trials(tuner, family, budget, seed=0, verbose=2):
    """Run `tuner`'s trials on the family's search data: all of them or, on a worker of a distributed search, those
    its chief hands out, until the chief says the search is over."""
    train = family.load_split("train", size=budget["search_train_size"])
    val = family.load_split("val")
    keras.utils.set_random_seed(seed)
    tuner.search(**fit_inputs(train, family.training.batch_size), validation_data=val,
                 epochs=budget["search_epochs"], verbose=verbose)


def search_results(tuner, budget):
    """`(best hyper-parameters, search summary)` of a tuner whose trials have ended."""
    hypermodel = tuner.hypermodel
    best = tuner.get_best_hyperparameters(1)[0]
    trials = [{"hyperparameters": t.hyperparameters.values, "score": t.score}
              for t in tuner.oracle.get_best_trials(budget["max_trials"])]
    summary = {"tuner": "RandomSearch", "max_trials": budget["max_trials"], "epochs": budget["search_epochs"],
               "train_size": budget["search_train_size"], "objective": hypermodel.objective, "trials": trials}
    return hypermodel.hyperparameters(best), summary


def search(family, architecture, budget, directory, seed=0, fixed=None, verbose=2):
    """Random search over the family's space; returns `(best hyper-parameters, search summary)`.

    The tuner's state lives in `directory`, so an interrupted search resumes where it stopped
    (`training.distributed.distributed_search` runs the same search over several processes).
    """
    tuner = make_tuner(family, architecture, budget, directory, seed=seed, fixed=fixed)
    run_trials(tuner, family, budget, seed=seed, verbose=verbose)
    return search_results(tuner, budget)
