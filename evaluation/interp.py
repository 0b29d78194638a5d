"""The studies of "Interpreting Equivariant Representations" (Hansen, Calissano & Feragen, ICML 2024), regenerated
from the zoo's entries.

An equivariant latent is ambiguous: one object has one latent per group element (a molecule of n atoms up to n!
per-atom latents, a rotated digit the N cyclic shifts of its C_N latent). The paper reads latents through an
invariant projection instead; for permutations `zoo.projections.sort`, an isometric cross-section of the quotient.
Each study compares the raw latents with invariant ones and returns a pandas DataFrame; the command line writes each
as `evaluation/results/interp_<study>.csv` with a plot `interp_<study>.png`:

- Fig. 2, `latent_pca` (`interp_latent_pca`): the first two principal components of the QM9 VAE's latents,
  equivariant and sorted, coloured by a molecular property.
- Figs. 3–4, `interpolation_smoothness` (`interp_interpolation`, `interp_interpolation_summary.csv`): molecules
  decoded along straight lines between two molecules' latents, in the equivariant and in the sorted space: how much
  the decoded graph changes per step (node by node, and up to the order of the nodes) and how many decodings are
  valid molecules.
- Fig. 5, `knn_property_mae` (`interp_knn_properties`): k-nearest-neighbour regression of the twelve QM9 properties
  from the equivariant, sorted and pooled (sum, mean, max) latents.
- Fig. 6, `knn_classification_f1` (`interp_knn_classification`): k-nearest-neighbour classification of rotated MNIST
  digits from the C_N classifier's equivariant latents, from random invariant linear projections of them and from
  the magnitudes of their discrete Fourier transform along the group axis.

    python -m evaluation.interp qm9            # entry equivariant_vae_qm9: Figs. 2–5
    python -m evaluation.interp rotated_mnist  # entry cn_cnn_rotated_mnist: Fig. 6

Every study takes the model and the data as arguments. Principal components come from an SVD, nearest neighbours
from brute-force Euclidean distances computed in blocks of bounded size (`CHUNK_BYTES`), all in NumPy.
"""

import argparse
import functools
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
from keras import ops
from tqdm.auto import tqdm

import zoo
from evaluation.cards import RESULTS_DIR
from evaluation.leaderboard import _pyplot
from zoo.data import first_sets, qm9
from zoo.families import get_family
from zoo.projections import POOLS, RandomInvariantProjection, pool, sort

QM9_ENTRY, MNIST_ENTRY = "equivariant_vae_qm9", "cn_cnn_rotated_mnist"
GRAPH_KEYS = ("atoms", "bonds", "mask")
PROPERTY_NAMES = tuple(name for name, _ in qm9.PROPERTIES)
UNITS = dict(qm9.PROPERTIES)
BATCH = 1024  # examples per model call
CHUNK_BYTES = 2**27  # the largest block of test-to-training distances the kNN holds at once (128 MiB of float64)
PERMUTATION_CHUNK = 40_320  # node renumberings `graph_distance` compares at once (8!)
MAX_RENUMBERED_NODES = qm9.N_ATOMS  # 9! = 362,880 renumberings, a fraction of a second per comparison
READOUT_LABELS = {"equivariant": "equivariant latent (flattened)", "fft_magnitude": "|DFT| along the group axis"}


def _flat(z):
    """Latents `(m, n, c)` → `(m, n · c)` float64."""
    z = np.asarray(z, np.float64)
    return z.reshape(len(z), -1)


def _property_columns(names):
    """Column indices of QM9 property `names` in `data["properties"]`, with a clear error for unknown names."""
    unknown = [name for name in names if name not in PROPERTY_NAMES]
    if unknown:
        raise ValueError(f"Unknown QM9 properties {unknown}; expected names from {list(PROPERTY_NAMES)}.")
    return [PROPERTY_NAMES.index(name) for name in names]


