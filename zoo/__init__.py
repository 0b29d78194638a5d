"""symmetry-zoo: Keras 3 models for learning on sets and on sets of symmetric elements.

>>> import zoo
>>> zoo.list_models("*_signals")
>>> model = zoo.load("dss_sum_signals")

`import zoo` starts the Keras backend with its start-up log lines kept off the terminal (`zoo.quiet`) and
registers the zoo's layers and models with Keras, so `keras.saving.load_model` reads zoo models after it. Only the
`zoo` command (`zoo ...` or `python -m zoo.cli`) imports them on first use instead, so that `zoo --help` is instant.
"""

import importlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

_PUBLIC = {  # name: the module that defines it
    "HubUnavailableError": "zoo.errors",
    "IntegrityError": "zoo.errors",
    "SetSizeWarning": "zoo.errors",
    "UnknownModelError": "zoo.errors",
    "check_size_dependence": "zoo.symmetry",
    "check_symmetry": "zoo.symmetry",
    "frame_evaluation_sets": "zoo.families.dss.frame_selection",
    "frame_training_sets": "zoo.families.dss.frame_selection",
    "list_models": "zoo.registry",
    "load": "zoo.loading",
    "pad_sets": "zoo.models.inputs",
    "prepare_clips": "zoo.families.dss.frame_selection",
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


def _started_as_the_command():
    """True while the `zoo` command starts (its script, or `python -m zoo.cli`, which imports this package while
    `sys.argv[0]` is still "-m"): it imports what each subcommand needs itself."""
    return os.path.basename(sys.argv[0]) in ("zoo", "zoo.exe") or sys.argv[0] == "-m"


if not _started_as_the_command():
    for _name in __all__:
        __getattr__(_name)
