import h5py
import numpy as np
import pytest

import zoo
from zoo.data import dfaust
from zoo.families.dss.dfaust import DFaustFamily

# An octahedron: 6 vertices, 8 triangles, standing in for the 6890-vertex registered body mesh.
FACES = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
VERTICES = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], np.float32)


def motion(frames, rng):
    """A steady motion of the mesh: every vertex moves along its own random direction."""
    t = np.linspace(0, 1, frames)[:, None, None]
    return VERTICES[None] + t * rng.normal(size=(1, 6, 3)).astype(np.float32)


@pytest.fixture
def dfaust_root(tmp_path):
    """Fake official registration files: 4 subjects, 2 sequences each, stored (vertices, 3, frames)."""
    rng = np.random.default_rng(0)
    for name, subjects in (("registrations_m.hdf5", ("50002", "50007")), ("registrations_f.hdf5", ("50004", "50020"))):
        with h5py.File(tmp_path / name, "w") as handle:
            handle["faces"] = FACES
            for sid in subjects:
                for seq in ("jumping_jacks", "punching"):
                    handle[f"{sid}_{seq}"] = np.transpose(motion(30, rng), (1, 2, 0))
    return tmp_path


def test_registrations_are_read_and_split_by_subject(dfaust_root):
    sequences, faces = dfaust.read_registrations(dfaust_root)
    assert len(sequences) == 8 and faces.shape == (8, 3)
    assert all(s.shape == (30, 6, 3) for s in sequences.values())
    splits = dfaust.split_sequences(sequences)
    test_subjects = {dfaust.subject(k) for k in splits["test"]}
    assert test_subjects == {"50007", "50020"} and not test_subjects & {dfaust.subject(k) for k in splits["train"]}


def test_missing_or_malformed_files_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("DFAUST_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="licence"):
        dfaust.read_registrations()
    with pytest.raises(FileNotFoundError, match="registrations_m.hdf5"):
        dfaust.read_registrations(tmp_path)
    with h5py.File(tmp_path / "registrations_m.hdf5", "w") as handle:
        handle["50002_run"] = np.zeros((6, 3, 10), np.float32)
    with pytest.raises(ValueError, match="no 'faces'"):
        dfaust.read_registrations(tmp_path)


def test_centre_frame_sets_and_the_mean_shape_baseline(dfaust_root):
    sequences, _ = dfaust.read_registrations(dfaust_root)
    x, y = dfaust.centre_frame_sets(sequences, 50, np.random.default_rng(0))
    assert x.shape == (50, 7, 6, 3) and set(np.unique(y)) <= set(range(7))
    np.testing.assert_allclose(x.mean(axis=(1, 2)), 0, atol=1e-5)
    accuracy = np.mean(np.argmax(dfaust.mean_shape_baseline(x), axis=1) == y)
    assert accuracy > 0.9  # for a steady motion the centre frame is the mean shape
    with pytest.raises(ValueError, match="needs"):
        dfaust.centre_frame_sets(sequences, 1, np.random.default_rng(0), n=7, stride=10)


@pytest.mark.parametrize("kind", ["points", "graphs"])
@pytest.mark.parametrize("architecture", ["dss_sum", "dss_sridhar", "siamese_ds"])
def test_models_are_set_equivariant_and_train(dfaust_root, kind, architecture):
    family = DFaustFamily(kind, root=dfaust_root, num_vertices=6)
    model = family.compile(family.build(architecture, width=0.1))
    x, y = family.load_split("test", seed=1)
    assert zoo.check_symmetry(model, x[:4], trials=2)["passed"]
    history = model.fit(family.load_split("train", size=2), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_the_family_says_whether_its_data_is_here(dfaust_root, tmp_path_factory, monkeypatch):
    monkeypatch.delenv("DFAUST_ROOT", raising=False)
    assert DFaustFamily("points", root=dfaust_root).missing_data is None
    assert "set DFAUST_ROOT" in DFaustFamily("points").missing_data
    assert "registrations_m.hdf5" in DFaustFamily("graphs", root=tmp_path_factory.mktemp("empty")).missing_data


def test_graph_model_without_data_says_why(monkeypatch):
    monkeypatch.delenv("DFAUST_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="licence"):
        zoo.load("dss_sum_dfaust_graphs", pretrained=False)
    assert zoo.load("dss_sum_dfaust_points", pretrained=False).count_params() > 0


def test_a_graph_model_trained_elsewhere_loads_without_the_data(dfaust_root, tmp_path, monkeypatch):
    model = DFaustFamily("graphs", root=dfaust_root, num_vertices=6).build("dss_sum", width=0.1)
    zoo.save(model, tmp_path / "mine", family="dfaust_graphs", architecture="dss_sum", hyperparameters={"width": 0.1})
    monkeypatch.delenv("DFAUST_ROOT", raising=False)  # a machine without the licensed data
    loaded = zoo.load(f"local-dir:{tmp_path / 'mine'}")
    x = np.random.default_rng(0).normal(size=(2, 7, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
