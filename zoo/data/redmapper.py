"""redMaPPer galaxy clusters of SDSS DR8 (Rykoff et al., 2014) for DeepSets' red-shift estimation (§4.2.1).

The public catalogues (http://risa.stanford.edu/redmapper/) are two FITS binary tables, read with `astropy.io.fits`
(an optional dependency); nothing here downloads them. Point `REDMAPPER_ROOT` (or `root=`) at the folder holding:

- `redmapper_dr8_public_v6.3_members.fits`: one row per member galaxy, its cluster's `ID`, its spectroscopic
  red-shift `Z_SPEC` (−1 where SDSS has none) and the 17 features below;
- `redmapper_dr8_public_v6.3_catalog.fits`: one row per cluster, its `ID` and redMaPPer's photometric red-shift
  `Z_LAMBDA`.

The 17 features of a galaxy are every per-galaxy photometric column of the members table: its distance `R` from
the cluster centre, the membership probabilities `P` and `P_FREE` (also read as `PFREE`), the luminosity and
radial weights `THETA_I` and `THETA_R`, the i-band magnitude `IMAG` and its error `IMAG_ERR`, and the five SDSS
model magnitudes `MODEL_MAG_{U,G,R,I,Z}` with their errors `MODEL_MAGERR_{U,G,R,I,Z}` (sky position and object ids
are left out). Every member stays in its set; only members with a spectroscopic red-shift are targets, the others
are weighted 0 in the loss and the metric, so the model sees each cluster whole, as redMaPPer does. Clusters are
split into train/validation/test by cluster (never by galaxy), and the features are standardised with the mean
and standard deviation of the training clusters' members.
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np

from zoo.data import environment_source
from zoo.models.inputs import pad_sets

MEMBERS_FILE = "redmapper_dr8_public_v6.3_members.fits"
CATALOG_FILE = "redmapper_dr8_public_v6.3_catalog.fits"
BANDS = ("U", "G", "R", "I", "Z")
FEATURES = ("R", "P", "P_FREE", "THETA_I", "THETA_R", "IMAG", "IMAG_ERR",
            *(f"MODEL_MAG_{b}" for b in BANDS), *(f"MODEL_MAGERR_{b}" for b in BANDS))
ALIASES = {"P_FREE": ("PFREE",)}  # the spelling some copies of the members table use
SPLIT_SEED, HELD_OUT = 0, 0.1  # a fixed permutation of the clusters; 10 % validation, 10 % test
SOURCE_NOTE = ("the public redMaPPer SDSS DR8 v6.3 catalogues (http://risa.stanford.edu/redmapper/) are not on the "
               "zoo's offline machines")


class Clusters(NamedTuple):
    """Clusters of member galaxies: `ids (C,)`, `z_lambda (C,)` (redMaPPer's photometric red-shift), and per
    cluster its members' `features (n_i, 17)` and `z_spec (n_i,)` (≤ 0 where unknown)."""

    ids: np.ndarray
    z_lambda: np.ndarray
    features: list
    z_spec: list

    def take(self, indices):
        return Clusters(self.ids[indices], self.z_lambda[indices], [self.features[i] for i in indices],
                        [self.z_spec[i] for i in indices])


def find_root(root=None):
    """The folder of the catalogues: `root`, else `$REDMAPPER_ROOT`.

    Raises:
        FileNotFoundError: no folder given, or the folder or one of its two files is missing (named).
    """
    root = Path(root if root is not None else environment_source(
        "REDMAPPER_ROOT", "redMaPPer", SOURCE_NOTE, f"the folder with {MEMBERS_FILE} and {CATALOG_FILE}"))
    if not root.is_dir():
        raise FileNotFoundError(f"redMaPPer folder {root} does not exist.")
    missing = [name for name in (MEMBERS_FILE, CATALOG_FILE) if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"No {' or '.join(missing)} in {root} ({SOURCE_NOTE}).")
    return root


def read_columns(path, columns):
    """`{column: array}` of the columns of the first table of a FITS file (`ALIASES` accepted).

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: not a FITS table, or a column missing (its name in the message).
    """
    from astropy.io import fits

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"redMaPPer file {path} not found ({SOURCE_NOTE}).")
    try:
        with fits.open(path, memmap=False) as hdus:
            table = hdus[1].data if len(hdus) > 1 else None
            names = {name.upper(): name for name in getattr(table, "names", None) or ()}
            if not names:
                raise ValueError(f"{path} has no binary table in its first extension: not a redMaPPer catalogue.")
            arrays = {}
            for column in columns:
                found = [names[n] for n in (column, *ALIASES.get(column, ())) if n in names]
                if not found:
                    raise ValueError(f"{path} has no column {column!r} (it has {sorted(names)}).")
                arrays[column] = np.array(table[found[0]])
    except OSError as error:
        raise ValueError(f"Could not read {path} as a FITS file: {error}") from error
    return arrays


