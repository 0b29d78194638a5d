"""Model families: one paper task each, with every architecture compared on it.

A paper's package (`zoo.families.dss`, ...) registers each of its families with one `register(...)` line; from
then on training, evaluation, cards, the CLI and `zoo.load` know it.
"""

from zoo.families.base import Architecture, Family, LeaderboardPlan, Paper, TrainingPlan, Wording

FAMILIES = {}


def register(family):
    """Make `family` known to the zoo under `family.name`; returns it."""
    if family.name in FAMILIES:
        raise ValueError(f"A family called {family.name!r} is already registered.")
    FAMILIES[family.name] = family
    return family


def get_family(name):
    """The family called `name`."""
    if name not in FAMILIES:
        raise KeyError(f"Unknown family {name!r}; known families: {sorted(FAMILIES)}.")
    return FAMILIES[name]


def papers():
    """The papers of the registered families, by key."""
    return {family.paper.key: family.paper for family in FAMILIES.values()}


from zoo.families import deepsets, dss, interp, lab, sire  # noqa: E402,F401  (each paper's package registers its families)

__all__ = ["FAMILIES", "Architecture", "Family", "LeaderboardPlan", "Paper", "TrainingPlan", "Wording",
           "get_family", "papers", "register"]
