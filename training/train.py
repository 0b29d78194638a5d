"""`zoo train NAME`: search, train the best configuration, evaluate with the harness, write the entry."""

import datetime
import json
from pathlib import Path

import keras

import zoo
from evaluation.cards import refresh_card, write_readme_table
from evaluation.harness import evaluate_model
from training.fit import fit_model
from training.hypermodel import build_compiled
from training.search import has_gpu, resolve_budget, search
from zoo.families import get_family
from zoo.models.architectures import ARCHITECTURE_TITLES
from zoo.registry import get_entry, load_registry, save_registry

DEFAULT_WORK_DIR = Path("runs")


def train_entry(name, budget="auto", output_dir=None, work_dir=DEFAULT_WORK_DIR, seed=0, width=None, verbose=2):
    """Train the registered model `name` from scratch and write its entry folder.

    Steps: a keras-tuner search (size set by `budget`), a checkpointed fit of the best configuration on the full
    training split, the harness's evaluation on the test split, then `zoo.save`. Without `output_dir` the entry
    is written into the package (`zoo/pretrained/<name>`), its hashes and hyper-parameters go into the registry
    and its card into `model_cards/`. Every step resumes from `work_dir` when a run was interrupted. `width`
    fixes the channel-width multiplier instead of the budget's (e.g. 0.25 on a GPU, to ship small weights).

    Returns:
        The entry's `zoo.json` content.
    """
    entry = get_entry(name)
    family = get_family(entry.family)
    budget = resolve_budget(budget)
    budget.update(family.budget_overrides.get(budget["name"], {}))
    work = Path(work_dir) / name
    fixed = {**family.device_hyperparameters.get(budget["name"], {}), **budget.get("hyperparameters", {})}
    if width is not None:
        fixed["width"] = width
    hyperparameters, search_summary = search(family, entry.architecture, budget, work / "search", seed=seed,
                                             fixed=fixed, verbose=verbose)
    keras.utils.set_random_seed(seed)
    model = build_compiled(family, entry.architecture, hyperparameters)
    train, val = family.load_split("train", size=budget.get("train_size")), family.load_split("val")
    model, fit_summary = fit_model(model, family, train, val, epochs=budget["epochs"], patience=budget["patience"],
                                   seed=seed, checkpoint_dir=work / "final", verbose=verbose)
    metrics = evaluate_model(model, family)
    folder = Path(output_dir) / name if output_dir else entry.embedded_dir
    info = zoo.save(
        model, folder, name=name, overwrite=True,
        family=family.name, architecture=entry.architecture, title=ARCHITECTURE_TITLES[entry.architecture],
        paper=family.paper, task=family.task, dataset=family.dataset_info(budget.get("train_size")),
        hyperparameters=hyperparameters, input_spec=family.input_spec, metrics=metrics,
        license={"code": "Apache-2.0", "weights": family.weights_licence,
                 "notes": f"Training data: {family.data_licence}."},
        training={
            "summary": _summary(family, budget, fit_summary, search_summary),
            "budget": budget["name"], "seed": seed, "search": search_summary, "fit": fit_summary,
            "backend": keras.config.backend(), "keras_version": keras.__version__,
            "date": datetime.date.today().isoformat(),
        },
    )
    if output_dir is None:
        info = register_embedded(name, hyperparameters)
        write_readme_table()
    return info


def register_embedded(name, hyperparameters):
    """Record the hyper-parameters of the folder embedded for entry `name` and regenerate its card (which also
    records the folder's hashes in the registry); returns the entry's `zoo.json`."""
    entries = load_registry()
    entries[name].hyperparameters = hyperparameters
    save_registry(entries)
    return refresh_card(name)


def _summary(family, budget, fit, search_summary):
    return (f"{search_summary['tuner']} over {search_summary['max_trials']} trials × {search_summary['epochs']} "
            f"epochs on {search_summary['train_size'] or 'all'} {family.train_size_unit} ({budget['name']} budget), "
            "then "
            f"{fit['epochs_run']} epochs (at most {fit['max_epochs']}; learning rate halved on plateaus, early "
            f"stopping with patience {fit['patience']} on the validation loss, best epoch {fit['best_epoch']} kept), "
            f"batch {fit['batch_size']}, Adam, "
            f"{fit['seconds']:.0f} s on {keras.config.backend()} ({'GPU' if has_gpu() else 'CPU'}).")


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=train_entry.__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--budget", default="auto", choices=["auto", "cpu", "gpu"])
    parser.add_argument("--output-dir")
    parser.add_argument("--work-dir", default=str(DEFAULT_WORK_DIR))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=float, help="channel-width multiplier (default: the budget's)")
    args = parser.parse_args(argv)
    info = train_entry(args.name, args.budget, args.output_dir, args.work_dir, args.seed, args.width)
    print(json.dumps(info["metrics"], indent=2))


if __name__ == "__main__":
    main()
