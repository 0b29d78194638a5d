"""Leaderboards, one CSV per task, written by the harness: timm-style, one row per model (and training size).

Two kinds, chosen by the family (`Family.leaderboard_kind`):

- `"study"`: every architecture is trained at several training-set sizes and seeds (the paper's accuracy-vs-size
  figures). Each finished run is appended to `evaluation/results/<family>_runs.jsonl` (a killed study resumes and
  every number traces back to its run); the CSV is computed from those runs.
- `"entries"`: the shipped entries are evaluated by the harness over several test seeds (the paper's tables).

    python -m evaluation.leaderboard signals --sizes 300 1000 --seeds 0 1 2
    python -m evaluation.leaderboard ucf101
"""

import argparse
import datetime
import json
import platform
from pathlib import Path

import keras
import pandas as pd

import zoo
from evaluation.cards import RESULTS_DIR, leaderboard_path, refresh_cards
from evaluation.harness import DEFAULT_SEEDS, evaluate_baseline, evaluate_model, summarize
from training.fit import fit_model
from training.hypermodel import build_compiled
from training.search import has_gpu
from zoo.families import get_family
from zoo.models.architectures import ARCHITECTURE_TITLES
from zoo.registry import load_registry

STUDY_EPOCHS, STUDY_PATIENCE = 30, 5
COLUMNS = ["model", "architecture", "train_size", "metric", "mean", "std", "n_seeds", "param_count", "width",
           "paper", "paper_note", "note", "training_data", "test_data", "backend", "keras_version", "device"]


def runs_path(family):
    return RESULTS_DIR / f"{family}_runs.jsonl"


def read_runs(family):
    """Finished runs of a family's study, as a list of dicts."""
    path = runs_path(family)
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []


def run_study(family_name, train_sizes, seeds, architectures=None, work_dir="runs/study", epochs=STUDY_EPOCHS,
              patience=STUDY_PATIENCE, verbose=0):
    """Train and evaluate every (architecture, training-set size, seed) not yet in the runs file.

    Each run uses the registered hyper-parameters of the architecture's entry (with the family's
    `study_hyperparameters` on top, e.g. a smaller width so that dozens of runs fit a CPU budget), trains on the
    first `size` sets of the training split with early stopping on the val split, and is evaluated by the harness
    on the paper's test split (test seed 1).
    """
    family = get_family(family_name)
    entries = {e.architecture: e for e in load_registry().values() if e.family == family_name}
    done = {(r["model"], r["train_size"], r["seed"]) for r in read_runs(family_name)}
    val = family.load_split("val")
    for architecture in architectures or family.architectures:
        entry = entries[architecture]
        for size in train_sizes:
            train = family.load_split("train", size=size)
            for seed in seeds:
                if (entry.name, size, seed) in done:
                    continue
                hyperparameters = {**entry.hyperparameters, **family.study_hyperparameters}
                keras.utils.set_random_seed(seed)
                model = build_compiled(family, architecture, hyperparameters)
                model, fit = fit_model(model, family, train, val, epochs=epochs, patience=patience, seed=seed,
                                       checkpoint_dir=Path(work_dir) / family_name / f"{entry.name}_{size}_{seed}",
                                       verbose=verbose)
                metrics = evaluate_model(model, family, seeds=(1,))
                run = {
                    "model": entry.name, "architecture": architecture, "train_size": size, "seed": seed,
                    "metric": family.metric, "value": metrics[family.metric]["mean"],
                    "param_count": model.count_params(), "hyperparameters": hyperparameters, "fit": fit,
                    **_environment(), "date": datetime.date.today().isoformat(),
                }
                RESULTS_DIR.mkdir(parents=True, exist_ok=True)
                with open(runs_path(family_name), "a") as handle:
                    handle.write(json.dumps(run) + "\n")
                print(f"{entry.name} size={size} seed={seed}: {family.metric}={run['value']:.4f} "
                      f"({fit['epochs_run']} epochs, {fit['seconds']:.0f} s)", flush=True)


def _environment():
    return {"backend": keras.config.backend(), "keras_version": keras.__version__,
            "device": "GPU" if has_gpu() else f"CPU ({platform.machine()})"}


def unavailable_leaderboard(family):
    """Rows for a family whose data the zoo cannot obtain: the paper's numbers, ours empty, and why."""
    rows = []
    for entry in sorted((e for e in load_registry().values() if e.family == family.name),
                        key=lambda e: family.architectures.index(e.architecture)):
        model = family.build(entry.architecture, **entry.hyperparameters, edges=[])
        rows.append({"model": entry.name, "architecture": ARCHITECTURE_TITLES[entry.architecture],
                     "metric": family.metric, "n_seeds": 0, "param_count": model.count_params(),
                     "width": entry.hyperparameters.get("width"),
                     "paper": family.paper_results.get(entry.architecture)})
    rows += [{"model": f"baseline:{name}", "architecture": f"trivial {name.replace('_', ' ')} predictor",
              "metric": family.metric, "n_seeds": 0, "param_count": 0,
              "paper": family.paper_results.get(f"baseline:{name}")} for name in family.baselines]
    info = family.dataset_info()
    for row in rows:
        row.update(paper_note=family.paper_note, note=f"not measured: {family.unavailable_reason}",
                   training_data=info["training_split"], test_data=info["evaluation_split"], **_environment())
    return pd.DataFrame(rows, columns=COLUMNS)


