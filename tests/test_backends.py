"""The layer and model suites (symmetry, serialization, fit) run unchanged under every supported backend, and a
pretrained entry of each kind (every one with `--run_large`) predicts there what it predicts under TensorFlow.

Keras picks its backend once per process, so the other backends run in a subprocess. The suites deselect the tests
of the families' 64 px image models (`full_size_images`, run under TensorFlow): those models stack the layers that
the 8 px instances beside them exercise on every backend, at many times their cost. Without `--run_large` they also
deselect the models whose layer stack another model of the suite runs (`repeated_stack`). Their property tests draw 3
examples, not 8 (`tests/conftest.py`).
"""

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from tests.entry_predictions import comparable_entries, entry_predictions, one_per_kind

ROOT = Path(__file__).resolve().parents[1]
ONLY_FROM_TENSORFLOW = pytest.mark.skipif(keras.config.backend() != "tensorflow",
                                          reason="launched once, from the TensorFlow suite")


@ONLY_FROM_TENSORFLOW
@pytest.mark.parametrize("backend", [pytest.param("jax", marks=pytest.mark.slow(minutes=8)),  # 460 s in a -n 2 run here
                                     pytest.param("torch", marks=pytest.mark.slow(minutes=2))])
def test_layer_and_model_suites_pass_under(backend, request):
    env = {**os.environ, "KERAS_BACKEND": backend}
    deselected = "full_size_images" if request.config.getoption("--run_large") else (
        "full_size_images or repeated_stack")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", f"not ({deselected})", "tests/layers",
         "tests/models"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, f"{backend} suite failed: {summary}\n{result.stdout[-6000:]}"
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "skipped" not in summary, summary


@functools.cache
def tensorflow_predictions(entries):
    """`(names, predictions)` under TensorFlow for `"all"` comparable entries or `"one_per_kind"`, made once each."""
    names = comparable_entries() if entries == "all" else one_per_kind(comparable_entries())
    return names, entry_predictions(names)


@ONLY_FROM_TENSORFLOW
@pytest.mark.parametrize("entries", ["one_per_kind", pytest.param("all", marks=pytest.mark.large)])
@pytest.mark.parametrize("backend", [pytest.param("jax", marks=pytest.mark.slow(minutes=3)),
                                     pytest.param("torch", marks=pytest.mark.slow(minutes=1))])
def test_pretrained_entries_predict_alike_under(backend, entries, tmp_path):
    """One entry of each kind by default (entries of a kind share their model code: 66 of the 129 whose test data is
    here), every pretrained entry with `--run_large`."""
    names, expected = tensorflow_predictions(entries)
    path = tmp_path / "predictions.npz"
    result = subprocess.run([sys.executable, "-m", "tests.entry_predictions", str(path), *names], cwd=ROOT,
                            env={**os.environ, "KERAS_BACKEND": backend}, capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    with np.load(path) as predicted:
        assert sorted(predicted.files) == sorted(expected)
        for key, value in expected.items():  # float32 kernels differ in their order of additions
            np.testing.assert_allclose(predicted[key], value, rtol=0, atol=1e-4 * max(1.0, np.abs(value).max()),
                                       err_msg=f"{key} under {backend}")
