"""Train → evaluate → save → card: the one place that runs training and evaluation together.

`training` fits models and knows nothing of evaluation; `evaluation` measures models and writes leaderboards and
cards and knows nothing of training. The steps that need both live here, above them:

- `train_entry`: search and fit an entry (or build an analytic one), measure it with the harness, write its
  entry folder, record it in the registry and render its card;
- `adopt_entry`: ship an entry folder trained on another machine, re-measured here;
- `withhold_entry`: take a trained entry that falls short of the zoo's bar out of the package, keeping its
  measurement for the leaderboard;
- `run_study`: retrain every architecture of a family at several training-set sizes and seeds, for its
  leaderboard;
- `run_sweep`: retrain architectures of a family at several values of one hyper-parameter (e.g. a regulariser's
  weight λ), for its sweep (`evaluation.sweep`).
"""

import datetime
import json
import shutil
from pathlib import Path

import keras

DEFAULT_WORK_DIR = Path("runs")
ANALYTIC_SPLIT = "nothing; the weights are set to an analytic solution, not learned"  # an untrained entry's data


def entry_fields(family, architecture, hyperparameters, train_size=None):
    """The descriptive `zoo.json` fields of an entry of `family`: what it is, its data and its licence (an
    architecture that sets its weights analytically was trained on nothing, whatever the family's training split)."""
    dataset = family.dataset_info(train_size)
    if not family.architectures[architecture].trained:
        dataset = {**dataset, "training_split": ANALYTIC_SPLIT}
    return {"family": family.name, "architecture": architecture, "title": family.title(architecture),
            "paper": family.paper.key, "task": family.description, "dataset": dataset,
            "hyperparameters": hyperparameters, "input_spec": family.input_spec,
            "license": {"code": "Apache-2.0", "weights": family.wording.weights_licence,
                        "notes": f"Training data: {family.wording.data_licence}."}}


def fixed_by_trainer(hyperparameters):
    """The card's sentence on the hyper-parameters the trainer fixed (`zoo train --hp`), which no search chose.

    >>> fixed_by_trainer({"learning_rate": 0.003})
    'Fixed by the trainer (`zoo train --hp`), not searched: learning_rate = 0.003.'
    """
    return f"Fixed by the trainer (`zoo train --hp`), not searched: {_listed(hyperparameters)}."


def _listed(hyperparameters):
    """`"key = value, …"`: hyper-parameters as a card's summary names them."""
    return ", ".join(f"{key} = {value}" for key, value in hyperparameters.items())


def _findings(family, model, architecture):
    findings = family.findings(model, architecture)
    return {"findings": findings} if findings else {}


def _built_analytically(family, architecture, hyperparameters):
    from zoo.environment import environment

    model = family.compile(family.build(architecture, **hyperparameters), hyperparameters.get("learning_rate", 1e-3))
    training = {"summary": "Not trained: the architecture sets its weights to an analytic solution.",
                "budget": None, **environment(), "date": datetime.date.today().isoformat()}
    return model, training


def _unregularised(family, spec):
    """`(name, hyper-parameters)` of the trained entry that `spec` regularises (the same model at weight 0), so that
    the regularised model differs from it by the regulariser alone; `(None, {})` when there is none."""
    from zoo.registry import find_entry

    counterpart = find_entry(family.name, spec.regularises) if spec.regularises else None
    if counterpart is None or not counterpart.pretrained:
        return None, {}
    return counterpart.name, dict(counterpart.hyperparameters)


def _tagged_overrides(entry):
    """The hyper-parameters a tagged entry (`<base>.<tag>`, `zoo.registry.add_tagged_entry`) records apart from
    its default entry's: what makes it another set of weights, fixed when it is trained. `{}` for a default entry."""
    from zoo.registry import get_entry

    if entry.tag is None:
        return {}
    base = get_entry(entry.base).hyperparameters
    return {key: value for key, value in entry.hyperparameters.items() if base.get(key) != value}


