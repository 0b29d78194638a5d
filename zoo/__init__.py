"""symmetry-zoo: Keras 3 models for learning on sets and on sets of symmetric elements.

>>> import zoo
>>> zoo.list_models("*_signals")
>>> model = zoo.load("dss_sum_signals")
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from zoo import layers, models  # noqa: E402  (layers register themselves with Keras on import)
from zoo.errors import HubUnavailableError, IntegrityError, UnknownModelError  # noqa: E402
from zoo.families.dss.frame_selection import select_first_frame  # noqa: E402
from zoo.hub import push  # noqa: E402
from zoo.loading import load  # noqa: E402
from zoo.models.inputs import pad_sets  # noqa: E402
from zoo.registry import list_models  # noqa: E402
from zoo.saving import save  # noqa: E402
from zoo.symmetry import check_symmetry  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "HubUnavailableError",
    "IntegrityError",
    "UnknownModelError",
    "check_symmetry",
    "layers",
    "list_models",
    "load",
    "models",
    "pad_sets",
    "push",
    "save",
    "select_first_frame",
]
