import numpy as np
import pytest

from zoo.data import degradations
from zoo.data.images import (
    SKIMAGE_TEST,
    augment_crops,
    image_folder,
    load_photos,
    photo_credits,
    photo_splits,
    random_crops,
    skimage_photos,
    tfds_images,
)


def test_skimage_photos_split_by_photo():
    train, test = skimage_photos("train"), skimage_photos("test")
    assert set(test) == set(SKIMAGE_TEST) and not set(train) & set(test)
    assert all(p.ndim == 3 and p.shape[-1] == 3 and p.dtype == np.uint8 for p in [*train.values(), *test.values()])
    assert set(skimage_photos("train", colour_only=True)) < set(train)


def _write_photos(folder, names, rng, shape=(20, 30, 3)):
    import cv2

    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / name), rng.integers(0, 255, shape, dtype=np.uint8))


def test_photo_splits_are_disjoint_stable_and_complete():
    names = [f"photo_{i}.jpg" for i in range(21)]
    splits = photo_splits(names)
    assert set(splits) == set(names) and photo_splits(reversed(names)) == splits  # order does not matter
    counts = {split: sum(s == split for s in splits.values()) for split in ("train", "val", "test")}
    assert counts == {"train": 13, "val": 4, "test": 4}
    grown = photo_splits(names + ["photo_21.jpg"])
    assert sum(grown[name] != splits[name] for name in names) <= 2  # a new photo moves few others
    with pytest.raises(ValueError, match="at least 3 photos"):
        photo_splits(["a.jpg", "b.jpg"])


def test_flat_image_folder_is_split_by_photo(tmp_path, rng):
    names = [f"sub/{i}.png" if i % 3 else f"{i}.jpg" for i in range(10)]
    _write_photos(tmp_path, names, rng)
    splits = {split: image_folder(tmp_path, split) for split in ("train", "val", "test")}
    assert all(splits.values()) and sum(len(images) for images in splits.values()) == 10
    assert set().union(*map(set, splits.values())) == set(names)
    assert not set(splits["train"]) & set(splits["test"]) and not set(splits["val"]) & set(splits["test"])
    everything = image_folder(tmp_path)
    assert everything.keys() == set(names) and everything["0.jpg"].shape == (20, 30, 3)
    assert load_photos(str(tmp_path), "test").keys() == splits["test"].keys()
    with pytest.raises(ValueError, match="Unknown split"):
        image_folder(tmp_path, "holdout")


def test_image_folder_with_split_subfolders_holds_out_validation_photos_from_train(tmp_path, rng):
    _write_photos(tmp_path, [f"train/{i}.png" for i in range(6)] + ["val/a.png", "val/b.png"], rng)
    train, val, test = (image_folder(tmp_path, split) for split in ("train", "val", "test"))
    assert sorted(test) == ["a.png", "b.png"]  # ImageNet's val/ is the held-out split
    assert len(val) == 1 and len(train) == 5 and not set(train) & set(val)


def test_image_folder_reports_bad_files(tmp_path, rng):
    _write_photos(tmp_path, ["one.png", "two.png", "three.png"], rng)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="Could not decode image"):
        image_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        image_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No images"):
        image_folder(tmp_path / "empty")


def test_photo_credits_and_the_default_source(tmp_path, monkeypatch):
    from zoo.data import images

    assert photo_credits(tmp_path) == []
    (tmp_path / "MANIFEST.csv").write_text('file,author,licence\na.jpg,"Ann, 2018",CC-BY-4.0\n')
    assert photo_credits(tmp_path) == [{"file": "a.jpg", "author": "Ann, 2018", "licence": "CC-BY-4.0"}]
    monkeypatch.setattr(images, "SHARED_PHOTOS", tmp_path)
    assert images.default_photo_source() == str(tmp_path)
    monkeypatch.setattr(images, "SHARED_PHOTOS", tmp_path / "missing")
    assert images.default_photo_source() == "skimage"


def test_skimage_validation_photos_are_its_training_photos():
    assert load_photos("skimage", "val").keys() == load_photos("skimage", "train").keys()


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
    with pytest.raises(ValueError, match="Crop scales"):
        random_crops([np.zeros((50, 80, 3), np.uint8)], 16, 1, rng, scales=(0.0, 1.0))


def test_random_crops_span_scales_from_close_ups_to_the_whole_photo(rng):
    columns = np.linspace(0, 255, 640)  # the red channel tells a pixel's column
    photo = np.stack([np.broadcast_to(columns, (640, 640))] * 3, axis=-1).astype(np.uint8)
    whole = random_crops([photo], 16, 1, rng, scales=(1.0, 1.0))[0]
    close_ups = random_crops([photo], 16, 20, rng, scales=(0.1, 0.1))
    assert np.ptp(whole[..., 0]) > 200  # the whole width of the photo, scaled down
    assert all(np.ptp(crop[..., 0]) < 30 for crop in close_ups)  # 64 px windows: a tenth of its width
    spans = [np.ptp(crop[..., 0]) for crop in random_crops([photo], 16, 200, rng)]
    assert min(spans) < 40 and max(spans) > 200  # the default draws both


def _turns_mirrors_and_channel_orders(crop):
    turns = [np.rot90(crop, k) for k in range(4)]
    return [t[..., list(order)] for t in turns + [t[:, ::-1] for t in turns]
            for order in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))]


def test_augmented_crops_are_turned_mirrored_and_channel_reordered_copies(rng):
    crops = rng.integers(0, 255, (200, 8, 8, 3), dtype=np.uint8)
    augmented = augment_crops(crops, rng)
    assert augmented.shape == crops.shape and augmented.dtype == np.uint8
    seen = set()
    for crop, out in zip(crops, augmented):
        matches = [i for i, t in enumerate(_turns_mirrors_and_channel_orders(crop)) if np.array_equal(t, out)]
        assert len(matches) == 1  # one of the 48 (random crops have no symmetry of their own)
        seen.add(matches[0])
    assert len(seen) > 40  # and every kind of them is drawn


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


def test_bursts_and_their_per_pixel_baselines(rng):
    crops = rng.integers(0, 255, size=(3, 16, 16, 3), dtype=np.uint8)
    x, y = degradations.burst_sets(crops, 5, rng)
    assert x.shape == (3, 5, 16, 16, 3) and y.shape == (3, 16, 16, 3) and 0 <= x.min() and x.max() <= 1
    assert degradations.median_baseline(x).shape == y.shape
    np.testing.assert_allclose(degradations.mean_baseline(x)[1, 4, 7], x[1, :, 4, 7].sum(axis=0) / 5, rtol=1e-6)
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