def train_entry(name, budget="auto", output_dir=None, work_dir=DEFAULT_WORK_DIR, seed=0, hyperparameters=None,
                verbose=2, distributed=None, devices=None, budget_overrides=None):
    """Train the registered model `name` from scratch and write its entry folder.

    Without `output_dir` the entry is written into the package (`zoo/pretrained/<name>`), its hyper-parameters
    and hashes go into the registry, its card into `model_cards/` and the README's table is regenerated. Every
    step resumes from `work_dir` when a run was interrupted.

    Args:
        name: a registered entry (`zoo.list_models()`).
        budget: `"cpu"`, `"gpu"`, `"auto"` or a budget dict (`training.BUDGETS`).
        output_dir: write the entry folder there instead of into the package.
        work_dir: folder for searches and checkpoints.
        seed: seed of search, initialisation and fit.
        hyperparameters: hyper-parameters fixed on top of the budget's (e.g. `{"width": 0.25}`).
        distributed: search with a keras-tuner chief and this many worker processes (`training.distributed`).
        devices: train data-parallel over this many devices of this machine (`training.devices`).
        budget_overrides: budget fields replacing the budget's (e.g. `{"epochs": 300, "patience": 40}`; `zoo train
            --epochs 300 --patience 40`); the card's command repeats them.

    Returns:
        The entry's `zoo.json` content.
    """
    import zoo
    from evaluation.cards import refresh_card, write_readme_table
    from evaluation.harness import evaluate_model
    from training.train import train_model
    from zoo.families import get_family
    from zoo.registry import get_entry, update_entry

    entry = get_entry(name)
    family = get_family(entry.family)
    spec = family.check_architecture(entry.architecture)
    family.check_hyperparameters(entry.architecture, hyperparameters or {})
    if spec.trained:
        counterpart, shared = _unregularised(family, spec)
        fixed = {**shared, **_tagged_overrides(entry), **(hyperparameters or {})}
        model, chosen, training = train_model(family, entry.architecture, budget, Path(work_dir) / name, seed,
                                              fixed=fixed, verbose=verbose,
                                              distributed=distributed, devices=devices,
                                              budget_overrides=budget_overrides)
        if shared:
            training["summary"] += (f" Hyper-parameters of `{counterpart}` (the same model without the regulariser) "
                                    f"kept: {_listed(shared)}.")
        if hyperparameters:
            training["summary"] += f" {fixed_by_trainer(hyperparameters)}"
            training["fixed_by_trainer"] = dict(hyperparameters)
    else:
        chosen = {**spec.defaults, **(hyperparameters or {})}
        model, training = _built_analytically(family, entry.architecture, chosen)
    metrics = evaluate_model(model, family)
    folder = Path(output_dir) / name if output_dir else entry.embedded_dir
    info = zoo.save(model, folder, name=name, overwrite=True,
                    **entry_fields(family, entry.architecture, chosen, training.get("train_size")),
                    metrics=metrics, training=training, **_findings(family, model, entry.architecture))
    if output_dir is None:
        update_entry(name, hyperparameters=chosen, withheld=None)
        _forget_withheld(name)
        info = refresh_card(name)
        write_readme_table()
    return info


def adopt_entry(folder):
    """Ship the entry folder `folder` (written by `zoo train NAME --output-dir`, e.g. on a GPU machine) as its
    registered entry; returns the `zoo.json` written.

    The weights are copied into the package and re-measured with the harness on this machine (the numbers every
    CPU reproduces; float reductions differ between devices); the training machine's measurement is kept in
    `training.metrics_where_trained`.

    Raises:
        IntegrityError: the folder's files do not match the hashes in its `zoo.json`.
        UnknownModelError: the entry's name is not registered.
        ValueError: the folder's family or architecture differ from the registry's.
    """
    import zoo
    from evaluation.cards import refresh_card, write_readme_table
    from evaluation.harness import evaluate_model
    from zoo.families import get_family
    from zoo.loading import LOCAL_PREFIX
    from zoo.registry import get_entry, update_entry

    model = zoo.load(f"{LOCAL_PREFIX}{folder}")  # checks every file's sha256; compiled for the harness
    info = model.zoo_info
    entry = get_entry(info["name"])
    if (info["family"], info["architecture"]) != (entry.family, entry.architecture):
        raise ValueError(f"{folder} holds a {info['architecture']} model of family {info['family']}; the registry's "
                         f"{entry.name} is a {entry.architecture} model of family {entry.family}.")
    family = get_family(entry.family)
    metrics = evaluate_model(model, family, seeds=_measured_seeds(info))
    training = dict(info.get("training", {}), metrics_where_trained=info.get("metrics"))
    dataset = measured_on(info["dataset"], family.dataset_info())
    zoo.save(model, entry.embedded_dir, name=entry.name, overwrite=True, metrics=metrics, training=training,
             dataset=dataset, **_findings(family, model, entry.architecture))
    update_entry(entry.name, hyperparameters=info["hyperparameters"], withheld=None)
    _forget_withheld(entry.name)
    info = refresh_card(entry.name)
    write_readme_table()
    return info


