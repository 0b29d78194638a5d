import keras
import numpy as np
import pytest

import zoo
from zoo.data import redmapper
from zoo.families.deepsets.redshift import MemberRedshift, RedshiftFamily

pytest.importorskip("astropy")

SIZES = [4, 5, 6, 7, 8, 9, 10, 4, 5, 6, 7, 8, 9, 10, 6, 6, 5, 7, 8, 9]  # 20 clusters kept
TOO_SMALL, TOO_LARGE, NO_SPECTRUM, NOT_CATALOGUED = 1001, 1002, 1003, 1004


def write_table(path, columns):
    from astropy.table import Table

    Table(columns).write(path, format="fits")


def member_columns(rng, ids, z_of_cluster):
    """The official members table's columns for galaxies of the clusters `ids` (one row per galaxy)."""
    z = np.array([z_of_cluster[i] for i in ids], np.float32)
    count = len(ids)
    columns = {"ID": np.asarray(ids, np.int32), "RA": rng.uniform(0, 360, count), "DEC": rng.uniform(-10, 60, count),
               "OBJID": np.arange(count, dtype=np.int64), "Z_SPEC": np.where(rng.random(count) < 0.6, z, -1.0)}
    for name in redmapper.FEATURES:
        columns[name] = (rng.normal(size=count) + 20 * z).astype(np.float32)
    return columns


@pytest.fixture
def redmapper_root(tmp_path):
    """Official-layout catalogues: 20 clusters of 4–10 members, plus one too small, one too large, one without any
    spectroscopic red-shift and one missing from the cluster catalogue (all four dropped)."""
    rng = np.random.default_rng(0)
    kept = {100 + i: size for i, size in enumerate(SIZES)}
    extra = {TOO_SMALL: 2, TOO_LARGE: 15, NO_SPECTRUM: 5, NOT_CATALOGUED: 5}
    z_of_cluster = {cid: float(rng.uniform(0.1, 0.5)) for cid in [*kept, *extra]}
    ids = [cid for cid, size in {**kept, **extra}.items() for _ in range(size)]
    ids = list(rng.permutation(ids))  # members of a cluster are not contiguous in the file
    members = member_columns(rng, ids, z_of_cluster)
    members["Z_SPEC"][np.array(ids) == NO_SPECTRUM] = -1.0
    for cid in kept:  # every kept cluster has at least one spectroscopic red-shift
        members["Z_SPEC"][ids.index(cid)] = z_of_cluster[cid]
    write_table(tmp_path / redmapper.MEMBERS_FILE, members)
    catalogued = [cid for cid in z_of_cluster if cid != NOT_CATALOGUED]
    write_table(tmp_path / redmapper.CATALOG_FILE,
                {"ID": np.array(catalogued, np.int32), "NAME": [f"RMJ{cid}" for cid in catalogued],
                 "Z_LAMBDA": np.array([z_of_cluster[c] + 0.01 for c in catalogued], np.float32),
                 "LAMBDA": np.full(len(catalogued), 25.0, np.float32)})
    return tmp_path


def test_clusters_are_read_with_their_17_features(redmapper_root):
    clusters = redmapper.read_clusters(redmapper_root, min_members=3, max_members=12)
    assert len(redmapper.FEATURES) == 17
    assert clusters.ids.tolist() == list(range(100, 120))
    assert [len(f) for f in clusters.features] == SIZES
    assert all(f.shape[1] == 17 and f.dtype == np.float32 for f in clusters.features)
    assert all((z > 0).any() for z in clusters.z_spec)
    known = np.concatenate([z[z > 0] - lam for z, lam in zip(clusters.z_spec, clusters.z_lambda)])
    np.testing.assert_allclose(known, -0.01, atol=1e-6)  # members matched to their own cluster's Z_LAMBDA


def test_split_is_by_cluster_and_standardised_on_training_members(redmapper_root):
    splits = redmapper.load_splits(redmapper_root, min_members=3, max_members=12)
    ids = {name: set(c.ids.tolist()) for name, c in splits.items()}
    assert [len(ids[s]) for s in ("train", "val", "test")] == [16, 2, 2]
    assert not ids["train"] & ids["val"] and not ids["train"] & ids["test"] and not ids["val"] & ids["test"]
    assert set().union(*ids.values()) == set(range(100, 120))
    train = np.concatenate(splits["train"].features)
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(train.std(axis=0), 1, atol=1e-5)


def test_cluster_sets_pad_and_weight_the_targets(redmapper_root):
    clusters = redmapper.load_splits(redmapper_root, min_members=3, max_members=12)["test"]
    x, y = redmapper.cluster_sets(clusters, length=12)
    assert x["elements"].shape == (2, 12, 17) and x["elements"].dtype == np.float32 and y.shape == (2, 12, 2)
    np.testing.assert_array_equal(x["mask"].sum(axis=1), [len(f) for f in clusters.features])
    assert ((y[..., 1] > 0) <= (x["mask"] > 0)).all()  # only real members are targets
    assert (y[..., 0][y[..., 1] == 0] == 0).all() and (y[..., 0][y[..., 1] > 0] > 0).all()
    baseline = redmapper.redmapper_baseline(x)
    assert baseline.shape == (2, 12) and (baseline == clusters.z_lambda[:, None]).all()


