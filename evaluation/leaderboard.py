"""Leaderboards, one CSV per task, written from the harness's measurements: timm-style, generated, never typed.

This module owns every leaderboard row. A row is one measurement: a model (or a trivial baseline), its
training-set size, a metric, and for curves the set size it was measured at, with the paper's number beside it.
Two kinds, chosen by the family (`LeaderboardPlan.kind`):

- `"entries"`: the shipped entries evaluated by the harness over several test seeds (the paper's tables and
  curves);
- `"study"`: every architecture retrained at several training-set sizes and seeds (the paper's metric-vs-size
  figures). Each finished run is appended to `evaluation/results/<family>_runs.jsonl` (`record_run`), so a killed
  study resumes and every number traces back to its run; the CSV is computed from those runs.

    python -m evaluation.leaderboard signals
"""

import argparse
import json
import textwrap

import pandas as pd

import zoo
from evaluation.cards import RESULTS_DIR, leaderboard_path, read_withheld, refresh_cards
from evaluation.harness import DEFAULT_SEEDS, evaluate_baseline, evaluate_model, summarize
from zoo.environment import environment
from zoo.families import get_family
from zoo.metrics import at_set_size, split_key
from zoo.registry import load_registry, split_name

SHIPPED = "shipped entry"  # the note of a study leaderboard's rows for the entries the package ships
WITHHELD = "withheld"  # the note of a trained entry's rows that fell short of the zoo's bar: measured, not shipped
COLUMNS = ["model", "architecture", "train_size", "set_size", "metric", "mean", "std", "n_seeds", "param_count",
           "hyperparameters", "paper", "paper_note", "note", "training_data", "test_data", "backend",
           "keras_version", "device"]
ORDER_SENSITIVITY = "order_sensitivity"  # the harness's mean |f(x) − f(πx)|, a column where a family measures it


def runs_path(family_name):
    return RESULTS_DIR / f"{family_name}_runs.jsonl"


def read_runs(family_name):
    """Finished runs of a family's study, as a list of dicts."""
    path = runs_path(family_name)
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []


def record_run(family_name, run):
    """Append one finished study run (`model`, `architecture`, `train_size`, `seed`, `metrics`, ...)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(runs_path(family_name), "a") as handle:
        handle.write(json.dumps(run) + "\n")


def _listed(family, key):
    """Whether a metric key gets a leaderboard row: every plain metric, and the primary metric along a curve (the
    order sensitivity is a column of the rows, not a row)."""
    metric, set_size = split_key(key)
    return metric != ORDER_SENSITIVITY and (set_size is None or metric == family.task.primary)


def columns(family):
    """The leaderboard's columns: `COLUMNS`, and the order sensitivity where the family measures it."""
    return COLUMNS + ([ORDER_SENSITIVITY] if family.leaderboard.order_sensitivity else [])


def measurement_rows(family, row, measured, paper_key):
    """One row per listed metric of `measured` (`{key: summary}`), on top of the common fields of `row`; each
    row carries the order sensitivity measured on the same test sets (at its set size), when there is one."""
    rows = []
    for key, stats in measured.items():
        if not isinstance(stats, dict) or not _listed(family, key):
            continue
        metric, set_size = split_key(key)
        sensitivity = measured.get(ORDER_SENSITIVITY if set_size is None else at_set_size(ORDER_SENSITIVITY,
                                                                                          set_size))
        rows.append({**row, "metric": metric, "set_size": set_size, "mean": round(stats["mean"], 4),
                     "std": round(stats["std"], 4), "n_seeds": len(stats["values"]),
                     "paper": family.paper_result(paper_key, metric, set_size),
                     "paper_note": family.leaderboard.paper_note,
                     **({ORDER_SENSITIVITY: round(sensitivity["mean"], 4)} if sensitivity else {})})
    return rows


def _recorded(family, model, seeds):
    """The harness's measurement recorded in an entry's `zoo.json`, when it holds everything the leaderboard
    shows over the same seeds (else None)."""
    recorded = model.zoo_info.get("metrics", {})
    complete = ORDER_SENSITIVITY in recorded or not family.leaderboard.order_sensitivity
    return recorded if recorded.get("seeds") == list(seeds) and complete else None


def _entries(family, pretrained=True):
    entries = [e for e in load_registry().values() if e.family == family.name and (e.pretrained or not pretrained)]
    return sorted(entries, key=lambda e: list(family.architectures).index(e.architecture))


def _hyperparameters(values):
    return json.dumps(values, sort_keys=True) if values else None


def _entry_row(family, entry, info, param_count):
    """The common fields of an entry's rows, from its `zoo.json` (or its withheld record)."""
    data = info["dataset"]
    return {"model": entry.name, "architecture": family.title(entry.architecture),
            "train_size": data.get("train_size") or family.entry_train_size(), "param_count": param_count,
            "hyperparameters": _hyperparameters(info.get("hyperparameters") or entry.hyperparameters),
            "training_data": f"{data['name']}: {data['training_split']}", "test_data": data["evaluation_split"],
            **environment()}


