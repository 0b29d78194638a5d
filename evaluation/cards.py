"""Regenerate model cards from the registry, the entries' `zoo.json` and the leaderboard CSVs.

The text of every card is rendered by `zoo.cards.render_card`; this module gathers what a card shows (the
family's wording, the leaderboard rows, the measured findings) and writes the cards where they live: the entry
folder, `model_cards/` and the README's model table.
"""

import json
from pathlib import Path

import pandas as pd

from zoo.cards import render_card
from zoo.entry import folder_hashes, read_info, rewrite_card
from zoo.families import FAMILIES, get_family
from zoo.layers.calling import training_dependent_layers
from zoo.metrics import higher_is_better
from zoo.registry import find_entry, get_entry, load_registry, split_name, update_entry

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODEL_CARDS_DIR = Path(__file__).resolve().parents[1] / "model_cards"
README_PATH = Path(__file__).resolve().parents[1] / "README.md"
TABLE_START, TABLE_END = "<!-- models:start -->", "<!-- models:end -->"
INVARIANCE_START, INVARIANCE_END = "<!-- invariance:start -->", "<!-- invariance:end -->"
CARD_COLUMNS = ["train_size", "set_size", "metric", "mean", "std", "n_seeds", "param_count", "paper", "note",
                "backend", "order_sensitivity"]


def leaderboard_path(family):
    """The leaderboard CSV of a family (named by its `LeaderboardPlan`)."""
    return RESULTS_DIR / f"{get_family(family).leaderboard_name}.csv"


def withheld_path(name):
    """The harness's record of a withheld entry (its `zoo.json` without the files), kept for the leaderboard."""
    return RESULTS_DIR / "withheld" / f"{name}.json"


def read_withheld(name):
    """The record of withheld entry `name`, or None when there is none."""
    path = withheld_path(name)
    return json.loads(path.read_text()) if path.exists() else None


def _read(path):
    table = pd.read_csv(path)
    return table.astype(object).where(table.notna(), None)


def leaderboard_rows(family, name):
    """The rows of `name` in its family's leaderboard (card columns), as dicts; empty without a leaderboard."""
    path = leaderboard_path(family)
    if not path.exists():
        return []
    table = _read(path)
    shown = [column for column in CARD_COLUMNS if column in table.columns]
    return table.loc[table["model"] == name, shown].to_dict("records")


def other_weights(family, name):
    """A sentence naming the other weights of entry `name`'s architecture and task (its default entry and its
    tagged ones, `zoo tag`), with their size, hyper-parameters and recorded harness measurement of the primary
    metric (as in the README's table); a withheld one (measured, not shipped) with the reason. "" for none.

    Example: the card of `dss_max_colour_matching` points to `dss_max_colour_matching.paper_width`, and back."""
    base, primary = split_name(name)[0], family.task.primary
    listed, withheld = [], False
    for entry in sorted(load_registry().values(), key=lambda e: e.name):
        record = recorded_info(entry) if entry.base == base and entry.name != name else None
        if record is None:
            continue
        settings = f", `{json.dumps(record['hyperparameters'], sort_keys=True)}`" if record.get("hyperparameters") \
            else ""
        values = record.get("metrics", {}).get(primary)
        measured = f": {primary} {values['mean']:.4g} ± {values['std']:.2g}" if values else ""
        shipped = "" if entry.pretrained else f" (measured, not shipped: {entry.withheld.rstrip('.')})"
        withheld = withheld or not entry.pretrained
        listed.append(f"`{entry.name}` ({record['param_count']:,} parameters{settings}){measured}{shipped}")
    if not listed:
        return ""
    return ("Other weights of this architecture for this task (the harness's measurement on the test split): "
            + "; ".join(listed) + ". Load " + ("a shipped one" if withheld else "one") + " with `zoo.load(NAME)`.")


