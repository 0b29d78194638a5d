"""QM9 molecules (Ramakrishnan et al. 2014) as padded molecular graphs, for the permutation-equivariant graph VAE of
Hansen et al. 2024, "Interpreting equivariant representations".

A molecule is a graph on its heavy atoms (C, N, O, F: at most 9 in QM9; hydrogens are implicit), padded to `N_ATOMS`
= 9 nodes. The node feature is the atom type (`ATOM_TYPES`: 0 = no atom, then C, N, O, F = 1..4), the edge feature the
bond type (`BOND_TYPES`: 0 = none, single, double, triple = 1..3), aromatic rings kekulised by RDKit. Atoms are typed
by element alone: the few charged molecules of QM9 (zwitterions such as `[NH3+]CCC([O-])=O`) are kept, their charges
dropped. So about 0.1 % of QM9's graphs (139 of 130,831: its nitro compounds, which RDKit reads as `[N+](=O)[O-]`,
and two zwitterions) carry a 4-bonded N, which `is_valid_molecule` rejects as a neutral molecule. The twelve standard
QM9 properties come along as a float table aligned with the molecules (`PROPERTIES`: name and unit; U, H and G at
298.15 K).

Sources, in order: `source=` / `$ZOO_QM9`, either a folder holding qm9pack's CSVs (`qm9_part1.csv`, ...) or one CSV
with a SMILES column and the twelve property columns (qm9pack's or MoleculeNet's names, see `COLUMNS`); else the CSVs
inside the installed PyPI package `qm9pack` (`pip install "symmetry-zoo[qm9]"`). Molecules RDKit cannot parse, and
any outside QM9's chemistry (another element, more than 9 heavy atoms), are dropped with a warning that counts them.
The parsed arrays are cached as `.npz` in `$ZOO_CACHE_DIR/qm9` (default `~/.cache/symmetry-zoo/qm9`) and re-parsed
whenever a source file's size or modification time changes.

Split: the source's rows (in file order) are shuffled by `np.random.default_rng(0).permutation`; the first 80 % of
that order train, the next 10 % validate, the last 10 % test (boundaries `8 * rows // 10` and `9 * rows // 10`).
Dropped molecules are removed afterwards, so a drop never moves another molecule to a different split.
"""

import hashlib
import importlib.util
import os
import warnings
from pathlib import Path

import numpy as np

N_ATOMS = 9
ATOM_TYPES = ("", "C", "N", "O", "F")  # index = atom type; "" is padding
BOND_TYPES = ("none", "single", "double", "triple")  # index = bond type
PROPERTIES = (("mu", "D"), ("alpha", "bohr^3"), ("homo", "Ha"), ("lumo", "Ha"), ("gap", "Ha"), ("r2", "bohr^2"),
              ("zpve", "Ha"), ("U0", "Ha"), ("U", "Ha"), ("H", "Ha"), ("G", "Ha"), ("Cv", "cal/(mol K)"))
# Accepted CSV columns of each property (case-insensitive): qm9pack's name, then MoleculeNet's qm9.csv name.
COLUMNS = {"mu": ("Dipole_debye", "mu"), "alpha": ("Polarizability_bohr3", "alpha"), "homo": ("HOMO_au", "homo"),
           "lumo": ("LUMO_au", "lumo"), "gap": ("HOMO_LUMO_gap_au", "gap"), "r2": ("R2_bohr2", "r2"),
           "zpve": ("ZPVE_au", "zpve"), "U0": ("InternalEnergy_0K_au", "u0"), "U": ("InternalEnergy_298K_au", "u298"),
           "H": ("Enthalphy_298K_au", "h298"), "G": ("GibbsFreeEnergy_298K_au", "g298"),
           "Cv": ("Heatcapacity_Cv_cal_mol_K", "cv")}
SPLITS = {"train": (0, 8), "val": (8, 9), "test": (9, 10)}  # tenths of the shuffled source rows
SEED = 0
CACHE_VERSION = 1
INSTALL = 'pip install "symmetry-zoo[qm9]"'


def source_files(source=None):
    """The CSV files of a QM9 source: `source` / `$ZOO_QM9` (a folder of qm9pack CSVs or one CSV), else qm9pack's."""
    source = source or os.environ.get("ZOO_QM9")
    if not source:
        spec = importlib.util.find_spec("qm9pack")  # not imported: qm9pack imports the deprecated pkg_resources
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"No QM9 data: {INSTALL} (the PyPI package qm9pack ships the QM9 table), or set "
                                    "ZOO_QM9 to a folder of qm9pack CSVs or to a CSV of SMILES and QM9 properties.")
        source = Path(spec.submodule_search_locations[0]) / "data"
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise FileNotFoundError(f"QM9 source {source} does not exist.")
    files = sorted(source.glob("qm9_part[0-9]*.csv"), key=lambda path: (len(path.name), path.name))
    if not files:
        raise FileNotFoundError(f"No qm9pack CSVs (qm9_part1.csv, ...) in {source}.")
    return files


