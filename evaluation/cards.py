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


CARD_COLUMNS = ["train_size", "metric", "mean", "std", "n_seeds", "width", "param_count", "paper", "backend"]


def leaderboard_rows(family, name):
    """The rows of `name` in its family's leaderboard (card columns), as dicts; empty without a leaderboard."""
    path = leaderboard_path(family)
    if not path.exists():
        return []
    table = pd.read_csv(path)
    table = table.loc[table["model"] == name, CARD_COLUMNS]
    return table.astype(object).where(table.notna(), None).to_dict("records")


def refresh_card(name):
    """Re-render the card of a pretrained entry: entry `README.md`, `zoo.json` hashes, registry, `model_cards/`."""
    entry = get_entry(name)
    folder = entry.embedded_dir
    info = read_info(folder)
    path = leaderboard_path(entry.family)
    card = render_card({k: v for k, v in info.items() if k != "files"}, leaderboard_rows(entry.family, name),
                       f"evaluation/results/{path.name}")
    info = rewrite_card(folder, card)
    MODEL_CARDS_DIR.mkdir(exist_ok=True)
    (MODEL_CARDS_DIR / f"{name}.md").write_text(card)
    entries = load_registry()
    entries[name].sha256 = folder_hashes(folder)
    save_registry(entries)
    return info


def refresh_cards(family=None):
    """Refresh the cards of every pretrained entry (of one family, or all), then the README's model table."""
    infos = [refresh_card(name) for name, entry in sorted(load_registry().items())
             if entry.pretrained and (family is None or entry.family == family)]
    write_readme_table()
    return infos


def models_table():
    """The README's table of registered models, from the registry and the entries' `zoo.json`."""
    from zoo.families import get_family
    from zoo.models.architectures import ARCHITECTURE_TITLES

    lines = ["| model | paper | task | architecture | parameters | test metric (harness, mean ± std over seeds) "
             "| weights |", "|---|---|---|---|---|---|---|"]
    for name, entry in sorted(load_registry().items()):
        family = get_family(entry.family)
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