def encode_graphs(model, graphs, batch_size=BATCH):
    """The graph VAE's latent means `(m, n, c)` float64 of `graphs` (atoms, bonds, mask), in batches."""
    parts = [ops.convert_to_numpy(model.encoder({key: graphs[key][start:start + batch_size] for key in GRAPH_KEYS}))
             for start in range(0, len(graphs["mask"]), batch_size)]
    return np.concatenate(parts).astype(np.float64)


def encode_images(model, images, batch_size=BATCH):
    """The C_N classifier's equivariant latents `(m, N, c)` float64 of `images`, in batches."""
    parts = [ops.convert_to_numpy(model.equivariant_latent(images[start:start + batch_size]))
             for start in range(0, len(images), batch_size)]
    return np.concatenate(parts).astype(np.float64)


def decode_latents(model, z, mask, batch_size=BATCH):
    """The graph VAE's most likely graphs of latents `z` `(m, n, c)` with node mask `(m, n)`: `(atoms (m, n), bonds
    (m, n, n))` as `model.decode_graphs` gives them, in batches."""
    parts = [model.decode_graphs(z[start:start + batch_size].astype("float32"),
                                 mask[start:start + batch_size].astype("float32"))
             for start in range(0, len(z), batch_size)]
    return np.concatenate([atoms for atoms, _ in parts]), np.concatenate([bonds for _, bonds in parts])


def pca(x, components=2):
    """The first principal components of the rows of `x` `(m, d)`, by SVD of the centred data: `(coordinates
    (m, components), explained variance ratios (components,))`. Each axis is signed so that its largest loading is
    positive (an SVD leaves the signs free), so equal data give equal coordinates."""
    centred = x - x.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:components]
    axes = axes * np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])[:, None]
    variance = np.square(singular)
    return centred @ axes.T, variance[:components] / max(variance.sum(), np.finfo(float).tiny)


def latent_pca(model, data, property="gap", count=5000):
    """Fig. 2: the first two principal components of the first `count` molecules' latents, equivariant (`(n · c)`
    flattened, as the encoder orders the atoms) and sorted (`sort(z, mask)` flattened: the same for every
    numbering of a molecule's atoms), beside a QM9 property to colour them by.

    Args:
        model: an `EquivariantGraphVAE`.
        data: QM9 molecules, dict(atoms, bonds, mask, properties (m, 12)) as `zoo.data.qm9.load_qm9` gives them.
        property: the name of the property (`zoo.data.qm9.PROPERTIES`).
        count: molecules to project.

    Returns:
        One row per (space, molecule): space (`"equivariant"` or `"sorted"`), molecule (index in `data`), pc1, pc2,
        property (its name), value, explained_pc1 and explained_pc2 (the components' explained variance ratios in
        that space).
    """
    (column,) = _property_columns([property])
    data = first_sets(data, count)  # the QM9 splits come shuffled
    z = encode_graphs(model, data)
    frames = []
    for space, x in (("equivariant", _flat(z)), ("sorted", _flat(sort(z, data["mask"])))):
        coordinates, explained = pca(x)
        frames.append(pd.DataFrame({"space": space, "molecule": np.arange(len(x)), "pc1": coordinates[:, 0],
                                    "pc2": coordinates[:, 1], "property": property,
                                    "value": data["properties"][:, column], "explained_pc1": explained[0],
                                    "explained_pc2": explained[1]}))
    return pd.concat(frames, ignore_index=True)


