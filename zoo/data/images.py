"""Photo sources for the image tasks: the shared photo folder, scikit-image's bundled photos (offline), any image
folder, tfds builders; split by photo, never by crop.

A folder without `train/`/`test/` subfolders is split by photo with `photo_splits`: the photos ranked by the SHA-1
of their names, the first fifth held out for test, the next fifth for validation, the rest for training (a rule
anyone can recompute, stable when photos are added). A folder with split subfolders keeps them for training and
test, and holds out a fifth of its training photos, by the same rule, for validation.
"""

import csv
import hashlib
from pathlib import Path

import numpy as np

from zoo.data import SHARED_DATA

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
# Photos that ship inside the scikit-image wheel (the others are downloaded at run time and are not used).
SKIMAGE_COLOUR = ("astronaut", "cat", "chelsea", "coffee", "colorwheel", "hubble_deep_field", "immunohistochemistry",
                  "retina", "rocket", "stereo_motorcycle")
SKIMAGE_GREY = ("brick", "camera", "cell", "clock", "coins", "grass", "gravel", "moon", "page", "text")
# Held out for evaluation: crops of one photo never appear in both splits.
SKIMAGE_TEST = ("coffee", "rocket", "camera", "gravel")
# Real high-resolution colour photos (up to 2048 px) with their authors and licences in MANIFEST.csv.
SHARED_PHOTOS = SHARED_DATA / "photos"
MANIFEST = "MANIFEST.csv"
SPLITS = ("train", "val", "test")
HELD_OUT_FRACTION = 0.2  # of the photos, for test and again for validation
TEST_ALIASES = ("test", "val", "validation")  # the held-out subfolder of a folder split into subfolders


def default_photo_source():
    """The shared photo folder when it exists (real photos of up to 2048 px), scikit-image's bundled photos
    otherwise."""
    return str(SHARED_PHOTOS) if (SHARED_PHOTOS / MANIFEST).is_file() else "skimage"


def photo_splits(names):
    """`{name: "train" | "val" | "test"}` for photo `names`: ranked by the SHA-1 of the name, the first fifth (at
    least one) is test, the next fifth (at least one) validation, the rest training.

    >>> sorted(photo_splits(["a.jpg", "b.jpg", "c.jpg"]).values())
    ['test', 'train', 'val']
    """
    names = sorted(set(names), key=lambda name: hashlib.sha1(name.encode()).hexdigest())
    if len(names) < 3:
        raise ValueError(f"Splitting a folder by photo needs at least 3 photos (train, validation, test), got "
                         f"{len(names)}; add photos or give it train/ and test/ subfolders.")
    held_out = max(1, round(HELD_OUT_FRACTION * len(names)))
    return {name: "test" if i < held_out else "val" if i < 2 * held_out else "train" for i, name in enumerate(names)}


def photo_credits(root):
    """The rows of a photo folder's `MANIFEST.csv` (`file`, `author`, `licence`, …), `[]` when it has none."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rgb(image):
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def skimage_photos(split="train", colour_only=False):
    """scikit-image's bundled photos as RGB uint8 arrays, `{name: image}`, split by photo (`"train"`/`"test"`)."""
    from skimage import data

    names = SKIMAGE_COLOUR + ((), SKIMAGE_GREY)[not colour_only]
    chosen = [n for n in names if (n in SKIMAGE_TEST) == (split == "test")]
    photos = {}
    for name in chosen:
        image = getattr(data, name)()
        photos[name] = _rgb(image[0] if isinstance(image, tuple) else image)
    return photos


def _read_images(root, paths):
    import cv2

    images = {}
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"Could not decode image {path}: the file is corrupt or not an image.")
        images[path.relative_to(root).as_posix()] = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return images


def _image_paths(root):
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def _of_splits(root, paths, splits):
    """The `paths` under `root` that `photo_splits` puts in one of `splits`."""
    assigned = photo_splits(p.relative_to(root).as_posix() for p in paths)
    return [p for p in paths if assigned[p.relative_to(root).as_posix()] in splits]


