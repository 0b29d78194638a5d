"""symmetry-zoo: Keras 3 models for learning on sets and on sets of symmetric elements.

>>> import zoo
>>> zoo.list_models("*_signals")
>>> model = zoo.load("dss_sum_signals")

The public names are imported on first use, so that `import zoo` (and `zoo --help`) stays instant until a model
is needed; the Keras backend then starts with its start-up log lines kept off the terminal (`zoo.quiet`).
"""

import importlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

_PUBLIC = {  # name: the module that defines it
    "HubUnavailableError": "zoo.errors",
    "IntegrityError": "zoo.errors",
    "UnknownModelError": "zoo.errors",
    "check_symmetry": "zoo.symmetry",
    "list_models": "zoo.registry",
    "load": "zoo.loading",
    "pad_sets": "zoo.models.inputs",
    "push": "zoo.hub",
    "save": "zoo.saving",
    "select_first_frame": "zoo.families.dss.frame_selection",
}
_SUBMODULES = ("layers", "models")

__all__ = sorted([*_PUBLIC, *_SUBMODULES])


def __getattr__(name):
    if name not in _PUBLIC and name not in _SUBMODULES:
        raise AttributeError(f"module 'zoo' has no attribute {name!r}")
    from zoo.quiet import start_backend

    start_backend()
    importlib.import_module("zoo.layers")  # the zoo's layers register themselves with Keras on import
    importlib.import_module("zoo.models")
    value = importlib.import_module(f"zoo.{name}") if name in _SUBMODULES else \
        getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *__all__])
