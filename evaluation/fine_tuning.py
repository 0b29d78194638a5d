"""Fine-tuning check: does `model.fit` on more of an entry's own training data keep its test score?

For each shipped entry of the families named, the harness measures the family's primary metric on test seed 1
three times: as loaded, after `model.fit` for `--epochs` epochs (batch 32) on the first `--examples` training
examples (draw seed 0) as `zoo.load` compiles it (Adam at 1/100 of the entry's training rate, warmed up over the
first 50 steps), and after the same fit with Adam at the training rate from the first step
(`zoo.load(name, learning_rate=<training rate>)`); a family that streams its training data gives its first batches.
Rows of the families measured replace their earlier rows in `evaluation/results/fine_tuning.csv` (or `--output`),
family by family as each is done, and the plot beside it (`.png`) shows each score after fine-tuning against the
score as loaded:

    python -m evaluation.fine_tuning parity sum range variance sum_small half_range_10 signals digit_sum_text
    python -m evaluation.fine_tuning parity sum --epochs 20 --output evaluation/results/fine_tuning_20_epochs.csv
"""

import argparse
import datetime
from pathlib import Path

import keras
import numpy as np
import pandas as pd

import zoo
from evaluation.cards import RESULTS_DIR
from evaluation.harness import evaluate_model
from zoo.data import count_examples, first_examples
from zoo.environment import environment
from zoo.families import get_family
from zoo.metrics import higher_is_better
from zoo.registry import get_entry

CSV = RESULTS_DIR / "fine_tuning.csv"  # the plot: the same path with .png
SEED = 1  # the harness's first test seed


def training_examples(family, n):
    """`(x, y)`: the first `n` examples of the family's training split (draw seed 0), taken from the first batches
    where the family streams it."""
    data = family.load_split("train", seed=0)
    if not isinstance(data, tuple):
        batches, count = [], 0
        for index in range(len(data)):
            batches.append(tuple(data[index][:2]))
            count += len(batches[-1][1])
            if count >= n:
                break
        data = keras.tree.map_structure(lambda *parts: np.concatenate(parts), *batches)
    return first_examples(*data, n)


def _score(model, family):
    return evaluate_model(model, family, seeds=(SEED,))[family.task.primary]["mean"]


def _fine_tuned(name, family, train, epochs, learning_rate=None):
    model = zoo.load(name, learning_rate=learning_rate)
    keras.utils.set_random_seed(0)
    model.fit(*train, epochs=epochs, verbose=0)  # Keras's default batch of 32, as the cards' `model.fit` line
    return _score(model, family)


def measure_entry(name, examples=320, epochs=5):
    """One row: the entry's test score as loaded, fine-tuned as `zoo.load` compiles it, and fine-tuned at its
    training rate."""
    entry = get_entry(name)
    family = get_family(entry.family)
    train = training_examples(family, examples)
    training_rate = entry.hyperparameters.get("learning_rate", 1e-3)
    return {"entry": name, "family": entry.family, "metric": family.task.primary,
            "loaded": _score(zoo.load(name), family),
            "fine_tuned": _fine_tuned(name, family, train, epochs),
            "fine_tuned_at_training_rate": _fine_tuned(name, family, train, epochs, learning_rate=training_rate),
            "training_rate": training_rate, "examples": count_examples(train[1]), "epochs": epochs, "test_seed": SEED,
            **environment(), "date": datetime.date.today().isoformat()}


def lost(metric, before, after):
    """Whether a fit lost its score: more than 0.02 of accuracy, an error (`zoo.metrics.LOWER_IS_BETTER`) more than
    10 % higher, or another score (a mean reciprocal rank, a reconstruction accuracy) more than 10 % lower."""
    if metric == "accuracy":
        return after < before - 0.02
    return after > 1.1 * before if not higher_is_better(metric) else after < 0.9 * before


def summarise(table):
    """`{"entries", "families", "lost": {column: count}, "median_accuracy_change": {column: median}}` of a table,
    for the fine-tuned columns (as `zoo.load` compiles and at the training rate); rows without a metric are left out."""
    table = table.dropna(subset=["metric"])
    accuracy = table[table["metric"] == "accuracy"]
    columns = ("fine_tuned", "fine_tuned_at_training_rate")
    return {"entries": len(table), "families": table["family"].nunique(),
            "lost": {column: int(sum(lost(*row) for row in table[["metric", "loaded", column]].itertuples(
                index=False))) for column in columns},
            "median_accuracy_change": {column: float((accuracy[column] - accuracy["loaded"]).median())
                                       for column in columns}}


def plot(table, path):
    """Each entry's score after fine-tuning against its score as loaded, both ways, one panel per metric (points
    on the diagonal kept their score)."""
    from evaluation.leaderboard import _pyplot

    plt = _pyplot()
    metrics = sorted(table["metric"].dropna().unique())
    figure, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 5), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        rows = table[table["metric"] == metric]
        for column, label, marker in (("fine_tuned", "as zoo.load compiles it", "o"),
                                      ("fine_tuned_at_training_rate", "Adam at the training rate", "x")):
            axis.scatter(rows["loaded"], rows[column], marker=marker, label=label, alpha=0.7)
        low, high = rows[["loaded", "fine_tuned", "fine_tuned_at_training_rate"]].stack().agg(["min", "max"])
        axis.plot([low, high], [low, high], color="grey", linewidth=0.8)
        if metric == "mse":
            axis.set_xscale("log")
            axis.set_yscale("log")
        axis.set_xlabel(f"test {metric} as loaded")
        axis.set_ylabel(f"test {metric} after fine-tuning")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    epochs, examples = table["epochs"].max(), table["examples"].max()
    figure.suptitle(f"{len(table)} entries fitted {epochs} epochs on ≤ {examples} sets of their own training data "
                    "(zoo harness, test seed 1)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("families", nargs="+")
    parser.add_argument("--examples", type=int, default=320)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=CSV, help="the CSV (the plot: the same path with .png)")
    args = parser.parse_args(argv)
    entries = {name: get_entry(name) for name in zoo.list_models()}
    for family in args.families:  # each family's rows are written as soon as they are measured
        names = [name for name, entry in entries.items() if entry.family == family and entry.pretrained]
        rows = []
        for name in names:
            rows.append(row := measure_entry(name, args.examples, args.epochs))
            print({key: row[key] for key in ("entry", "loaded", "fine_tuned", "fine_tuned_at_training_rate")},
                  flush=True)
        write_rows(family, rows, args.output)
        print(f"wrote {len(rows)} rows of {family} to {args.output} and its .png", flush=True)
    print(summarise(pd.read_csv(args.output)))


def write_rows(family, rows, csv):
    """Replace the family's rows of `csv` with `rows` and re-plot the whole table beside it (`.png`)."""
    earlier = pd.read_csv(csv) if csv.exists() else pd.DataFrame()
    kept = earlier[earlier["family"] != family] if len(earlier) else earlier
    table = pd.concat([kept, pd.DataFrame(rows)], ignore_index=True).sort_values(["family", "entry"])
    table.to_csv(csv, index=False, float_format="%.4g")
    plot(table, csv.with_suffix(".png"))


if __name__ == "__main__":
    main()
