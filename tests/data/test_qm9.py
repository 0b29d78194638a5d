"""The QM9 loader: padded molecular graphs from SMILES, the seeded 80/10/10 split, the cache, and molecule validity."""

import importlib.util
import os
from collections import Counter

import numpy as np
import pytest

from tests.qm9_fixture import HEADER, ROWS, write_source
from zoo.data import qm9

Chem = pytest.importorskip("rdkit.Chem")
USER_CACHE_DIR = os.environ.get("ZOO_CACHE_DIR")

SMILES = [row.split(",")[1] for row in ROWS]
PROPERTIES = np.array([row.split(",")[2:] for row in ROWS], np.float32)
NITRO = "O=N(=O)C1=CC=CN1"  # RDKit reads it as charge-separated [N+](=O)[O-]: a 4-bonded N, invalid when neutral


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.delenv("ZOO_QM9", raising=False)
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "qm9"


@pytest.fixture
def source(tmp_path):
    return write_source(tmp_path / "qm9")


def load_all(source):
    splits = {split: qm9.load_qm9(split, source=source) for split in qm9.SPLITS}
    return splits, {key: np.concatenate([split[key] for split in splits.values()]) for key in splits["train"]}


def fixture_row(properties):
    """The fixture row of a molecule, found by its properties (their U0 values differ)."""
    return int(np.flatnonzero(np.isclose(PROPERTIES[:, 7], properties[7], rtol=0, atol=1e-4)).item())


def test_graphs_are_padded_symmetric_and_typed(source):
    _, data = load_all(source)
    m = len(SMILES)
    assert data["atoms"].shape == (m, 9) and data["atoms"].dtype == np.int32
    assert data["bonds"].shape == (m, 9, 9) and data["bonds"].dtype == np.int32
    assert data["mask"].shape == (m, 9) and data["mask"].dtype == np.float32
    assert data["properties"].shape == (m, 12) and data["properties"].dtype == np.float32
    assert len(qm9.PROPERTIES) == 12 and qm9.PROPERTIES[7] == ("U0", "Ha")
    np.testing.assert_array_equal(data["mask"], data["atoms"] > 0)
    assert np.all(np.diff(data["mask"], axis=1) <= 0)  # real atoms first, then padding
    padded = data["mask"] == 0
    assert not data["bonds"][padded].any() and not data["bonds"].transpose(0, 2, 1)[padded].any()
    np.testing.assert_array_equal(data["bonds"], data["bonds"].transpose(0, 2, 1))
    assert not np.diagonal(data["bonds"], axis1=1, axis2=2).any()
    assert set(np.unique(data["atoms"])) == {0, 1, 2, 3, 4} and set(np.unique(data["bonds"])) == {0, 1, 2, 3}


def test_atoms_are_the_heavy_atoms_of_the_smiles_and_properties_stay_aligned(source):
    _, data = load_all(source)
    for atoms, bonds, properties in zip(data["atoms"], data["bonds"], data["properties"]):
        row = fixture_row(properties)
        np.testing.assert_allclose(properties, PROPERTIES[row])
        molecule = Chem.MolFromSmiles(SMILES[row])
        assert Counter(qm9.ATOM_TYPES[a] for a in atoms if a) == Counter(a.GetSymbol() for a in molecule.GetAtoms())
        assert (bonds > 0).sum() // 2 == molecule.GetNumBonds()


def test_rings_are_kekulised_and_bond_types_kept():
    for smiles in ("C1=CC=CC=C1", "c1ccccc1", "c1ccncc1"):
        atoms, bonds = qm9.smiles_to_graph(smiles)
        ring = bonds[:6, :6]
        assert (atoms[:6] > 0).all() and not bonds[6:].any()
        assert all(sorted(row[row > 0]) == [1, 2] for row in ring)  # each ring atom: one single, one double bond
        assert (ring == 2).sum() // 2 == 3
    atoms, bonds = qm9.smiles_to_graph("N#CC#N")
    np.testing.assert_array_equal(atoms[:4], [2, 1, 1, 2])
    assert bonds[0, 1] == bonds[2, 3] == 3 and bonds[1, 2] == 1
    atoms, bonds = qm9.smiles_to_graph("C")
    assert atoms.tolist() == [1] + [0] * 8 and not bonds.any()


