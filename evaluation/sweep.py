"""Sweeps: architectures of a family retrained at several values of one hyper-parameter each (e.g. a regulariser's
weight λ), measured by the harness.

`zoo.pipeline.run_sweep` trains the runs (`zoo sweep`); every finished run is appended to
`evaluation/results/<family>_sweep_runs.jsonl` (a killed sweep resumes, every number traces back to its run);
`<family>_sweep.csv` summarises each (architecture, value) over its seeds and `<family>_sweep.png` plots the family's
primary metric against the value, in the paper's units where the model's differ (`Architecture.paper_units`).

    zoo sweep sum_small sire_gru:sire_weight=0,0.001,0.01,0.1,1 sub_gru:sub_weight=0,0.001,0.01,0.1,1
"""

import json
from pathlib import Path

import pandas as pd

from evaluation.cards import RESULTS_DIR
from evaluation.harness import summarize
from zoo.families import get_family

SWEEP_COLUMNS = ["architecture", "title", "hyperparameter", "value", "paper_value", "metric", "mean", "std", "n_seeds",
                 "hyperparameters", "training_data", "test_data", "backend", "keras_version", "device"]


def sweep_paths(family_name):
    """`(runs jsonl, csv, png)` of a family's sweep."""
    stem = RESULTS_DIR / f"{family_name}_sweep"
    return Path(f"{stem}_runs.jsonl"), stem.with_suffix(".csv"), stem.with_suffix(".png")


def read_sweep_runs(family_name):
    path = sweep_paths(family_name)[0]
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []


def parse_axis(text):
    """`"sire_gru:sire_weight=0,0.01,0.1"` → `("sire_gru", "sire_weight", (0.0, 0.01, 0.1))`."""
    try:
        architecture, rest = text.split(":", 1)
        name, values = rest.split("=", 1)
        return architecture, name, tuple(float(v) for v in values.split(","))
    except ValueError as error:
        raise ValueError(f"A sweep axis reads ARCHITECTURE:HYPERPARAMETER=V1,V2,…; got {text!r}.") from error


def record_sweep_run(family_name, run):
    """Append one finished run (a dict) to the family's sweep runs file."""
    path = sweep_paths(family_name)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(json.dumps(run) + "\n")


def sweep_table(family_name):
    """The sweep's rows: every metric of each (architecture, value), summarised over its seeds; `paper_value` is
    the value in the paper's units (`Family.paper_hyperparameters`; empty where the paper has no such value)."""
    family = get_family(family_name)
    data = family.dataset_info()
    groups = {}
    for run in read_sweep_runs(family_name):
        groups.setdefault((run["architecture"], run["hyperparameter"], run["value"]), []).append(run)
    rows = []
    for (architecture, name, value), runs in sorted(groups.items()):
        fixed = {k: v for k, v in runs[0]["hyperparameters"].items() if k != name}
        paper_value = family.paper_hyperparameters(architecture, {**fixed, name: value}).get(
            name, float("nan") if name in family.check_architecture(architecture).paper_units else value)
        for metric in runs[0]["metrics"]:
            stats = summarize([r["metrics"][metric] for r in runs])
            rows.append({"architecture": architecture, "title": family.title(architecture), "hyperparameter": name,
                         "value": value, "paper_value": float(f"{paper_value:.6g}"),
                         "metric": metric, "mean": round(stats["mean"], 4),
                         "std": round(stats["std"], 4), "n_seeds": len(runs),
                         "hyperparameters": json.dumps(fixed, sort_keys=True),
                         "training_data": f"{data['name']}: {data['training_split']}",
                         "test_data": "test seed 1 of " + data["evaluation_split"],
                         **{k: runs[0][k] for k in ("backend", "keras_version", "device")}})
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)


def sweep_axis_label(family, table):
    """What a sweep's plot has along x: the swept hyper-parameters, in the paper's units where the model's differ
    (and by which factors)."""
    pairs = dict.fromkeys(zip(table["architecture"], table["hyperparameter"]))
    names = ", ".join(dict.fromkeys(name for _, name in pairs))
    on_paper_scale = table[table["paper_value"].notna()]
    factors = sorted({family.check_architecture(a).paper_units.get(name, 1.0)
                      for a, name in zip(on_paper_scale["architecture"], on_paper_scale["hyperparameter"])} - {1.0})
    if not factors:
        return names
    return f"{names} in the paper's units (the model's ÷ {', '.join(f'{f:,.6g}' for f in factors)})"


def plot_sweep(family, table, path):
    """The primary metric against the swept value in the paper's units (symmetric log scale: 0 is a value), ± std
    over the seeds; beside it the order sensitivity, where the harness measures it. A curve's label names the
    hyper-parameters its runs fixed (e.g. `activation=relu`), and says where its values have no counterpart in the
    paper (they are plotted in the model's units)."""
    from evaluation.leaderboard import _pyplot

    plt = _pyplot()
    metrics = [family.task.primary] + (["order_sensitivity"] if "order_sensitivity" in set(table["metric"]) else [])
    figure, axes = plt.subplots(1, len(metrics), figsize=(7 * len(metrics), 4.5), squeeze=False)
    x = table["paper_value"].fillna(table["value"])
    positive = x[x > 0]
    for axis, metric in zip(axes[0], metrics):
        rows_of_metric = table[table["metric"] == metric]
        for (_, name), rows in rows_of_metric.groupby(["architecture", "hyperparameter"], sort=False):
            fixed = ", ".join(f"{key}={value}" for key, value in json.loads(rows["hyperparameters"].iloc[0]).items())
            units = "; the model's units" if rows["paper_value"].isna().any() else ""
            axis.errorbar(x[rows.index], rows["mean"], yerr=rows["std"], marker="o", capsize=3,
                          label=f"{rows['title'].iloc[0]} ({name}{'; ' + fixed if fixed else ''}{units})")
        axis.set_xscale("symlog", linthresh=float(positive.min()) if len(positive) else 1.0)
        axis.set_xlabel(sweep_axis_label(family, table))
        axis.set_ylabel(f"test {metric.replace('_', ' ')}")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle(f"{path.stem}: mean ± std over seeds (zoo harness)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_sweep(family_name):
    """Write the sweep's CSV and PNG from its runs; returns the table."""
    table = sweep_table(family_name)
    _, csv_path, png_path = sweep_paths(family_name)
    table.to_csv(csv_path, index=False)
    if len(table):
        plot_sweep(get_family(family_name), table, png_path)
    return table
