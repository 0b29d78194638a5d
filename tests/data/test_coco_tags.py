import json

import keras
import numpy as np
import pytest

import zoo
from zoo.data import coco_tags
from zoo.families.deepsets.image_tagging import ImageTaggingCocoFamily, Tagging, top5_image_f1

TRAIN_CAPTIONS = {  # image id: captions; the vocabulary of 6 and each image's tags follow by hand
    1: ["A dog on a red sofa.", "The dog sleeps."],
    2: ["A cat on a sofa", "Cat and dog"],
    3: ["A man riding a horse", "man with a red hat"],
    4: ["Two dogs play", "a dog and a man"],
    5: ["A red bus on the street"],
    6: ["A man and a cat on the street"],
    7: ["A dog"],  # a single tag: dropped
}
VOCABULARY = ("dog", "man", "red", "cat", "sofa", "street")  # by images using the word, ties alphabetical
TRAIN_TAGS = [[0, 2, 4], [0, 3, 4], [1, 2], [0, 1], [2, 5], [1, 3, 5]]
VAL_CAPTIONS = {11: ["A dog and a cat"], 12: ["A man on the street", "red bus"], 13: ["A red horse"],
                14: ["A cat on a sofa"], 15: ["man with dog on the street"], 16: ["A red cat"],
                17: ["dog, man and cat on a red sofa"], 18: ["Nothing here"]}
SMALL = {"embedding_dim": 4, "phi_units": (8,), "conv_filters": (4,), "image_units": 8, "rho_units": (8,)}