def read_csv(path):
    """`(smiles list, properties (rows, 12) float32)` of one CSV, reading only those columns."""
    import pandas as pd

    header = {name.lower(): name for name in pd.read_csv(path, nrows=0).columns}
    wanted = {"smiles": ("smiles",), **COLUMNS}
    found = {key: next((header[c.lower()] for c in names if c.lower() in header), None)
             for key, names in wanted.items()}
    missing = [key for key, column in found.items() if column is None]
    if missing:
        raise ValueError(f"{path} lacks the QM9 columns {missing} (a SMILES column and the properties, named as in "
                         "qm9pack or MoleculeNet).")
    table = pd.read_csv(path, usecols=list(found.values()))
    return table[found["smiles"]].astype(str).tolist(), table[[found[n] for n, _ in PROPERTIES]].to_numpy(np.float32)


def smiles_to_graph(smiles):
    """`(atoms (9,), bonds (9, 9))` int32 of a molecule, kekulised, charges dropped; None if RDKit cannot parse it or
    it is outside QM9's chemistry (other elements, more than 9 heavy atoms).

    >>> atoms, bonds = smiles_to_graph("C#N")  # atoms [1, 2, 0, ...], bonds[0, 1] == bonds[1, 0] == 3
    """
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        molecule = Chem.MolFromSmiles(smiles)
    if molecule is None or molecule.GetNumAtoms() > N_ATOMS:
        return None
    Chem.Kekulize(molecule, clearAromaticFlags=True)
    atoms, bonds = np.zeros(N_ATOMS, np.int32), np.zeros((N_ATOMS, N_ATOMS), np.int32)
    for atom in molecule.GetAtoms():
        if atom.GetSymbol() not in ATOM_TYPES[1:]:
            return None
        atoms[atom.GetIdx()] = ATOM_TYPES.index(atom.GetSymbol())
    for bond in molecule.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        bonds[i, j] = bonds[j, i] = BOND_TYPES.index(str(bond.GetBondType()).lower())
    return atoms, bonds


def graph_to_smiles(atoms, bonds):
    """Canonical SMILES of a (decoded) molecular graph, or None when it is no valid molecule.

    Valid means: at least one atom, no self-loop, no bond to a padding node (atom type 0), RDKit's sanitisation
    passes (valences of neutral C, N, O, F; hydrogens fill the free valences) and the graph is connected: a graph of
    isolated fragments counts as invalid. Padding nodes may sit anywhere.

    Args:
        atoms: atom types `(n,)` int in `0..4`.
        bonds: bond types `(n, n)` int in `0..3`, symmetric.

    >>> graph_to_smiles([1, 1, 0], [[0, 3, 0], [3, 0, 0], [0, 0, 0]])
    'C#C'
    """
    from rdkit import Chem, rdBase

    atoms, bonds = np.asarray(atoms), np.asarray(bonds)
    if bonds.shape != atoms.shape * 2 or not np.array_equal(bonds, bonds.T):
        raise ValueError(f"Expected atoms (n,) and symmetric bonds (n, n); got {atoms.shape} and {bonds.shape}.")
    if atoms.min() < 0 or atoms.max() >= len(ATOM_TYPES) or bonds.min() < 0 or bonds.max() >= len(BOND_TYPES):
        raise ValueError(f"Atom types must lie in 0..{len(ATOM_TYPES) - 1}, bond types in 0..{len(BOND_TYPES) - 1}.")
    real = atoms > 0
    if not real.any() or np.diag(bonds).any() or bonds[~real].any():
        return None
    molecule = Chem.RWMol()
    node = {i: molecule.AddAtom(Chem.Atom(ATOM_TYPES[atoms[i]])) for i in np.flatnonzero(real)}
    for i, j in zip(*np.nonzero(np.triu(bonds))):
        molecule.AddBond(node[i], node[j], getattr(Chem.BondType, BOND_TYPES[bonds[i, j]].upper()))
    try:
        with rdBase.BlockLogs():
            Chem.SanitizeMol(molecule)
    except Chem.MolSanitizeException:
        return None
    return Chem.MolToSmiles(molecule) if len(Chem.GetMolFrags(molecule)) == 1 else None


def is_valid_molecule(atoms, bonds):
    """Whether a decoded graph (`atoms (n,)`, `bonds (n, n)`) is a valid connected molecule; see `graph_to_smiles`.

    >>> np.mean([is_valid_molecule(a, b) for a, b in zip(decoded_atoms, decoded_bonds)])  # validity of a batch
    """
    return graph_to_smiles(atoms, bonds) is not None


