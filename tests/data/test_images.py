import numpy as np
import pytest

from zoo.data import degradations
from zoo.data.images import SKIMAGE_TEST, image_folder, load_photos, random_crops, skimage_photos, tfds_images


def test_skimage_photos_split_by_photo():
    train, test = skimage_photos("train"), skimage_photos("test")
    assert set(test) == set(SKIMAGE_TEST) and not set(train) & set(test)
    assert all(p.ndim == 3 and p.shape[-1] == 3 and p.dtype == np.uint8 for p in [*train.values(), *test.values()])
    assert set(skimage_photos("train", colour_only=True)) < set(train)


def test_image_folder_reads_photos_and_reports_bad_files(tmp_path, rng):
    import cv2

    (tmp_path / "train" / "a").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "train" / "a" / "one.png"), rng.integers(0, 255, (20, 30, 3), dtype=np.uint8))
    cv2.imwrite(str(tmp_path / "train" / "two.jpg"), rng.integers(0, 255, (25, 25, 3), dtype=np.uint8))
    images = image_folder(tmp_path, "train")
    assert sorted(images) == ["a/one.png", "two.jpg"] and images["a/one.png"].shape == (20, 30, 3)
    assert load_photos(str(tmp_path), "train").keys() == images.keys()
    (tmp_path / "train" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="Could not decode image"):
        image_folder(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        image_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No images"):
        image_folder(tmp_path / "empty")


@pytest.mark.parametrize("name", ["places365_small", "celeb_a"])
def test_tfds_builders_load_offline(name, tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=3):
        images = tfds_images(name, "train", max_images=2)
    assert len(images) == 2 and all(i.shape[-1] == 3 and i.dtype == np.uint8 for i in images.values())
    with pytest.raises(FileNotFoundError, match="not prepared"):
        tfds_images(name, "train", data_dir=tmp_path)


def test_random_crops(rng):
    crops = random_crops([np.zeros((50, 80, 3), np.uint8), np.ones((90, 40, 3), np.uint8)], 16, 5, rng)
    assert crops.shape == (5, 16, 16, 3) and crops.dtype == np.uint8


def test_quality_target_is_the_copy_closest_to_the_clean_image(rng):
    crops = random_crops(skimage_photos("test").values(), 32, 4, rng)
    for kind, level in (("noise", 30), ("occlusion", 50)):
        x, y = degradations.quality_sets(crops, 6, kind, level, rng)
        distances = np.abs(x * 255 - crops[:, None].astype(np.float32)).mean(axis=(2, 3, 4))
        assert x.shape == (4, 6, 32, 32, 3) and (np.argmin(distances, axis=1) == y).all()
    with pytest.raises(ValueError, match="Unknown degradation"):
        degradations.degrade(crops[0], "rain", 10, rng)


def test_channel_sets_split_two_images_into_six_channels(rng):
    crops = rng.integers(1, 255, size=(4, 8, 8, 3), dtype=np.uint8)
    x, y = degradations.channel_sets(crops, rng)
    assert x.shape == y.shape == (2, 6, 8, 8, 3)
    for s in range(2):
        kept = [int(np.flatnonzero(x[s, i].reshape(-1, 3).any(axis=0))[0]) for i in range(6)]
        assert sorted(kept) == [0, 0, 1, 1, 2, 2]  # each element keeps one channel, each channel twice
        for i, channel in enumerate(kept):
            np.testing.assert_allclose(x[s, i, ..., channel], y[s, i, ..., channel])
    grey = degradations.grey_baseline(x)
    assert grey.shape == x.shape and np.allclose(grey[..., 0], grey[..., 1])


def test_bursts_and_the_median_baseline(rng):
    crops = rng.integers(0, 255, size=(3, 16, 16, 3), dtype=np.uint8)
    x, y = degradations.burst_sets(crops, 5, rng)
    assert x.shape == (3, 5, 16, 16, 3) and y.shape == (3, 16, 16, 3) and 0 <= x.min() and x.max() <= 1
    assert degradations.median_baseline(x).shape == y.shape
    assert not np.allclose(x[:, 0], x[:, 1])  # every frame of a burst is blurred and noised differently


def test_classical_quality_estimates_find_the_clean_copy(rng):
    from zoo.data import degradations

    clean = np.clip(0.5 + 0.2 * np.sin(np.arange(32) / 3)[None, :, None] * np.ones((32, 32, 3)), 0, 1)
    noisy = [np.clip(clean + rng.normal(0, s, clean.shape), 0, 1) for s in (0.2, 0.0, 0.1)]
    x = np.stack(noisy)[None].astype("float32")
    assert degradations.least_noise_scores(x).shape == (1, 3)
    assert degradations.least_noise_scores(x).argmax() == 1  # the copy without noise
    textured = rng.random((32, 32, 3))
    patched = [textured.copy() for _ in range(3)]
    patched[0][4:28, 4:28] = 0.3  # a flat occluding patch removes detail
    patched[2] = (patched[2] + np.roll(patched[2], 1, axis=1)) / 2  # a blurred copy
    assert degradations.sharpness_scores(np.stack(patched)[None].astype("float32")).argmax() == 1