def baseline_comparison(family, name):
    """How entry `name` compares with the trivial baselines of its family's leaderboard on the primary metric.

    A margin counts as a win only when it is larger than the seeds' spread (the larger of the two stds).

    Returns:
        `(evaluation, limitation)`: a sentence for the card's evaluation section ("" without baselines) and one for
        its limitations, naming the baselines the entry loses to or beats by less than the spread ("" for none).
    """
    path = leaderboard_path(family.name)
    if not path.exists():
        return "", ""
    table = pd.read_csv(path)
    primary = table[(table["metric"] == family.task.primary) & table["set_size"].isna()].set_index("model")
    primary = primary[primary["mean"].notna()]
    baselines = [model for model in primary.index if model.startswith("baseline:")]
    if name not in primary.index or not baselines:
        return "", ""
    metric, sign = family.task.primary, 1.0 if higher_is_better(family.task.primary) else -1.0
    ours, ours_std = primary.loc[name, "mean"], _std(primary.loc[name])
    verdicts, losses, close = [], [], []
    for model in baselines:
        label = f"the trivial {model.removeprefix('baseline:').replace('_', ' ')} predictor"
        value, std = primary.loc[model, "mean"], _std(primary.loc[model])
        margin = sign * (ours - value)
        if margin < 0:
            verdict = "behind it"
            losses.append(f"{label} ({value:.4g})")
        elif margin <= max(ours_std, std):
            verdict = "ahead by less than the seeds' spread"
            close.append(f"{label} ({value:.4g})")
        else:
            verdict = "ahead by more than the seeds' spread"
        verdicts.append(f"{label} scores {value:.4g} ± {std:.2g} ({verdict})")
    evaluation = (f"Against the trivial baselines on the same test sets ({path.name}): {metric} {ours:.4g} ± "
                  f"{ours_std:.2g}; " + "; ".join(verdicts) + ".")
    limitation = " ".join(
        ([f"On this test data it does not beat {' or '.join(losses)}."] if losses else [])
        + ([f"It is ahead of {' and '.join(close)} by less than the seeds' spread: not clearly better."]
           if close else []))
    return evaluation, limitation


def recorded_info(entry):
    """The recorded `zoo.json` of an entry: a pretrained one's (embedded in the package), or the record kept of a
    withheld one; None for an untrained entry or one whose weights only the Hub holds."""
    if entry.pretrained and entry.embedded_dir.is_dir():
        return read_info(entry.embedded_dir)
    return read_withheld(entry.name) if entry.withheld else None


def _unregularised_sensitivity(family, info):
    """`(name, order sensitivity)` of the entry that `info`'s architecture regularises (the same model trained
    without the regulariser), from its record; `(None, None)` when the architecture regularises nothing or that
    entry has no measurement."""
    plain = family.architectures[info["architecture"]].regularises
    counterpart = find_entry(family.name, plain) if plain else None
    record = recorded_info(counterpart) if counterpart else None
    theirs = (record or {}).get("metrics", {}).get("order_sensitivity")
    return (counterpart.name, theirs) if theirs else (None, None)


def order_sensitivity_comparison(family, info):
    """The entry's measured order sensitivity, compared with the same architecture unregularised (λ = 0).

    Returns:
        `(evaluation, limitation)`: a sentence for the card's evaluation section ("" when the harness does not
        measure it) and one for its limitations when regularising did not lower it ("" otherwise).
    """
    measured = info.get("metrics", {}).get("order_sensitivity")
    if not measured:
        return "", ""
    evaluation = (f"Order sensitivity measured by the harness, mean |f(x) − f(πx)| over the test sets with "
                  f"{family.wording.reordering}: {measured['mean']:.3g} ± {measured['std']:.2g}.")
    counterpart, theirs = _unregularised_sensitivity(family, info)
    if not theirs:
        return evaluation, ""
    plain = family.architectures[info["architecture"]].regularises
    label = f"{family.title(plain)} trained without the regulariser (`{counterpart}`, {theirs['mean']:.3g})"
    verdict = sensitivity_verdict(measured, theirs)
    if verdict == "not lower":
        return (evaluation + f" That is not lower than {label}.",
                f"The regulariser did not make it less sensitive to order than {label} on these test sets.")
    ratio = theirs["mean"] / max(measured["mean"], 1e-12)
    how_much = f"{ratio:.3g}× lower" if ratio >= 1.5 else f"{100 * (1 - 1 / ratio):.0f} % lower"
    if verdict == "lower":
        return evaluation + f" That is {how_much} than {label}.", ""
    return (evaluation + f" That is {how_much} than {label}, by less than the seeds' spread.",
            f"Its order sensitivity is below that of {label} by less than the seeds' spread: not clearly less "
            "sensitive to order.")


