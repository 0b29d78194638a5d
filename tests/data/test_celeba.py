import numpy as np
import pytest

import zoo
from zoo.data import celeba
from zoo.families.deepsets.anomaly_celeba import AnomalyCelebaFamily

NAMES = ("5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
         "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
         "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
         "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
         "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young").split()
SHARED = (NAMES.index("Bangs"), NAMES.index("Smiling"))
PER_SPLIT, ODD_PER_SPLIT = 18, 2


def write_celeba(root, rng):
    """A fake official CelebA folder: 18 faces per split, interleaved; in each split 16 bright faces have Bangs and
    Smiling, 2 dark faces have neither, the other attributes are random. Faces are 24 × 20 jpgs."""
    import cv2

    (root / celeba.IMAGE_FOLDER).mkdir(parents=True)
    partitions = np.tile([0, 1, 2], PER_SPLIT)
    odd = np.zeros(len(partitions), bool)
    for split in range(3):
        odd[np.flatnonzero(partitions == split)[:ODD_PER_SPLIT]] = True
    values = rng.choice([-1, 1], size=(len(partitions), len(NAMES)))
    values[:, SHARED] = np.where(odd, -1, 1)[:, None]
    files = [f"{i + 1:06d}.jpg" for i in range(len(partitions))]
    for name, is_odd in zip(files, odd):
        face = np.full((24, 20, 3), 40 if is_odd else 210, np.uint8) + rng.integers(0, 10, (24, 20, 3), dtype=np.uint8)
        cv2.imwrite(str(root / celeba.IMAGE_FOLDER / name), face)
    rows = [f"{name} " + " ".join(f"{v:2d}" for v in row) for name, row in zip(files, values)]
    (root / celeba.ATTRIBUTE_FILE).write_text(f"{len(files)}\n{' '.join(NAMES)} \n" + "\n".join(rows) + "\n")
    (root / celeba.PARTITION_FILE).write_text("".join(f"{n} {p}\n" for n, p in zip(files, partitions)))
    return root


@pytest.fixture
def celeba_root(tmp_path, rng):
    return write_celeba(tmp_path / "celeba", rng)


def test_the_official_layout_is_read_by_split(celeba_root, tmp_path):
    images, attributes, names = celeba.load_faces(str(celeba_root), "val")
    assert images.shape == (PER_SPLIT, 64, 64, 3) and images.dtype == np.uint8
    assert attributes.shape == (PER_SPLIT, 40) and attributes.dtype == bool and names == tuple(NAMES)
    dark = images.mean(axis=(1, 2, 3)) < 128
    np.testing.assert_array_equal(dark, ~attributes[:, SHARED].any(axis=1))
    assert dark.sum() == ODD_PER_SPLIT and (attributes[~dark][:, SHARED]).all()
    # The official archive's subfolders work too.
    (celeba_root / "Anno").mkdir()
    (celeba_root / celeba.ATTRIBUTE_FILE).rename(celeba_root / "Anno" / celeba.ATTRIBUTE_FILE)
    limited, _, _ = celeba.read_folder(celeba_root, "test", size=32, max_images=5)
    assert limited.shape == (5, 32, 32, 3)


