"""Train one architecture of one family: a keras-tuner search, then a checkpointed fit of the best configuration.

Training knows nothing of evaluation or publishing: `zoo.pipeline` runs train → evaluate → save → card.
"""

import datetime
from pathlib import Path

import keras

from training.devices import check_batch_size, data_parallel, divisible
from training.fit import fit_model
from training.hypermodel import build_compiled
from training.invariance import INVARIANCE_OBJECTIVE
from training.search import resolve_budget, search
from zoo.data import count_examples
from zoo.environment import environment
from zoo.train_options import budget_options

DEFAULT_WORK_DIR = Path("runs")


def train_model(family, architecture, budget="auto", work_dir=DEFAULT_WORK_DIR, seed=0, fixed=None, verbose=2,
                distributed=None, devices=None, budget_overrides=None):
    """Search the architecture's hyper-parameters, fit the best configuration on the training split, then let the
    family choose what needs no training on the validation split (`Family.after_fit`).

    Steps resume from `work_dir` when a run was interrupted (the tuner's trials, then the fit's checkpoints).

    Args:
        family: the family (`zoo.families`).
        architecture: one of `family.architectures`.
        budget: `"cpu"`, `"gpu"`, `"auto"` or a budget dict (`training.BUDGETS`); the family's plan may adjust it.
        budget_overrides: budget fields replacing the budget's and the plan's (`zoo.train_options.BUDGET_OPTIONS`:
            `max_trials`, `search_epochs`, `epochs`, `patience`), recorded beside the budget's name.
        work_dir: folder for the search and the checkpoints of this architecture.
        seed: seed of the search, the initialisation and the fit.
        fixed: hyper-parameters fixed on top of the budget's (e.g. `{"width": 0.25}`).
        distributed: number of worker processes to search with, beside a keras-tuner chief
            (`training.distributed`); None: search in this process.
        devices: fit data-parallel over this many devices of this machine (`training.devices`), on splits cut to
            a multiple of `devices` sets (the search runs on one device); None or 1: one device.

    Returns:
        `(model, hyperparameters, training)`: the fitted model (best validation loss restored; a single-device
        copy after data-parallel training), its hyper-parameters, and what to record about the training (`summary`,
        `budget`, `search`, `fit`, `devices` when more than one, ...).
    """
    budget = resolve_budget(budget)
    budget.update(family.training.budgets.get(budget["name"], {}))
    budget_options(budget_overrides or {})  # rejects fields `zoo train` cannot repeat
    budget.update(budget_overrides or {})
    fixed = {**family.training.budget_hyperparameters(budget["name"]), **budget.get("hyperparameters", {}),
             **(fixed or {})}
    work = Path(work_dir)
    if distributed is None:
        hyperparameters, search_summary = search(family, architecture, budget, work / "search", seed=seed,
                                                 fixed=fixed, verbose=verbose)
    else:
        # Imported here: `python -m training.distributed` runs the module, which must not be imported before.
        from training.distributed import distributed_search

        hyperparameters, search_summary = distributed_search(family, architecture, budget, work / "search",
                                                             distributed, seed=seed, fixed=fixed, verbose=verbose)
    keras.utils.set_random_seed(seed)
    parallel = devices is not None and devices > 1
    # Only the fit is data-parallel: keras-tuner clears the Keras session before building each trial's model, which
    # drops a JAX distribution and a TensorFlow strategy's scope, so the search's short trials run on one device.
    with data_parallel(devices):  # before the model is built: its variables go where the distribution says
        model = build_compiled(family, architecture, hyperparameters)
        train, val = family.load_split("train", size=budget.get("train_size")), family.load_split("val")
        search_summary = searched_on(search_summary, train, budget)
        if parallel:
            check_batch_size(family.training.batch_size, devices)
            train, val = divisible(train, devices), divisible(val, devices)
        model, fit_summary = fit_model(model, family, train, val, epochs=budget["epochs"],
                                       patience=budget["patience"], seed=seed, checkpoint_dir=work / "final",
                                       verbose=verbose, monitor=search_summary["objective"])
    if parallel:  # what follows (after_fit, evaluation, saving) runs on one device, as for any other entry
        model = single_device_copy(model, family, architecture, hyperparameters)
    model, hyperparameters, after_fit = family.after_fit(model, architecture, hyperparameters)
    training = {
        "summary": " ".join([_summary(family, budget, fit_summary, search_summary, budget_overrides)]
                            + ([f"Fitted data-parallel over {devices} devices (training and validation splits cut "
                                f"to a multiple of {devices} sets)."] if parallel else [])
                            + ([after_fit["summary"]] if after_fit else [])),
        "budget": budget["name"], **({"budget_overrides": dict(budget_overrides)} if budget_overrides else {}),
        "train_size": budget.get("train_size"), "seed": seed, "search": search_summary,
        "fit": fit_summary, **({"devices": devices} if parallel else {}), **environment(),
        "date": datetime.date.today().isoformat(),
        **({"after_fit": after_fit} if after_fit else {}),
    }
    return model, hyperparameters, training


