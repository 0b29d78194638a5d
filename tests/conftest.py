import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("zoo", max_examples=8, deadline=None, derandomize=True)
# The other backends' run (tests/test_backends.py) repeats the property tests to check the backend's kernels, not new
# shapes: each new shape costs JAX a compilation.
settings.register_profile("other_backend", max_examples=3, deadline=None, derandomize=True)
settings.load_profile("zoo" if keras.config.backend() == "tensorflow" else "other_backend")


@pytest.fixture
def rng():
    keras.utils.set_random_seed(0)
    return np.random.default_rng(0)


def pytest_addoption(parser):
    parser.addoption("--run_large", action="store_true", default=False,
                     help="also run the `large` tests: re-measure every shipped entry, not one of each kind")


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.config.backend()}"


def pytest_collection_modifyitems(config, items):
    """Skip the `large` tests unless `--run_large` is given. Run the `slow` tests first, the longest first
    (`@pytest.mark.slow(minutes=9)`; collection order among equals), then the rest: pytest-xdist hands the first
    tests out to its workers in turn, so the longest runs (the other backends' suites) overlap the many short tests
    instead of running alone at the end."""
    if not config.getoption("--run_large"):
        skip = pytest.mark.skip(reason="large: run with --run_large")
        for item in items:
            if "large" in item.keywords:
                item.add_marker(skip)

    def order(item):
        slow = item.get_closest_marker("slow")
        return (0, -slow.kwargs.get("minutes", 0)) if slow else (1, 0)

    items.sort(key=order)


TINY_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _redirect_artefacts(tmp_path, monkeypatch):
    """Point the README, model cards and leaderboards at `tmp_path`: a private registry never writes the
    repository's own files."""
    import evaluation.cards as cards
    import evaluation.leaderboard as leaderboard

    (tmp_path / "results").mkdir(exist_ok=True)
    monkeypatch.setattr(cards, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(leaderboard, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(cards, "MODEL_CARDS_DIR", tmp_path / "model_cards")
    monkeypatch.setattr(cards, "README_PATH", tmp_path / "README.md")


@pytest.fixture
def tiny_zoo(tmp_path, monkeypatch):
    """A private registry (via ZOO_REGISTRY) with one small pretrained signals entry, `tiny_dss_signals`; the
    README, model cards and leaderboards are redirected to `tmp_path` too.

    Returns a dict with the registry path, the embedded entry folder and the hub repo id.
    """
    import json

    import zoo
    from zoo.entry import folder_hashes
    from zoo.families import get_family

    keras.utils.set_random_seed(0)
    family = get_family("signals")
    hyperparameters = {"width": 0.05, "learning_rate": 1e-3, "dropout": 0.0}
    model = family.compile(family.build("dss_sum", **hyperparameters))
    folder = tmp_path / "pretrained" / "tiny_dss_signals"
    zoo.save(model, folder, family="signals", architecture="dss_sum", paper="dss", task=family.description,
             dataset=family.dataset_info(), hyperparameters=hyperparameters, input_spec=family.input_spec)
    registry = tmp_path / "registry.json"
    repo_id = "symmetry-zoo/tiny_dss_signals"
    registry.write_text(json.dumps({"tiny_dss_signals": {
        "family": "signals", "architecture": "dss_sum", "hyperparameters": hyperparameters,
        "hub": {"repo_id": repo_id, "revision": TINY_COMMIT}, "sha256": folder_hashes(folder)}}))
    monkeypatch.setenv("ZOO_REGISTRY", str(registry))
    _redirect_artefacts(tmp_path, monkeypatch)
    return {"registry": registry, "folder": folder, "repo_id": repo_id, "model": model}


def make_hf_cache(cache, repo_id, commit, source):
    """Lay `source`'s files out as huggingface_hub caches a model repo: blobs, snapshots of symlinks, refs."""
    import hashlib
    from pathlib import Path

    root = Path(cache) / f"models--{repo_id.replace('/', '--')}"
    (root / "blobs").mkdir(parents=True)
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text(commit)
    for path in Path(source).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            blob = root / "blobs" / hashlib.sha256(data).hexdigest()
            blob.write_bytes(data)
            link = root / "snapshots" / commit / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.relpath(blob, link.parent), link)
    return root / "snapshots" / commit
