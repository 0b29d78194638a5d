import h5py
import numpy as np
import pytest

import zoo
from zoo.data import modelnet
from zoo.families import get_family
from zoo.families.deepsets.point_clouds import PointCloudFamily
from zoo.families.sire.point_clouds import RecurrentPointCloudFamily

# The corner tetrahedron: its faces lie on x = 0, y = 0, z = 0 and x + y + z = 1.
TETRAHEDRON = "OFF\n# a comment\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n"
# The cube [-1, 1]^3 with quad faces, and the header joined with the counts as in some official files.
CUBE = ("OFF8 6 0\n-1 -1 -1\n1 -1 -1\n1 1 -1\n-1 1 -1\n-1 -1 1\n1 -1 1\n1 1 1\n-1 1 1\n"
        "4 0 3 2 1\n4 4 5 6 7\n4 0 1 5 4\n4 2 3 7 6\n4 1 2 6 5\n4 0 4 7 3\n")
MESHES = {"airplane": TETRAHEDRON, "bed": CUBE, "chair": TETRAHEDRON.replace("OFF\n", "OFF\n\n")}


def on_tetrahedron(points):
    x, y, z = points.T
    return np.min(np.abs([x, y, z, x + y + z - 1]), axis=0) < 1e-5


@pytest.fixture
def modelnet_root(tmp_path):
    """A fake official ModelNet40 folder: 3 classes, 3 training and 1 test mesh each."""
    for name, text in MESHES.items():
        for split, numbers in (("train", (1, 2, 3)), ("test", (4,))):
            folder = tmp_path / "ModelNet40" / name / split
            folder.mkdir(parents=True)
            for number in numbers:
                (folder / f"{name}_{number:04d}.off").write_text(text)
    return tmp_path


@pytest.fixture
def cloud_file(tmp_path):
    """A fake `ModelNet40_cloud.h5` of the DeepSets authors: 200 points per cloud instead of 10,000."""
    rng = np.random.default_rng(0)
    with h5py.File(tmp_path / modelnet.CLOUD_FILE, "w") as handle:
        for split, count in (("train", 12), ("test", 4)):
            cloud_key, label_key = modelnet.CLOUD_KEYS[split]
            handle[cloud_key] = rng.normal(3.0, 2.0, size=(count, 200, 3)).astype(np.float32)
            handle[label_key] = np.arange(count) % 40
    return tmp_path / modelnet.CLOUD_FILE


def test_off_files_are_read_with_either_header_and_polygons_are_triangulated(tmp_path):
    (tmp_path / "t.off").write_text(TETRAHEDRON)
    (tmp_path / "c.off").write_text(CUBE)
    vertices, triangles = modelnet.read_off(tmp_path / "t.off")
    assert vertices.shape == (4, 3) and triangles.shape == (4, 3)
    vertices, triangles = modelnet.read_off(tmp_path / "c.off")
    assert vertices.shape == (8, 3) and triangles.shape == (12, 3) and triangles.dtype == np.int64


def test_points_lie_on_the_surface_and_follow_the_area(tmp_path, rng):
    (tmp_path / "t.off").write_text(TETRAHEDRON)
    (tmp_path / "c.off").write_text(CUBE)
    points = modelnet.sample_surface(*modelnet.read_off(tmp_path / "t.off"), 2000, rng)
    assert points.shape == (2000, 3) and points.dtype == np.float32
    assert on_tetrahedron(points).all() and points.min() >= -1e-6 and points.max() <= 1 + 1e-6
    points = modelnet.sample_surface(*modelnet.read_off(tmp_path / "c.off"), 2000, rng)
    np.testing.assert_allclose(np.abs(points).max(axis=1), 1.0, atol=1e-5)
    # A unit triangle at z = 0 and one 3× larger (9× the area) at z = 1: 90 % of the points fall on the large one.
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [3, 0, 1], [0, 3, 1]], float)
    points = modelnet.sample_surface(vertices, np.array([[0, 1, 2], [3, 4, 5]]), 20_000, rng)
    assert abs(np.mean(points[:, 2] > 0.5) - 0.9) < 0.01
    small = points[points[:, 2] < 0.5]
    assert (small[:, :2] >= 0).all() and (small[:, 0] + small[:, 1] <= 1 + 1e-6).all()
    np.testing.assert_allclose(small[:, :2].mean(axis=0), 1 / 3, atol=0.02)  # uniform: the centroid


