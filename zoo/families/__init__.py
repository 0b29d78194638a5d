"""Model families: one paper task with all the architectures compared on it."""

from zoo.families.dfaust import DFaustFamily
from zoo.families.image_tasks import BurstDeblurringFamily, ColourMatchingFamily, ImageQualityFamily
from zoo.families.signals import SignalsFamily
from zoo.families.ucf101 import FrameSelectionFamily

QUALITY_SETTINGS = [("noise", 10), ("noise", 30), ("noise", 50), ("occlusion", 10), ("occlusion", 30),
                    ("occlusion", 50)]
FAMILIES = {family.name: family for family in (
    SignalsFamily(), FrameSelectionFamily(), *(ImageQualityFamily(kind, level) for kind, level in QUALITY_SETTINGS),
    ColourMatchingFamily(), BurstDeblurringFamily(), DFaustFamily("points"), DFaustFamily("graphs"))}


def get_family(name):
    """The family called `name`."""
    if name not in FAMILIES:
        raise KeyError(f"Unknown family {name!r}; known families: {sorted(FAMILIES)}.")
    return FAMILIES[name]
