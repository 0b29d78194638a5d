"""Small instances of every kind of zoo model, shared by the model tests."""

import keras
import numpy as np
import pytest

from zoo.families import get_family
from zoo.layers import DSSLayer, GraphConv, SetBlock, Siamese
from zoo.layers.element import element_conv
from zoo.models import (
    ImageCNN,
    InvariantHead,
    MergingHead,
    RecurrentModel,
    SelectionHead,
    SetExpansionModel,
    SetModel,
    SetUNet,
)

SIGNAL_ARCHITECTURES = get_family("signals").architectures
UCF101_ARCHITECTURES = get_family("ucf101").architectures


def signal_model(architecture):
    return get_family("signals").build(architecture, width=0.05)


def ucf101_model(architecture):
    return get_family("ucf101").build(architecture, width=0.05)


def family_model(family, architecture):
    return get_family(family).build(architecture, width=0.05)


def selection_model(aggregation="sum"):
    """Image selection (as for UCF101 frames): DSS conv blocks, max-pool, selection head."""
    blocks = [SetBlock(DSSLayer(element_conv(4, 3, padding="circular"), aggregation), "batch", "elu"),
              Siamese(keras.layers.MaxPooling2D(2))]
    model = SetModel(blocks, SelectionHead((8,)), name=f"selection_{aggregation}")
    model.build((None, 5, 8, 8, 3))
    return model


def merging_model():
    """Burst merging: DSS blocks, then max over the set and a conv (R^{n×d} → R^d)."""
    blocks = [SetBlock(DSSLayer(element_conv(4, 3, padding="circular"), "max"), "batch", "relu")]
    head = MergingHead("max", [element_conv(3, 3, padding="circular")])
    symmetry = {"group": "circular_shift", "axes": [0, 1], "step": 1, "output": "equivariant"}
    model = SetModel(blocks, head, element_symmetry=symmetry, name="merging")
    model.build((None, 4, 8, 8, 3))
    return model


def graph_model():
    blocks = [SetBlock(DSSLayer(GraphConv(6), "sum"), "batch", "relu")]
    model = SetModel(blocks, InvariantHead(2, pool="mean", element_reduction="mean"), name="graph")
    model.build({"elements": (None, 3, 5, 2), "mask": (None, 3), "adjacency": (None, 5, 5)})
    return model


def unet_model(architecture="dss_sum", merge_pool=None, channels=(1, 2), **options):
    """A two-level U-Net of 8 px images: `channels` are the input's and the output's."""
    model = SetUNet(channels[1], filters=(4, 8), architecture=architecture, padding="circular",
                    merge_pool=merge_pool, name="merging" if merge_pool else "unet", **options)
    model.build((None, 4, 8, 8, channels[0]))
    return model


def expansion_model():
    """Set expansion over a 200-token vocabulary, scored in chunks of 64 tokens."""
    model = SetExpansionModel(200, embedding_dim=8, phi_units=(16,), rho_units=(8,), vocabulary_chunk=64,
                              name="expansion")
    model.build((None, None))
    return model


def recurrent_model(cell, sire_weight=0.0):
    model = RecurrentModel([keras.layers.Embedding(10, 4)], cell=cell, units=5, sire_weight=sire_weight,
                           input_range=(0, 9), name=f"recurrent_{cell}")
    model.build((None, None))
    return model


def image_cnn():
    model = ImageCNN((8, 8), 3, filters=(4,), dense_units=8, dropout=0.5, name="image_cnn")
    model.build((None, 64))
    return model


def inputs_for(model, rng, batch=3, set_size=7):
    """Random inputs of the right shape (and dtype: tokens for token models) for one of the models above; a set
    axis of unknown size gets `set_size` elements."""
    if model.name == "graph":
        a = (rng.random((batch, 5, 5)) < 0.5).astype("float32")
        return {"elements": rng.normal(size=(batch, 3, 5, 2)).astype("float32"),
                "mask": np.ones((batch, 3), "float32"), "adjacency": np.maximum(a, a.transpose(0, 2, 1))}
    shape = [set_size if dim is None else dim for dim in model.get_build_config()["input_shape"][1:]]
    if getattr(model, "input_range", None) is not None:
        low, high = model.input_range
        return rng.integers(low, high + 1, size=(batch, *shape)).astype("int32")
    return rng.normal(size=(batch, *shape)).astype("float32")


