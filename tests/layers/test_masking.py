import numpy as np
import pytest

from tests.helpers import assert_close, random_mask
from zoo.layers import masking


@pytest.mark.parametrize("pool", ["sum", "mean", "max"])
def test_masked_pools_match_numpy_over_real_elements(rng, pool):
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    mask = random_mask(rng, 4, 7)
    expected = np.stack([getattr(np, pool)(x[b][mask[b] > 0], axis=0) for b in range(4)])
    assert_close(masking.set_pool(x, pool, mask), expected)


def test_pools_of_an_all_padding_set_are_zero(rng):
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    mask = np.array([[1, 1, 1], [0, 0, 0]], "float32")
    for pool in ("sum", "mean", "max"):
        assert_close(masking.set_pool(x, pool, mask)[1], np.zeros(4))


def test_unknown_pool_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown set pooling 'median'"):
        masking.get_pool("median")


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_element_reduce_collapses_element_axes(rng, mode):
    x = rng.normal(size=(2, 3, 5, 6, 4)).astype("float32")
    assert_close(masking.element_reduce(x, mode), getattr(np, mode)(x, axis=(2, 3)))
    assert masking.element_reduce(x, "flatten").shape == (2, 3, 120)