def plot_latent_pca(table, path):
    """Fig. 2: one scatter panel per space, the molecules coloured by the property."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")
    for axis, (space, rows) in zip(axes, table.groupby("space", sort=False)):
        points = axis.scatter(rows["pc1"], rows["pc2"], c=rows["value"], s=4, cmap="viridis", alpha=0.8)
        axis.set_title(f"{space} latents (explained variance {rows['explained_pc1'].iloc[0]:.0%} + "
                       f"{rows['explained_pc2'].iloc[0]:.0%})", fontsize=10)
        axis.set_xlabel("principal component 1")
        axis.set_ylabel("principal component 2")
    name = table["property"].iloc[0]
    figure.colorbar(points, ax=axes, label=f"{name} ({UNITS[name]})")
    figure.savefig(path, dpi=120)
    plt.close(figure)


def hamming_distance(atoms1, bonds1, atoms2, bonds2):
    """The node-aligned distance of two graphs on the same n nodes: the nodes whose atom types differ plus the node
    pairs (each unordered pair once) whose bond types differ."""
    return int(np.sum(atoms1 != atoms2) + np.triu(bonds1 != bonds2, k=1).sum())


def _multiset_bound(atoms1, bonds1, atoms2, bonds2):
    """A lower bound of `graph_distance`: the atom types and the bond types (of the node pairs) that the two graphs'
    multisets do not share, since a renumbering of the nodes maps nodes to nodes and pairs to pairs."""
    upper = np.triu_indices(len(atoms1), k=1)
    bound = 0
    for first, second in ((atoms1, atoms2), (bonds1[upper], bonds2[upper])):
        size = max(first.max(initial=0), second.max(initial=0)) + 1
        shared = np.minimum(np.bincount(first, minlength=size), np.bincount(second, minlength=size)).sum()
        bound += len(first) - shared
    return int(bound)


@functools.cache
def _renumberings(n):
    return np.array(list(itertools.permutations(range(n))), dtype=np.int8).reshape(-1, n)


def graph_distance(atoms1, bonds1, atoms2, bonds2):
    """The Hamming distance up to the order of the nodes: the minimum of `hamming_distance` over all renumberings of
    the second graph's nodes; 0 exactly when the typed graphs are isomorphic, valid molecules or not.

    Brute force over the n! renumberings (at most `MAX_RENUMBERED_NODES` nodes), skipped when the node-aligned
    distance already equals the multiset lower bound (always so when it is 0 or 1).

    Args:
        atoms1, atoms2: atom types `(n,)` int.
        bonds1, bonds2: bond types `(n, n)` int, symmetric with a zero diagonal.
    """
    aligned = hamming_distance(atoms1, bonds1, atoms2, bonds2)
    if aligned == _multiset_bound(atoms1, bonds1, atoms2, bonds2):
        return aligned
    if len(atoms1) > MAX_RENUMBERED_NODES:
        raise ValueError(f"graph_distance tries all n! renumberings of the nodes; n = {len(atoms1)} is more than "
                         f"{MAX_RENUMBERED_NODES} ({math.factorial(len(atoms1)):,} renumberings).")
    best = aligned
    renumberings = _renumberings(len(atoms1))
    for start in range(0, len(renumberings), PERMUTATION_CHUNK):
        p = renumberings[start:start + PERMUTATION_CHUNK].astype(np.intp)
        # The bonds' full matrices count every differing pair twice (the diagonals are zero in both graphs).
        bond_cost = (bonds2[p[:, :, None], p[:, None, :]] != bonds1).sum(axis=(1, 2)) // 2
        cost = (atoms2[p] != atoms1).sum(axis=1) + bond_cost
        best = min(best, int(cost.min()))
    return best


def interpolation_pairs(sizes, pairs, rng):
    """`(pairs, 2)` indices of two different molecules with the same number of atoms, drawn at random: the first
    uniformly among the molecules that share their size with another, the second among those."""
    sizes = np.asarray(sizes)
    candidates = np.flatnonzero(np.bincount(sizes)[sizes] >= 2)
    if not len(candidates):
        raise ValueError("Interpolation needs two molecules with the same number of atoms; the data has none.")
    first = rng.choice(candidates, pairs)
    indices = np.arange(len(sizes))
    second = [rng.choice(np.flatnonzero((sizes == sizes[i]) & (indices != i))) for i in first]
    return np.stack([first, second], axis=1)


def _real_nodes_first(z, mask):
    """Latents with each molecule's real nodes moved first, in their order, and zeros at the padding behind them."""
    order = np.argsort(np.asarray(mask) <= 0, axis=1, kind="stable")
    real = np.take_along_axis(np.asarray(mask) > 0, order, axis=1)
    return np.where(real[..., None], np.take_along_axis(z, order[..., None], axis=1), 0.0)