def read_clusters(root=None, min_members=20, max_members=300):
    """Clusters of `min_members`…`max_members` members with at least one spectroscopic red-shift, sorted by ID.

    Returns:
        `Clusters` (features float32, in the order of `FEATURES`).

    Raises:
        FileNotFoundError: the folder or a file is missing.
        ValueError: a file is not a FITS table, lacks a column, or holds non-finite features.
    """
    root = find_root(root)
    members = read_columns(root / MEMBERS_FILE, ("ID", "Z_SPEC", *FEATURES))
    catalog = read_columns(root / CATALOG_FILE, ("ID", "Z_LAMBDA"))
    if not len(catalog["ID"]):
        raise ValueError(f"{root / CATALOG_FILE} lists no cluster.")
    features = np.stack([members[name].astype(np.float32) for name in FEATURES], axis=1)
    bad = ~np.isfinite(features).all(axis=0)
    if bad.any():
        raise ValueError(f"{root / MEMBERS_FILE} has non-finite values in columns {np.array(FEATURES)[bad].tolist()}.")
    order = np.argsort(members["ID"], kind="stable")
    ids, starts, counts = np.unique(members["ID"][order], return_index=True, return_counts=True)
    catalog_order = np.argsort(catalog["ID"])
    catalog_ids = catalog["ID"][catalog_order]
    position = np.minimum(np.searchsorted(catalog_ids, ids), len(catalog_ids) - 1)
    z_spec = members["Z_SPEC"].astype(np.float32)
    candidates = (catalog_ids[position] == ids) & (min_members <= counts) & (counts <= max_members)
    chosen, rows = [], []
    for i in np.flatnonzero(candidates):
        members_of = order[starts[i]:starts[i] + counts[i]]
        if (z_spec[members_of] > 0).any():
            chosen.append(i)
            rows.append(members_of)
    if not chosen:
        raise ValueError(f"No cluster in {root} has {min_members}–{max_members} members, a catalogue entry and a "
                         "member with a spectroscopic red-shift.")
    z_lambda = catalog["Z_LAMBDA"][catalog_order][position[chosen]]
    return Clusters(ids=ids[chosen].astype(np.int64), z_lambda=z_lambda.astype(np.float32),
                    features=[features[r] for r in rows], z_spec=[z_spec[r] for r in rows])


def split_clusters(clusters, seed=SPLIT_SEED, held_out=HELD_OUT):
    """`{"train", "val", "test"}` → `Clusters`, cut from a permutation of the clusters (by cluster, never by
    galaxy); validation and test each get a `held_out` fraction (at least one cluster)."""
    count = len(clusters.ids)
    order = np.random.default_rng(seed).permutation(count)
    cut = max(1, round(held_out * count))
    if count < 3 * cut:
        raise ValueError(f"{count} clusters are too few to split into training, validation and test clusters.")
    return {"val": clusters.take(order[:cut]), "test": clusters.take(order[cut:2 * cut]),
            "train": clusters.take(order[2 * cut:])}


def standardise(splits):
    """The splits with every feature standardised by the mean and standard deviation of the training members."""
    train = np.concatenate(splits["train"].features)
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0).astype(np.float32)
    return {name: c._replace(features=[(f - mean) / std for f in c.features]) for name, c in splits.items()}


def load_splits(root=None, min_members=20, max_members=300):
    """Standardised train/validation/test `Clusters` of the official catalogues (see `read_clusters`)."""
    return standardise(split_clusters(read_clusters(root, min_members, max_members)))


def cluster_sets(clusters, length):
    """Padded model inputs and targets of `clusters`.

    Returns:
        `(x, y)`: x `{"elements": (C, length, 17) float32, "mask": (C, length), "z_lambda": (C,)}` (`z_lambda` is
        redMaPPer's estimate, read only by its baseline); y `(C, length, 2)`: the spectroscopic red-shift and its
        weight (1 for a member with one, 0 for the other members and the padding).

    Example:
    >>> x, y = cluster_sets(load_splits("/data/redmapper")["test"], length=300)
    >>> x["elements"].shape[1:], y.shape[1:]
    ((300, 17), (300, 2))
    """
    x = pad_sets(clusters.features, dtype=np.float32, length=length)
    targets = [np.stack([np.where(z > 0, z, 0.0), z > 0], axis=1) for z in clusters.z_spec]
    y = pad_sets(targets, dtype=np.float32, length=length)["elements"]
    return {**x, "z_lambda": clusters.z_lambda.astype(np.float32)}, y


def redmapper_baseline(x):
    """redMaPPer's own estimate: every member gets its cluster's photometric red-shift `Z_LAMBDA`. `(C, n)`."""
    return np.broadcast_to(np.asarray(x["z_lambda"], np.float32)[:, None], np.shape(x["mask"])).copy()
