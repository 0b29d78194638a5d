"""Regenerate model cards from the registry, the entries' `zoo.json` and the leaderboard CSVs."""

from pathlib import Path

import pandas as pd

from zoo.cards import render_card
from zoo.entry import folder_hashes, read_info, rewrite_card
from zoo.registry import get_entry, load_registry, save_registry

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODEL_CARDS_DIR = Path(__file__).resolve().parents[1] / "model_cards"


def leaderboard_path(family):
    """The leaderboard CSV of a family."""
    return RESULTS_DIR / f"{family}.csv"


def leaderboard_rows(family, name):
    """The rows of `name` in its family's leaderboard, as dicts (empty when there is no leaderboard yet)."""
    path = leaderboard_path(family)
    if not path.exists():
        return []
    table = pd.read_csv(path)
    table = table[table["model"] == name].astype(object).where(table.notna(), None)
    return table.to_dict("records")


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
    """Refresh the cards of every pretrained entry (of one family, or all)."""
    return [refresh_card(name) for name, entry in sorted(load_registry().items())
            if entry.pretrained and (family is None or entry.family == family)]