def entries_leaderboard(family_name, seeds=DEFAULT_SEEDS):
    """One row per pretrained entry of the family, and one per trivial baseline: the harness's metric over `seeds`
    test draws (an entry's recorded harness measurement when it was taken over the same seeds)."""
    family = get_family(family_name)
    if family.unavailable_reason:
        return unavailable_leaderboard(family)
    entries = sorted((e for e in load_registry().values() if e.family == family_name and e.pretrained),
                     key=lambda e: family.architectures.index(e.architecture))
    rows = []
    for entry in entries:
        model = zoo.load(entry.name)
        recorded = model.zoo_info.get("metrics", {})  # the harness's measurement, re-checked by tests
        stats = (recorded if recorded.get("seeds") == list(seeds) else evaluate_model(model, family, seeds))[
            family.metric]
        data = model.zoo_info["dataset"]
        rows.append({
            "model": entry.name, "architecture": ARCHITECTURE_TITLES[entry.architecture],
            "train_size": family.entry_train_size, "metric": family.metric, "mean": round(stats["mean"], 4),
            "std": round(stats["std"], 4), "n_seeds": len(seeds), "param_count": model.count_params(),
            "width": entry.hyperparameters.get("width"), "paper": family.paper_results.get(entry.architecture),
            "paper_note": family.paper_note, "training_data": f"{data['name']}: {data['training_split']}",
            "test_data": data["evaluation_split"], **_environment(),
        })
    data = family.dataset_info()
    for name in family.baselines:
        stats = evaluate_baseline(family, name, seeds)[family.metric]
        rows.append({
            "model": f"baseline:{name}", "architecture": f"trivial {name.replace('_', ' ')} predictor",
            "train_size": 0, "metric": family.metric, "mean": round(stats["mean"], 4), "std": round(stats["std"], 4),
            "n_seeds": len(seeds), "param_count": 0, "width": None,
            "paper": family.paper_results.get(f"baseline:{name}"), "paper_note": family.paper_note,
            "training_data": "none (no training)", "test_data": data["evaluation_split"], **_environment(),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def leaderboard(family_name):
    """The leaderboard table of a family with a study, computed from its runs file."""
    family = get_family(family_name)
    runs = read_runs(family_name)
    rows = []
    order = {(r["model"], r["train_size"]): (family.architectures.index(r["architecture"]), r["train_size"])
             for r in runs}
    for model, size in sorted(order, key=order.get):
        group = [r for r in runs if r["model"] == model and r["train_size"] == size]
        stats = summarize([r["value"] for r in group])
        first = group[0]
        data = family.dataset_info(size)
        rows.append({
            "model": model, "architecture": ARCHITECTURE_TITLES[first["architecture"]], "train_size": size,
            "metric": first["metric"], "mean": round(stats["mean"], 4), "std": round(stats["std"], 4),
            "n_seeds": len(group), "param_count": first["param_count"],
            "width": first["hyperparameters"].get("width"),
            "paper": family.paper_results.get(first["architecture"]),
            "paper_note": family.paper_note,
            "training_data": f"{data['name']}: {data['training_split']}",
            "test_data": family.study_test_data,
            "backend": first["backend"], "keras_version": first["keras_version"], "device": first["device"],
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def plot_leaderboard(table, path):
    """Metric against training-set size, one line per model with ± std error bars (the paper's Fig. 4 view)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.5))
    for _, rows in table.groupby("model", sort=False):
        axis.errorbar(rows["train_size"], rows["mean"], yerr=rows["std"], marker="o", capsize=3,
                      label=rows["architecture"].iloc[0])
    axis.set_xscale("log")
    axis.set_xlabel("training sets")
    axis.set_ylabel(f"test {table['metric'].iloc[0]}")
    axis.set_title(f"{path.stem}: mean ± std over seeds (zoo harness)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_entries(table, path):
    """Our metric per model (± std over seeds) beside the paper's, as grouped bars (the paper's table view)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axis = plt.subplots(figsize=(7, 4))
    positions = np.arange(len(table))
    axis.bar(positions - 0.2, table["mean"], 0.4, yerr=table["std"], capsize=3, label="zoo (harness)")
    axis.bar(positions + 0.2, table["paper"].fillna(0), 0.4, label="paper")
    axis.set_xticks(positions, table["architecture"], rotation=20)
    axis.set_ylabel(table["metric"].iloc[0])
    axis.set_title(f"{path.stem}: {table['paper_note'].iloc[0]}", fontsize=8)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_leaderboard(family_name):
    """Write the family's leaderboard CSV (and its PNG plot), then refresh the family's cards."""
    family = get_family(family_name)
    study = family.leaderboard_kind == "study"
    table = leaderboard(family_name) if study else entries_leaderboard(family_name)
    path = leaderboard_path(family_name)
    table.to_csv(path, index=False)
    if len(table):
        (plot_leaderboard if study else plot_entries)(table, path.with_suffix(".png"))
    refresh_cards(family_name)
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run a family's study and write its leaderboard CSV.")
    parser.add_argument("family")
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--architectures", nargs="+")
    parser.add_argument("--work-dir", default="runs/study")
    parser.add_argument("--write-only", action="store_true", help="only rewrite the CSV and cards from the runs")
    args = parser.parse_args(argv)
    if not args.write_only and get_family(args.family).leaderboard_kind == "study":
        run_study(args.family, args.sizes, args.seeds, args.architectures, args.work_dir)
    print(write_leaderboard(args.family).to_string(index=False))


if __name__ == "__main__":
    main()
