"""CelebA faces (Liu et al., 2015) for the DeepSets set anomaly detection (§4.3, Fig. 5).

CelebA is for non-commercial research only and the zoo cannot download it, so nothing here does. Two sources,
named by `root=` or `$CELEBA_ROOT`:

- a folder with the official files: `img_align_celeba/<id>.jpg`, `list_attr_celeba.txt` (a count, the 40 attribute
  names, then `<file> ±1 ×40` per image) and `list_eval_partition.txt` (`<file> 0|1|2` for train/val/test); the
  official archive's `Img/`, `Anno/` and `Eval/` subfolders work too;
- `"tfds"`: a prepared tensorflow-datasets `celeb_a` (read offline).

Faces are centre-cropped to a square and resized to 64 × 64 RGB. A set of the anomaly task holds 15 faces that
have two attributes and one face that has neither (`odd_face_sets`).

Example:
>>> images, attributes, names = load_faces("/data/celeba", "test")
>>> x, y = odd_face_sets(images, attributes, 8, np.random.default_rng(0))
>>> x.shape, y.shape
((8, 16, 64, 64, 3), (8,))
"""

from pathlib import Path

import numpy as np

from zoo.data import environment_source
from zoo.data.video import square_resize

IMAGE_FOLDER, ATTRIBUTE_FILE, PARTITION_FILE = "img_align_celeba", "list_attr_celeba.txt", "list_eval_partition.txt"
PARTITIONS = {"train": 0, "val": 1, "test": 2}
TFDS_SPLITS = {"train": "train", "val": "validation", "test": "test"}
IMAGE_SIZE = 64
LICENCE_NOTE = ("CelebA (CUHK, https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html) is for non-commercial research "
                "only and must be obtained from its owners; the zoo cannot download it or ship weights trained on it")


def default_source():
    return environment_source("CELEBA_ROOT", "CelebA", LICENCE_NOTE,
                              f"the folder with {IMAGE_FOLDER}/, {ATTRIBUTE_FILE} and {PARTITION_FILE}, or to 'tfds' "
                              "for a prepared tensorflow-datasets celeb_a")


def official_files(root):
    """`(image folder, attribute file, partition file)` of the official layout under `root`.

    Raises:
        FileNotFoundError: `root` or one of the three is missing.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"CelebA folder {root} does not exist.")
    found = []
    for name, subfolder in ((IMAGE_FOLDER, "Img"), (ATTRIBUTE_FILE, "Anno"), (PARTITION_FILE, "Eval")):
        candidates = [root / name, root / subfolder / name]
        path = next((c for c in candidates if c.exists()), None)
        if path is None:
            raise FileNotFoundError(f"No {name} in {root} (nor in {root / subfolder}): not the official CelebA layout.")
        found.append(path)
    return tuple(found)


def read_attributes(path):
    """The official attribute list: `(files, attributes (N, 40) bool, names)`.

    Raises:
        ValueError: a malformed file (counts, columns or values other than ±1).
    """
    lines = Path(path).read_text().split("\n", 2)
    try:
        count, names = int(lines[0]), tuple(lines[1].split())
        rows = np.array(lines[2].split()).reshape(-1, len(names) + 1)
        values = rows[:, 1:].astype(np.int8)
    except (ValueError, IndexError) as error:
        raise ValueError(f"{path} is not a CelebA attribute list (count, names, then <file> ±1 per name): "
                         f"{error}.") from None
    if len(rows) != count or not np.isin(values, (-1, 1)).all():
        raise ValueError(f"{path} announces {count} images and holds {len(rows)}, with values "
                         f"{sorted(np.unique(values).tolist())}; expected ±1 per attribute.")
    return rows[:, 0].tolist(), values > 0, names


def read_partition(path):
    """The official partition list: `{file: 0 | 1 | 2}` (train, val, test)."""
    tokens = Path(path).read_text().split()
    if not tokens or len(tokens) % 2 or not set(tokens[1::2]) <= {"0", "1", "2"}:
        raise ValueError(f"{path} is not a CelebA partition list (<file> 0|1|2 per line).")
    return dict(zip(tokens[::2], map(int, tokens[1::2])))


def _read_image(path):
    import cv2

    if not path.is_file():
        raise FileNotFoundError(f"CelebA image {path} is listed but missing.")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"Could not decode image {path}: the file is corrupt or not an image.")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_folder(root, split, size=IMAGE_SIZE, max_images=None):
    """Faces of a split of the official layout: `(images (N, size, size, 3) uint8, attributes (N, 40) bool,
    names)`, in the attribute list's order (the first `max_images` when given)."""
    from tqdm.auto import tqdm

    folder, attribute_file, partition_file = official_files(root)
    files, attributes, names = read_attributes(attribute_file)
    partition = read_partition(partition_file)
    chosen = [i for i, name in enumerate(files) if partition.get(name) == PARTITIONS[split]][:max_images]
    if not chosen:
        raise ValueError(f"{partition_file} assigns no image of {attribute_file.name} to the {split} split.")
    images = np.empty((len(chosen), size, size, 3), np.uint8)
    for row, i in enumerate(tqdm(chosen, desc=f"reading CelebA {split}", disable=len(chosen) < 1000)):
        images[row] = square_resize(_read_image(folder / files[i]), size)
    return images, attributes[chosen], names


