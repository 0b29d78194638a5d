"""MS-COCO 2014 images tagged with the words of their captions, for DeepSets' image tagging (§4.2.3, Table 4).

Sources (`source=` or `$COCO_ROOT`), nothing downloaded:

- a folder with the official layout: `annotations/captions_train2014.json`, `annotations/captions_val2014.json`
  and the images in `train2014/` and `val2014/`. train2014 is the training split; val2014 is cut by a fixed
  permutation (seed 0) into 5,000 validation and 5,000 test images (half each when it holds fewer);
- `"tfds"` or `"tfds:<data_dir>"`: a prepared tensorflow-datasets `coco_captions` (its Karpathy train, val and test
  splits), read offline.

An image's tags are the words of its captions (lower case, letters only) that are in the vocabulary: the `size`
words used by the most training images, stop-words (`STOP_WORDS`) left out, ranked by that count (ties
alphabetically), so tag 0 is the most frequent. Images with fewer than two tags are dropped (a tag set is given
and at least one tag is left to predict). Images are centre-cropped and resized to 64 × 64 RGB.
"""

import collections
import json
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from zoo.data import environment_source
from zoo.data.video import square_resize
from zoo.layers.masking import NEG_LARGE
from zoo.models.inputs import pad_sets

IMAGE_SIZE = 64
HELD_OUT_IMAGES, SPLIT_SEED = 5000, 0
# English function words, the words of "in front of", "on top of" and "next to", and the auxiliary verbs ("is",
# "has", "can"): never tags.
STOP_WORDS = frozenset("""
a about above after against along an and another are around as at away be behind being below beside between both
but by can down during each for from front has have her his in inside into is it its near next of off on onto or
other out over some that the their them there these they this those through to top under up very was while with
""".split())
SOURCE_NOTE = "MS-COCO 2014 (captions CC BY 4.0, images under Flickr's terms) is not on the zoo's offline machines"


class TaggedImages(NamedTuple):
    """Images `(N, 64, 64, 3)` uint8 and, per image, its tag ids (sorted int32 array)."""

    images: np.ndarray
    tags: list


def find_source(source=None):
    """`source`, else `$COCO_ROOT`: `"tfds"`/`"tfds:<data_dir>"`, or a checked folder of the official layout.

    Raises:
        FileNotFoundError: nothing given, or the folder or an annotation file is missing (named).
    """
    source = source or environment_source(
        "COCO_ROOT", "COCO", SOURCE_NOTE, "a folder of the official layout (annotations/captions_{train,val}2014.json, "
        "train2014/, val2014/) or to 'tfds' for a prepared tensorflow-datasets coco_captions")
    if str(source).startswith("tfds"):
        return str(source)
    root = Path(source)
    if not root.is_dir():
        raise FileNotFoundError(f"COCO folder {root} does not exist.")
    for split in ("train", "val"):
        if not annotation_path(root, split).is_file():
            raise FileNotFoundError(f"No {annotation_path(root, split)}: not the official COCO layout.")
    return root


def annotation_path(root, split):
    return Path(root) / "annotations" / f"captions_{split}2014.json"


def words(caption):
    """Lower-case words of a caption (letters only): `"A dog, on a SOFA."` → `["a", "dog", "on", "a", "sofa"]`."""
    return re.findall(r"[a-z]+", caption.lower())


def read_annotations(path):
    """`{file_name: [captions]}` of an official captions file, in the order of the image ids.

    Raises:
        FileNotFoundError: no such file. ValueError: not JSON, or not a COCO captions file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"COCO captions file {path} not found.")
    try:
        content = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not valid JSON ({error}): a damaged COCO captions file?") from error
    if not isinstance(content, dict) or not all(isinstance(content.get(k), list) for k in ("images", "annotations")):
        raise ValueError(f"{path} has no 'images' and 'annotations' lists: not a COCO captions file.")
    captions = collections.defaultdict(list)
    for annotation in content["annotations"]:
        captions[annotation["image_id"]].append(annotation["caption"])
    images = sorted(content["images"], key=lambda image: image["id"])
    return {image["file_name"]: captions[image["id"]] for image in images if captions[image["id"]]}


def build_vocabulary(captions, size):
    """The `size` non-stop-words used by the most images (`captions`: per image, its captions), most used first.

    Raises:
        ValueError: the captions hold fewer than `size` such words.
    """
    counts = collections.Counter(word for image in captions
                                 for word in {w for caption in image for w in words(caption)} - STOP_WORDS)
    if len(counts) < size:
        raise ValueError(f"The training captions hold only {len(counts)} distinct words besides stop-words; a "
                         f"vocabulary of {size} needs more (ask for a smaller one).")
    return tuple(sorted(counts, key=lambda word: (-counts[word], word))[:size])


def tags_of(captions, index):
    """Sorted int32 ids (`index`: word → id) of the vocabulary words in an image's captions."""
    return np.array(sorted({index[w] for caption in captions for w in words(caption) if w in index}), np.int32)