def measured_on(trained, current):
    """An entry's `dataset` record once re-measured on the family's `current` test data: its training data as it
    was, the evaluation split of today (named, when it comes from other data than the training).

    Example:
    >>> measured_on(info["dataset"], get_family(info["family"]).dataset_info())["evaluation_split"]
    """
    evaluation = current["evaluation_split"]
    if current["name"] != trained["name"]:
        evaluation = f"{evaluation}, of {current['name']}"
    return {**trained, "evaluation_split": evaluation}


def _measured_seeds(info):
    """The test seeds an entry folder was measured on (the harness's default for a folder never measured)."""
    from evaluation.harness import DEFAULT_SEEDS

    return info.get("metrics", {}).get("seeds", list(DEFAULT_SEEDS))


def _forget_withheld(name):
    """Drop the withheld record of an entry that ships again."""
    from evaluation.cards import withheld_path

    withheld_path(name).unlink(missing_ok=True)


def withhold_entry(name, reason, folder=None):
    """Withhold entry `name`: its weights stop shipping, its measurement stays in the leaderboard.

    The entry (the embedded copy, or `folder` written by `zoo train NAME --output-dir`) is re-measured by the
    harness on this machine and its `zoo.json` (less the file hashes) is kept in
    `evaluation/results/withheld/<name>.json`, from which the leaderboard writes its rows, marked withheld. The
    embedded copy and the card are removed; the registry forgets the hashes and records `reason`, which
    `zoo.load(name)` gives. Rewrite the family's leaderboard afterwards (`zoo leaderboard FAMILY --write-only`).

    Args:
        name: a registered entry.
        reason: why it does not ship, in a sentence (e.g. "accuracy 0.19 is below the trivial baseline's 0.33.").
        folder: an entry folder of `name` trained elsewhere; default the embedded copy.

    Returns:
        The record written.
    """
    import zoo
    from evaluation.cards import MODEL_CARDS_DIR, withheld_path, write_readme_table
    from evaluation.harness import evaluate_model
    from zoo.environment import environment
    from zoo.families import get_family
    from zoo.loading import LOCAL_PREFIX
    from zoo.registry import get_entry, update_entry

    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("withhold_entry needs the reason in a sentence; the registry shows it to users.")
    entry = get_entry(name)
    folder = Path(folder) if folder else entry.embedded_dir
    model = zoo.load(f"{LOCAL_PREFIX}{folder}")  # checks every file's sha256
    info = model.zoo_info
    if (info["name"], info["family"], info["architecture"]) != (entry.name, entry.family, entry.architecture):
        raise ValueError(f"{folder} holds {info['name']} ({info['architecture']}, family {info['family']}), not "
                         f"{entry.name} ({entry.architecture}, family {entry.family}).")
    family = get_family(entry.family)
    metrics = evaluate_model(model, family, seeds=_measured_seeds(info))
    record = {**{k: v for k, v in info.items() if k != "files"}, "metrics": metrics, "withheld": reason.strip(),
              "dataset": measured_on(info["dataset"], family.dataset_info()),
              "measured_on": environment(), "date_withheld": datetime.date.today().isoformat()}
    path = withheld_path(entry.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    update_entry(entry.name, hyperparameters=info["hyperparameters"], sha256={}, withheld=reason.strip())
    if entry.embedded_dir.is_dir():
        shutil.rmtree(entry.embedded_dir)
    (MODEL_CARDS_DIR / f"{entry.name}.md").unlink(missing_ok=True)
    write_readme_table()
    return record


def _fit_and_measure(family, architecture, hyperparameters, train, val, seed, checkpoint_dir, epochs, patience,
                     verbose):
    """One run of a study or a sweep: a fresh model of `architecture` seeded with `seed`, fitted with early stopping
    on `val` and measured by the harness on test seed 1. Returns `(model, fit summary, {metric: value})`."""
    from evaluation.harness import evaluate_model
    from training.fit import fit_model
    from training.hypermodel import build_compiled

    keras.utils.set_random_seed(seed)
    model = build_compiled(family, architecture, hyperparameters)
    model, fit = fit_model(model, family, train, val, epochs=epochs, patience=patience, seed=seed,
                           checkpoint_dir=checkpoint_dir, verbose=verbose)
    measured = evaluate_model(model, family, seeds=(1,))
    metrics = {key: stats["mean"] for key, stats in measured.items() if isinstance(stats, dict)}
    primary = family.task.primary
    print(f"{Path(checkpoint_dir).name}: {primary}={metrics[primary]:.4f} ({fit['epochs_run']} "
          f"epochs, {fit['seconds']:.0f} s)", flush=True)
    return model, fit, metrics


def run_study(family_name, train_sizes=None, seeds=None, architectures=None, work_dir="runs/study", epochs=30,
              patience=5, verbose=0):
    """Train and evaluate every (architecture, training-set size, seed) not yet in the family's runs file.

    Each run uses the registered hyper-parameters of the architecture's entry (with the family's
    `study_hyperparameters` on top, e.g. a smaller width so that dozens of runs fit a CPU budget), trains on the
    first `size` training examples with early stopping on the val split, and is evaluated by the harness on test
    seed 1; the run is appended to `evaluation/results/<family>_runs.jsonl`.
    """
    from evaluation.leaderboard import read_runs, record_run
    from zoo.environment import environment
    from zoo.families import get_family
    from zoo.registry import load_registry

    family = get_family(family_name)
    plan = family.leaderboard
    entries = {e.architecture: e for e in load_registry().values() if e.family == family_name and e.tag is None}
    done = {(r["model"], r["train_size"], r["seed"]) for r in read_runs(family_name)}
    val = family.load_split("val")
    for architecture in architectures or family.architectures:
        entry = entries[architecture]
        for size in train_sizes or plan.study_sizes:
            train = family.load_split("train", size=size)
            for seed in seeds or plan.study_seeds:
                if (entry.name, size, seed) in done:
                    continue
                hyperparameters = {**entry.hyperparameters, **plan.study_hyperparameters}
                model, fit, metrics = _fit_and_measure(
                    family, architecture, hyperparameters, train, val, seed,
                    Path(work_dir) / family_name / f"{entry.name}_{size}_{seed}", epochs, patience, verbose)
                record_run(family_name, {
                    "model": entry.name, "architecture": architecture, "train_size": size, "seed": seed,
                    "metrics": metrics, "param_count": model.count_params(), "hyperparameters": hyperparameters,
                    "fit": fit, **environment(), "date": datetime.date.today().isoformat()})


def run_sweep(family_name, axes, seeds=(0, 1, 2), work_dir="runs/sweep", budget="cpu", hyperparameters=None,
              verbose=0):
    """Train and evaluate every (architecture, value, seed) of `axes` not yet in the family's sweep runs file
    (`evaluation.sweep`; `write_sweep` then summarises and plots them).

    Args:
        family_name: a registered family.
        axes: `[(architecture, hyper-parameter, values), ...]` (see `evaluation.sweep.parse_axis`).
        seeds: initialisation and fit seeds of each value.
        work_dir: checkpoints of the runs.
        budget: the training budget whose `epochs` and `patience` every run uses (with the family's own plan).
        hyperparameters: others fixed in every run (e.g. `{"learning_rate": 0.01}`), over the defaults.

    Each run starts from the architecture's default hyper-parameters (updated with `hyperparameters`) with the
    swept one set, fits the training split with early stopping on the validation split, and is evaluated by the
    harness on test seed 1.
    """
    from evaluation.sweep import read_sweep_runs, record_sweep_run, sweep_paths
    from training.search import resolve_budget
    from zoo.environment import environment
    from zoo.families import get_family

    family = get_family(family_name)
    for architecture, name, _ in axes:  # every axis checked before any run trains
        family.check_hyperparameters(architecture, [name, *(hyperparameters or {})])
    plan = resolve_budget(budget)
    plan.update(family.training.budgets.get(plan["name"], {}))
    done = {(r["architecture"], r["value"], r["seed"]): r["hyperparameters"] for r in read_sweep_runs(family_name)}
    train, val = family.load_split("train"), family.load_split("val")
    for architecture, name, values in axes:
        defaults = family.check_architecture(architecture).defaults
        for value in values:
            for seed in seeds:
                chosen = {**defaults, **(hyperparameters or {}), name: value}
                if (architecture, value, seed) in done:
                    if done[architecture, value, seed] != chosen:  # the table summarises runs of one setting
                        raise ValueError(
                            f"The {family_name} sweep already holds {architecture} {name}={value:g} seed {seed} "
                            f"with {done[architecture, value, seed]}, not {chosen}: sweep with the same --hp, or move "
                            f"{sweep_paths(family_name)[0]} aside.")
                    continue
                _, fit, metrics = _fit_and_measure(
                    family, architecture, chosen, train, val, seed,
                    Path(work_dir) / family_name / f"{architecture}_{name}_{value:g}_{seed}", plan["epochs"],
                    plan["patience"], verbose)
                record_sweep_run(family_name, {
                    "architecture": architecture, "hyperparameter": name, "value": value, "seed": seed,
                    "metrics": metrics, "hyperparameters": chosen, "fit": fit, **environment(),
                    "date": datetime.date.today().isoformat()})