ALL_MODELS = {
    **{f"signals_{a}": (lambda a=a: signal_model(a)) for a in SIGNAL_ARCHITECTURES},
    **{f"selection_{g}": (lambda g=g: selection_model(g)) for g in ("sum", "max", "aittala", "sridhar")},
    **{f"ucf101_{a}": (lambda a=a: ucf101_model(a)) for a in UCF101_ARCHITECTURES},
    "ucf101_dss_sum_mean_deviation": lambda: get_family("ucf101").build("dss_sum", width=0.05, mean_deviation=True),
    "ucf101_dss_sum_votes": lambda: get_family("ucf101").build("dss_sum", width=0.05, mean_deviation=True,
                                                               deviation_vote=1.0, path_end_vote=2.0),
    "quality_noise30_dss_max": lambda: family_model("quality_noise30", "dss_max"),
    **{f"colour_matching_{a}": (lambda a=a: family_model("colour_matching", a)) for a in ("dss_sum", "siamese_ds")},
    **{f"burst_deblurring_{a}": (lambda a=a: family_model("burst_deblurring", a)) for a in ("dss_aittala",)},
    "merging": merging_model,
    "graph": graph_model,
    "unet_dss_sum": unet_model,
    "unet_siamese": lambda: unet_model("siamese"),
    "unet_burst_merge": lambda: unet_model("dss_max", merge_pool="max"),
    "unet_burst_residual": lambda: unet_model("dss_max", merge_pool="max", channels=(3, 3), normalization=None,
                                              residual="mean", output_range=(-1.0, 1.0)),
    "unet_colour_residual": lambda: unet_model("dss_sum", channels=(3, 3), residual="channel_max",
                                               output_range=(0.0, 1.0)),
    **{f"digit_sum_text_{a}": (lambda a=a: family_model("digit_sum_text", a)) for a in ("deepsets", "lstm", "gru")},
    "digit_sum_mnist_gru": lambda: family_model("digit_sum_mnist", "gru"),
    "population_mi_rank1": lambda: family_model("population_mi_rank1", "deepsets"),
    **{f"anomaly_mnist_{a}": (lambda a=a: family_model("anomaly_mnist", a)) for a in ("deepsets", "mlp")},
    "identity_sum": lambda: family_model("identity_sum", "deepsets"),
    "expansion": expansion_model,
    "plain_rnn": lambda: recurrent_model("rnn"),
    "sire_lstm": lambda: recurrent_model("lstm", sire_weight=0.1),
    "image_cnn": image_cnn,
}
# Models a family builds at its own 64 px image size: the same layers as the 8 px instances above (`selection_*`,
# `merging`, `unet_*`), at many times the cost; the other backends' run (tests/test_backends.py) deselects them.
FULL_SIZE_IMAGE_MODELS = sorted(name for name in ALL_MODELS
                                if name.startswith(("ucf101_", "quality_", "colour_matching_", "burst_deblurring_")))
# Models whose layer stack another model above already runs, at another size, aggregation or head: DSS(max, Aittala,
# Sridhar) as `selection_*` run them on 8 px images, a Siamese stack as `signals_siamese_ds`, a U-Net merging its
# burst as `unet_burst_residual`, an LSTM as `sire_lstm`, a sum-aggregated DSS as `signals_dss_sum`. The other
# backends' run (tests/test_backends.py) leaves them to `--run_large`: 88 s of its 407 s under JAX here.
REPEATED_STACKS = {"signals_dss_max", "signals_dss_aittala", "signals_dss_sridhar", "signals_siamese", "selection_sum",
                   "unet_siamese", "unet_burst_merge", "digit_sum_text_lstm"}
ORDER_DEPENDENT = sorted(name for name in ALL_MODELS if name in ("signals_mlp", "anomaly_mnist_mlp", "image_cnn")
                         or name.endswith(("_lstm", "_gru", "_rnn")))


def model_params(names):
    """`names` sorted, as `pytest.param`s, those in `FULL_SIZE_IMAGE_MODELS` marked `full_size_images`, those in
    `REPEATED_STACKS` marked `repeated_stack`."""
    def marks(name):
        return ([pytest.mark.full_size_images] if name in FULL_SIZE_IMAGE_MODELS else []) + (
            [pytest.mark.repeated_stack] if name in REPEATED_STACKS else [])

    return [pytest.param(name, marks=marks(name)) for name in sorted(names)]