def test_charged_molecules_are_kept_by_element():
    atoms, bonds = qm9.smiles_to_graph("[NH3+]CCC([O-])=O")
    assert sorted(atoms[atoms > 0]) == [1, 1, 1, 2, 3, 3]
    assert qm9.graph_to_smiles(atoms, bonds) == "NCCC(=O)O"  # charges dropped: the neutral form


def test_the_split_is_80_10_10_disjoint_reproducible_and_follows_the_documented_rule(source):
    splits, _ = load_all(source)
    assert {name: len(split["atoms"]) for name, split in splits.items()} == {"train": 16, "val": 2, "test": 2}
    rows = {name: [fixture_row(p) for p in split["properties"]] for name, split in splits.items()}
    order = np.random.default_rng(0).permutation(20)
    assert rows == {"train": order[:16].tolist(), "val": order[16:18].tolist(), "test": order[18:].tolist()}
    again = qm9.load_qm9("train", source=source)
    assert all(np.array_equal(again[key], splits["train"][key]) for key in again)
    first = qm9.load_qm9("train", source=source, max_molecules=5)
    assert len(first["atoms"]) == 5 and np.array_equal(first["properties"], splits["train"]["properties"][:5])
    with pytest.raises(ValueError, match="Unknown QM9 split"):
        qm9.load_qm9("validation", source=source)


def test_unparsable_molecules_are_dropped_counted_and_move_no_other_molecule(tmp_path, source):
    rows = list(ROWS)
    bad = {3: "C1CC", 6: "CCl", 16: "CCCCCCCCCC"}  # unclosed ring, chlorine, 10 heavy atoms
    for row, smiles in bad.items():
        index, _, *values = rows[row].split(",")
        rows[row] = ",".join([index, smiles, *values])
    damaged = write_source(tmp_path / "damaged", rows)
    with pytest.warns(UserWarning, match="dropped 3 of 20 molecules"):
        table = qm9.read_qm9(damaged)
    assert sorted(table["dropped"]) == sorted(bad.values()) and int(table["total"]) == 20
    assert sorted(table["rows"]) == sorted(set(range(20)) - set(bad))
    for split in qm9.SPLITS:
        kept = [fixture_row(p) for p in qm9.load_qm9(split, source=damaged)["properties"]]
        assert kept == [fixture_row(p) for p in qm9.load_qm9(split, source=source)["properties"] if
                        fixture_row(p) not in bad]


def test_graph_to_smiles_round_trips_and_validity(source):
    rng = np.random.default_rng(0)
    _, data = load_all(source)
    for atoms, bonds, properties, smiles in zip(data["atoms"], data["bonds"], data["properties"], data["smiles"]):
        original = SMILES[fixture_row(properties)]
        assert qm9.is_valid_molecule(atoms, bonds) == (original != NITRO)
        assert smiles == (qm9.graph_to_smiles(atoms, bonds) or "")
        if original != NITRO and "+" not in original:
            assert smiles == Chem.MolToSmiles(Chem.MolFromSmiles(original))
        order = rng.permutation(9)  # a permuted graph, padding anywhere, is the same molecule
        assert qm9.graph_to_smiles(atoms[order], bonds[order][:, order]) == (smiles or None)


