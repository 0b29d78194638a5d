"""Train one architecture of one family: a keras-tuner search, then a checkpointed fit of the best configuration.

Training knows nothing of evaluation or publishing: `zoo.pipeline` runs train → evaluate → save → card.
"""

import datetime
from pathlib import Path

import keras

from training.fit import fit_model
from training.hypermodel import build_compiled
from training.invariance import INVARIANCE_OBJECTIVE
from training.search import resolve_budget, search
from zoo.environment import environment

DEFAULT_WORK_DIR = Path("runs")


def train_model(family, architecture, budget="auto", work_dir=DEFAULT_WORK_DIR, seed=0, fixed=None, verbose=2):
    """Search the architecture's hyper-parameters, fit the best configuration on the training split, then let the
    family choose what needs no training on the validation split (`Family.after_fit`).

    Steps resume from `work_dir` when a run was interrupted (the tuner's trials, then the fit's checkpoints).

    Args:
        family: the family (`zoo.families`).
        architecture: one of `family.architectures`.
        budget: `"cpu"`, `"gpu"`, `"auto"` or a budget dict (`training.BUDGETS`); the family's plan may adjust it.
        work_dir: folder for the search and the checkpoints of this architecture.
        seed: seed of the search, the initialisation and the fit.
        fixed: hyper-parameters fixed on top of the budget's (e.g. `{"width": 0.25}`).

    Returns:
        `(model, hyperparameters, training)`: the fitted model (best validation loss restored), its
        hyper-parameters, and what to record about the training (`summary`, `budget`, `search`, `fit`, ...).
    """
    budget = resolve_budget(budget)
    budget.update(family.training.budgets.get(budget["name"], {}))
    fixed = {**family.training.device_hyperparameters.get(budget["name"], {}), **budget.get("hyperparameters", {}),
             **(fixed or {})}
    work = Path(work_dir)
    hyperparameters, search_summary = search(family, architecture, budget, work / "search", seed=seed, fixed=fixed,
                                             verbose=verbose)
    keras.utils.set_random_seed(seed)
    model = build_compiled(family, architecture, hyperparameters)
    train, val = family.load_split("train", size=budget.get("train_size")), family.load_split("val")
    model, fit_summary = fit_model(model, family, train, val, epochs=budget["epochs"], patience=budget["patience"],
                                   seed=seed, checkpoint_dir=work / "final", verbose=verbose,
                                   monitor=search_summary["objective"])
    model, hyperparameters, after_fit = family.after_fit(model, architecture, hyperparameters)
    training = {
        "summary": " ".join([_summary(family, budget, fit_summary, search_summary)]
                            + ([after_fit["summary"]] if after_fit else [])),
        "budget": budget["name"], "train_size": budget.get("train_size"), "seed": seed, "search": search_summary,
        "fit": fit_summary, **environment(), "date": datetime.date.today().isoformat(),
        **({"after_fit": after_fit} if after_fit else {}),
    }
    return model, hyperparameters, training


def _summary(family, budget, fit, search_summary):
    invariance = search_summary["objective"] == INVARIANCE_OBJECTIVE
    criterion = "validation loss plus validation order sensitivity" if invariance else "validation loss"
    return (f"{search_summary['tuner']} over {search_summary['max_trials']} trials × {search_summary['epochs']} "
            f"epochs on {search_summary['train_size'] or 'all'} {family.training.train_size_unit} "
            f"({budget['name']} budget){f' ranked by {criterion}' if invariance else ''}, then "
            f"{fit['epochs_run']} epochs (at most {fit['max_epochs']}; learning rate halved on plateaus, early "
            f"stopping with patience {fit['patience']} on the validation loss, the epoch of lowest {criterion} kept: "
            f"{fit['best_epoch']}), "
            f"batch {fit['batch_size']}, Adam, {fit['seconds']:.0f} s on {environment()['backend']} "
            f"({environment()['device']}).")
