"""Photo sources for the image tasks: scikit-image's bundled photos (offline), any image folder, tfds builders."""

from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
# Photos that ship inside the scikit-image wheel (the others are downloaded at run time and are not used).
SKIMAGE_COLOUR = ("astronaut", "cat", "chelsea", "coffee", "colorwheel", "hubble_deep_field", "immunohistochemistry",
                  "retina", "rocket", "stereo_motorcycle")
SKIMAGE_GREY = ("brick", "camera", "cell", "clock", "coins", "grass", "gravel", "moon", "page", "text")
# Held out for evaluation: crops of one photo never appear in both splits.
SKIMAGE_TEST = ("coffee", "rocket", "camera", "gravel")


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


def image_folder(root, split=None):
    """Every image under `root` (recursively), `{relative path: RGB uint8}`; `root/<split>/` when it exists.

    Works for ImageNet's `train/`/`val/` folders, Places exports or any folder of photos.
    """
    import cv2

    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"Image folder {root} does not exist.")
    if split and (root / split).is_dir():
        root = root / split
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise FileNotFoundError(f"No images ({', '.join(IMAGE_SUFFIXES)}) under {root}.")
    images = {}
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"Could not decode image {path}: the file is corrupt or not an image.")
        images[path.relative_to(root).as_posix()] = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return images


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


def random_crops(images, size, count, rng, min_scale=0.3):
    """`count` random square crops (side ≥ `min_scale` of the shorter side) resized to `size`, uint8."""
    import cv2

    images = list(images)
    crops = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        image = images[int(rng.integers(len(images)))]
        h, w = image.shape[:2]
        side = int(rng.integers(int(min_scale * min(h, w)), min(h, w) + 1))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crops[i] = cv2.resize(image[top : top + side, left : left + side], (size, size),
                              interpolation=cv2.INTER_AREA)
    return crops


def load_photos(source="skimage", split="train", colour_only=False):
    """Photos of a split from a source: `"skimage"` (offline default), `"tfds:<builder>"` or an image folder.

    `tfds:` maps `"test"` to the builder's `"validation"` split when it has no `"test"` split (Places365).
    """
    if source == "skimage":
        return skimage_photos(split, colour_only=colour_only)
    if str(source).startswith("tfds:"):
        name = str(source).removeprefix("tfds:")
        try:
            return tfds_images(name, split)
        except ValueError:
            return tfds_images(name, "validation" if split == "test" else split)
    return image_folder(source, split)