def test_invalid_graphs_are_recognised():
    atoms, bonds = np.array([1, 1, 1, 1, 1, 1, 0]), np.zeros((7, 7), int)
    bonds[0, 1:6] = bonds[1:6, 0] = 1
    assert not qm9.is_valid_molecule(atoms, bonds)  # a carbon with 5 bonds
    bonds[0, 5] = bonds[5, 0] = 0
    bonds[4, 5] = bonds[5, 4] = 1
    assert qm9.graph_to_smiles(atoms, bonds) == "CCC(C)(C)C"
    assert not qm9.is_valid_molecule([1, 1, 3], [[0, 1, 0], [1, 0, 0], [0, 0, 0]])  # two fragments: CC and O
    assert not qm9.is_valid_molecule([1, 0], [[0, 1], [1, 0]])  # a bond to a padding node
    assert not qm9.is_valid_molecule([1, 1], [[1, 1], [1, 0]]) and not qm9.is_valid_molecule([0, 0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        qm9.is_valid_molecule([1, 1], [[0, 1], [0, 0]])
    with pytest.raises(ValueError, match="Atom types"):
        qm9.is_valid_molecule([5, 1], [[0, 1], [1, 0]])


def test_the_cache_is_reused_and_remade_when_the_source_changes(source, cache, monkeypatch):
    calls = []
    parse = qm9.parse
    monkeypatch.setattr(qm9, "parse", lambda files: calls.append(files) or parse(files))
    first = qm9.read_qm9(source)
    second = qm9.read_qm9(source)
    assert len(calls) == 1 and len(list(cache.glob("*.npz"))) == 1
    assert all(np.array_equal(first[key], second[key]) for key in first)
    part2 = source / "qm9_part2.csv"
    part2.write_text("\n".join([HEADER, *ROWS[12:-1]]) + "\n")  # one molecule fewer
    assert len(qm9.read_qm9(source)["atoms"]) == 19 and len(calls) == 2
    stat = part2.stat()
    os.utime(part2, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # same size, newer
    qm9.read_qm9(source)
    assert len(calls) == 3 and len(list(cache.glob("*"))) == 1


def test_sources_and_clear_errors(tmp_path, source, monkeypatch):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        qm9.load_qm9("train", source=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No qm9pack CSVs"):
        qm9.load_qm9("train", source=tmp_path / "empty")
    monkeypatch.setattr(qm9.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match=r'pip install "symmetry-zoo\[qm9\]"'):
        qm9.load_qm9("train")
    monkeypatch.setenv("ZOO_QM9", str(source))
    assert len(qm9.load_qm9("test")["atoms"]) == 2
    names = "smiles,mu,alpha,homo,lumo,gap,r2,zpve,u0,u298,h298,g298,cv"  # MoleculeNet's qm9.csv
    single = tmp_path / "qm9.csv"
    single.write_text("\n".join([names, *(",".join(row.split(",")[1:]) for row in ROWS)]) + "\n")
    np.testing.assert_array_equal(qm9.read_qm9(single)["properties"], PROPERTIES)
    single.write_text("smiles,mu\nC,0.0\n")
    with pytest.raises(ValueError, match="lacks the QM9 columns"):
        qm9.read_qm9(single)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("qm9pack") is None, reason="qm9pack is not installed")
def test_the_real_qm9pack_table(monkeypatch):
    if USER_CACHE_DIR:  # parsing takes about a minute: keep the user's cache
        monkeypatch.setenv("ZOO_CACHE_DIR", USER_CACHE_DIR)
    else:
        monkeypatch.delenv("ZOO_CACHE_DIR")
    table = qm9.read_qm9()
    assert 130_000 <= len(table["atoms"]) <= 133_885 and len(table["dropped"]) == 0
    sizes = {split: len(qm9.load_qm9(split)["atoms"]) for split in qm9.SPLITS}
    assert sum(sizes.values()) == len(table["atoms"]) and abs(sizes["train"] / sum(sizes.values()) - 0.8) < 0.001
    heavy = (table["atoms"] > 0).sum(1)
    assert heavy.min() >= 1 and heavy.max() == 9 and (table["smiles"] != "").mean() > 0.998