def read_tfds(split, size=IMAGE_SIZE, max_images=None, data_dir=None):
    """Faces of a split of a prepared tensorflow-datasets `celeb_a`, as `read_folder` returns them (attribute
    names sorted).

    Raises:
        FileNotFoundError: the builder's data is not prepared in `data_dir`.
    """
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load("celeb_a", split=TFDS_SPLITS[split], data_dir=data_dir, download=False)
    except AssertionError as error:  # tfds's way of saying the data is not prepared
        raise FileNotFoundError(f"tensorflow-datasets' celeb_a is not prepared in {data_dir or 'the default data_dir'}"
                                "; prepare it first, or point CELEBA_ROOT at the official files.") from error
    if max_images is not None:
        dataset = dataset.take(max_images)
    images, attributes, names = [], [], None
    for example in tfds.as_numpy(dataset):
        names = names or tuple(sorted(example["attributes"]))
        images.append(square_resize(example["image"], size))
        attributes.append([bool(example["attributes"][name]) for name in names])
    return np.stack(images), np.array(attributes, bool), names


def load_faces(source=None, split="train", size=IMAGE_SIZE, max_images=None):
    """Faces of a split (`"train"`, `"val"` or `"test"`) from `source` (a folder, or `"tfds"`; default
    `$CELEBA_ROOT`): `(images uint8, attributes bool, names)`."""
    source = source or default_source()
    if source == "tfds":
        return read_tfds(split, size, max_images)
    return read_folder(source, split, size, max_images)


def attribute_pairs(attributes, set_size=16):
    """Pairs `(a, b)`, a < b, of attributes that `set_size − 1` faces share and at least one face lacks both.

    Raises:
        ValueError: no such pair (too few faces).
    """
    have = attributes.astype(np.float32)  # counts below 2**24 are exact
    both, neither = have.T @ have, (1 - have).T @ (1 - have)
    pairs = np.argwhere(np.triu((both >= set_size - 1) & (neither >= 1), k=1))
    if not len(pairs):
        raise ValueError(f"No two attributes are shared by {set_size - 1} faces and both absent from another among "
                         f"these {len(attributes)} faces.")
    return pairs


def odd_face_indices(attributes, count, rng, set_size=16):
    """`count` sets of face indices: a random usable pair of attributes, `set_size − 1` faces that have both and
    one face that has neither, shuffled.

    Returns:
        `(members, y)`: `(count, set_size)` indices into `attributes`, and the position of the odd face.
    """
    pairs = attribute_pairs(attributes, set_size)
    members = np.empty((count, set_size), np.int64)
    y = np.empty(count, np.int32)
    for i in range(count):
        a, b = pairs[rng.integers(len(pairs))]
        common = np.flatnonzero(attributes[:, a] & attributes[:, b])
        odd = np.flatnonzero(~attributes[:, a] & ~attributes[:, b])
        chosen = np.append(rng.choice(common, size=set_size - 1, replace=False), rng.choice(odd))
        order = rng.permutation(set_size)
        members[i] = chosen[order]
        y[i] = int(np.flatnonzero(order == set_size - 1)[0])
    return members, y


def odd_face_sets(images, attributes, count, rng, set_size=16):
    """`count` sets of faces for the anomaly task (`odd_face_indices`).

    Returns:
        `(x, y)`: x `(count, set_size, h, w, 3)` float32 in [0, 1], y the position of the odd face.
    """
    members, y = odd_face_indices(attributes, count, rng, set_size)
    return images[members].astype(np.float32) / 255.0, y
