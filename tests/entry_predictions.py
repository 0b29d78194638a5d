"""Every pretrained entry's predictions on the first sets of its family's test split, under the running backend.

`tests/test_backends.py` runs this module once per other backend and compares the saved arrays with TensorFlow's:

    KERAS_BACKEND=torch python -m tests.entry_predictions OUT.npz     # arrays named "<entry>/<output index>"
"""

import sys

import keras
import numpy as np

import zoo
from zoo.data import first_examples
from zoo.families import FAMILIES, get_family
from zoo.registry import get_entry, list_models, load_registry

SETS = 2  # sets per entry: enough to see a backend's difference, cheap enough for all entries


def comparable_entries():
    """The pretrained entries whose family's test data is on this machine, sorted by name."""
    names = []
    for name in list_models(pretrained=True):
        family_name = get_entry(name).family
        if family_name in FAMILIES and not get_family(family_name).missing_data:
            names.append(name)
    return names


def one_per_kind(names, entries=None):
    """The first of `names` for each kind: (family class, architecture) in `entries` (the active registry by
    default). Entries of one kind differ in their data and weights only, so one of them exercises the kind's model
    code: that it fine-tunes as loaded, that the harness still measures what its cards record, that another backend
    predicts what TensorFlow predicts."""
    entries = entries or load_registry()
    kinds = {}
    for name in names:
        family = FAMILIES.get(entries[name].family)
        kinds.setdefault((type(family).__name__, entries[name].architecture), name)
    return sorted(kinds.values())


def entry_inputs(names):
    """`{name: inputs}`: the first `SETS` sets of the family's test split (seed 1), loaded once per family."""
    splits = {}
    for name in names:
        family_name = get_entry(name).family
        if family_name not in splits:
            splits[family_name] = first_examples(*get_family(family_name).load_split("test", seed=1), SETS)[0]
    return {name: splits[get_entry(name).family] for name in names}


def entry_predictions(names):
    """`{"<name>/<i>": array}`: each entry's outputs, flattened in Keras's tree order, as NumPy arrays."""
    arrays = {}
    for name, x in entry_inputs(names).items():
        outputs = keras.tree.flatten(zoo.load(name).predict_on_batch(x))
        arrays.update({f"{name}/{i}": np.asarray(keras.ops.convert_to_numpy(y)) for i, y in enumerate(outputs)})
    return arrays


if __name__ == "__main__":
    np.savez(sys.argv[1], **entry_predictions(sys.argv[2:] or comparable_entries()))