def interpolation_smoothness(model, data, pairs=50, steps=10, seed=0):
    """Figs. 3–4: molecules decoded along the straight line between the latents of two molecules with the same
    number of atoms, (a) in the equivariant space, z1 → z2, and (b) in the sorted space, sort(z1) → sort(z2) (a
    sorted latent is the latent of the molecule with its atoms renumbered, so it decodes).

    The decoder gets each path's node mask, its real nodes first (in the equivariant space the padding slots are
    dropped, the atoms keep their order). Two distances between consecutive decoded graphs of a path:

    - `hamming`: node-aligned (`hamming_distance`): atom types that differ plus bond entries of the upper triangle
      that differ. Along a path the nodes keep their identity, but two atoms can swap roles, which counts here.
    - `hamming_up_to_permutation`: the minimum of that over all renumberings of the nodes (`graph_distance`, exact
      by brute force for ≤ 9 atoms), 0 exactly when the two decoded graphs are the same molecule (or the same
      invalid graph); `> 0` is what a canonical-SMILES comparison of valid molecules would call a change.

    Args:
        model: an `EquivariantGraphVAE`.
        data: QM9 molecules (atoms, bonds, mask), as `zoo.data.qm9.load_qm9` gives them.
        pairs: the number of random pairs.
        steps: intervals of each path: the latents at t = 0, 1/steps, …, 1 are decoded.
        seed: seed of the pairs.

    Returns:
        One row per (space, pair, step): space, pair, first and second (the molecules' indices in `data`), atoms
        (their number), distance (the endpoints' Euclidean distance in that space), step, t, smiles (canonical SMILES
        of the decoded molecule, "" when it is no valid molecule, `zoo.data.qm9.graph_to_smiles`), valid, hamming and
        hamming_up_to_permutation (from the previous step's graph; NaN at step 0).
    """
    sizes = (np.asarray(data["mask"]) > 0).sum(axis=1)
    chosen = interpolation_pairs(sizes, pairs, np.random.default_rng(seed))
    masks = data["mask"][chosen.ravel()]
    z = encode_graphs(model, {key: data[key][chosen.ravel()] for key in GRAPH_KEYS})
    n, channels = z.shape[1:]
    size = sizes[chosen[:, 0]]
    path_mask = np.repeat((np.arange(n)[None] < size[:, None]).astype("float32"), steps + 1, axis=0)
    t = np.linspace(0.0, 1.0, steps + 1)
    rows = []
    for space, latents in (("equivariant", _real_nodes_first(z, masks)), ("sorted", sort(z, masks))):
        start, end = latents[0::2], latents[1::2]
        path = start[:, None] + t[None, :, None, None] * (end - start)[:, None]
        atoms, bonds = decode_latents(model, path.reshape(-1, n, channels), path_mask)
        atoms, bonds = atoms.reshape(pairs, steps + 1, n), bonds.reshape(pairs, steps + 1, n, n)
        distance = np.linalg.norm((end - start).reshape(pairs, -1), axis=1)
        for pair in tqdm(range(pairs), desc=f"decoded paths ({space})", leave=False):
            m = size[pair]
            graphs = [(atoms[pair, step, :m], bonds[pair, step, :m, :m]) for step in range(steps + 1)]
            for step, graph in enumerate(graphs):
                smiles = qm9.graph_to_smiles(*graph)
                previous = graphs[step - 1] if step else None
                rows.append({"space": space, "pair": pair, "first": chosen[pair, 0], "second": chosen[pair, 1],
                             "atoms": m, "distance": distance[pair], "step": step, "t": t[step],
                             "smiles": smiles or "", "valid": smiles is not None,
                             "hamming": hamming_distance(*previous, *graph) if step else np.nan,
                             "hamming_up_to_permutation": graph_distance(*previous, *graph) if step else np.nan})
    return pd.DataFrame(rows)