def sensitivity_verdict(measured, theirs):
    """`"lower"`, `"within the spread"` or `"not lower"`: a regularised entry's order sensitivity `measured`
    against its unregularised twin's `theirs` (`{"mean", "std"}` each). As for the baselines, a margin counts only
    when it is larger than the seeds' spread (the larger of the two stds).

    >>> sensitivity_verdict({"mean": 0.2, "std": 0.01}, {"mean": 0.5, "std": 0.02})
    'lower'
    """
    margin = theirs["mean"] - measured["mean"]
    if margin <= 0:
        return "not lower"
    return "lower" if margin > max(measured.get("std", 0.0), theirs.get("std", 0.0)) else "within the spread"


def invariance_table():
    """The README's summary of every shipped regularised entry against the same model trained without its
    regulariser: both order sensitivities (measured by the harness) and whether regularising lowered it."""
    rows = []
    for entry in sorted(load_registry().values(), key=lambda e: (list(FAMILIES).index(e.family), e.name)):
        family = get_family(entry.family)
        if not (entry.pretrained and family.architectures[entry.architecture].regularises):
            continue
        info = read_info(entry.embedded_dir)
        measured = info.get("metrics", {}).get("order_sensitivity")
        counterpart, theirs = _unregularised_sensitivity(family, info)
        if measured and theirs:
            rows.append((entry.name, counterpart, measured["mean"], theirs["mean"],
                         sensitivity_verdict(measured, theirs)))
    lower = sum(verdict != "not lower" for *_, verdict in rows)
    close = sum(verdict == "within the spread" for *_, verdict in rows)
    marks = {"lower": "yes", "within the spread": "yes, within the seeds' spread", "not lower": "**no**"}
    lines = [f"{lower} of the {len(rows)} shipped regularised entries are less order-sensitive than the same model "
             f"trained without the regulariser ({close} of them by less than the seeds' spread; order sensitivity "
             "measured by the harness on the test sets):", "",
             "| regularised entry | its sensitivity | without the regulariser | its sensitivity | ratio | lower |",
             "|---|---|---|---|---|---|"]
    lines += [f"| `{name}` | {mine:.3g} | `{counterpart}` | {theirs:.3g} | {mine / max(theirs, 1e-12):.2f} | "
              f"{marks[verdict]} |" for name, counterpart, mine, theirs, verdict in rows]
    return "\n".join(lines)


def _std(row):
    return 0.0 if pd.isna(row.get("std")) else float(row["std"])


# Until this date SetModel, SetUNet and FlatSetMLP did not pass `training` on to their layers. TensorFlow's and
# PyTorch's trainers call a model inside a Keras call context, which carried it; JAX's runs `Model.call` through
# `stateless_call`, outside any, so there the batch norms and dropouts of these models trained in inference mode.
TRAINING_MODE_FIX = "2026-12-02"
MODELS_THAT_DROPPED_TRAINING = ("SetModel", "SetUNet", "FlatSetMLP")


