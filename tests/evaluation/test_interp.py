"""evaluation.interp: the latent-space studies of "Interpreting Equivariant Representations" on tiny untrained
models: their tables and plots, the invariance of the sorted and Fourier readouts, and the kNN, F1 and graph
distances against hand computations."""

import itertools
from types import SimpleNamespace

import keras
import numpy as np
import pandas as pd
import pytest

from evaluation import interp
from tests.qm9_fixture import write_source
from zoo.data.qm9 import N_ATOMS, PROPERTIES, load_qm9
from zoo.models.cn_cnn import CNClassifier
from zoo.models.graph_vae import EquivariantGraphVAE


@pytest.fixture(scope="module")
def vae():
    keras.utils.set_random_seed(0)
    return EquivariantGraphVAE(4, 4, width=8, depth=2, seed=0)


@pytest.fixture(scope="module")
def qm9_splits(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qm9")
    source = write_source(folder / "source")
    return {split: load_qm9(split, source=source, cache_dir=folder / "cache") for split in ("train", "test")}


def renumbered(data, rng):
    """`data` with every molecule's nine slots (atoms and padding) in a random order."""
    order = np.stack([rng.permutation(N_ATOMS) for _ in data["atoms"]])
    rows = np.arange(len(order))[:, None]
    return {**data, "atoms": data["atoms"][rows, order], "mask": data["mask"][rows, order],
            "bonds": data["bonds"][rows[:, :, None], order[:, :, None], order[:, None, :]]}


def test_pca_finds_the_direction_of_largest_variance():
    x = np.outer(np.arange(-2.0, 3.0), [3.0, 4.0]) / 5 + [1.0, 1.0]
    coordinates, explained = interp.pca(x)
    np.testing.assert_allclose(coordinates[:, 0], np.arange(-2.0, 3.0), atol=1e-12)
    np.testing.assert_allclose(explained, [1.0, 0.0], atol=1e-12)


def test_latent_pca_sorted_coordinates_ignore_the_numbering_of_the_atoms(vae, qm9_splits, tmp_path):
    molecules = qm9_splits["train"]
    table = interp.latent_pca(vae, molecules, property="mu")
    assert list(table.columns) == ["space", "molecule", "pc1", "pc2", "property", "value", "explained_pc1",
                                   "explained_pc2"]
    assert len(table) == 2 * len(molecules["atoms"]) and set(table["space"]) == {"equivariant", "sorted"}
    np.testing.assert_allclose(table.loc[table["space"] == "sorted", "value"], molecules["properties"][:, 0])
    other = interp.latent_pca(vae, renumbered(molecules, np.random.default_rng(1)), property="mu")
    columns = ["pc1", "pc2", "explained_pc1"]
    sorted_rows = table["space"] == "sorted"
    np.testing.assert_allclose(other.loc[sorted_rows, columns], table.loc[sorted_rows, columns], atol=1e-5)
    assert not np.allclose(other.loc[~sorted_rows, columns], table.loc[~sorted_rows, columns], atol=1e-3)
    interp.write_study(table, "latent_pca", interp.plot_latent_pca, tmp_path)
    assert (tmp_path / "interp_latent_pca.csv").is_file() and (tmp_path / "interp_latent_pca.png").stat().st_size
    with pytest.raises(ValueError, match="Unknown QM9 properties"):
        interp.latent_pca(vae, molecules, property="colour")


def test_graph_distance_is_the_hamming_distance_up_to_a_renumbering_of_the_nodes(rng):
    chain = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # 0 − 1 − 2, single bonds
    assert interp.hamming_distance(np.array([1, 1, 3]), chain, np.array([3, 1, 1]), chain) == 2  # C−C−O, O−C−C
    assert interp.graph_distance(np.array([1, 1, 3]), chain, np.array([3, 1, 1]), chain) == 0
    assert interp.graph_distance(np.array([1, 1, 3]), chain, np.array([3, 1, 2]), chain) == 1  # C−C−O, O−C−N
    for n in (2, 4, 5):
        atoms = rng.integers(1, 3, (2, n))
        bonds = np.triu(rng.integers(0, 2, (2, n, n)), k=1)
        bonds = bonds + bonds.transpose(0, 2, 1)
        expected = min(interp.hamming_distance(atoms[0], bonds[0], atoms[1][list(p)], bonds[1][np.ix_(p, p)])
                       for p in itertools.permutations(range(n)))
        assert interp.graph_distance(atoms[0], bonds[0], atoms[1], bonds[1]) == expected


def test_interpolation_paths_of_one_molecule_change_nothing(vae, qm9_splits, tmp_path):
    molecules = qm9_splits["train"]
    index = int(np.flatnonzero(molecules["mask"].sum(axis=1) == 7)[0])
    twins = {key: value[[index, index]] for key, value in molecules.items()}
    table = interp.interpolation_smoothness(vae, twins, pairs=2, steps=3)
    assert list(table.columns) == ["space", "pair", "first", "second", "atoms", "distance", "step", "t", "smiles",
                                   "valid", "hamming", "hamming_up_to_permutation"]
    assert len(table) == 2 * 2 * 4 and table["step"].max() == 3 and table["t"].max() == 1.0
    moves = table[table["step"] > 0]
    assert (moves["hamming"] == 0).all() and (moves["hamming_up_to_permutation"] == 0).all()
    assert table.loc[table["step"] == 0, "hamming"].isna().all()
    # A molecule and a renumbering of it: one point in the sorted space, two latents in the equivariant one.
    pair = {key: np.concatenate([twins[key][:1], value[:1]])
            for key, value in renumbered(twins, np.random.default_rng(3)).items()}
    table = interp.interpolation_smoothness(vae, pair, pairs=2, steps=3)
    summary = interp.interpolation_summary(table).set_index("space")
    assert list(summary.columns) == ["pairs", "distance", "hamming", "hamming_up_to_permutation", "changed", "valid"]
    assert summary.loc["sorted", "distance"] < 1e-5 < summary.loc["equivariant", "distance"]
    assert summary.loc["sorted", "hamming"] == 0 and summary.loc["sorted", "changed"] == 0
    interp.write_study(table, "interpolation", interp.plot_interpolation, tmp_path)
    assert (tmp_path / "interp_interpolation.png").stat().st_size > 0
    with pytest.raises(ValueError, match="same number of atoms"):
        interp.interpolation_smoothness(vae, {key: value[:1] for key, value in molecules.items()}, pairs=1)


def test_nearest_neighbours_and_the_knn_regression_by_hand():
    train = np.array([[1.0], [4.0], [9.0]])
    np.testing.assert_array_equal(interp.nearest_neighbours(train, [[3.0], [8.0]], 2, chunk_bytes=8),
                                  [[1, 0], [2, 1]])

    def molecules(atoms, gaps):  # single atoms; the stub encoder below reads the atom type as the latent
        properties = np.zeros((len(gaps), len(PROPERTIES)))
        properties[:, interp.PROPERTY_NAMES.index("gap")] = gaps
        atoms = np.array([[a, 0] for a in atoms])
        return {"atoms": atoms, "bonds": np.zeros((len(atoms), 2, 2)), "mask": (atoms > 0) * 1.0,
                "properties": properties}

    stub = SimpleNamespace(encoder=lambda graphs: graphs["atoms"][..., None] * 1.0)
    table = interp.knn_property_mae(stub, molecules([1, 4, 9], [1.0, 2.0, 4.0]), molecules([3, 8], [0.0, 5.0]),
                                    ks=(1, 2), properties=("gap",))
    # Test 3: neighbours 4, 1 → predictions 2, 1.5 (errors 2, 1.5); test 8: neighbours 9, 4 → 4, 3 (errors 1, 2).
    for _, rows in table.groupby("representation"):
        np.testing.assert_allclose(rows["mae"], [1.5, 1.75])
        np.testing.assert_allclose(rows["mae_standardised"], np.array([1.5, 1.75]) / np.std([1.0, 2.0, 4.0]))
    assert set(table["representation"]) == {"equivariant", "sorted", "sum", "mean", "max"}
    assert table.attrs["summary"] == interp.knn_summary(table)


def test_knn_summary_names_the_lowest_representation_per_property():
    table = pd.DataFrame({"property": ["mu", "mu", "mu", "gap", "gap"], "representation": [
        "sorted", "sorted", "sum", "sorted", "sum"], "k": [1, 5, 1, 1, 1], "mae": [0.9, 0.2, 0.5, 3.0, 2.0]})
    assert interp.knn_summary(table) == {"best": {"mu": "sorted", "gap": "sum"}, "sorted_lowest_for": ["mu"]}


def test_knn_regression_from_the_vae_latents(vae, qm9_splits, tmp_path):
    table = interp.knn_property_mae(vae, qm9_splits["train"], qm9_splits["test"], ks=(1, 3), properties=("gap", "mu"))
    assert list(table.columns) == ["representation", "property", "unit", "k", "mae", "mae_standardised",
                                   "train_count", "test_count"]
    assert len(table) == 5 * 2 * 2 and (table["mae"] >= 0).all()
    assert set(table.attrs["summary"]["best"]) == {"gap", "mu"}
    interp.write_study(table, "knn_properties", interp.plot_knn_properties, tmp_path)
    assert (tmp_path / "interp_knn_properties.png").stat().st_size > 0


def test_macro_f1_and_the_majority_vote_by_hand():
    # Class 0: F1 2/4; class 1: 4/5; class 2: 0 (never predicted).
    assert interp.macro_f1([0, 0, 1, 1, 2], [0, 1, 1, 1, 0]) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert interp.macro_f1([3, 7], [3, 7]) == 1.0
    labels = np.array([[2, 1, 1, 2, 0]])
    assert [interp.knn_vote(labels, k)[0] for k in (1, 3, 4)] == [2, 1, 2]  # k = 4: a tie, 2 is nearest


def test_fourier_magnitudes_are_invariant_to_cyclic_shifts(rng):
    z = rng.normal(size=(5, 8, 3))
    features = interp.fft_magnitudes(z)
    assert features.shape == (5, 5 * 3)
    for shift in range(1, 8):
        np.testing.assert_allclose(interp.fft_magnitudes(np.roll(z, shift, axis=1)), features, atol=1e-12)
    spread = np.zeros((1, 8, 1))
    spread[0, :2] = 0.5
    peaked = np.zeros((1, 8, 1))
    peaked[0, 0] = 1.0
    assert not np.allclose(interp.fft_magnitudes(spread), interp.fft_magnitudes(peaked))  # the same sums


def test_knn_classification_of_the_cn_latents(rng, tmp_path):
    model = CNClassifier((28, 28), 10, group_order=4, filters=(4, 4, 4), dense_units=8)
    images = rng.uniform(size=(36, 28, 28)).astype("float32")
    labels = rng.integers(0, 3, 36)
    table = interp.knn_classification_f1(model, images[:24], labels[:24], images[24:], labels[24:], ks=(1, 3),
                                         projections=2)
    assert list(table.columns) == ["representation", "seed", "dimension", "k", "macro_f1", "accuracy",
                                   "train_count", "test_count"]
    assert table["representation"].tolist() == ["equivariant"] * 2 + ["random_invariant"] * 4 + ["fft_magnitude"] * 2
    assert table["dimension"].tolist() == [16] * 6 + [12] * 2 and table["seed"].tolist()[2:6] == [0, 0, 1, 1]
    assert table["macro_f1"].between(0, 1).all()
    # A quarter turn of the test digits rolls their latents: the invariant readouts find the same neighbours.
    turned = interp.knn_classification_f1(model, images[:24], labels[:24], np.rot90(images[24:], axes=(1, 2)),
                                          labels[24:], ks=(1, 3), projections=2)
    invariant = table["representation"] != "equivariant"
    np.testing.assert_allclose(turned.loc[invariant, "macro_f1"], table.loc[invariant, "macro_f1"])
    interp.write_study(table, "knn_classification", interp.plot_knn_classification, tmp_path)
    assert (tmp_path / "interp_knn_classification.csv").is_file()
    assert (tmp_path / "interp_knn_classification.png").stat().st_size > 0