def interpolation_summary(table):
    """Per space of an `interpolation_smoothness` table: pairs, distance (mean distance between the endpoints),
    hamming and hamming_up_to_permutation (means per step), changed (the fraction of steps whose decoded molecule
    differs up to the numbering of the atoms) and valid (the fraction of valid decodings, endpoints included)."""
    points = table.groupby("space", sort=False)
    moves = table[table["step"] > 0].groupby("space", sort=False)
    return pd.DataFrame({"pairs": points["pair"].nunique(), "distance": points["distance"].mean(),
                         "hamming": moves["hamming"].mean(),
                         "hamming_up_to_permutation": moves["hamming_up_to_permutation"].mean(),
                         "changed": moves["hamming_up_to_permutation"].apply(lambda d: (d > 0).mean()),
                         "valid": points["valid"].mean()}).reset_index()


def plot_interpolation(table, path):
    """Figs. 3–4: the mean distance between consecutive decoded graphs per step in each space, and the first pair's
    path as SMILES."""
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), width_ratios=(3, 2), layout="constrained")
    moves = table[table["step"] > 0]
    for space, rows in moves.groupby("space", sort=False):
        means = rows.groupby("step")[["hamming", "hamming_up_to_permutation"]].mean()
        line = left.plot(means.index, means["hamming"], marker="o", label=f"{space}: node-aligned")[0]
        left.plot(means.index, means["hamming_up_to_permutation"], marker="s", linestyle="--",
                  color=line.get_color(), label=f"{space}: up to atom order")
    left.set_xlabel("step along the path")
    left.set_ylabel("mean Hamming distance to the previous step")
    left.set_title(f"{table['pair'].nunique()} pairs of molecules", fontsize=10)
    left.grid(alpha=0.3)
    left.legend(fontsize=8)
    example = table[table["pair"] == 0]
    smiles = {space: rows["smiles"].replace("", "(invalid)").tolist()
              for space, rows in example.groupby("space", sort=False)}
    lines = [f"{'t':>4}  {'equivariant':<26} sorted"] + [
        f"{t:4.2f}  {a:<26} {b}" for t, a, b in zip(example["t"].unique(), smiles["equivariant"], smiles["sorted"])]
    right.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=8, va="top", transform=right.transAxes)
    right.set_title("pair 0, decoded along both paths", fontsize=10)
    right.axis("off")
    figure.savefig(path, dpi=120)
    plt.close(figure)


def nearest_neighbours(train, test, k, chunk_bytes=CHUNK_BYTES):
    """Indices `(m_test, k)` of each test row's k nearest training rows (Euclidean), nearest first, by brute force
    over blocks of test rows whose distance matrix fits in `chunk_bytes` (ties in an order NumPy chooses)."""
    train, test = np.asarray(train, np.float64), np.asarray(test, np.float64)
    if not 1 <= k <= len(train):
        raise ValueError(f"k must be between 1 and the number of training rows ({len(train)}); got {k}.")
    squared_norms = np.square(train).sum(axis=1)
    rows = max(1, chunk_bytes // (8 * len(train)))
    neighbours = np.empty((len(test), k), np.intp)
    for start in range(0, len(test), rows):
        distances = squared_norms - 2 * test[start:start + rows] @ train.T  # ‖x − y‖² less ‖x‖², same order
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(distances, nearest, axis=1), axis=1, kind="stable")
        neighbours[start:start + rows] = np.take_along_axis(nearest, order, axis=1)
    return neighbours


def molecule_representations(z, mask):
    """The regression study's representations of latents `(m, n, c)`: equivariant (flattened), sorted (flattened)
    and the sum, mean and max over the atoms."""
    return {"equivariant": _flat(z), "sorted": _flat(sort(z, mask)), **{mode: pool(z, mode, mask) for mode in POOLS}}


