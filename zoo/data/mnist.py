"""MNIST digits (LeCun et al.) for the set tasks built from handwritten digits.

Sources, in order: `source=` / `$ZOO_MNIST`; the official idx files in a folder (`train-images-idx3-ubyte[.gz]`,
`train-labels-idx1-ubyte[.gz]`, `t10k-…`, as distributed by the MNIST authors); `"tfds"` for a prepared
tensorflow-datasets `mnist`; by default the real test split shared with the zoo (`../shared/data/mnist`).

The digits are served as three disjoint pools, so neither a validation nor a test set ever shows a digit image seen
in training: with both official splits, the training split's last 5,000 digits validate and the test split tests;
with only the 10,000 test digits (the shared copy), a fixed permutation cuts them into 7,000 / 1,000 / 2,000.
"""

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

from zoo.data import SHARED_DATA

SHARED_MNIST = SHARED_DATA / "mnist"
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
# MD5 of the decompressed official test images: a damaged copy is refused rather than silently used.
T10K_IMAGES_MD5 = "2646ac647ad5339dbf082846283269ea"
POOL_SIZES = {"val": 1000, "test": 2000}  # cut from a test split alone; the rest trains
OFFICIAL_VAL_SIZE = 5000


def _open(folder, name):
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            opener = gzip.open if candidate.suffix == ".gz" else open
            with opener(candidate, "rb") as handle:
                return candidate, handle.read()
    return None, None


def read_idx(data, path="idx data"):
    """Decode the bytes of an idx file (the MNIST format): `uint8` array of the stored shape."""
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an idx file of unsigned bytes (bad magic number).")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {body.size} values; its header announces shape {shape}: truncated?")
    return body.reshape(shape)


def read_folder(folder):
    """`{split: (images (N, 28, 28) uint8, labels (N,) uint8)}` of the idx files found in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST folder {folder} does not exist.")
    splits = {}
    for split, (image_name, label_name) in FILES.items():
        image_path, image_bytes = _open(folder, image_name)
        label_path, label_bytes = _open(folder, label_name)
        if image_path is None or label_path is None:
            continue
        if split == "test" and hashlib.md5(image_bytes).hexdigest() != T10K_IMAGES_MD5:
            raise ValueError(f"{image_path} does not match the official MNIST test images (MD5): the file is "
                             "damaged or not MNIST.")
        images, labels = read_idx(image_bytes, image_path), read_idx(label_bytes, label_path)
        if len(images) != len(labels):
            raise ValueError(f"{image_path} has {len(images)} images but {label_path} has {len(labels)} labels.")
        splits[split] = (images, labels)
    if "test" not in splits:
        raise FileNotFoundError(f"No MNIST idx files ({FILES['test'][0]}[.gz], ...) in {folder}.")
    return splits


def read_tfds(data_dir=None):
    """`{split: (images, labels)}` of a prepared tensorflow-datasets `mnist`, offline."""
    import tensorflow_datasets as tfds

    splits = {}
    for split in ("train", "test"):
        try:
            dataset = tfds.load("mnist", split=split, data_dir=data_dir, download=False)
        except AssertionError as error:  # tfds's way of saying the data is not prepared
            where = data_dir or "the default data_dir"
            raise FileNotFoundError(f"tensorflow-datasets' mnist is not prepared in {where}; prepare it first, or "
                                    "point ZOO_MNIST at the official idx files.") from error
        examples = list(tfds.as_numpy(dataset))
        splits[split] = (np.stack([e["image"][..., 0] for e in examples]),
                         np.array([e["label"] for e in examples], np.uint8))
    return splits


def default_source():
    """`$ZOO_MNIST`, else the shared test split when it exists."""
    source = os.environ.get("ZOO_MNIST")
    if source:
        return source
    if SHARED_MNIST.is_dir():
        return str(SHARED_MNIST)
    raise FileNotFoundError("No MNIST data: set ZOO_MNIST to a folder with the official idx files, or to 'tfds' "
                            "for a prepared tensorflow-datasets mnist.")


def load_pools(source=None):
    """Disjoint pools of digits: `{"train" | "val" | "test": (images float32 in [0, 1], labels int32)}`."""
    source = source or default_source()
    splits = read_tfds() if source == "tfds" else read_folder(source)
    if "train" in splits:
        (images, labels), test = splits["train"], splits["test"]
        pools = {"train": (images[:-OFFICIAL_VAL_SIZE], labels[:-OFFICIAL_VAL_SIZE]),
                 "val": (images[-OFFICIAL_VAL_SIZE:], labels[-OFFICIAL_VAL_SIZE:]), "test": test}
    else:
        images, labels = splits["test"]
        order = np.random.default_rng(0).permutation(len(images))
        test, val = order[:POOL_SIZES["test"]], order[POOL_SIZES["test"]:POOL_SIZES["test"] + POOL_SIZES["val"]]
        train = order[POOL_SIZES["test"] + POOL_SIZES["val"]:]
        pools = {name: (images[rows], labels[rows]) for name, rows in (("train", train), ("val", val), ("test", test))}
    return {name: (images.astype(np.float32) / 255.0, labels.astype(np.int32))
            for name, (images, labels) in pools.items()}


def deform(images, rng, max_angle=15.0, scales=(0.9, 1.1), max_shift=2.0):
    """Random small affine deformations of digit images `(..., 28, 28[, 1])` (rotation, scale, shift), in the
    spirit of MNIST8m, the deformed MNIST the DeepSets paper trains on. Blank (padding) images stay blank."""
    import cv2

    height, width = images.shape[-3:-1] if images.shape[-1] == 1 else images.shape[-2:]
    flat = images.reshape(-1, height, width)
    out = np.empty_like(flat)
    for i, image in enumerate(flat):
        if not image.any():
            out[i] = image
            continue
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-max_angle, max_angle),
                                         rng.uniform(*scales))
        matrix[:, 2] += rng.uniform(-max_shift, max_shift, size=2)
        out[i] = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return out.reshape(images.shape)


def describe(source=None):
    """The data's name for cards: which digits train and which test."""
    source = source or default_source()
    if source == "tfds":
        return (f"MNIST (tensorflow-datasets mnist): the training split (its last {OFFICIAL_VAL_SIZE:,} digits to "
                "validate) and the test split")
    if (Path(source) / f"{FILES['train'][0]}.gz").is_file() or (Path(source) / FILES["train"][0]).is_file():
        return (f"MNIST, official idx files in {Path(source).name}: the training split (its last {OFFICIAL_VAL_SIZE:,} "
                "digits to validate) and the test split")
    return (f"the real MNIST test split (10,000 digits, {Path(source).name}/), cut into disjoint pools: 7,000 digits "
            f"to train on, {POOL_SIZES['val']:,} to validate on, {POOL_SIZES['test']:,} to test on (fixed permutation, "
            "seed 0)")


LICENCE = "MNIST (LeCun, Cortes and Burges; freely available for research)"
RETRAIN = "ZOO_MNIST=/path/to/mnist/idx/files zoo train {name}"


class MnistPools:
    """The train / val / test pools of one MNIST source, read on first use: `pools["train"]` is `(images, labels)`.

    Args:
        source: a folder of idx files, `"tfds"`, or None for `default_source()`.
    """

    def __init__(self, source=None):
        self.source = source
        self._pools = None

    def __getitem__(self, pool):
        if self._pools is None:
            self._pools = load_pools(self.source)
        return self._pools[pool]

    def find(self):
        """The MNIST source these pools read: `source`, else `default_source()`, which raises `FileNotFoundError`
        when there is none."""
        return self.source or default_source()

    def describe(self):
        return describe(self.source)