def read_image(path, size=IMAGE_SIZE):
    """An image file, centre-cropped and resized to `size × size` RGB uint8."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"COCO image {path} not found.")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"Could not decode image {path}: the file is corrupt or not an image.")
    return square_resize(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), size)


def read_folder(root, max_images=None):
    """`{"train", "val", "test"}` → `(images, captions)` of the official layout (first `max_images` of each)."""
    train = list(read_annotations(annotation_path(root, "train")).items())
    held_out = list(read_annotations(annotation_path(root, "val")).items())
    order = np.random.default_rng(SPLIT_SEED).permutation(len(held_out))
    half = min(HELD_OUT_IMAGES, len(held_out) // 2)
    parts = {"train": ("train", train), "val": ("val", [held_out[i] for i in order[:half]]),
             "test": ("val", [held_out[i] for i in order[half:2 * half]])}
    splits = {}
    for split, (folder, items) in parts.items():
        items = items[:max_images]
        if not items:
            raise ValueError(f"The {split} split of {root} holds no captioned image.")
        images = np.stack([read_image(Path(root) / f"{folder}2014" / name) for name, _ in items])
        splits[split] = images, [captions for _, captions in items]
    return splits


def read_tfds(data_dir=None, max_images=None):
    """`{"train", "val", "test"}` → `(images, captions)` of a prepared tensorflow-datasets `coco_captions`.

    Raises:
        FileNotFoundError: the data set is not prepared in `data_dir`.
    """
    import tensorflow_datasets as tfds

    splits = {}
    for split in ("train", "val", "test"):
        try:
            dataset = tfds.load("coco_captions", split=split, data_dir=data_dir, download=False)
        except AssertionError as error:  # tfds's way of saying the data is not prepared
            raise FileNotFoundError(f"tensorflow-datasets' coco_captions is not prepared in "
                                    f"{data_dir or 'the default data_dir'}; prepare it first, or point COCO_ROOT at "
                                    "the official COCO folder.") from error
        images, captions = [], []
        for example in tfds.as_numpy(dataset.take(-1 if max_images is None else max_images)):
            images.append(square_resize(example["image"], IMAGE_SIZE))
            captions.append([text.decode("utf-8") for text in example["captions"]["text"]])
        splits[split] = np.stack(images), captions
    return splits


def load_tags(source=None, vocabulary_size=1000, max_images=None):
    """The vocabulary (built on the training captions) and the tagged images of every split.

    Returns:
        `{"vocabulary": tuple of words, "train" | "val" | "test": TaggedImages}`.
    """
    source = find_source(source)
    if isinstance(source, str):
        splits = read_tfds(source.removeprefix("tfds").removeprefix(":") or None, max_images)
    else:
        splits = read_folder(source, max_images)
    vocabulary = build_vocabulary(splits["train"][1], vocabulary_size)
    index = {word: i for i, word in enumerate(vocabulary)}
    tagged = {"vocabulary": vocabulary}
    for split, (images, captions) in splits.items():
        tags = [tags_of(c, index) for c in captions]
        kept = [i for i, t in enumerate(tags) if len(t) >= 2]
        tagged[split] = TaggedImages(images[kept], [tags[i] for i in kept])
    return tagged


def tag_sets(data, indices, given, rng, vocabulary_size, length=None):
    """Model inputs and targets: for image `indices[i]`, `given[i]` of its tags (drawn by `rng`) form the set and
    the others are the targets.

    Returns:
        `(x, y)`: x `{"elements": (N, length) int32 tag ids, "mask": (N, length), "image": (N, 64, 64, 3) float32
        in [0, 1]}`; y `(N, vocabulary_size)` float32, 1 for each tag to predict.
    """
    sets, y = [], np.zeros((len(indices), vocabulary_size), np.float32)
    for row, (i, k) in enumerate(zip(indices, given)):
        shuffled = rng.permutation(data.tags[i])
        sets.append(shuffled[:k])
        y[row, shuffled[k:]] = 1.0
    x = pad_sets(sets, dtype=np.int32, length=length)
    x["image"] = data.images[np.asarray(indices)].astype(np.float32) / 255.0
    return x, y


def evaluation_sets(data, rng, vocabulary_size, given=1):
    """Every image with more than `given` tags, `given` of them (drawn by `rng`) in its set; see `tag_sets`."""
    usable = [i for i, tags in enumerate(data.tags) if len(tags) > given]
    return tag_sets(data, usable, [given] * len(usable), rng, vocabulary_size)


def training_sets(data, rng, count, vocabulary_size, max_given):
    """`count` random images, each with 1 … min(tags − 1, `max_given`) of its tags given (uniformly), padded to
    `max_given` slots; see `tag_sets`."""
    indices = rng.integers(len(data.tags), size=count)
    most = np.minimum([len(data.tags[i]) - 1 for i in indices], max_given)
    return tag_sets(data, indices, rng.integers(1, most + 1), rng, vocabulary_size, length=max_given)


def frequency_baseline(x, vocabulary_size):
    """Trivial tagger: the most frequent training tags (tag ids are ranked by frequency), given tags excluded.

    Returns scores `(N, vocabulary_size)`: higher for more frequent tags, −1e9 for the given ones.
    """
    tags, mask = np.asarray(x["elements"]), np.asarray(x["mask"])
    scores = np.tile(-np.arange(vocabulary_size, dtype=np.float32), (len(tags), 1))
    rows = np.broadcast_to(np.arange(len(tags))[:, None], tags.shape)
    scores[rows[mask > 0], tags[mask > 0]] = NEG_LARGE
    return scores