def knn_property_mae(model, train, test, ks=(1, 2, 5, 10, 20, 50), properties=PROPERTY_NAMES, train_count=20_000,
                     test_count=2_000):
    """Fig. 5: kNN regression of QM9 properties (the mean of the k nearest training molecules' values) from each
    representation of `molecule_representations`, scored by the mean absolute error on the test molecules.

    Args:
        model: an `EquivariantGraphVAE`.
        train, test: QM9 molecules (atoms, bonds, mask, properties), as `zoo.data.qm9.load_qm9` gives them.
        ks: numbers of neighbours.
        properties: names of the properties (`zoo.data.qm9.PROPERTIES`).
        train_count, test_count: the first molecules of each split to use.

    Returns:
        One row per (representation, property, k): representation, property, unit, k, mae (in the unit),
        mae_standardised (divided by the property's standard deviation on the training molecules, so properties
        compare), train_count, test_count. `table.attrs["summary"]` holds `knn_summary(table)`.
    """
    columns = _property_columns(properties)
    train, test = first_sets(train, train_count), first_sets(test, test_count)
    train_y, test_y = (np.asarray(data["properties"], np.float64)[:, columns] for data in (train, test))
    scale = train_y.std(axis=0)
    train_x = molecule_representations(encode_graphs(model, train), train["mask"])
    test_x = molecule_representations(encode_graphs(model, test), test["mask"])
    rows = []
    for name in tqdm(train_x, desc="kNN regression", leave=False):
        cumulative = np.cumsum(train_y[nearest_neighbours(train_x[name], test_x[name], max(ks))], axis=1)
        for k in ks:
            errors = np.abs(cumulative[:, k - 1] / k - test_y).mean(axis=0)
            rows += [{"representation": name, "property": prop, "unit": UNITS[prop], "k": k, "mae": error,
                      "mae_standardised": error / std if std > 0 else np.nan, "train_count": len(train_y),
                      "test_count": len(test_y)} for prop, error, std in zip(properties, errors, scale)]
    table = pd.DataFrame(rows)
    table.attrs["summary"] = knn_summary(table)
    return table


def knn_summary(table):
    """`{"best": {property: the representation with the lowest MAE at its best k}, "sorted_lowest_for": [the
    properties whose best is the sorted latent]}` of a `knn_property_mae` table (the paper finds sorted lowest)."""
    lowest = table.groupby(["property", "representation"])["mae"].min()
    best = {name: lowest[name].idxmin() for name in table["property"].unique()}
    return {"best": best, "sorted_lowest_for": [name for name, representation in best.items()
                                                if representation == "sorted"]}


