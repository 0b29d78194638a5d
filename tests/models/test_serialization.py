"""Every model round-trips through `.keras` and `.weights.h5` files, with warnings as errors."""

import json
import warnings

import keras
import numpy as np
import pytest

from tests.helpers import assert_close, keras_file_round_trip
from tests.models.zoo_models import ALL_MODELS, inputs_for, model_params


def _json(config):
    return json.loads(json.dumps(config))


def _predict(model, x):
    return keras.ops.convert_to_numpy(model(x, training=False))


@pytest.mark.parametrize("name", model_params(ALL_MODELS))
def test_keras_file_round_trip(tmp_path, rng, name):
    model = ALL_MODELS[name]()
    x = inputs_for(model, rng)
    path = tmp_path / "model.keras"
    loaded = keras_file_round_trip(model, path)
    assert type(loaded) is type(model)
    assert _json(loaded.get_config()) == _json(model.get_config())
    assert loaded.symmetry == model.symmetry
    assert_close(_predict(loaded, x), _predict(model, x), atol=1e-5)


@pytest.mark.parametrize("name", model_params(ALL_MODELS))
def test_weights_file_round_trip(tmp_path, rng, name):
    model = ALL_MODELS[name]()
    x = inputs_for(model, rng)
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    fresh = model.__class__.from_config(model.get_config())
    fresh.build_from_config(model.get_build_config())
    assert not np.allclose(_predict(fresh, x), _predict(model, x))  # fresh weights differ before loading
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        fresh.load_weights(path)
    assert_close(_predict(fresh, x), _predict(model, x), atol=1e-5)


def test_config_records_constructor_arguments_and_symmetry():
    model = ALL_MODELS["unet_dss_sum"]()
    config = model.get_config()
    assert config["filters"] == (4, 8) and config["architecture"] == "dss_sum"
    assert config["symmetry"]["output"] == "equivariant"
    assert config["symmetry"]["element"] == {"group": "circular_shift", "axes": [0, 1], "step": 2,
                                             "output": "equivariant"}