def test_missing_or_malformed_catalogues_are_clear_errors(redmapper_root, tmp_path, monkeypatch):
    monkeypatch.delenv("REDMAPPER_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="REDMAPPER_ROOT"):
        redmapper.read_clusters()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        redmapper.read_clusters(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=redmapper.MEMBERS_FILE):
        redmapper.read_clusters(empty)
    members = redmapper_root / redmapper.MEMBERS_FILE
    columns = redmapper.read_columns(members, ("ID", "Z_SPEC", *redmapper.FEATURES))
    write_table(empty / redmapper.MEMBERS_FILE, {k: v for k, v in columns.items() if k != "THETA_R"})
    (empty / redmapper.CATALOG_FILE).write_bytes((redmapper_root / redmapper.CATALOG_FILE).read_bytes())
    with pytest.raises(ValueError, match=f"{redmapper.MEMBERS_FILE} has no column 'THETA_R'"):
        redmapper.read_clusters(empty, min_members=3, max_members=12)
    (empty / redmapper.MEMBERS_FILE).write_bytes(b"not a FITS file")
    with pytest.raises(ValueError, match="Could not read"):
        redmapper.read_clusters(empty, min_members=3, max_members=12)


def test_the_pfree_spelling_is_accepted(redmapper_root, tmp_path):
    columns = redmapper.read_columns(redmapper_root / redmapper.MEMBERS_FILE, ("ID", "Z_SPEC", *redmapper.FEATURES))
    columns["PFREE"] = columns.pop("P_FREE")
    write_table(tmp_path / "members.fits", columns)
    np.testing.assert_array_equal(redmapper.read_columns(tmp_path / "members.fits", ("P_FREE",))["P_FREE"],
                                  columns["PFREE"])


def test_scatter_and_mae_on_hand_made_predictions():
    task = MemberRedshift()
    y = np.zeros((2, 3, 2), np.float32)
    y[0, 0], y[0, 1], y[1, 0] = [0.2, 1], [0.5, 1], [0.25, 1]  # y[0, 2] and y[1, 1:] carry no target
    prediction = np.array([[0.26, 0.35, 9.0], [0.25, 7.0, 7.0]])
    scores = task.score(y, prediction)
    assert scores["scatter"] == pytest.approx((0.06 / 1.2 + 0.15 / 1.5 + 0.0) / 3)
    assert scores["mae"] == pytest.approx((0.06 + 0.15) / 3)
    keras_scatter = keras.ops.convert_to_numpy(task.loss()(y, prediction.astype(np.float32)))
    assert keras_scatter.mean() == pytest.approx(scores["scatter"], rel=1e-5)  # the batch mean is per galaxy
    assert "2 members with a spectroscopic red-shift" in task.describe(prediction[0], y[0])


def test_model_trains_round_trips_and_is_equivariant(redmapper_root, tmp_path):
    keras.utils.set_random_seed(0)
    family = RedshiftFamily(root=redmapper_root, min_members=3, max_members=12)
    assert family.missing_data is None
    x, y = family.load_split("test", seed=1)
    assert x["elements"].shape == (2, 12, 17) and y.shape == (2, 12, 2)
    model = family.compile(family.build("deepsets", units=(8, 8)))
    history = model.fit(family.load_split("train", size=2), validation_data=family.load_split("val"), epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["loss"]).all() and "val_scatter" in history.history
    prediction = model.predict(x, verbose=0)
    assert prediction.shape == (2, 12) and (prediction[x["mask"] == 0] == 0).all()
    report = zoo.check_symmetry(model, x, trials=2)
    assert report["passed"] and report["declared"]["output"] == "equivariant" and report["padding"] is not None
    model.save(tmp_path / "redshift.keras")
    loaded = keras.saving.load_model(tmp_path / "redshift.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), prediction, atol=1e-6)
    assert set(family.evaluate(lambda inputs: model.predict(inputs, verbose=0), seed=1)) == {"scatter", "mae"}
    baseline = family.evaluate(family.baselines["redmapper"], seed=1)
    assert baseline["mae"] == pytest.approx(0.01, abs=1e-6)  # the fixture's Z_LAMBDA is z_spec + 0.01


def test_model_builds_without_data_and_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("REDMAPPER_ROOT", raising=False)
    family = RedshiftFamily()
    assert "REDMAPPER_ROOT" in family.missing_data and family.wording.unavailable_reason
    model = family.example_model("deepsets", family.architectures["deepsets"].defaults)
    assert model.symmetry["output"] == "equivariant"
    assert model.count_params() == 2 * (17 * 128 + 2 * 128 * 128) + 3 * 128 + 2 * 128 + 1
    info = family.dataset_info()
    assert set(info) == {"name", "training_split", "evaluation_split"} and all(info.values())
    with pytest.raises(ValueError, match="has no architecture"):
        family.build("mlp")