def plot_knn_properties(table, path):
    """Fig. 5: one panel per property, its MAE against k for each representation."""
    plt = _pyplot()
    names = table["property"].unique()
    columns = min(4, len(names))
    lines = math.ceil(len(names) / columns)
    figure, axes = plt.subplots(lines, columns, figsize=(3.6 * columns, 2.9 * lines), squeeze=False,
                                layout="constrained")
    for axis, name in zip(axes.flat, names):
        for representation, rows in table[table["property"] == name].groupby("representation", sort=False):
            axis.plot(rows["k"], rows["mae"], marker="o", markersize=3, label=representation)
        axis.set_xscale("log")
        axis.set_title(f"{name} ({UNITS[name]})", fontsize=9)
        axis.set_xlabel("k", fontsize=8)
        axis.set_ylabel("test MAE", fontsize=8)
        axis.grid(alpha=0.3)
    for axis in axes.flat[len(names):]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=7)
    figure.suptitle(f"kNN regression of QM9 properties from VAE latents ({table['train_count'].iloc[0]:,} training, "
                    f"{table['test_count'].iloc[0]:,} test molecules)", fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def fft_magnitudes(z):
    """Magnitudes of the DFT along the group axis of C_N latents `(m, N, c)`: `(m, (N // 2 + 1) · c)`. A cyclic shift
    multiplies every Fourier coefficient by a phase, so the magnitudes are invariant; unlike the sum over the group
    (the zero frequency, one of them) they keep how much each channel varies around the group. The other N − N // 2
    − 1 frequencies of a real signal mirror these (`np.fft.rfft`)."""
    return _flat(np.abs(np.fft.rfft(np.asarray(z, np.float64), axis=1)))


def latent_readouts(shape, projections, seed):
    """The classification study's representations of C_N latents of shape `(N, c)`: `[(representation, seed or
    None, function of latents (m, N, c) → (m, d))]`: the flattened latent, `projections` random invariant linear
    projections to N · c dimensions (seeds `seed`, `seed + 1`, …; averaged over the shifts, each is a linear map of
    the c per-channel sums over the group) and `fft_magnitudes`."""
    n, channels = shape
    return ([("equivariant", None, _flat)]
            + [("random_invariant", s, RandomInvariantProjection("cyclic", (n, channels), n * channels, seed=s))
               for s in range(seed, seed + projections)]
            + [("fft_magnitude", None, fft_magnitudes)])


def knn_vote(neighbour_labels, k):
    """The most frequent label among each row's first k neighbours' labels `(m, ≥ k)` (ints ≥ 0, nearest first);
    a tie goes to the label whose nearest example is nearer."""
    votes = np.asarray(neighbour_labels)[:, :k]
    is_label = votes[..., None] == np.arange(votes.max() + 1)
    counts = is_label.sum(axis=1)
    first = np.where(is_label, np.arange(k)[None, :, None], k).min(axis=1)
    return np.argmax(counts * (k + 1) - first, axis=1)


def macro_f1(true, predicted):
    """The unweighted mean over the classes (those in `true` or in `predicted`) of F1 = 2 TP / (2 TP + FP + FN)."""
    true, predicted = np.asarray(true), np.asarray(predicted)
    classes = np.union1d(true, predicted)
    true_is, predicted_is = true[:, None] == classes, predicted[:, None] == classes
    return float(np.mean(2 * (true_is & predicted_is).sum(axis=0) / (true_is.sum(axis=0) + predicted_is.sum(axis=0))))


def knn_classification_f1(model, train_images, train_labels, test_images, test_labels, ks=(1, 5, 10, 20),
                          projections=5, seed=0):
    """Fig. 6: kNN classification (majority vote, `knn_vote`) of the test images from each representation of the
    C_N classifier's equivariant latents (`latent_readouts`), scored by macro-F1 and accuracy.

    Args:
        model: a `CNClassifier`.
        train_images, train_labels, test_images, test_labels: images `(m, 28, 28)` and their labels.
        ks: numbers of neighbours.
        projections: random invariant projections, one per seed.
        seed: seed of the first projection.

    Returns:
        One row per (representation, seed, k): representation (`"equivariant"`, `"random_invariant"`,
        `"fft_magnitude"`), seed (the projection's; NaN for the others), dimension, k, macro_f1, accuracy,
        train_count, test_count.
    """
    z_train, z_test = encode_images(model, train_images), encode_images(model, test_images)
    classes, train_y = np.unique(train_labels, return_inverse=True)
    test_labels = np.asarray(test_labels)
    rows = []
    for name, projection_seed, readout in tqdm(latent_readouts(z_train.shape[1:], projections, seed),
                                               desc="kNN classification", leave=False):
        train_x = readout(z_train)
        neighbours = nearest_neighbours(train_x, readout(z_test), max(ks))
        for k in ks:
            predicted = classes[knn_vote(train_y[neighbours], k)]
            rows.append({"representation": name, "seed": projection_seed, "dimension": train_x.shape[1], "k": k,
                         "macro_f1": macro_f1(test_labels, predicted),
                         "accuracy": float(np.mean(predicted == test_labels)), "train_count": len(train_x),
                         "test_count": len(test_labels)})
    return pd.DataFrame(rows)


def plot_knn_classification(table, path):
    """Fig. 6: macro-F1 against k, one line per representation (every random projection its own line)."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(7, 5))
    seeds = table.loc[table["representation"] == "random_invariant", "seed"].nunique()
    labelled = set()
    for (name, _), rows in table.groupby(["representation", "seed"], sort=False, dropna=False):
        random = name == "random_invariant"
        label = f"random invariant projections ({seeds} seeds)" if random else READOUT_LABELS[name]
        axis.plot(rows["k"], rows["macro_f1"], marker="o", color="grey" if random else None,
                  alpha=0.6 if random else 1.0, label=None if label in labelled else label)
        labelled.add(label)
    axis.set_xlabel("k")
    axis.set_ylabel("test macro-F1")
    axis.set_title(f"kNN classification of rotated MNIST from C_N latents ({table['train_count'].iloc[0]:,} training "
                   f"images)", fontsize=9)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)  # below: clear of the lines
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_study(table, name, plot, folder=RESULTS_DIR):
    """Save a study's table as `interp_<name>.csv` and `plot(table, path)` as `interp_<name>.png` in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"interp_{name}.csv", index=False, float_format="%.6g")
    plot(table, folder / f"interp_{name}.png")


def run_qm9(folder=RESULTS_DIR, seed=0):
    """Figs. 2–5 on entry `equivariant_vae_qm9`: PCA and interpolations of test molecules, kNN regression from
    training to test molecules; writes their files to `folder` and prints their summaries."""
    model, family = zoo.load(QM9_ENTRY), get_family("qm9")
    train, test = family.molecules("train"), family.molecules("test")
    table = latent_pca(model, test)
    write_study(table, "latent_pca", plot_latent_pca, folder)
    explained = table.groupby("space", sort=False)[["explained_pc1", "explained_pc2"]].first()
    print(f"Fig. 2, explained variance of two principal components:\n{explained.to_string()}\n")
    table = interpolation_smoothness(model, test, seed=seed)
    write_study(table, "interpolation", plot_interpolation, folder)
    summary = interpolation_summary(table)
    summary.to_csv(Path(folder) / "interp_interpolation_summary.csv", index=False, float_format="%.6g")
    print(f"Figs. 3–4, decoded interpolations:\n{summary.to_string(index=False)}\n")
    table = knn_property_mae(model, train, test)
    write_study(table, "knn_properties", plot_knn_properties, folder)
    standardised = table.groupby(["representation", "k"], sort=False)["mae_standardised"].mean().unstack()
    print(f"Fig. 5, kNN regression, test MAE / training std (mean over properties):\n{standardised.to_string()}\n"
          f"sorted lowest for: {table.attrs['summary']['sorted_lowest_for']}")


def run_rotated_mnist(folder=RESULTS_DIR, seed=0):
    """Fig. 6 on entry `cn_cnn_rotated_mnist`: kNN classification from the training to the test digits (test seed
    1); writes its files to `folder` and prints the macro-F1 per representation."""
    model, family = zoo.load(MNIST_ENTRY), get_family("rotated_mnist")
    (train_images, train_labels), (test_images, test_labels) = family.load_split("train"), family.load_split("test")
    table = knn_classification_f1(model, train_images, train_labels, test_images, test_labels, seed=seed)
    write_study(table, "knn_classification", plot_knn_classification, folder)
    f1 = table.groupby(["representation", "k"], sort=False)["macro_f1"].mean().unstack()
    print(f"Fig. 6, kNN classification, test macro-F1 (random projections: mean over seeds):\n{f1.to_string()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Regenerate the latent-space studies of 'Interpreting Equivariant "
                                                 "Representations' from the zoo's entries.")
    parser.add_argument("family", choices=["qm9", "rotated_mnist"])
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    parser.add_argument("--seed", type=int, default=0, help="seed of the interpolation pairs / random projections")
    args = parser.parse_args(argv)
    run = run_qm9 if args.family == "qm9" else run_rotated_mnist
    run(Path(args.output_dir), args.seed)


if __name__ == "__main__":
    main()
