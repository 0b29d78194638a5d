"""Every family builds every architecture, draws data matching its input spec, and names its training data."""

import numpy as np
import pytest

from evaluation.harness import evaluate_baseline
from zoo.data import count_examples
from zoo.families import FAMILIES, get_family
from zoo.registry import REGISTRY_PATH, load_registry


def _available(name):
    family = get_family(name)
    if family.wording.unavailable_reason:
        pytest.skip(f"{family.wording.unavailable_reason} (tested on generated fixtures in tests/data)")
    if family.missing_data:
        pytest.skip(family.missing_data)
    return family


def _elements(x):
    """The elements of an input: `x` itself, or a dict's `"elements"` (else its first entry, e.g. a graph's nodes)."""
    if not isinstance(x, dict):
        return x
    return x["elements"] if "elements" in x else next(iter(x.values()))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_test_split_matches_the_input_spec(name):
    family = _available(name)
    x, y = family.load_split("test", seed=1)
    elements, spec = _elements(x), _elements(family.input_spec)
    assert all(want is None or got == want for got, want in zip(elements.shape[1:], spec[1:]))
    assert elements.ndim == len(spec) and len(elements) == count_examples(y)
    assert elements.dtype in (np.float32, np.int32) and np.isfinite(elements).all()
    again, _ = family.load_split("test", seed=1)
    np.testing.assert_array_equal(elements, _elements(again))
    info = family.dataset_info()
    assert {"name", "training_split", "evaluation_split"} <= set(info) <= {"name", "training_split",
                                                                          "evaluation_split", "train_size"}
    assert all(info.values())


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_training_data_and_validation(name):
    family = _available(name)
    train = family.load_split("train", size=2)
    x, y = train if isinstance(train, tuple) else train[0]
    spec = _elements(family.input_spec)
    assert all(want is None or got == want for got, want in zip(_elements(x).shape[1:], spec[1:]))
    vx, vy = family.load_split("val")
    assert _elements(vx).shape[2:] == _elements(x).shape[2:] and len(_elements(vx)) == count_examples(vy)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_architecture_is_registered_and_unknown_ones_are_refused(name):
    family = get_family(name)
    registered = {e.architecture for e in load_registry(REGISTRY_PATH).values() if e.family == name}
    assert registered == set(family.architectures)
    assert all(spec.title for spec in family.architectures.values())
    with pytest.raises(ValueError, match="has no architecture 'resnet'"):
        family.check_architecture("resnet")


@pytest.mark.parametrize("name", sorted(n for n, f in FAMILIES.items()
                                        if f.baselines and not f.wording.unavailable_reason))
def test_trivial_baselines_are_measured(name):
    family = _available(name)
    for baseline in family.baselines:
        metrics = evaluate_baseline(family, baseline, seeds=(1, 2))
        primary = metrics[family.task.primary]
        assert np.isfinite(primary["mean"]) and len(primary["values"]) == 2


def test_unknown_family():
    with pytest.raises(KeyError, match="Unknown family 'nope'"):
        get_family("nope")