def write_split(root, split, captions, rng):
    """The official layout of one split: `annotations/captions_<split>2014.json` and jpgs in `<split>2014/`."""
    import cv2

    (root / f"{split}2014").mkdir(parents=True)
    (root / "annotations").mkdir(exist_ok=True)
    images, annotations = [], []
    for image_id, texts in captions.items():
        name = f"COCO_{split}2014_{image_id:012d}.jpg"
        height, width = int(rng.integers(30, 50)), int(rng.integers(40, 90))
        cv2.imwrite(str(root / f"{split}2014" / name), rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
        images.append({"id": image_id, "file_name": name, "height": height, "width": width})
        annotations += [{"id": 100 * image_id + i, "image_id": image_id, "caption": text}
                        for i, text in enumerate(texts)]
    content = {"info": {}, "licenses": [], "images": images[::-1], "annotations": annotations}
    (root / "annotations" / f"captions_{split}2014.json").write_text(json.dumps(content))


@pytest.fixture
def coco_root(tmp_path):
    rng = np.random.default_rng(0)
    write_split(tmp_path, "train", TRAIN_CAPTIONS, rng)
    write_split(tmp_path, "val", VAL_CAPTIONS, rng)
    return tmp_path


def test_words_vocabulary_and_tags(coco_root):
    assert coco_tags.words("A dog, on a SOFA.") == ["a", "dog", "on", "a", "sofa"]
    data = coco_tags.load_tags(coco_root, vocabulary_size=6)
    assert data["vocabulary"] == VOCABULARY
    assert [t.tolist() for t in data["train"].tags] == TRAIN_TAGS
    assert all(t.dtype == np.int32 for t in data["train"].tags)
    assert data["train"].images.shape == (6, 64, 64, 3) and data["train"].images.dtype == np.uint8
    assert len(data["val"].tags) + len(data["test"].tags) == 6  # 13 and 18 have fewer than two tags
    with pytest.raises(ValueError, match="only 14 distinct words"):
        coco_tags.load_tags(coco_root, vocabulary_size=15)


def test_held_out_images_are_split_in_two(coco_root):
    splits = coco_tags.read_folder(coco_root)
    val, test = ({c[0] for c in splits[name][1]} for name in ("val", "test"))
    assert len(val) == len(test) == 4 and not val & test
    assert val | test == {c[0] for c in VAL_CAPTIONS.values()}
    assert len(coco_tags.read_folder(coco_root, max_images=2)["train"][0]) == 2


def test_images_are_rgb_centre_crops(tmp_path):
    import cv2

    image = np.zeros((40, 80, 3), np.uint8)
    image[:, 20:60] = (0, 0, 255)  # BGR red in the centre square, black on both sides
    cv2.imwrite(str(tmp_path / "red.png"), image)
    read = coco_tags.read_image(tmp_path / "red.png", size=16)
    assert read.shape == (16, 16, 3) and (read[..., 0] == 255).all() and (read[..., 1:] == 0).all()


def test_missing_or_damaged_data_are_clear_errors(coco_root, tmp_path, monkeypatch):
    monkeypatch.delenv("COCO_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="COCO_ROOT"):
        coco_tags.load_tags()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        coco_tags.load_tags(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="captions_train2014.json"):
        coco_tags.load_tags(tmp_path / "empty")
    annotations = coco_root / "annotations" / "captions_val2014.json"
    official = annotations.read_text()
    annotations.write_text('{"images": [')
    with pytest.raises(ValueError, match="captions_val2014.json is not valid JSON"):
        coco_tags.load_tags(coco_root, vocabulary_size=6)
    annotations.write_text('{"images": []}')
    with pytest.raises(ValueError, match="not a COCO captions file"):
        coco_tags.load_tags(coco_root, vocabulary_size=6)
    annotations.write_text(official)
    image = coco_root / "train2014" / "COCO_train2014_000000000003.jpg"
    image.write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="Could not decode image .*000000000003.jpg"):
        coco_tags.read_folder(coco_root)
    image.unlink()
    with pytest.raises(FileNotFoundError, match="000000000003.jpg not found"):
        coco_tags.read_folder(coco_root)


def test_tensorflow_datasets_coco_captions_offline(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=3):
        splits = coco_tags.read_tfds(max_images=2)
        data = coco_tags.load_tags("tfds", vocabulary_size=3, max_images=2)
    assert set(splits) == {"train", "val", "test"}
    images, captions = splits["test"]
    assert images.shape == (2, 64, 64, 3) and images.dtype == np.uint8
    assert all(isinstance(text, str) for image_captions in captions for text in image_captions)
    assert len(data["vocabulary"]) == 3
    with pytest.raises(FileNotFoundError, match="coco_captions is not prepared"):
        coco_tags.load_tags(f"tfds:{tmp_path}")


def test_tag_sets_give_some_tags_and_ask_for_the_others(coco_root):
    data = coco_tags.load_tags(coco_root, vocabulary_size=6)["train"]
    x, y = coco_tags.training_sets(data, np.random.default_rng(0), 20, 6, max_given=2)
    assert x["elements"].shape == (20, 2) and x["elements"].dtype == np.int32 and y.shape == (20, 6)
    assert x["image"].shape == (20, 64, 64, 3) and x["image"].dtype == np.float32 and x["image"].max() <= 1
    for elements, mask, targets in zip(x["elements"], x["mask"], y):
        given = set(elements[mask > 0].tolist())
        wanted = set(np.flatnonzero(targets).tolist())
        assert given and wanted and not given & wanted and sorted(given | wanted) in TRAIN_TAGS
    x, y = coco_tags.evaluation_sets(data, np.random.default_rng(0), 6, given=2)
    assert x["elements"].shape == (3, 2) and (y.sum(axis=1) == 1).all()  # the three images with 3 tags
    scores = coco_tags.frequency_baseline(x, 6)
    chosen = np.argsort(-scores, axis=1)[:, :2]
    for row, elements in zip(chosen, x["elements"]):
        assert not set(row.tolist()) & set(elements.tolist())
        assert row.tolist() == [t for t in range(6) if t not in elements][:2]


def test_per_tag_precision_recall_f1_and_n_plus():
    task = Tagging(7, names=("a", "b", "c", "d", "e", "f", "g"))
    y = np.zeros((3, 7), np.float32)
    y[0, [0, 1]] = y[1, [1, 2, 3]] = y[2, 6] = 1
    prediction = np.array([[9, 0, 8, 7, 6, 5, 1],    # top 5: 0 2 3 4 5, finds 0
                           [0, 9, 8, 1, 7, 6, 5],    # top 5: 1 2 4 5 6, finds 1 and 2
                           [9, 8, 7, 6, 5, 0, 1]], np.float32)  # top 5: 0 1 2 3 4, finds nothing
    scores = task.score(y, prediction)
    # tags 0, 1, 2, 3, 6 occur: recall 1, 1/2, 1, 0, 0; precision 1/2, 1/2, 1/3, 0/2, 0/1
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["precision"] == pytest.approx((1 / 2 + 1 / 2 + 1 / 3) / 5)
    assert scores["f1"] == pytest.approx(2 * scores["precision"] * 0.5 / (scores["precision"] + 0.5))
    assert scores["n_plus"] == 3
    per_image = keras.ops.convert_to_numpy(top5_image_f1(y, prediction))
    np.testing.assert_allclose(per_image, [2 / 7, 4 / 8, 0], rtol=1e-6)
    assert task.describe(prediction[1], y[1]) == "tags b, c, e, f, g (2 of the image's 3 other tags)"


def test_model_trains_round_trips_and_is_invariant(coco_root, tmp_path):
    keras.utils.set_random_seed(0)
    family = ImageTaggingCocoFamily(source=coco_root, vocabulary_size=6, max_given=2)
    assert family.missing_data is None
    x, y = family.load_split("test", seed=1)
    assert x["elements"].shape[1] == 1 and x["image"].shape[1:] == (64, 64, 3) and y.shape[1] == 6
    model = family.compile(family.build("deepsets", learning_rate=1e-3, **SMALL))
    history = model.fit(family.load_split("train", size=2), validation_data=family.load_split("val"), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all() and "val_image_f1" in history.history
    prediction = model.predict(x, verbose=0)
    assert prediction.shape == (len(y), 6)
    assert (prediction[np.arange(len(y)), x["elements"][:, 0]] == -1e9).all()  # a given tag is never proposed
    train_x, _ = family.load_split("train", size=1)[0]
    report = zoo.check_symmetry(model, train_x, trials=2)
    assert report["passed"] and report["declared"]["output"] == "invariant" and report["padding"] is not None
    model.save(tmp_path / "tagging.keras")
    loaded = keras.saving.load_model(tmp_path / "tagging.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), prediction, atol=1e-5)
    assert loaded.get_config() == model.get_config()
    scores = family.evaluate(lambda inputs: model.predict(inputs, verbose=0), seed=1)
    assert set(scores) == {"precision", "recall", "f1", "n_plus"}
    assert family.task.names == VOCABULARY
    assert set(family.evaluate(family.baselines["most_frequent"], seed=2)) == set(scores)
    with pytest.raises(ValueError, match="needs the image"):
        model.predict({"elements": x["elements"], "mask": x["mask"]}, verbose=0)


def test_model_builds_without_data_and_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("COCO_ROOT", raising=False)
    family = ImageTaggingCocoFamily()
    assert "COCO_ROOT" in family.missing_data and family.wording.unavailable_reason
    model = family.example_model("deepsets", family.architectures["deepsets"].defaults)
    output = model({"elements": np.array([[3, 999]]), "image": np.zeros((1, 64, 64, 3), np.float32)})
    assert model.symmetry["output"] == "invariant" and output.shape == (1, 1000)
    info = family.dataset_info()
    assert set(info) == {"name", "training_split", "evaluation_split"} and all(info.values())
