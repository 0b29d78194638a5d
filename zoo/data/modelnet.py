"""ModelNet40 (Wu et al., 2015) as point clouds, for the DeepSets point-cloud classification (§4.1, Table 1).

ModelNet is for academic research only and the zoo cannot download it, so nothing here does. Two sources, found
under `root=` or `$MODELNET_ROOT`:

- the official folder layout `ModelNet40/<class>/{train,test}/<class>_<NNNN>.off`: `n` points are sampled uniformly
  on each mesh's surface (area-weighted triangles, uniform barycentric coordinates);
- the DeepSets authors' preprocessed `ModelNet40_cloud.h5` (datasets `tr_cloud`, `tr_labels`, `test_cloud`,
  `test_labels`; 10,000 surface points per object), down-sampled by a fixed stride as in their code.

Either way each cloud is then standardised (`standardize`); `augment` is the authors' training augmentation.

Example:
>>> x, y = load_clouds("/data/ModelNet40", "test", points=1000)
>>> x.shape, CLASSES[y[0]]
((2468, 1000, 3), 'airplane')
"""

from pathlib import Path

import numpy as np

from zoo.data import environment_source

# The official 40 class names, sorted: a label is an index into this tuple.
CLASSES = ("airplane", "bathtub", "bed", "bench", "bookshelf", "bottle", "bowl", "car", "chair", "cone", "cup",
           "curtain", "desk", "door", "dresser", "flower_pot", "glass_box", "guitar", "keyboard", "lamp", "laptop",
           "mantel", "monitor", "night_stand", "person", "piano", "plant", "radio", "range_hood", "sink", "sofa",
           "stairs", "stool", "table", "tent", "toilet", "tv_stand", "vase", "wardrobe", "xbox")
CLOUD_FILE = "ModelNet40_cloud.h5"
CLOUD_KEYS = {"train": ("tr_cloud", "tr_labels"), "test": ("test_cloud", "test_labels")}
DATA_LICENCE = ("ModelNet40 (Wu et al., 2015): academic research use only; the CAD models remain their original "
                "authors' copyright")
LICENCE_NOTE = ("ModelNet40 (Princeton, https://modelnet.cs.princeton.edu) is provided for academic research only and "
                "must be downloaded from its owners' site; the zoo cannot download it or ship weights trained on it")


def default_root():
    return Path(environment_source("MODELNET_ROOT", "ModelNet40", LICENCE_NOTE,
                                   f"the folder with ModelNet40/<class>/{{train,test}}/*.off or to {CLOUD_FILE}"))


def find_source(root=None):
    """The data under `root` (default `$MODELNET_ROOT`): the path of `ModelNet40_cloud.h5`, or the folder of class
    folders (`root/ModelNet40` or `root` itself).

    Raises:
        FileNotFoundError: `root` does not exist or holds neither layout.
    """
    root = Path(root) if root is not None else default_root()
    if root.is_file():
        return root
    if not root.is_dir():
        raise FileNotFoundError(f"ModelNet40 folder {root} does not exist.")
    if (root / CLOUD_FILE).is_file():
        return root / CLOUD_FILE
    folder = root / "ModelNet40" if (root / "ModelNet40").is_dir() else root
    if next(folder.glob("*/*/*.off"), None) is None:
        raise FileNotFoundError(f"No ModelNet40 data in {root}: expected {CLOUD_FILE} or the official "
                                "<class>/{train,test}/<class>_NNNN.off folders.")
    return folder


def _fan_triangles(face_lines):
    """Triangles `(F, 3)` of OFF face lines `k i_1 … i_k`; a polygon with k > 3 is split into a fan from i_1."""
    polygons = {}
    for line in face_lines:
        values = line.split()
        k = int(values[0])
        if k < 3 or len(values) < k + 1:
            raise ValueError(f"face line {line!r} does not list k ≥ 3 vertex indices")
        polygons.setdefault(k, []).append(values[1 : k + 1])
    triangles = []
    for k, rows in polygons.items():
        rows = np.asarray(rows, dtype=np.int64)
        first = np.repeat(rows[:, :1], k - 2, axis=1)
        triangles.append(np.stack([first, rows[:, 1:-1], rows[:, 2:]], axis=-1).reshape(-1, 3))
    return np.concatenate(triangles)


