"""Data-parallel training (`training.devices`): one device's results from several, on JAX and TensorFlow.

Simulated CPU devices must exist before the backend starts, so the training runs in subprocesses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from training.devices import check_batch_size, data_parallel, divisible

ROOT = Path(__file__).resolve().parents[2]

# Two epochs of DSS(sum) on 16 signal sets in batches of 8, on one device and on 4 simulated ones.
JAX_SCRIPT = """
import json
import keras
import numpy as np
from training.devices import data_parallel, simulate_cpu_devices
simulate_cpu_devices(4)
from training.hypermodel import build_compiled
from zoo.families import get_family

family = get_family("signals")
x, y = family.load_split("train", size=16)
results = {}
for devices in (1, 4):
    with data_parallel(devices):
        keras.utils.set_random_seed(0)
        model = build_compiled(family, "dss_sum", {"width": 0.05, "dropout": 0.0})
        results[devices] = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
results["sharded_over"] = len(model.weights[0].value.sharding.device_set)
try:
    data_parallel(8)
except ValueError as error:
    results["error"] = str(error)
print(json.dumps(results))
"""

# One epoch of DSS(sum) (a batch norm in every block) on 3 padded signal sets in batches of 2 over 2 replicas: the
# first batch gives each replica one set, the last gives one replica a set and the other none. Then again with the
# batch statistics left per replica (the negative control).
TF_SCRIPT = """
import json
import sys
import keras
import numpy as np
from training.devices import data_parallel, simulate_cpu_devices
simulate_cpu_devices(2)
import zoo.layers.normalization as normalization
from training.hypermodel import build_compiled
from zoo.families import get_family
from zoo.layers.calling import training_dependent_layers

family = get_family("signals")
x, y = family.load_split("train", size=3)
mask = np.ones(x.shape[:2], "float32")
mask[1, 20:] = mask[2, 10:] = 0.0
inputs = {"elements": x * mask[:, :, None, None], "mask": mask}

def fit(devices):
    with data_parallel(devices):
        keras.utils.set_random_seed(0)
        model = build_compiled(family, "dss_sum", {"width": 0.05, "dropout": 0.0})
        loss = model.fit(inputs, y, batch_size=2, epochs=1, shuffle=False, verbose=0).history["loss"]
    norms, _ = training_dependent_layers(model)
    statistics = [keras.ops.convert_to_numpy(v).tolist() for norm in norms for v in (norm.moving_mean,
                                                                                   norm.moving_variance)]
    return {"loss": loss, "statistics": statistics}

results = {"one": fit(1), "two": fit(2)}
normalization.replica_context = lambda: None  # every replica normalises with its own slice's statistics
results["per_replica"] = fit(2)
print(json.dumps(results))
"""


def _run(script, backend):
    environment = {key: value for key, value in os.environ.items() if key not in ("XLA_FLAGS", "KERAS_BACKEND")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**environment, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _statistics(run):
    return np.concatenate([np.ravel(values) for values in run["statistics"]])


def test_jax_data_parallel_fit_matches_one_device():
    results = _run(JAX_SCRIPT, "jax")
    assert results["sharded_over"] == 4  # the weights of the second model live on the 4 devices
    np.testing.assert_allclose(results["4"], results["1"], rtol=1e-5)
    assert "8 devices asked for, but jax sees 4" in results["error"]


def test_tensorflow_mirrored_fit_matches_one_device_batch_norms_included():
    results = _run(TF_SCRIPT, "tensorflow")
    one, two, per_replica = (_statistics(results[key]) for key in ("one", "two", "per_replica"))
    scale = np.abs(one) + 1e-3
    assert np.max(np.abs(two - one) / scale) < 1e-4  # an empty replica on the last batch included
    np.testing.assert_allclose(results["two"]["loss"], results["one"]["loss"], rtol=1e-5)
    # Negative control: statistics per replica are not one device's.
    assert not np.max(np.abs(per_replica - one) / scale) < 1e-2


def test_data_parallel_refuses_more_devices_than_there_are():
    assert isinstance(data_parallel(None), type(data_parallel(1)))  # one device: no distribution
    with pytest.raises(ValueError, match="64 devices asked for, but tensorflow sees 1"):
        data_parallel(64)
    with pytest.raises(ValueError, match="positive integer"):
        data_parallel(0)


def test_data_parallel_is_refused_on_pytorch(monkeypatch):
    monkeypatch.setattr(keras.config, "backend", lambda: "torch")
    with pytest.raises(ValueError, match="TensorFlow and JAX backends"):
        data_parallel(2)


def test_splits_are_cut_to_a_multiple_of_the_device_count():
    x = {"elements": np.zeros((10, 3, 2)), "mask": np.ones((10, 3))}
    cut_x, cut_y = divisible((x, np.arange(10)), 4)
    assert cut_x["elements"].shape == (8, 3, 2) and cut_x["mask"].shape == (8, 3)
    assert cut_y.tolist() == list(range(8))
    assert divisible((np.zeros((8, 2)), np.zeros(8)), 4)[0].shape == (8, 2)


def test_batches_must_divide_by_the_device_count():
    class Batches(keras.utils.PyDataset):
        batch_size = 6

        def __len__(self):
            return 1

        def __getitem__(self, index):
            return np.zeros((6, 2)), np.zeros(6)

    batches = Batches()
    assert divisible(batches, 2) is batches
    with pytest.raises(ValueError, match="batch size divisible by 4; the batches hold 6 sets"):
        divisible(batches, 4)
    with pytest.raises(ValueError, match="unknown number of sets"):
        check_batch_size(None, 2)
