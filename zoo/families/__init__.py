"""Model families: one paper task with all the architectures compared on it."""

from zoo.families.signals import SignalsFamily
from zoo.families.ucf101 import FrameSelectionFamily

FAMILIES = {family.name: family for family in (SignalsFamily(), FrameSelectionFamily())}


def get_family(name):
    """The family called `name`."""
    if name not in FAMILIES:
        raise KeyError(f"Unknown family {name!r}; known families: {sorted(FAMILIES)}.")
    return FAMILIES[name]