def read_off(path):
    """Vertices and triangles of an OFF mesh.

    Handles the header `OFF` on its own line or joined with the counts (`OFF490 518 0`, as in some official
    ModelNet40 files), `#` comments, and polygons with more than 3 vertices (fan-triangulated).

    Returns:
        `(vertices, triangles)`: `(V, 3)` float64 and `(F, 3)` int64.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: the file is not a well-formed OFF mesh.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"OFF file {path} not found.")
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(errors="replace").splitlines()]
    lines = [line for line in lines if line]
    try:
        if not lines or not lines[0].startswith("OFF"):
            raise ValueError("it does not start with the OFF header")
        joined = lines[0][3:].split()
        counts, body = (joined, lines[1:]) if joined else (lines[1].split(), lines[2:])
        num_vertices, num_faces = int(counts[0]), int(counts[1])
        vertices = np.array(" ".join(body[:num_vertices]).split(), dtype=np.float64)
        if len(body) < num_vertices + num_faces or vertices.size != 3 * num_vertices:
            raise ValueError(f"the header announces {num_vertices} vertices (x y z) and {num_faces} faces; the file "
                             "holds fewer")
        if num_faces == 0:
            raise ValueError("it has no faces")
        triangles = _fan_triangles(body[num_vertices : num_vertices + num_faces])
        if triangles.min() < 0 or triangles.max() >= num_vertices:
            raise ValueError("a face refers to a vertex that does not exist")
    except (ValueError, IndexError) as error:
        raise ValueError(f"{path} is not a valid OFF mesh: {error}.") from None
    return vertices.reshape(num_vertices, 3), triangles


def sample_surface(vertices, triangles, n, rng):
    """`n` points uniformly distributed on a triangle mesh's surface.

    A triangle is drawn with probability proportional to its area, then a point uniformly inside it (barycentric
    coordinates `u, v` uniform on the unit square, reflected into the triangle when `u + v > 1`).

    Returns:
        `(n, 3)` float32.

    Example:
    >>> sample_surface(*read_off("chair_0001.off"), 1000, np.random.default_rng(0)).shape
    (1000, 3)
    """
    a, b, c = (vertices[triangles[:, i]] for i in range(3))
    areas = 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)
    if not areas.sum() > 0:
        raise ValueError("The mesh has no surface area to sample points from.")
    chosen = rng.choice(len(areas), size=n, p=areas / areas.sum())
    u, v = rng.random((2, n, 1))
    outside = u + v > 1
    u, v = np.where(outside, 1 - u, u), np.where(outside, 1 - v, v)
    a, b, c = a[chosen], b[chosen], c[chosen]
    return (a + u * (b - a) + v * (c - a)).astype(np.float32)


def read_meshes(folder, split, points, seed=0):
    """Point clouds of every mesh of a split of the official layout, `folder/<class>/<split>/*.off`.

    Returns:
        `(clouds, labels, classes)`: `(N, points, 3)` float32, int32 labels indexing `classes`, the sorted names
        of the class folders.

    Raises:
        FileNotFoundError: no mesh of `split` under `folder`.
        ValueError: a corrupt OFF file (named).
    """
    from tqdm.auto import tqdm

    folder = Path(folder)
    classes = tuple(sorted(p.name for p in folder.iterdir() if (p / "train").is_dir() or (p / "test").is_dir()))
    paths = sorted(folder.glob(f"*/{split}/*.off"))
    if not paths:
        raise FileNotFoundError(f"No {split} meshes (<class>/{split}/*.off) under {folder}.")
    rng = np.random.default_rng(seed)
    clouds = np.empty((len(paths), points, 3), np.float32)
    for i, path in enumerate(tqdm(paths, desc=f"sampling ModelNet40 {split} meshes", disable=len(paths) < 50)):
        try:
            clouds[i] = sample_surface(*read_off(path), points, rng)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from error
    labels = np.array([classes.index(path.parent.parent.name) for path in paths], np.int32)
    return clouds, labels, classes


def read_cloud_file(path, split, points):
    """A split of the DeepSets authors' `ModelNet40_cloud.h5`, down-sampled to `points` points per cloud.

    The stored clouds have M points each (10,000); every `M // points`-th point is kept, as the authors' test
    fetcher does (their training fetcher keeps a fixed random subset: the same thing for points sampled
    independently).

    Returns:
        `(clouds, labels)`: `(N, points, 3)` float32 and int32 labels indexing `CLASSES`.

    Raises:
        ValueError: not an HDF5 file, datasets missing or of the wrong shape, fewer than `points` points.
    """
    import h5py

    cloud_key, label_key = CLOUD_KEYS[split]
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"{path} is not a readable HDF5 file ({error}).") from None
    with handle:
        if cloud_key not in handle or label_key not in handle:
            raise ValueError(f"{path} lacks the datasets {cloud_key!r} and {label_key!r} of {CLOUD_FILE}.")
        dataset = handle[cloud_key]
        if dataset.ndim != 3 or dataset.shape[2] != 3 or dataset.shape[1] < points:
            raise ValueError(f"{path}:{cloud_key} has shape {dataset.shape}; expected (objects, ≥ {points}, 3).")
        clouds = np.asarray(dataset[:, :: dataset.shape[1] // points], dtype=np.float32)[:, :points]
        labels = np.asarray(handle[label_key]).reshape(-1).astype(np.int32)
    if len(labels) != len(clouds) or labels.min() < 0 or labels.max() >= len(CLASSES):
        raise ValueError(f"{path}:{label_key} must hold one label 0–{len(CLASSES) - 1} per cloud.")
    return clouds, labels


def official_labels(labels, classes):
    """Labels indexing `classes` (folder names) mapped to indices into `CLASSES`."""
    unknown = sorted(set(classes) - set(CLASSES))
    if unknown:
        raise ValueError(f"Class folders {unknown} are not ModelNet40 classes.")
    return np.array([CLASSES.index(name) for name in classes], np.int32)[labels]


def standardize(clouds):
    """Each cloud minus its mean, divided by its standard deviation, both over all its coordinates (the authors'
    code, which first clips coordinates beyond 100× the mean absolute coordinate). `(N, n, 3)` → float32."""
    clouds = np.asarray(clouds, np.float32)
    limit = 100 * np.abs(clouds).mean(axis=(1, 2), keepdims=True)
    clipped = np.clip(clouds, -limit, limit)
    std = np.maximum(clipped.std(axis=(1, 2), keepdims=True), 1e-12)
    return (clipped - clipped.mean(axis=(1, 2), keepdims=True)) / std


def augment(clouds, rng):
    """The authors' training augmentation: rotate each cloud about the z axis by an angle uniform in ±0.1π, then
    scale each axis by a factor uniform in [0.8, 1.25]. `(N, n, 3)` → float32."""
    theta = rng.uniform(-0.1, 0.1, size=(len(clouds), 1)) * np.pi
    cos, sin = np.cos(theta), np.sin(theta)
    x, y, z = clouds[..., 0], clouds[..., 1], clouds[..., 2]
    rotated = np.stack([cos * x - sin * y, sin * x + cos * y, z], axis=-1)
    return (rotated * rng.uniform(0.8, 1.25, size=(len(clouds), 1, 3))).astype(np.float32)


def load_clouds(root, split, points):
    """Standardised clouds of a split (`"train"` or `"test"`) from either source, labels indexing `CLASSES`.

    Returns:
        `(clouds, labels)`: `(N, points, 3)` float32 and int32.
    """
    source = find_source(root)
    if source.is_file():
        clouds, labels = read_cloud_file(source, split, points)
    else:
        clouds, labels, classes = read_meshes(source, split, points)
        labels = official_labels(labels, classes)
    return standardize(clouds), labels
