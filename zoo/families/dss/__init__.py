"""The DSS paper's families (Maron et al., 2020): signals, UCF101 frames, image quality, colour matching, burst
deblurring and Dynamic FAUST."""

from zoo.families import register
from zoo.families.dss.dfaust import DFaustFamily
from zoo.families.dss.image_tasks import BurstDeblurringFamily, ColourMatchingFamily, ImageQualityFamily
from zoo.families.dss.signals import SignalsFamily
from zoo.families.dss.ucf101 import FrameSelectionFamily

QUALITY_SETTINGS = [("noise", 10), ("noise", 30), ("noise", 50), ("occlusion", 10), ("occlusion", 30),
                    ("occlusion", 50)]

register(SignalsFamily())
register(FrameSelectionFamily())
for kind, level in QUALITY_SETTINGS:
    register(ImageQualityFamily(kind, level))
register(ColourMatchingFamily())
register(BurstDeblurringFamily())
register(DFaustFamily("points"))
register(DFaustFamily("graphs"))
