"""The layer and model suites (symmetry, serialization, fit) run unchanged under every supported backend.

Keras picks its backend once per process, so the other backends run the same test files in a subprocess. They
deselect the tests of the families' 64 px image models (`full_size_images`, run under TensorFlow): those models
stack the layers that the 8 px instances beside them exercise on every backend, at many times their cost.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]
OTHER_BACKENDS = ["jax"]


@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="launched once, from the TensorFlow suite")
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_layer_and_model_suites_pass_under(backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not full_size_images", "tests/layers",
         "tests/models"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, f"{backend} suite failed: {summary}\n{result.stdout[-6000:]}"
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "skipped" not in summary, summary