def entry_rows(family, seeds=DEFAULT_SEEDS):
    """Rows of the family's pretrained entries: the harness's metrics over `seeds` test draws (an entry's recorded
    harness measurement when it was taken over the same seeds)."""
    rows = []
    for entry in _entries(family):
        model = zoo.load(entry.name)
        measured = _recorded(family, model, seeds) or evaluate_model(model, family, seeds)  # re-checked by tests
        row = _entry_row(family, entry, model.zoo_info, model.count_params())
        rows += measurement_rows(family, row, measured, entry.architecture)
    return rows


def withheld_rows(family):
    """Rows of the family's withheld entries: the harness's measurement recorded when they were withheld, with the
    reason in the note."""
    rows = []
    for entry in _entries(family, pretrained=False):
        record = read_withheld(entry.name) if entry.withheld else None
        if record:
            row = dict(_entry_row(family, entry, record, record["param_count"]), note=f"{WITHHELD}: {entry.withheld}",
                       **record["measured_on"])
            rows += measurement_rows(family, row, record["metrics"], entry.architecture)
    return rows


def baseline_rows(family, seeds=DEFAULT_SEEDS):
    """Rows of the family's trivial baselines, measured on the same test draws as the entries."""
    rows = []
    for name in family.baselines:
        row = {"model": f"baseline:{name}", "architecture": f"trivial {name.replace('_', ' ')} predictor",
               "train_size": 0, "param_count": 0, "training_data": "none (no training)",
               "test_data": family.dataset_info()["evaluation_split"], **environment()}
        rows += measurement_rows(family, row, evaluate_baseline(family, name, seeds), f"baseline:{name}")
    return rows


def unavailable_rows(family):
    """Rows for a family whose data the zoo cannot obtain: the paper's numbers, ours empty, and why."""
    info = family.dataset_info()
    common = {"metric": family.task.primary, "n_seeds": 0, "paper_note": family.leaderboard.paper_note,
              "note": f"not measured: {family.wording.unavailable_reason}", "training_data": info["training_split"],
              "test_data": info["evaluation_split"], **environment()}
    rows = [{**common, "model": entry.name, "architecture": family.title(entry.architecture),
             "param_count": family.example_model(entry.architecture, entry.hyperparameters).count_params(),
             "hyperparameters": _hyperparameters(entry.hyperparameters),
             "paper": family.paper_result(entry.architecture, family.task.primary)}
            for entry in _entries(family, pretrained=False)]
    rows += [{**common, "model": f"baseline:{name}", "architecture": f"trivial {name.replace('_', ' ')} predictor",
              "param_count": 0, "paper": family.paper_result(f"baseline:{name}", family.task.primary)}
             for name in family.baselines]
    return rows


def study_rows(family):
    """Rows of a family's study: each (model, training-set size) summarised over its seeds, from the runs file."""
    runs = read_runs(family.name)
    order = list(family.architectures)
    groups = {}
    for run in sorted(runs, key=lambda r: (order.index(r["architecture"]), r["train_size"])):
        groups.setdefault((run["model"], run["train_size"]), []).append(run)
    rows = []
    for (model, size), group in groups.items():
        first = group[0]
        data = family.dataset_info(size)
        measured = {key: summarize([r["metrics"][key] for r in group]) for key in first["metrics"]}
        row = {"model": model, "architecture": family.title(first["architecture"]), "train_size": size,
               "param_count": first["param_count"], "hyperparameters": _hyperparameters(first["hyperparameters"]),
               "training_data": f"{data['name']}: {data['training_split']}",
               "test_data": family.leaderboard.study_test_data,
               **{k: first[k] for k in ("backend", "keras_version", "device")}}
        rows += measurement_rows(family, row, measured, first["architecture"])
    return rows


def leaderboard(family_name, seeds=DEFAULT_SEEDS):
    """The leaderboard table of a family: its study, or its entries and baselines (or why nothing is measured)."""
    family = get_family(family_name)
    if family.leaderboard.kind == "study":  # the study's runs, then what ships (often trained on more data)
        rows = study_rows(family) + [dict(row, note=SHIPPED) for row in entry_rows(family, seeds)]
        rows += withheld_rows(family)
    elif family.wording.unavailable_reason:
        rows = unavailable_rows(family)
    else:
        rows = entry_rows(family, seeds) + withheld_rows(family) + baseline_rows(family, seeds)
    return pd.DataFrame(rows, columns=columns(family))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


TITLE_FONTSIZE = 8


def _set_title(axis, path, table):
    """Title the plot with the leaderboard's name and the paper's note, wrapped to the figure's width (a character
    of the title's font is at most ≈ 0.6 of its size wide)."""
    width = axis.figure.get_figwidth() * 72 / (0.6 * TITLE_FONTSIZE)
    title = "\n".join(textwrap.wrap(f"{path.stem}: {table['paper_note'].iloc[0]}", int(width)))
    axis.set_title(title, fontsize=TITLE_FONTSIZE)


