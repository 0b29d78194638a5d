"""`zoo.save`: write any zoo model as an entry folder, ready for `zoo.load` and `zoo.push`."""

import numbers
from pathlib import Path

import keras
import numpy as np

from zoo.cards import render_card
from zoo.entry import write_entry

DEFAULT_LICENSE = {"code": "Apache-2.0", "weights": "Apache-2.0"}
# Facts about how a model was trained and how well it does: never inherited by a model saved after changes.
MEASURED_FIELDS = ("metrics", "training", "findings")


def save(model, folder, name=None, overwrite=False, leaderboard_rows=(), leaderboard_file=None, **fields):
    """Save `model` as a zoo entry folder (Keras files, `zoo.json`, model card), atomically.

    Provenance recorded when the model came from `zoo.load` (family, architecture, paper, ...) is kept; measured
    facts (metrics, training) are only written when passed here, so a fine-tuned model never inherits the
    numbers of the model it started from.

    Args:
        model: a built zoo model.
        folder: the entry folder to write.
        name: the entry name (default: the folder's name).
        overwrite: replace an existing entry folder (one with a `zoo.json`); any other non-empty folder is refused
            and nothing in it is touched.
        leaderboard_rows, leaderboard_file: leaderboard rows to show on the card and where they come from.
        **fields: `zoo.json` fields, e.g. `dataset={"name": ..., "training_split": ..., "evaluation_split": ...}`
            (or just the dataset's name), `metrics={"accuracy": 0.93}` (a number, or `{"mean": ..., "std": ...,
            "values": [...]}` per metric), `task=...`, `license={"code": ..., "weights": ..., "notes": ...}`.

    Returns:
        The `zoo.json` content written (with the sha256 of every file).

    Example:
    >>> model = zoo.load("dss_sum_signals")
    >>> model.fit(x, y)
    >>> zoo.save(model, "my_signals_model", dataset={"name": "my recordings", "training_split": "all"})
    """
    inherited = {k: v for k, v in (getattr(model, "zoo_info", None) or {}).items()
                 if k not in MEASURED_FIELDS + ("files", "pretrained")}
    info = {**inherited, **_checked_fields(fields)}
    info["name"] = name or fields.get("name") or Path(folder).name
    if inherited.get("name") and inherited["name"] != info["name"]:
        info["fine_tuned_from"] = inherited["name"]
    info.setdefault("architecture", type(model).__name__)
    info.setdefault("task", "unspecified")
    info.setdefault("dataset", {"name": "unspecified"})
    info.setdefault("license", DEFAULT_LICENSE)
    info["symmetry"] = getattr(model, "symmetry", {"output": "none"})
    info["param_count"] = int(model.count_params())
    info.setdefault("input_spec", model.get_build_config())
    info["keras_version"] = keras.__version__
    card = render_card(info, leaderboard_rows, leaderboard_file)
    return write_entry(without_optimizer(model), folder, info, card, overwrite=overwrite)


def without_optimizer(model):
    """An uncompiled copy of `model` with the same weights: entries ship weights, not optimizer state."""
    if getattr(model, "optimizer", None) is None:
        return model
    copy = model.__class__.from_config(model.get_config())
    copy.build_from_config(model.get_build_config())
    copy.set_weights(model.get_weights())
    return copy


def _checked_fields(fields):
    """`fields` in the form `zoo.json` stores, or a `TypeError`/`ValueError` that says what is expected."""
    fields = dict(fields)
    if "dataset" in fields:
        dataset = fields["dataset"]
        if isinstance(dataset, str) and dataset.strip():
            dataset = {"name": dataset}
        if not (isinstance(dataset, dict) and isinstance(dataset.get("name"), str) and dataset["name"].strip()):
            raise TypeError("dataset= takes the dataset's name (a non-empty string) or a dict with a 'name' and "
                            f"optionally 'training_split' and 'evaluation_split'; got {dataset!r}.")
        fields["dataset"] = {key: str(value) for key, value in dataset.items()}
    if "metrics" in fields:
        fields["metrics"] = _checked_metrics(fields["metrics"])
    for key in ("task", "name"):
        if key in fields and not isinstance(fields[key], str):
            raise TypeError(f"{key}= takes a string; got {fields[key]!r}.")
    return fields


def _number(value, where):
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer) \
            or not np.isfinite(value):
        raise TypeError(f"{where} must be a finite number; got {value!r}.")
    return float(value)


def _checked_metrics(metrics):
    """`{metric: {"mean", "std", "values"}}` from numbers or partial summaries."""
    if not isinstance(metrics, dict):
        raise TypeError('metrics= takes a dict such as {"accuracy": 0.93} or {"accuracy": {"mean": 0.93, '
                        f'"std": 0.01, "values": [0.92, 0.94]}}}}; got {metrics!r}.')
    checked = {}
    for key, value in metrics.items():
        if key == "split":  # which split, and which evaluation seeds, the numbers come from
            checked[key] = str(value)
            continue
        if key == "seeds":
            checked[key] = [int(seed) for seed in value]
            continue
        if not isinstance(value, dict):
            value = {"mean": value}
        unknown = set(value) - {"mean", "std", "values"}
        if "mean" not in value or unknown:
            raise TypeError(f"metrics[{key!r}] takes a number or a dict with 'mean' (and optionally 'std' and "
                            f"'values'); got {value!r}.")
        values = [_number(v, f"metrics[{key!r}]['values'] entries") for v in value.get("values", [value["mean"]])]
        checked[key] = {"mean": _number(value["mean"], f"metrics[{key!r}]['mean']"),
                        "std": _number(value.get("std", float(np.std(values))), f"metrics[{key!r}]['std']"),
                        "values": values}
    return checked