def image_folder(root, split=None):
    """The images of a folder, `{relative path: RGB uint8}`, all of them or those of one split (`"train"`, `"val"`,
    `"test"`), split by photo.

    A folder with `train/` and a held-out `test/` (or `val/`, `validation/`: ImageNet's and Places' exports) keeps
    them, holding out a fifth of `train/` (`photo_splits`) for validation; any other folder is split by
    `photo_splits`.

    Raises:
        FileNotFoundError: the folder does not exist, or holds no images (in the split's subfolder).
        ValueError: an image cannot be decoded, or a flat folder has fewer than 3 photos.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"Image folder {root} does not exist.")
    if split is not None and split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {SPLITS}.")
    held_out = next((root / name for name in TEST_ALIASES if (root / name).is_dir()), None)
    if (root / "train").is_dir() and held_out is not None:
        if split == "test":
            root, paths = held_out, _image_paths(held_out)
        else:
            root = root / "train"
            paths = _image_paths(root)
            if split is not None:  # a fifth of train/ is the validation split
                paths = _of_splits(root, paths, ("val",) if split == "val" else ("train", "test"))
    else:
        paths = _image_paths(root)
        if split is not None and paths:
            paths = _of_splits(root, paths, (split,))
    if not paths:
        raise FileNotFoundError(f"No images ({', '.join(IMAGE_SUFFIXES)}) under {root}.")
    return _read_images(root, paths)


def tfds_images(name, split="train", data_dir=None, max_images=None, key="image"):
    """Images of a prepared tensorflow-datasets builder (`places365_small`, `celeb_a`, `imagenet2012`), offline.

    Raises:
        FileNotFoundError: the builder's data is not prepared in `data_dir`.
    """
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir, download=False)
    except AssertionError as error:  # tfds's way of saying the data is not prepared
        raise FileNotFoundError(f"tensorflow-datasets' {name} is not prepared in {data_dir or 'the default data_dir'}"
                                "; prepare it first, or use image_folder() on exported images.") from error
    images = {}
    for index, example in enumerate(tfds.as_numpy(dataset)):
        if max_images is not None and index >= max_images:
            break
        images[f"{name}/{split}/{index:06d}"] = _rgb(example[key])
    return images


def random_crops(images, size, count, rng, scales=(0.1, 1.0)):
    """`count` random square crops resized to `size` px, uint8 `(count, size, size, 3)`, at several scales.

    A crop's side is drawn log-uniformly between `scales[0]` and `scales[1]` of the photo's shorter side (never
    below `size` px, so that no crop is enlarged when the photo is large enough): a 64 px crop of a 2048 px photo
    ranges from a close-up of a texture to the whole scene scaled down, as the paper's 256 px Places365 scenes are.

    Example:
    >>> crops = random_crops(photos, 64, 100, np.random.default_rng(0))
    """
    import cv2

    images = list(images)
    low, high = scales
    if not 0 < low <= high <= 1:
        raise ValueError(f"Crop scales must satisfy 0 < low ≤ high ≤ 1 of the shorter side, got {scales}.")
    crops = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        image = images[int(rng.integers(len(images)))]
        h, w = image.shape[:2]
        shorter = min(h, w)
        side = shorter * np.exp(rng.uniform(np.log(low), np.log(high)))
        side = int(round(min(shorter, max(side, size))))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crops[i] = cv2.resize(image[top : top + side, left : left + side], (size, size),
                              interpolation=cv2.INTER_AREA)
    return crops


def augment_crops(crops, rng):
    """Each square crop `(count, size, size, 3)` turned by a random multiple of 90°, mirrored at random and with its
    colour channels in a random order: eight orientations and six channel orders of every photo, for tasks whose
    target depends on neither (image quality: blur, noise and occlusion look alike in every orientation and colour).

    >>> augment_crops(np.zeros((4, 64, 64, 3), np.uint8), np.random.default_rng(0)).shape
    (4, 64, 64, 3)
    """
    out = np.empty_like(crops)
    for i, crop in enumerate(crops):
        crop = np.rot90(crop, int(rng.integers(4)))
        out[i] = (crop[:, ::-1] if rng.integers(2) else crop)[..., rng.permutation(3)]
    return out


def load_photos(source="skimage", split="train", colour_only=False):
    """Photos of a split from a source: an image folder (the shared photo folder by default, see
    `default_photo_source`), `"skimage"` (scikit-image's bundled photos: the validation sets come from the training
    photos) or `"tfds:<builder>"`.

    `tfds:` maps `"test"` to the builder's `"validation"` split when it has no `"test"` split (Places365), and
    `"val"` to its training split.
    """
    if source == "skimage":
        return skimage_photos("test" if split == "test" else "train", colour_only=colour_only)
    if str(source).startswith("tfds:"):
        name, split = str(source).removeprefix("tfds:"), "train" if split == "val" else split
        try:
            return tfds_images(name, split)
        except ValueError:
            return tfds_images(name, "validation" if split == "test" else split)
    return image_folder(source, split)