def _withheld(table):
    """Which rows are measurements of withheld entries."""
    return table["note"].fillna("").str.startswith(WITHHELD)


def _display_name(model, architecture):
    """A model's name in plots: its architecture, with the tag of a tagged entry (`DSS(max) [paper_width]` for
    `dss_max_colour_matching.paper_width`) so that two entries of one architecture stay apart."""
    tag = split_name(model)[1]
    return f"{architecture} [{tag}]" if tag else architecture


def _label(rows, suffix=""):
    """A plot label: the model's display name, marked when its entry is withheld."""
    name = _display_name(rows["model"].iloc[0], rows["architecture"].iloc[0])
    return f"{name}{suffix}{' (withheld)' if _withheld(rows).any() else ''}"


def plot_study(table, path):
    """Primary metric against training-set size, one line per model with ± std error bars; the shipped entries
    as stars in the same colour."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(9, 4.5))
    shipped, withheld = table["note"] == SHIPPED, _withheld(table)
    for model, rows in table[~shipped & ~withheld].groupby("model", sort=False):
        line = axis.errorbar(rows["train_size"], rows["mean"], yerr=rows["std"], marker="o", capsize=3,
                             label=_label(rows))
        entry = table[shipped & (table["model"] == model)]
        if len(entry):
            axis.errorbar(pd.to_numeric(entry["train_size"]), entry["mean"], yerr=entry["std"], marker="*",
                          markersize=12, linestyle="none", color=line[0].get_color(),
                          label=_label(rows, " (shipped)"))
    for _, rows in table[withheld].groupby("model", sort=False):
        axis.errorbar(pd.to_numeric(rows["train_size"], errors="coerce"), rows["mean"], yerr=rows["std"], marker="x",
                      markersize=10, linestyle="none", color="grey", label=_label(rows))
    axis.set_xscale("log")
    axis.set_xlabel("training sets")
    axis.set_ylabel(f"test {table['metric'].iloc[0]}")
    axis.set_title(f"{path.stem}: mean ± std over seeds (zoo harness)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the curves, not on them
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_curves(table, path):
    """Primary metric against set size, one line per model (± std), the paper's curve dashed in the same colour."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for model, rows in table.groupby("model", sort=False):
        line = axis.errorbar(rows["set_size"], rows["mean"], yerr=rows["std"], marker="o", capsize=3,
                             label=_label(rows, " (zoo)"))
        paper = rows.dropna(subset=["paper"])
        if len(paper):
            axis.plot(paper["set_size"], paper["paper"], "--", color=line[0].get_color(), alpha=0.7,
                      label=f"{_display_name(model, rows['architecture'].iloc[0])} (paper)")
    axis.set_xlabel("set size n (test)")
    axis.set_ylabel(f"test {table['metric'].iloc[0]}")
    _set_title(axis, path, table)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_entries(table, path):
    """Our metric per model (± std over seeds) beside the paper's, as grouped bars (the paper's table view)."""
    import numpy as np

    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(max(7.0, 1.5 * len(table)), 4))  # room for every bar's label
    positions = np.arange(len(table))
    bars = axis.bar(positions - 0.2, table["mean"], 0.4, yerr=table["std"], capsize=3, label="zoo (harness)")
    for bar, withheld in zip(bars, _withheld(table)):
        if withheld:
            bar.set(hatch="//", alpha=0.5)
    axis.bar(positions + 0.2, table["paper"].fillna(0), 0.4, label="paper")
    names = map(_display_name, table["model"], table["architecture"])
    labels = [textwrap.fill(n, 16) + ("\n(withheld)" if w else "") for n, w in zip(names, _withheld(table))]
    axis.set_xticks(positions, labels, rotation=20, ha="right", rotation_mode="anchor")
    axis.set_ylabel(table["metric"].iloc[0])
    _set_title(axis, path, table)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_leaderboard(family, table, path):
    """The figure of a leaderboard: its primary metric by training size, by set size, or per model."""
    primary = table[table["metric"] == family.task.primary]
    if primary["mean"].isna().all():
        return
    if family.leaderboard.kind == "study":
        plot_study(primary, path)
    elif primary["set_size"].notna().any():
        plot_curves(primary[primary["set_size"].notna()], path)
    else:
        plot_entries(primary, path)


def write_leaderboard(family_name, seeds=DEFAULT_SEEDS):
    """Write the family's leaderboard CSV (and its PNG plot), then refresh the family's cards."""
    family = get_family(family_name)
    table = leaderboard(family_name, seeds)
    path = leaderboard_path(family_name)
    table.to_csv(path, index=False)
    if len(table):
        plot_leaderboard(family, table, path.with_suffix(".png"))
    refresh_cards(family_name)
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a family's leaderboard CSV, its plot and its cards.")
    parser.add_argument("family")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    args = parser.parse_args(argv)
    print(write_leaderboard(args.family, tuple(args.seeds)).to_string(index=False))


if __name__ == "__main__":
    main()
