"""SIRE locally perturbed MNIST: the perturbation, disjoint real-digit pools, and the three architectures."""

import numpy as np
import pytest

import zoo
from zoo.families import get_family
from zoo.families.sire.perturbed_mnist import perturb

FAMILY = get_family("perturbed_mnist")
pytestmark = pytest.mark.skipif(FAMILY.missing_data is not None, reason=str(FAMILY.missing_data))


def test_windows_of_4_then_7_keep_every_pixel_within_its_row_of_28(rng):
    images = rng.random((5, 28, 28)).astype("float32")
    perturbed = perturb(images, rng)
    assert perturbed.shape == (5, 784)
    rows = perturbed.reshape(5, 28, 28)  # 28 = lcm(4, 7): both windows tile each row
    np.testing.assert_array_equal(np.sort(rows, axis=-1), np.sort(images, axis=-1))
    assert (rows != images).mean() > 0.5


def test_the_pools_are_the_real_digits_fixed_for_training_and_redrawn_per_test_seed():
    x, y = FAMILY.load_split("train")
    again, _ = FAMILY.load_split("train", size=10)
    assert x.shape == (7000, 784) and 0 <= x.min() and x.max() <= 1
    np.testing.assert_array_equal(again, x[:10])
    first, labels = FAMILY.load_split("test", seed=1)
    second, same_labels = FAMILY.load_split("test", seed=2)
    np.testing.assert_array_equal(labels, same_labels)
    assert len(labels) == 2000 and (first != second).any()
    np.testing.assert_array_equal(np.sort(first, axis=1), np.sort(second, axis=1))  # the same digits


@pytest.mark.parametrize("architecture", ["cnn", "gru", "sire_gru"])
def test_every_architecture_fits_and_reports_how_much_local_reordering_moves_it(architecture, rng):
    model = FAMILY.compile(FAMILY.build(architecture, **FAMILY.architectures[architecture].defaults))
    x, y = FAMILY.load_split("train", size=16)
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"]).all()
    report = zoo.check_symmetry(model, x[:4], trials=1)
    assert report["order_sensitivity"] > 0  # the order matters to each, measured not judged
    moved = FAMILY.permute(x[:4], rng)
    assert np.abs(model.predict(moved, verbose=0) - model.predict(x[:4], verbose=0)).max() > 0
