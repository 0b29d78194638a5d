import pytest

from tests.helpers import assert_close, pad_sets, random_mask, to_numpy
from zoo.layers import CircularConv, DeepSetsEquivariant, DSSLayer, ElementPooling, SetBlock


@pytest.mark.parametrize("training", [False, True])
def test_padding_changes_nothing_even_for_batch_statistics(rng, training):
    """In training mode the batch-norm statistics are taken over the real elements only."""
    block = SetBlock(DSSLayer(CircularConv(4, 3), "sum"), normalization="batch", activation="relu")
    x = rng.normal(size=(3, 5, 8, 1)).astype("float32")
    mask = random_mask(rng, 3, 5)
    padded, padded_mask = pad_sets(rng, x, mask, 4)
    real = mask > 0
    out = to_numpy(block(x, mask=mask, training=training))[real]
    out_padded = to_numpy(block(padded, mask=padded_mask, training=training))[:, :5][real]
    assert_close(out_padded, out)


def test_block_is_permutation_equivariant_in_training_mode(rng):
    block = SetBlock(DeepSetsEquivariant(6), normalization="batch", activation="relu", dropout=0.0)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    perm = rng.permutation(5)
    assert_close(block(x[:, perm], training=True), to_numpy(block(x, training=True))[:, perm])


def test_element_pooling_shapes_and_config(rng):
    x = rng.normal(size=(2, 3, 5, 6, 4)).astype("float32")
    for mode, channels in (("sum", 4), ("mean", 4), ("max", 4), ("flatten", 120)):
        layer = ElementPooling(mode)
        assert layer(x).shape == (2, 3, channels) == layer.compute_output_shape(x.shape)
        assert ElementPooling.from_config(layer.get_config()).mode == mode


def test_unknown_normalization_is_a_clear_error():
    with pytest.raises(ValueError, match="normalization must be 'batch' or None"):
        SetBlock(DeepSetsEquivariant(3), normalization="layer")
