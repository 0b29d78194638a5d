"""`zoo.save`: write any zoo model as an entry folder, ready for `zoo.load` and `zoo.push`."""

from pathlib import Path

import keras

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
        overwrite: replace an existing folder.
        leaderboard_rows, leaderboard_file: leaderboard rows to show on the card and where they come from.
        **fields: `zoo.json` fields, e.g. `dataset={"name": ..., "training_split": ...}`, `metrics=...`,
            `task=...`, `license={"code": ..., "weights": ..., "notes": ...}`.

    Returns:
        The `zoo.json` content written (with the sha256 of every file).

    Example:
    >>> model = zoo.load("dss_sum_signals")
    >>> model.fit(x, y)
    >>> zoo.save(model, "my_signals_model", dataset={"name": "my recordings", "training_split": "all"})
    """
    inherited = {k: v for k, v in (getattr(model, "zoo_info", None) or {}).items()
                 if k not in MEASURED_FIELDS + ("files", "pretrained")}
    info = {**inherited, **fields}
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
