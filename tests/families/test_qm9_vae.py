"""The shipped QM9 graph VAE on the fixture's real molecules, so that CI checks it without qm9pack: it loads
offline, its encoder and decoder are node-permutation equivariant, and it fine-tunes with `model.fit`."""

import numpy as np
import pytest

import zoo
from tests.qm9_fixture import write_source
from zoo.families.interp.qm9_vae import Qm9VaeFamily

pytest.importorskip("rdkit.Chem")


@pytest.fixture
def family(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    return Qm9VaeFamily(source=write_source(tmp_path / "qm9"))


def test_the_shipped_vae_is_equivariant_and_fine_tunes_on_real_molecules(family, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = zoo.load("equivariant_vae_qm9")
    x, y = family.load_split("train")
    latent = np.asarray(model.encoder(x))
    assert latent.shape == (len(x["atoms"]), 9, 1)
    assert np.all(latent[x["mask"] == 0] == 0)  # padding slots carry no latent
    for part in (model, model.encoder):
        report = zoo.check_symmetry(part, x, trials=2)
        assert report["passed"] and report["judged"] == ["permutation", "padding"], report
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert np.isfinite(history["loss"]).all()
