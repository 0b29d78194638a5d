"""Regenerate model cards from the registry, the entries' `zoo.json` and the leaderboard CSVs."""

from pathlib import Path

import pandas as pd

from zoo.cards import render_card
from zoo.entry import folder_hashes, read_info, rewrite_card
from zoo.registry import get_entry, load_registry, save_registry

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODEL_CARDS_DIR = Path(__file__).resolve().parents[1] / "model_cards"
README_PATH = Path(__file__).resolve().parents[1] / "README.md"
TABLE_START, TABLE_END = "<!-- models:start -->", "<!-- models:end -->"


def leaderboard_path(family):
    """The leaderboard CSV of a family (named by `Family.leaderboard_name`)."""
    from zoo.families import get_family

    return RESULTS_DIR / f"{get_family(family).leaderboard_name}.csv"


CARD_COLUMNS = ["train_size", "metric", "mean", "std", "n_seeds", "width", "param_count", "paper", "note",
                "backend"]


def leaderboard_rows(family, name):
    """The rows of `name` in its family's leaderboard (card columns), as dicts; empty without a leaderboard."""
    path = leaderboard_path(family)
    if not path.exists():
        return []
    table = pd.read_csv(path)
    table = table.loc[table["model"] == name, CARD_COLUMNS]
    return table.astype(object).where(table.notna(), None).to_dict("records")


def baseline_shortfall(family, name):
    """A card sentence naming the trivial baselines that beat entry `name` on its family's leaderboard, or ""."""
    path = leaderboard_path(family.name)
    if not path.exists():
        return ""
    means = pd.read_csv(path).set_index("model")["mean"].dropna()
    if name not in means:
        return ""
    ours = means[name]
    better = {model.removeprefix("baseline:").replace("_", " "): value for model, value in means.items()
              if model.startswith("baseline:") and (value > ours if family.higher_is_better else value < ours)}
    if not better:
        return ""
    listed = "; ".join(f"the trivial {b} predictor scores {v:g}" for b, v in better.items())
    return (f"On this test data it does not beat the trivial baseline: {family.metric} {ours:g}, while {listed} "
            f"(see {path.name}).")


def refresh_card(name):
    """Re-render the card of a pretrained entry: entry `README.md`, `zoo.json` hashes, registry, `model_cards/`."""
    from zoo.families import get_family

    entry = get_entry(name)
    family = get_family(entry.family)
    folder = entry.embedded_dir
    info = read_info(folder)
    path = leaderboard_path(entry.family)
    described = {k: v for k, v in info.items() if k != "files"}
    shortfall = baseline_shortfall(family, name)
    described.update(limitations=family.limitations(info["hyperparameters"], info["architecture"],
                                                    [shortfall] if shortfall else []),
                     retrain=family.retrain_command(name), usage=family.usage)
    card = render_card(described, leaderboard_rows(entry.family, name), f"evaluation/results/{path.name}")
    info = rewrite_card(folder, card)
    MODEL_CARDS_DIR.mkdir(exist_ok=True)
    (MODEL_CARDS_DIR / f"{name}.md").write_text(card)
    entries = load_registry()
    entries[name].sha256 = folder_hashes(folder)
    save_registry(entries)
    return info


def unavailable_card(name):
    """Write the card of an entry whose family cannot be trained here (e.g. licensed data): what it is and why it
    has no weights."""
    from zoo.families import get_family
    from zoo.models.architectures import ARCHITECTURE_TITLES

    entry = get_entry(name)
    family = get_family(entry.family)
    model = family.build(entry.architecture, **entry.hyperparameters, edges=[])
    info = {"name": name, "family": family.name, "architecture": entry.architecture,
            "title": ARCHITECTURE_TITLES[entry.architecture], "paper": family.paper, "task": family.task,
            "dataset": family.dataset_info(), "hyperparameters": entry.hyperparameters,
            "param_count": model.count_params(), "symmetry": model.symmetry, "input_spec": family.input_spec,
            "limitations": f"No pretrained weights: {family.unavailable_reason}. The architecture loads with "
                           f"`zoo.load({name!r}, pretrained=False)` and trains with `zoo train {name}` once the "
                           "data is available.",
            "license": {"code": "Apache-2.0", "weights": "Apache-2.0", "notes": "No weights are shipped."},
            "weights": False, "retrain": family.retrain_command(name)}
    path = leaderboard_path(entry.family)
    card = render_card(info, leaderboard_rows(entry.family, name), f"evaluation/results/{path.name}")
    MODEL_CARDS_DIR.mkdir(exist_ok=True)
    (MODEL_CARDS_DIR / f"{name}.md").write_text(card)
    return info


def refresh_cards(family=None):
    """Refresh the cards of every pretrained entry (of one family, or all), the cards of entries that cannot be
    trained here, then the README's model table."""
    from zoo.families import get_family

    infos = []
    for name, entry in sorted(load_registry().items()):
        if family is not None and entry.family != family:
            continue
        if entry.pretrained:
            infos.append(refresh_card(name))
        elif get_family(entry.family).unavailable_reason:
            infos.append(unavailable_card(name))
    write_readme_table()
    return infos


def models_table():
    """The README's table of registered models, from the registry and the entries' `zoo.json`."""
    from zoo.families import get_family
    from zoo.models.architectures import ARCHITECTURE_TITLES

    lines = ["| model | paper | task | architecture | parameters | test metric (harness, mean ± std over seeds) "
             "| weights |", "|---|---|---|---|---|---|---|"]
    from zoo.families import FAMILIES

    families = list(FAMILIES)
    entries = sorted(load_registry().values(),
                     key=lambda e: (families.index(e.family), get_family(e.family).architectures.index(e.architecture)))
    for entry in entries:
        name, family = entry.name, get_family(entry.family)
        params, metric, weights = "", "not trained", "none"
        if entry.pretrained:
            info = read_info(entry.embedded_dir)
            values = info["metrics"][family.metric]
            params = f"{info['param_count']:,}"
            metric = f"{family.metric} {values['mean']:.3f} ± {values['std']:.3f}"
            weights = f"[card](model_cards/{name}.md)"
        lines.append(f"| `{name}` | {family.paper} | {family.name} | {ARCHITECTURE_TITLES[entry.architecture]} "
                     f"| {params} | {metric} | {weights} |")
    return "\n".join(lines)


def write_readme_table(path=None):
    """Replace the generated table between the README's markers (nothing to do outside a checkout)."""
    path = Path(path or README_PATH)
    if not path.exists():
        return
    text = path.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    path.write_text(text[:start] + "\n" + models_table() + "\n" + text[end:])


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
