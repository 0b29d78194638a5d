"""Dynamic FAUST registrations (Bogo et al., 2017) for the DSS centre-frame selection task.

The data needs a licence from its owners (https://dfaust.is.tue.mpg.de), so nothing here downloads it. The
official registration files `registrations_m.hdf5` and `registrations_f.hdf5` hold one dataset per sequence,
named `<subject>_<sequence>` with shape `(6890 vertices, 3, frames)`, and the mesh triangles under `faces`.
Point `DFAUST_ROOT` (or `root=`) at the folder that holds them.
"""

from pathlib import Path

import numpy as np

from zoo.data import environment_source

REGISTRATION_FILES = ("registrations_m.hdf5", "registrations_f.hdf5")
LICENCE_NOTE = ("Dynamic FAUST is distributed under its owners' licence (https://dfaust.is.tue.mpg.de); the zoo "
                "cannot download it or ship weights trained on it")


def default_root():
    return Path(environment_source("DFAUST_ROOT", "Dynamic FAUST", LICENCE_NOTE,
                                   f"the folder with {' and '.join(REGISTRATION_FILES)}"))


def registration_files(root=None):
    """The paths of the official registration files in `root` (default `$DFAUST_ROOT`), without reading them.

    Raises:
        FileNotFoundError: no folder given, or no registration file in it.
    """
    root = Path(root) if root is not None else default_root()
    paths = [root / name for name in REGISTRATION_FILES if (root / name).is_file()]
    if not paths:
        raise FileNotFoundError(f"No {' or '.join(REGISTRATION_FILES)} in {root}. {LICENCE_NOTE}.")
    return paths


def read_registrations(root=None):
    """All registered sequences and the shared mesh.

    Returns:
        `(sequences, faces)`: `{"<subject>_<sequence>": (frames, vertices, 3) float32}` and `(F, 3)` int triangles.

    Raises:
        FileNotFoundError: no registration file in `root`.
        ValueError: a file without `faces`, or a sequence whose shape does not match the mesh.
    """
    import h5py

    sequences, faces = {}, None
    for path in registration_files(root):
        with h5py.File(path, "r") as handle:
            if "faces" not in handle:
                raise ValueError(f"{path} has no 'faces' dataset: not a DFAUST registration file.")
            faces = np.asarray(handle["faces"], dtype=np.int64)
            for key in handle:
                if key == "faces":
                    continue
                data = np.asarray(handle[key], dtype=np.float32)
                if data.ndim != 3 or data.shape[1] != 3:
                    raise ValueError(f"{path}:{key} has shape {data.shape}; expected (vertices, 3, frames).")
                sequences[key] = np.transpose(data, (2, 0, 1))
    vertices = {s.shape[1] for s in sequences.values()}
    if len(vertices) > 1 or (vertices and faces.max() >= vertices.pop()):
        raise ValueError("The sequences do not share one mesh: registrations must have the same vertices.")
    return sequences, faces


def subject(sequence_name):
    return sequence_name.split("_", 1)[0]


def split_sequences(sequences, test_subjects=None):
    """Split by subject (never by sequence): the last two subjects (sorted) are held out unless given."""
    subjects = sorted({subject(name) for name in sequences})
    held_out = set(test_subjects) if test_subjects is not None else set(subjects[-2:])
    return {"train": {k: v for k, v in sequences.items() if subject(k) not in held_out},
            "test": {k: v for k, v in sequences.items() if subject(k) in held_out}}


def centre_frame_sets(sequences, count, rng, n=7, stride=3):
    """Sets of `n` frames `stride` apart from a random start of a random sequence, shuffled; the target is the
    centre frame in time. Each set is centred on the mean of its frames (translation removed).

    Returns:
        `(x, y)`: x `(count, n, vertices, 3)` float32, y the position of the centre frame.
    """
    span = 1 + (n - 1) * stride
    usable = [s for s in sequences.values() if len(s) >= span]
    if not usable:
        raise ValueError(f"No sequence has the {span} frames a set of {n} frames {stride} apart needs.")
    x = np.empty((count, n) + usable[0].shape[1:], np.float32)
    y = np.empty(count, np.int32)
    for i in range(count):
        frames = usable[int(rng.integers(len(usable)))]
        start = int(rng.integers(0, len(frames) - span + 1))
        order = rng.permutation(n)
        chosen = frames[start + stride * order]
        x[i] = chosen - chosen.mean(axis=(0, 1), keepdims=True)
        y[i] = int(np.flatnonzero(order == n // 2)[0])
    return x, y


def mean_shape_baseline(x):
    """The paper's trivial predictor: the frame closest (L1) to the mean shape of the set. Returns scores."""
    distances = np.abs(x - x.mean(axis=1, keepdims=True)).sum(axis=(2, 3))
    return -distances