def training_mode_caveat(info, model):
    """The sentence a card adds where `model` (the entry of `zoo.json` content `info`) was trained under JAX before
    `TRAINING_MODE_FIX` with layers that behave differently in training ("" otherwise)."""
    training = info.get("training", {})
    if (training.get("backend") != "jax" or training.get("date", TRAINING_MODE_FIX) >= TRAINING_MODE_FIX
            or type(model).__name__ not in MODELS_THAT_DROPPED_TRAINING):
        return ""
    norms, dropout = (bool(layers) for layers in training_dependent_layers(model))
    if not norms and not dropout:
        return ""
    what = " and ".join(part for part, present in (
        ("its batch norms trained as fixed affine maps (moving statistics at their initial 0 and 1)", norms),
        ("its dropout was off", dropout)) if present)
    return (f"Trained under JAX before {TRAINING_MODE_FIX}, when this model did not pass `training` on to its "
            f"layers on that backend: {what}. Its predictions are as measured; `fit` now runs those layers in "
            "training mode on every backend, so fine-tuning starts with a shift of its outputs"
            + (" (set each BatchNormalization's `trainable = False` to fine-tune it as it was trained)."
               if norms else "."))


def describe(family, info, model=None):
    """The card fields a family adds to an entry's `zoo.json`: task type, output, usage, limitations, retrain.
    `model`, the entry's loaded model, adds what its training record says of it (`training_mode_caveat`)."""
    comparison, shortfall = baseline_comparison(family, info["name"])
    sensitivity, insensitive = order_sensitivity_comparison(family, info)
    caveat = training_mode_caveat(info, model) if model is not None else ""
    return {**{k: v for k, v in info.items() if k != "files"}, "baseline_comparison": comparison,
            "order_sensitivity": sensitivity, "other_weights": other_weights(family, info["name"]),
            "task_type": family.task.task_type, "output": family.task.output, "usage": family.wording.usage,
            "limitations": family.limitations(info["architecture"], info.get("hyperparameters", {}),
                                              [s for s in (shortfall, insensitive, caveat) if s]),
            "retrain": family.retrain_command(info["name"], info),
            "datasets": list(family.wording.datasets), "credits": family.wording.credits,
            "paper_results": family.paper_results(info["architecture"]), "paper_note": family.leaderboard.paper_note,
            "paper_hyperparameters": family.paper_hyperparameters(info["architecture"],
                                                                  info.get("hyperparameters", {})),
            "trained_set_sizes": family.trained_set_sizes}


def size_dependence(family, model, sets=8):
    """`zoo.check_size_dependence` of `model` on the first `sets` sets of its family's test split (seed 1); None
    when the family's data is missing here or the model takes sets of one size only."""
    from zoo.symmetry import check_size_dependence

    if family.missing_data:
        return None
    x = family.load_split("test", seed=1)[0]
    return check_size_dependence(model, {k: v[:sets] for k, v in x.items()} if isinstance(x, dict) else x[:sets])


def _card(folder, family):
    from zoo.entry import load_model_folder

    model = load_model_folder(folder)
    info = dict(read_info(folder), size_dependence=size_dependence(family, model))
    path = leaderboard_path(family.name)
    return render_card(describe(family, info, model), leaderboard_rows(family.name, info["name"]),
                       f"evaluation/results/{path.name}")


def _write_model_card(name, card):
    MODEL_CARDS_DIR.mkdir(exist_ok=True)
    (MODEL_CARDS_DIR / f"{name}.md").write_text(card)


def refresh_card(name):
    """Re-render the card of a pretrained entry (its `README.md` and `model_cards/` copy); the hashed model files,
    and so the registry's pin, stay as they are."""
    entry = get_entry(name)
    folder = entry.embedded_dir
    card = _card(folder, get_family(entry.family))
    info = rewrite_card(folder, card)
    _write_model_card(name, card)
    update_entry(name, sha256=folder_hashes(folder))
    return info