@pytest.mark.parametrize("text,message", [
    ("PLY\n3 1 0\n", "OFF header"),
    ("OFF\n4 4 0\n0 0 0\n1 0 0\n", "holds fewer"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n", "does not exist"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n", "k ≥ 3"),
    ("OFF\n3 1 0\n0 0 zero\n1 0 0\n0 1 0\n3 0 1 2\n", "not a valid OFF mesh"),
])
def test_corrupt_off_files_are_named(tmp_path, text, message):
    (tmp_path / "bad.off").write_text(text)
    with pytest.raises(ValueError, match=message) as error:
        modelnet.read_off(tmp_path / "bad.off")
    assert "bad.off" in str(error.value)


def test_the_official_layout_is_read_with_class_names_from_the_folders(modelnet_root):
    clouds, labels, classes = modelnet.read_meshes(modelnet_root / "ModelNet40", "train", 50)
    assert classes == ("airplane", "bed", "chair") and clouds.shape == (9, 50, 3) and clouds.dtype == np.float32
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert on_tetrahedron(clouds[labels != 1].reshape(-1, 3)).all()
    np.testing.assert_allclose(np.abs(clouds[labels == 1]).max(axis=2), 1.0, atol=1e-5)
    x, y = modelnet.load_clouds(modelnet_root, "test", 50)
    np.testing.assert_array_equal(y, [modelnet.CLASSES.index(c) for c in classes])
    np.testing.assert_allclose(x.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=(1, 2)), 1, atol=1e-4)


def test_the_authors_cloud_file_is_down_sampled_by_stride_and_standardised(cloud_file):
    with h5py.File(cloud_file) as handle:
        stored, stored_labels = handle["tr_cloud"][:], handle["tr_labels"][:]
    clouds, labels = modelnet.read_cloud_file(cloud_file, "train", 50)
    np.testing.assert_array_equal(clouds, stored[:, ::4])
    np.testing.assert_array_equal(labels, stored_labels)
    x, y = modelnet.load_clouds(cloud_file.parent, "test", 30)
    assert x.shape == (4, 30, 3) and y.dtype == np.int32
    np.testing.assert_allclose(x.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=(1, 2)), 1, atol=1e-4)
    with pytest.raises(ValueError, match="expected \\(objects, ≥ 500, 3\\)"):
        modelnet.read_cloud_file(cloud_file, "test", 500)