def searched_on(search_summary, train, budget):
    """`search_summary` with its `train_size` no larger than the training split it was cut from.

    A budget's `search_train_size` caps the search's examples (1,000 on the cpu budget); a family with fewer (200
    for `sum_small`) searched on all of them, and its card should say so. `train` is the fit's training split,
    `(x, y)` arrays with the examples on axis 0; a `PyDataset`, or a fit on part of the split (a budget's
    `train_size`), leaves the summary as it is.

    Example:
    >>> import numpy as np
    >>> searched_on({"train_size": 1000}, (np.zeros((200, 10)), np.zeros(200)), {})["train_size"]
    200
    """
    size = search_summary.get("train_size")
    if size is None or budget.get("train_size") is not None or not isinstance(train, tuple):
        return search_summary
    return {**search_summary, "train_size": min(size, count_examples(train[0]))}


def single_device_copy(model, family, architecture, hyperparameters):
    """A freshly built and compiled copy of `model`, with its weights, made outside any distribution, so that
    what follows the training (evaluation, saving) sees an ordinary one-device model whatever trained it: a model
    created under a TensorFlow strategy keeps splitting every later `predict` and `evaluate` over its replicas."""
    copy = build_compiled(family, architecture, hyperparameters)
    copy.set_weights(model.get_weights())
    return copy


def _counted(number, noun):
    """`"1 trial"`, `"3 trials"`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(family, budget, fit, search_summary, budget_overrides=None):
    invariance = search_summary["objective"] == INVARIANCE_OBJECTIVE
    criterion = "validation loss plus validation order sensitivity" if invariance else "validation loss"
    # The trials run: fewer than `max_trials` when the space has fewer points (every hyper-parameter fixed: one).
    trials = len(search_summary.get("trials") or []) or search_summary["max_trials"]
    overridden = f" with {' '.join(budget_options(budget_overrides))}" if budget_overrides else ""
    return (f"{search_summary['tuner']} over {_counted(trials, 'trial')} × "
            f"{_counted(search_summary['epochs'], 'epoch')} "
            f"on {search_summary['train_size'] or 'all'} {family.training.train_size_unit} "
            f"({budget['name']} budget{overridden})"
            f"{f' ranked by {criterion}' if invariance else ''}, then "
            f"{_counted(fit['epochs_run'], 'epoch')} (at most {fit['max_epochs']}; learning rate halved on plateaus, "
            f"early stopping with patience {fit['patience']} on the validation loss, the epoch of lowest {criterion} "
            f"kept: {fit['best_epoch']}), "
            f"batch {fit['batch_size']}, Adam, {fit['seconds']:.0f} s on {environment()['backend']} "
            f"({environment()['device']}).")
