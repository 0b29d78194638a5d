"""The U-Net's residual output: a learnt correction to the pooled input set, or to each element's own channels,
clamped to a range."""

import keras
import numpy as np
import pytest

from tests.helpers import assert_close
from tests.models.zoo_models import ALL_MODELS
from zoo.models import SetUNet


def _without_correction(model):
    """Zero the last convolution, so the network adds nothing to the residual."""
    head = model.output_conv
    last = head.element_layers[-1] if hasattr(head, "element_layers") else head.layer  # merging or per element
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    return model


def test_residual_output_is_the_clamped_masked_mean_of_the_set_plus_the_correction(rng):
    model = _without_correction(ALL_MODELS["unet_burst_residual"]())
    x = rng.normal(scale=0.7, size=(3, 4, 8, 8, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], "float32")
    x_padded = np.where(mask[..., None, None, None] > 0, x, 50.0).astype("float32")  # padding must not count
    y = keras.ops.convert_to_numpy(model({"elements": x_padded, "mask": mask}))
    mean = (x * mask[..., None, None, None]).sum(axis=1) / mask.sum(axis=1)[:, None, None, None]
    assert_close(y, np.clip(mean, -1.0, 1.0), atol=1e-5)
    assert np.abs(mean).max() > 1.0 and y.min() >= -1.0 and y.max() <= 1.0  # the clamp was needed


def test_residual_model_learns_a_correction_with_fit(rng):
    model = ALL_MODELS["unet_burst_residual"]()
    x = rng.uniform(-0.5, 0.5, size=(8, 4, 8, 8, 3)).astype("float32")
    y = np.clip(x.mean(axis=1) + 0.3, -1, 1)  # the mean, brightened: a correction the network must learn
    model.compile(keras.optimizers.Adam(1e-2), loss="mae")
    history = model.fit(x, y, epochs=15, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_element_residual_output_is_each_elements_channel_max_in_every_channel_plus_the_correction(rng):
    model = _without_correction(ALL_MODELS["unet_colour_residual"]())
    x = np.zeros((2, 4, 8, 8, 3), "float32")
    for slot in range(4):  # one channel kept per element, as in colour matching
        x[:, slot, ..., slot % 3] = rng.uniform(-0.5, 1.5, size=(2, 8, 8))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], "float32")
    y = keras.ops.convert_to_numpy(model({"elements": x, "mask": mask}))
    expected = np.clip(np.repeat(x.max(axis=-1, keepdims=True), 3, axis=-1), 0.0, 1.0) * mask[..., None, None, None]
    assert_close(y, expected, atol=1e-5)
    assert x.max() > 1.0 and x.min() < 0.0  # the clamp was needed


def test_element_residual_model_learns_a_correction_with_fit(rng):
    model = ALL_MODELS["unet_colour_residual"]()
    x = rng.uniform(0.0, 0.5, size=(8, 4, 8, 8, 3)).astype("float32")
    y = np.clip(x.max(axis=-1, keepdims=True) * np.array([1.0, 0.6, 0.3], "float32") + 0.2, 0, 1)  # a tint to learn
    model.compile(keras.optimizers.Adam(1e-2), loss="mae")
    history = model.fit(x, y, epochs=15, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_a_set_pooled_residual_needs_a_merged_output():
    with pytest.raises(ValueError, match="needs `merge_pool`.*without it, residual is 'channel_max'"):
        SetUNet(3, filters=(4, 8), residual="mean")


def test_residual_needs_as_many_output_channels_as_input_channels():
    model = SetUNet(2, filters=(4, 8), merge_pool="max", residual="mean")
    with pytest.raises(ValueError, match=r"input's channels \(3\) must equal `out_channels` \(2\)"):
        model.build((None, 4, 8, 8, 3))


def test_unknown_residual_pool_is_refused():
    with pytest.raises(ValueError, match="Unknown set pooling 'median'"):
        SetUNet(3, filters=(4, 8), merge_pool="max", residual="median")