def parse(files):
    """All molecules of the CSV files: dict(atoms (m, 9) int32, bonds (m, 9, 9) int32, properties (m, 12) float32,
    smiles (m,) str: canonical SMILES of each graph ("" where it is no valid neutral molecule), rows (m,) int64: their
    rows in the source, dropped (k,) str: the SMILES dropped, total: the number of source rows)."""
    from tqdm.auto import tqdm

    smiles, properties = zip(*(read_csv(path) for path in files))
    smiles, properties = [s for part in smiles for s in part], np.concatenate(properties)
    graphs = {}  # source row -> (atoms, bonds, canonical SMILES)
    for row, molecule in enumerate(tqdm(smiles, desc="parsing QM9 SMILES", disable=len(smiles) < 1000)):
        graph = smiles_to_graph(molecule)
        if graph is not None:
            graphs[row] = (*graph, graph_to_smiles(*graph) or "")
    if not graphs:
        raise ValueError(f"No molecule of {[str(path) for path in files]} could be parsed.")
    dropped = [molecule for row, molecule in enumerate(smiles) if row not in graphs]
    if dropped:
        warnings.warn(f"QM9: dropped {len(dropped)} of {len(smiles)} molecules that RDKit cannot parse or that lie "
                      f"outside QM9's chemistry, e.g. {dropped[:3]}.", stacklevel=2)
    rows = np.array(list(graphs), np.int64)
    atoms, bonds, canonical = zip(*graphs.values())
    return dict(atoms=np.array(atoms), bonds=np.array(bonds), properties=properties[rows], smiles=np.array(canonical),
                rows=rows, dropped=np.array(dropped, str), total=np.int64(len(smiles)))


def read_qm9(source=None, cache_dir=None):
    """`parse(source_files(source))`, from the `.npz` cache when the source files are unchanged (size and mtime)."""
    files = source_files(source)
    stamps = [(str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns) for path in files]
    key = hashlib.sha256(repr((CACHE_VERSION, stamps)).encode()).hexdigest()
    default = Path(os.environ.get("ZOO_CACHE_DIR") or Path.home() / ".cache" / "symmetry-zoo") / "qm9"
    folder = Path(cache_dir) if cache_dir else default
    path = folder / f"qm9-{hashlib.sha256(repr([s[0] for s in stamps]).encode()).hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path) as cached:
            if str(cached["key"]) == key:
                return {name: cached[name] for name in cached.files if name != "key"}
    table = parse(files)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    with open(partial, "wb") as handle:
        np.savez_compressed(handle, key=key, **table)
    os.replace(partial, path)  # atomic: a concurrent reader sees the old cache or the new one
    return table


def load_qm9(split, source=None, max_molecules=None, cache_dir=None):
    """One split of QM9 as padded graphs, in the split's shuffled order.

    Args:
        split: "train", "val" or "test" (80 / 10 / 10 %, see the module's docstring).
        source: a folder of qm9pack CSVs or one CSV; None for `$ZOO_QM9`, else the installed qm9pack.
        max_molecules: keep only the split's first `max_molecules` molecules; None for all.
        cache_dir: folder of the parsed cache; None for `$ZOO_CACHE_DIR/qm9` or `~/.cache/symmetry-zoo/qm9`.

    Returns:
        dict(atoms (m, 9) int32, bonds (m, 9, 9) int32 symmetric with zero diagonal, mask (m, 9) float32: 1 on the
        real atoms (the first ones), properties (m, 12) float32 in the order of `PROPERTIES`, smiles (m,) str: the
        canonical SMILES of each graph (`graph_to_smiles`, "" where invalid), what decoded molecules are compared
        with for novelty).

    >>> train = load_qm9("train")
    >>> train["atoms"].shape, train["bonds"].shape  # with qm9pack 1.0.3
    ((104664, 9), (104664, 9, 9))
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown QM9 split {split!r}; choose from {list(SPLITS)}.")
    table = read_qm9(source, cache_dir)
    total = int(table["total"])
    start, stop = (tenths * total // 10 for tenths in SPLITS[split])
    molecule = np.full(total, -1)
    molecule[table["rows"]] = np.arange(len(table["rows"]))
    chosen = molecule[np.random.default_rng(SEED).permutation(total)[start:stop]]
    chosen = chosen[chosen >= 0][:max_molecules]
    atoms = table["atoms"][chosen]
    return dict(atoms=atoms, bonds=table["bonds"][chosen], mask=(atoms > 0).astype(np.float32),
                properties=table["properties"][chosen], smiles=table["smiles"][chosen])
