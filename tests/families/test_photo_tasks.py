"""The DSS image tasks on a photo folder: split by photo, written down, credited."""

import numpy as np
import pytest

from zoo.data.images import photo_splits
from zoo.families.dss.image_tasks import BurstDeblurringFamily, ColourMatchingFamily, ImageQualityFamily


@pytest.fixture
def photo_folder(tmp_path, rng):
    import cv2

    names = [f"photo_{i}.jpg" for i in range(10)]
    for i, name in enumerate(names):  # each photo a flat colour of its own, so a crop tells its photo
        cv2.imwrite(str(tmp_path / name), np.full((120, 160, 3), 20 * i + 10, np.uint8))
    rows = "".join(f'{name},"Author {i}, 2018",CC-BY-4.0\n' for i, name in enumerate(names))
    (tmp_path / "MANIFEST.csv").write_text("file,author,licence\n" + rows)
    return tmp_path, photo_splits(names)


def _photo_values(split, splits):
    return {20 * int(name.split("_")[1].split(".")[0]) + 10 for name, s in splits.items() if s == split}


def test_sets_come_from_the_photos_of_their_split(photo_folder):
    folder, splits = photo_folder
    family = BurstDeblurringFamily(source=str(folder))
    x_train, y_train = next(iter(family.load_split("train")))
    x_val, y_val = family.load_split("val")
    x_test, y_test = family.load_split("test")
    for targets, split in ((y_train, "train"), (y_val, "val"), (y_test, "test")):
        seen = set(np.round(np.asarray(targets) * 255).astype(int).reshape(-1).tolist())
        assert seen <= _photo_values(split, splits), split


def test_the_split_and_the_credits_are_written_down(photo_folder):
    folder, splits = photo_folder
    family = ColourMatchingFamily(source=str(folder))
    info = family.dataset_info()
    for name, split in splits.items():
        field = {"train": "training_split", "val": "training_split", "test": "evaluation_split"}[split]
        assert name in info[field]
    assert not any(name in info["evaluation_split"] for name, s in splits.items() if s != "test")
    assert info["train_size"] == f"{sum(s == 'train' for s in splits.values())} photos"
    for i in range(10):
        assert f"photo_{i}.jpg © Author {i}, 2018 (CC-BY-4.0)" in family.wording.credits
    assert "CC-BY-4.0" in family.wording.data_licence


def test_quality_tasks_report_classical_and_chance_baselines(photo_folder):
    from evaluation.harness import evaluate_baseline

    family = ImageQualityFamily("noise", 30, source=str(photo_folder[0]))
    assert set(family.baselines) == {"least_noise", "sharpest", "random"}
    chance = evaluate_baseline(family, "random", seeds=(1,))["accuracy"]["mean"]
    assert chance < 0.2  # about 1/20


def test_augmented_photo_sets_reorder_the_channels_of_training_crops_only(tmp_path):
    import cv2

    from zoo.families.dss.image_tasks import PhotoSets

    names = [f"photo_{i}.jpg" for i in range(10)]
    for name in names:  # every photo blue 200, green 100, red 10 (cv2 writes BGR)
        cv2.imwrite(str(tmp_path / name), np.broadcast_to(np.array([200, 100, 10], np.uint8), (120, 160, 3)))
    (tmp_path / "MANIFEST.csv").write_text("file,author,licence\n" + "".join(f"{n},A,CC0-1.0\n" for n in names))

    def channel_orders(split, augment):
        sets = PhotoSets(lambda crops, rng: (crops, None), source=str(tmp_path), augment=augment)
        crops, _ = sets.draw(split, np.random.default_rng(0), 60)
        return {tuple(np.argsort(crop[0, 0])) for crop in crops}

    assert channel_orders("train", augment=False) == {(0, 1, 2)}  # red < green < blue
    assert len(channel_orders("train", augment=True)) == 6
    assert channel_orders("val", augment=True) == channel_orders("test", augment=True) == {(0, 1, 2)}
    info = PhotoSets(lambda crops, rng: (crops, None), source=str(tmp_path), augment=True).dataset_info()
    assert "colour channels reordered at random" in info["training_split"]