def unavailable_card(name):
    """Write the card of an entry whose family cannot be trained here (e.g. licensed data): what it is and why it
    has no weights."""
    entry = get_entry(name)
    family = get_family(entry.family)
    model = family.example_model(entry.architecture, entry.hyperparameters)
    info = {"name": name, "family": family.name, "architecture": entry.architecture,
            "title": family.title(entry.architecture), "paper": family.paper.key, "task": family.description,
            "dataset": family.dataset_info(), "hyperparameters": entry.hyperparameters,
            "param_count": model.count_params(), "symmetry": model.symmetry, "input_spec": family.input_spec,
            "license": {"code": "Apache-2.0", "weights": "none", "notes": "No weights are shipped."},
            "weights": False}
    described = describe(family, info)
    described["limitations"] = (f"No pretrained weights: {family.wording.unavailable_reason}. The architecture "
                                f"loads with `zoo.load({name!r}, pretrained=False)` and trains with "
                                f"`{family.retrain_command(name)}` once the data is available. "
                                + described["limitations"]).strip()
    path = leaderboard_path(family.name)
    card = render_card(described, leaderboard_rows(family.name, name), f"evaluation/results/{path.name}")
    _write_model_card(name, card)
    return info


def refresh_cards(family=None):
    """Refresh the cards of every pretrained entry (of one family, or all), the cards of entries that cannot be
    trained here, then the README's model table."""
    infos = []
    for name, entry in sorted(load_registry().items()):
        if family is not None and entry.family != family:
            continue
        if entry.pretrained:
            infos.append(refresh_card(name))
        elif get_family(entry.family).wording.unavailable_reason:
            infos.append(unavailable_card(name))
    write_readme_table()
    return infos


def _table_cells(entry, family):
    """`(parameters, test metric, weights)` of an entry in the README's table."""
    name, primary = entry.name, family.task.primary
    record = recorded_info(entry)
    if record is None:
        weights = f"none ([card](model_cards/{name}.md))" if family.wording.unavailable_reason else "none"
        return "", "not trained", weights
    values = record.get("metrics", {}).get(primary)
    metric = f"{primary} {values['mean']:.3f} ± {values['std']:.3f}" if values else "not measured"
    weights = f"[card](model_cards/{name}.md)" if entry.pretrained else "withheld: measured, not shipped"
    return f"{record['param_count']:,}", metric, weights


def models_table():
    """The README's table of registered models, from the registry, the entries' `zoo.json` and the records of
    withheld entries."""
    lines = ["| model | paper | task | architecture | parameters | test metric (harness, mean ± std over seeds) "
             "| weights |", "|---|---|---|---|---|---|---|"]
    families = list(FAMILIES)
    entries = sorted(load_registry().values(),
                     key=lambda e: (families.index(e.family), list(get_family(e.family).architectures).index(
                         e.architecture)))
    for entry in entries:
        family = get_family(entry.family)
        params, metric, weights = _table_cells(entry, family)
        lines.append(f"| `{entry.name}` | {family.paper.key} | {family.name} | {family.title(entry.architecture)} "
                     f"| {params} | {metric} | {weights} |")
    return "\n".join(lines)


def write_readme_table(path=None):
    """Replace the generated tables between the README's markers (`models_table`, and `invariance_table` where
    the README has its markers; nothing to do outside a checkout)."""
    path = Path(path or README_PATH)
    if not path.exists():
        return
    text = path.read_text()
    for (opening, closing), table in [((TABLE_START, TABLE_END), models_table),
                                      ((INVARIANCE_START, INVARIANCE_END), invariance_table)]:
        if opening in text:
            start, end = text.index(opening) + len(opening), text.index(closing)
            text = text[:start] + "\n" + table() + "\n" + text[end:]
    path.write_text(text)


def reship_entry(name, **updates):
    """Re-save a pretrained entry from its own folder (same weights, current entry format), then refresh its card.

    Only the files' format changes (e.g. optimizer state dropped); the recorded measurements are kept because the
    weights, and so every prediction, are unchanged — `tests/test_consistency.py` re-measures them. `updates`
    replace descriptive `zoo.json` fields (e.g. a corrected licence).
    """
    import zoo
    from zoo.entry import load_model_folder

    folder = get_entry(name).embedded_dir
    info = read_info(folder)
    model = load_model_folder(folder)
    fields = {**{k: v for k, v in info.items() if k not in ("files", "name")}, **updates}
    zoo.save(model, folder, name=name, overwrite=True, **fields)
    return refresh_card(name)