def test_missing_and_corrupt_files_are_clear_errors(celeba_root, tmp_path, monkeypatch):
    monkeypatch.delenv("CELEBA_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="CELEBA_ROOT"):
        celeba.load_faces(None, "train")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        celeba.read_folder(tmp_path / "nowhere", "train")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No img_align_celeba"):
        celeba.read_folder(tmp_path / "empty", "train")
    (celeba_root / celeba.IMAGE_FOLDER / "000002.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="Could not decode image .*000002.jpg"):
        celeba.read_folder(celeba_root, "val")
    (celeba_root / celeba.IMAGE_FOLDER / "000003.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="000003.jpg is listed but missing"):
        celeba.read_folder(celeba_root, "test")
    (celeba_root / celeba.PARTITION_FILE).write_text("000001.jpg 7\n")
    with pytest.raises(ValueError, match="not a CelebA partition list"):
        celeba.read_folder(celeba_root, "train")
    attribute_file = celeba_root / celeba.ATTRIBUTE_FILE
    attribute_file.write_text(attribute_file.read_text().replace(" 1", " 0", 1))
    with pytest.raises(ValueError, match="expected ±1"):
        celeba.read_attributes(attribute_file)
    attribute_file.write_text("3\nSmiling Young\n000001.jpg 1\n")
    with pytest.raises(ValueError, match="not a CelebA attribute list"):
        celeba.read_attributes(attribute_file)


def test_the_odd_face_lacks_both_attributes_the_others_share(celeba_root, rng):
    _, attributes, _ = celeba.load_faces(str(celeba_root), "train")
    random_faces = rng.random((300, 40)) < 0.5
    for faces in (attributes, random_faces):
        members, y = celeba.odd_face_indices(faces, 40, rng)
        assert members.shape == (40, 16) and y.dtype == np.int32 and len(set(y)) > 1
        for chosen, position in zip(members, y):
            others = np.delete(chosen, position)
            assert len(set(chosen)) == 16
            assert (faces[others].all(axis=0) & ~faces[chosen[position]]).sum() >= 2
    assert len(celeba.attribute_pairs(random_faces)) > 10  # the pair changes from set to set
    with pytest.raises(ValueError, match="No two attributes"):
        celeba.odd_face_indices(attributes[:10], 1, rng)


def test_tensorflow_datasets_celeb_a(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=5):
        images, attributes, names = celeba.read_tfds("val", max_images=3)
    assert images.shape == (3, 64, 64, 3) and images.dtype == np.uint8
    assert attributes.shape == (3, 40) and names == tuple(sorted(NAMES))
    with pytest.raises(FileNotFoundError, match="not prepared"):
        celeba.read_tfds("train", data_dir=tmp_path)


def small(family):
    family.val_sets = family.test_sets = 4
    return family


@pytest.mark.parametrize("architecture", ["deepsets", "mlp"])
def test_each_architecture_trains_on_the_fixture(celeba_root, architecture):
    family = small(AnomalyCelebaFamily(root=str(celeba_root)))
    assert family.missing_data is None
    x, y = family.load_split("test", seed=1)
    assert x.shape == (4, 16, 64, 64, 3) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    np.testing.assert_array_equal(np.argmin(x.mean(axis=(2, 3, 4)), axis=1), y)  # the dark face is the odd one
    np.testing.assert_array_equal(family.load_split("test", seed=1)[0], x)
    model = family.compile(family.build(architecture, width=0.25))
    history = model.fit(family.load_split("train", size=1), validation_data=family.load_split("val"), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    report = zoo.check_symmetry(model, x[:2], trials=2)
    assert report["passed"], report
    if architecture == "mlp":  # the non-equivariant baseline: its order dependence is reported, not judged
        assert report["declared"]["output"] == "none" and report["permutation"] > 0
    else:
        assert report["padding"] is not None


def test_the_family_reads_tensorflow_datasets(monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.setenv("CELEBA_ROOT", "tfds")
    family = small(AnomalyCelebaFamily())
    with tfds.testing.mock_data(num_examples=64):
        x, y = family.load_split("val")
    assert x.shape == (4, 16, 64, 64, 3) and set(y) <= set(range(16))


def test_models_build_without_data(monkeypatch):
    monkeypatch.delenv("CELEBA_ROOT", raising=False)
    family = AnomalyCelebaFamily()
    assert "CELEBA_ROOT" in family.missing_data and family.wording.unavailable_reason
    assert "does not exist" in AnomalyCelebaFamily(root="/nowhere/celeba").missing_data
    for architecture, spec in family.architectures.items():
        model = family.example_model(architecture, spec.defaults)
        assert model.get_build_config()["input_shape"] == (None, 16, 64, 64, 3) and model.count_params() > 0
    assert family.architectures["mlp"].weak and family.paper_result("deepsets", "accuracy") == 0.75
    assert set(family.dataset_info()) == {"name", "training_split", "evaluation_split"}
