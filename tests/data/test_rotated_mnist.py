"""Rotated MNIST: shapes and ranges, seeded reproducibility, the recorded angles, uniform angles and the disjoint
pools of the real digits."""

import numpy as np
import pytest
from scipy import stats
from scipy.ndimage import rotate

from zoo.data import mnist
from zoo.data.rotated_mnist import rotate_digits, rotated_mnist

needs_shared = pytest.mark.skipif(not mnist.SHARED_MNIST.is_dir(), reason=f"no shared MNIST at {mnist.SHARED_MNIST}")


@pytest.fixture
def fake_pools():
    """Small uint8 pools of blob 'digits' (no MNIST needed)."""
    rng = np.random.default_rng(0)
    pools = {}
    for split, count in (("train", 40), ("val", 10), ("test", 20)):
        images = np.zeros((count, 28, 28), np.uint8)
        images[:, 6:22, 10:18] = rng.integers(0, 256, (count, 16, 8))
        pools[split] = (images, rng.integers(0, 10, count).astype(np.uint8))
    return pools


def test_shapes_dtypes_and_ranges(fake_pools):
    images, labels, angles = rotated_mnist("train", seed=1, pools=fake_pools)
    assert images.shape == (40, 28, 28) and images.dtype == np.float32
    assert labels.shape == (40,) and labels.dtype == np.int32 and angles.shape == (40,) and angles.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5
    assert 0.0 <= angles.min() and angles.max() < 360.0
    np.testing.assert_array_equal(labels, fake_pools["train"][1])
    assert rotated_mnist("test", size=5, pools=fake_pools)[0].shape == (5, 28, 28)


def test_a_seed_reproduces_the_split_and_splits_draw_their_own_angles(fake_pools):
    first, second = rotated_mnist("val", seed=3, pools=fake_pools), rotated_mnist("val", seed=3, pools=fake_pools)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(rotated_mnist("val", seed=4, pools=fake_pools)[2], first[2])
    assert not np.allclose(rotated_mnist("train", seed=3, pools=fake_pools)[2][:10], first[2])
    np.testing.assert_array_equal(rotated_mnist("train", seed=3, size=7, pools=fake_pools)[2],
                                  rotated_mnist("train", seed=3, pools=fake_pools)[2][:7])


def test_each_image_is_its_digit_turned_by_the_recorded_angle(fake_pools):
    images, _, angles = rotated_mnist("test", seed=0, pools=fake_pools)
    originals = fake_pools["test"][0].astype(np.float32) / 255
    for image, original, angle in zip(images, originals, angles):
        expected = rotate(original, float(angle), reshape=False, order=1, mode="constant", cval=0.0)
        np.testing.assert_allclose(image, np.clip(expected, 0, 1), atol=1e-6)
    # and a quarter turn of the frame is exact, in np.rot90's sense
    np.testing.assert_array_equal(rotate_digits(originals[:3], [90.0] * 3), np.rot90(originals[:3], 1, axes=(1, 2)))


def test_bad_arguments_are_clear_errors(fake_pools):
    with pytest.raises(ValueError, match="split must be one of"):
        rotated_mnist("training", pools=fake_pools)
    with pytest.raises(ValueError, match="size must be between 1 and the 10 digits of the val pool"):
        rotated_mnist("val", size=11, pools=fake_pools)


@needs_shared
def test_real_digits_come_from_disjoint_pools_with_uniform_angles():
    pools = mnist.load_pools(str(mnist.SHARED_MNIST))
    train = rotated_mnist("train", seed=0, pools=pools)
    test = rotated_mnist("test", seed=0, pools=pools)
    assert train[0].shape == (7000, 28, 28) and test[0].shape == (2000, 28, 28)
    assert set(train[1]) == set(range(10)) and 0 <= train[0].min() and train[0].max() <= 1
    train_digits = {image.tobytes() for image in pools["train"][0]}
    assert not any(image.tobytes() in train_digits for image in pools["test"][0])  # no test digit trains
    # the test images are the test pool's digits turned: the first few reproduce from that pool alone
    for image, original, angle in zip(test[0][:20], pools["test"][0][:20], test[2][:20]):
        expected = rotate(original, float(angle), reshape=False, order=1, mode="constant", cval=0.0)
        np.testing.assert_allclose(image, np.clip(expected, 0, 1), atol=1e-6)
    for angles in (train[2], test[2]):  # uniform on [0°, 360°): KS test, and every 45° sector is filled
        assert stats.kstest(angles, stats.uniform(0, 360).cdf).pvalue > 0.01
        counts = np.bincount((angles // 45).astype(int), minlength=8)
        assert counts.min() > 0.8 * len(angles) / 8