def test_missing_empty_and_malformed_data_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("MODELNET_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="MODELNET_ROOT"):
        modelnet.find_source()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        modelnet.find_source(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="No ModelNet40 data"):
        modelnet.find_source(tmp_path)
    (tmp_path / "chair" / "train").mkdir(parents=True)
    (tmp_path / "chair" / "train" / "chair_0001.off").write_text("OFF\n3 1 0\n0 0 0\n")
    with pytest.raises(ValueError, match="chair_0001.off"):
        modelnet.load_clouds(tmp_path, "train", 10)
    with pytest.raises(FileNotFoundError, match="No test meshes"):
        modelnet.load_clouds(tmp_path, "test", 10)
    (tmp_path / "chair" / "train" / "chair_0001.off").write_text(TETRAHEDRON)
    (tmp_path / "sofa_and_more" / "train").mkdir(parents=True)
    with pytest.raises(ValueError, match="not ModelNet40 classes"):
        modelnet.load_clouds(tmp_path, "train", 10)
    (tmp_path / modelnet.CLOUD_FILE).write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        modelnet.load_clouds(tmp_path, "train", 10)
    with h5py.File(tmp_path / modelnet.CLOUD_FILE, "w") as handle:
        handle["tr_cloud"] = np.zeros((2, 20, 3))
    with pytest.raises(ValueError, match="lacks the datasets"):
        modelnet.load_clouds(tmp_path, "train", 10)


def test_augmentation_rotates_about_z_and_scales_each_axis(rng):
    clouds = rng.normal(size=(20, 30, 3)).astype(np.float32)
    augmented = modelnet.augment(clouds, rng)
    assert augmented.shape == clouds.shape and augmented.dtype == np.float32
    for before, after in zip(clouds, augmented):
        matrix = np.linalg.lstsq(before, after, rcond=None)[0]  # after = before @ matrix = before @ Rᵀ diag(s)
        scale = np.linalg.norm(matrix, axis=0)
        assert (0.8 - 1e-5 <= scale).all() and (scale <= 1.25 + 1e-5).all()
        rotation = matrix / scale
        np.testing.assert_allclose(rotation[2], [0, 0, 1], atol=1e-5)
        assert abs(np.arctan2(rotation[0, 1], rotation[0, 0])) <= 0.1 * np.pi + 1e-5


@pytest.mark.parametrize("source", ["folder", "cloud_file"])
def test_the_family_trains_on_the_fixture_and_is_invariant(modelnet_root, cloud_file, source):
    root = modelnet_root if source == "folder" else cloud_file.parent
    family = PointCloudFamily(100, root=root)
    assert family.missing_data is None
    x, y = family.load_split("test")
    assert x.shape == (len(y), 100, 3) and x.dtype == np.float32
    vx, vy = family.load_split("val")
    train = family.load_split("train", size=2)
    bx, by = train[0]
    assert bx.shape == (64, 100, 3) and len(train) == 2 and len(vy) == 1
    assert not any(np.allclose(cloud, clean) for cloud in bx for clean in family.split("train")[0])  # augmented
    model = family.compile(family.build("deepsets", width=0.05))
    history = model.fit(train, validation_data=(vx, vy), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, verbose=0).shape == (len(y), 40)
    report = zoo.check_symmetry(model, x, trials=2)
    assert report["passed"] and report["padding"] is not None, report


def test_models_build_without_data_at_the_paper_sizes(monkeypatch):
    monkeypatch.delenv("MODELNET_ROOT", raising=False)
    for points, units in ((100, 256), (5000, 512)):
        family = PointCloudFamily(points)
        assert family.name == f"point_clouds_{points}" and "MODELNET_ROOT" in family.missing_data
        model = family.example_model("deepsets", family.architectures["deepsets"].defaults)
        equivariant = 3 * units + units + 2 * (units * units + units)
        assert model.count_params() == equivariant + units * units + units + 40 * units + 40
        assert set(family.dataset_info()) == {"name", "training_split", "evaluation_split"}
        assert family.task.classes == modelnet.CLASSES and family.wording.unavailable_reason
    assert len(modelnet.CLASSES) == 40 and list(modelnet.CLASSES) == sorted(modelnet.CLASSES)
    with pytest.raises(ValueError, match="Table 1"):
        PointCloudFamily(2048)


@pytest.mark.parametrize("architecture", ["gru", "sire_gru"])
def test_the_sire_family_reads_clouds_point_by_point_on_the_fixture(modelnet_root, architecture):
    family = RecurrentPointCloudFamily(100, root=modelnet_root)
    x, y = family.load_split("test")
    train = family.load_split("train", size=1)
    assert train[0][0].shape == (200, 100, 3)  # the SIRE paper's batches of 200
    model = family.compile(family.build(architecture, width=0.05))
    history = model.fit(train, validation_data=family.load_split("val"), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, verbose=0).shape == (len(y), 40)
    report = zoo.check_symmetry(model, x, trials=2)
    assert report["passed"] and report["order_sensitivity"] > 0, report  # padding exact, the order is not
    scores = family.evaluate(lambda clouds: model.predict(clouds, verbose=0), seed=1)
    assert scores["order_sensitivity"] > 0 and 0 <= scores["accuracy"] <= 1


def test_the_sire_family_builds_the_papers_widths_without_data(monkeypatch):
    monkeypatch.delenv("MODELNET_ROOT", raising=False)
    for points, units in ((100, 256), (5000, 512)):
        family = RecurrentPointCloudFamily(points)
        assert family.name == f"modelnet40_{points}" and family.wording.unavailable_reason
        gru = family.example_model("sire_gru", family.architectures["sire_gru"].defaults)
        assert (gru.units, gru.dropout, gru.sire_weight) == (units, 0.75, 0.1)
        assert gru.count_params() == 3 * (3 * units + units * units + 2 * units) + units + 40 * units + 40
        deepsets = family.example_model("deepsets", family.architectures["deepsets"].defaults)
        assert deepsets.count_params() == PointCloudFamily(points).example_model("deepsets", {}).count_params()
    assert get_family("modelnet40_1000").paper_result("sire_gru", "accuracy") == 0.878
