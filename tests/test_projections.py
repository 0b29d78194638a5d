import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import assert_close, pad_sets, random_mask
from zoo.projections import GROUPS, Group, RandomInvariantProjection, pool, quotient_distance, sort

SEEDS = st.integers(0, 10**6)


def act(z, g):
    """`g·z` for an index array `g` acting on the node (group) axis."""
    return np.asarray(z)[:, g]


def random_element(rng, group, n):
    return rng.permutation(n) if group == "permutation" else np.roll(np.arange(n), -rng.integers(n))


def distance(a, b):
    return np.linalg.norm((np.asarray(a) - np.asarray(b)).reshape(len(a), -1), axis=1)


@given(seed=SEEDS, n=st.integers(1, 6), c=st.integers(1, 3))
def test_sort_is_invariant_to_permutations(seed, n, c):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(4, n, c))
    np.testing.assert_array_equal(sort(act(z, rng.permutation(n))), sort(z))


@given(seed=SEEDS, n=st.integers(1, 6))
def test_sort_is_an_isometry_of_the_quotient_for_one_channel(seed, n):
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=(2, 8, n, 1))
    np.testing.assert_allclose(distance(sort(z1), sort(z2)), quotient_distance(z1, z2), rtol=1e-12, atol=1e-12)


def test_pooling_is_invariant_but_not_an_isometry_of_the_quotient(rng):
    z = rng.normal(size=(4, 5, 3))
    for mode in ("sum", "mean", "max"):
        assert_close(pool(act(z, rng.permutation(5)), mode), pool(z, mode))
    # Negative control for the isometry check: different orbits with the same pooled value.
    z1 = np.array([[[1.0], [-1.0]], [[1.0], [0.0]]])
    z2 = np.array([[[0.0], [0.0]], [[1.0], [-5.0]]])
    quotient = quotient_distance(z1, z2)
    np.testing.assert_allclose(quotient, [np.sqrt(2), 5])
    assert not np.allclose(distance(pool(z1[:1], "sum"), pool(z2[:1], "sum")), quotient[:1])
    assert not np.allclose(distance(pool(z1[:1], "mean"), pool(z2[:1], "mean")), quotient[:1])
    assert not np.allclose(distance(pool(z1[1:], "max"), pool(z2[1:], "max")), quotient[1:])


@given(seed=SEEDS)
def test_sort_separates_orbits(seed):
    # Binary latents tie often, in the first channel too, so the lexicographic tie-breaking is exercised.
    rng = np.random.default_rng(seed)
    z1 = rng.integers(0, 2, size=(64, 3, 2)).astype(float)
    z2 = rng.integers(0, 2, size=(64, 3, 2)).astype(float)
    z2[:32] = np.stack([row[rng.permutation(3)] for row in z1[:32]])
    same_orbit = quotient_distance(z1, z2) == 0
    same_sort = (sort(z1) == sort(z2)).all(axis=(1, 2))
    np.testing.assert_array_equal(same_sort, same_orbit)
    assert same_orbit[:32].all() and not same_orbit.all()


@given(seed=SEEDS, n=st.integers(2, 6), c=st.integers(1, 3))
def test_sort_tells_a_perturbed_permutation_apart(seed, n, c):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(1, n, c))
    moved = act(z, rng.permutation(n)).copy()
    moved[0, rng.integers(n), rng.integers(c)] += 1e-6
    assert not np.array_equal(sort(moved), sort(z))


def test_sort_is_lexicographic_and_keeps_node_vectors():
    z = [[[1.0, 5.0], [0.0, 7.0], [1.0, 2.0]]]
    np.testing.assert_array_equal(sort(z), [[[0.0, 7.0], [1.0, 2.0], [1.0, 5.0]]])


@given(seed=SEEDS, n=st.integers(1, 6), c=st.integers(2, 3))
def test_sort_bounds_the_quotient_distance_but_is_no_isometry_for_several_channels(seed, n, c):
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=(2, 8, n, c))
    assert (distance(sort(z1), sort(z2)) >= quotient_distance(z1, z2) - 1e-12).all()
    # The lexicographic order pairs (0, 10) with (0.5, −10); the optimal matching pairs it with (0.6, 10).
    z1, z2 = np.array([[[0.0, 10.0], [1.0, -10.0]]]), np.array([[[0.5, -10.0], [0.6, 10.0]]])
    np.testing.assert_allclose(quotient_distance(z1, z2), np.sqrt(0.61))
    assert distance(sort(z1), sort(z2))[0] > 28


@given(seed=SEEDS, n=st.integers(1, 6))
def test_masked_padding_changes_nothing(seed, n):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(3, n, 2))
    mask = random_mask(rng, 3, n)
    padded, padded_mask = pad_sets(rng, z, mask, 3)
    sorted_padded = sort(padded, padded_mask)
    np.testing.assert_array_equal(sorted_padded[:, :n], sort(z, mask))
    np.testing.assert_array_equal(sorted_padded[:, n:], 0.0)
    for mode in ("sum", "mean", "max"):
        np.testing.assert_allclose(pool(padded, mode, padded_mask), pool(z, mode, mask), atol=1e-12)
    garbage = np.where(mask[..., None] > 0, z, 100 * rng.normal(size=z.shape))
    project = RandomInvariantProjection("permutation", (n, 2), 4, seed=seed)
    np.testing.assert_allclose(project(garbage, mask), project(z, mask), atol=1e-12)
    perm = rng.permutation(n)
    np.testing.assert_allclose(project(act(garbage, perm), mask[:, perm]), project(z, mask), atol=1e-12)


def test_masked_pooling_matches_pooling_the_real_nodes():
    z = [[[1.0], [2.0], [30.0]], [[4.0], [5.0], [6.0]]]
    mask = [[1, 1, 0], [0, 0, 0]]
    np.testing.assert_array_equal(pool(z, "sum", mask), [[3.0], [0.0]])
    np.testing.assert_array_equal(pool(z, "mean", mask), [[1.5], [0.0]])
    np.testing.assert_array_equal(pool(z, "max", mask), [[2.0], [0.0]])


@pytest.mark.parametrize("group", ["permutation", "cyclic"])
@given(seed=SEEDS, n=st.integers(2, 7))
def test_random_invariant_projection_is_invariant_and_not_zero(group, seed, n):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, n, 3))
    project = RandomInvariantProjection(group, (n, 3), 4, seed=seed)
    out = project(z)
    assert out.shape == (5, 4)
    assert_close(project(act(z, random_element(rng, group, n))), out, atol=1e-10)
    assert np.abs(out).min() > 0 and not np.allclose(out[0], out[1])
    # Negative control: the random map before averaging is not invariant under the shift by one (in both groups).
    raw = np.einsum("bnc,ncd->bd", z, project.raw_weights)
    assert not np.allclose(np.einsum("bnc,ncd->bd", np.roll(z, 1, axis=1), project.raw_weights), raw)


@given(seed=SEEDS, n=st.integers(1, 5))
def test_permutation_closed_form_is_the_average_over_all_permutations(seed, n):
    project = RandomInvariantProjection("permutation", (n, 2), 3, seed=seed)
    every_permutation = GROUPS["permutation"].elements(n)
    assert len(every_permutation) == np.prod(range(1, n + 1))
    np.testing.assert_allclose(project.weights, project.raw_weights[every_permutation].mean(axis=0), atol=1e-12)


@pytest.mark.parametrize("group", ["permutation", "cyclic"])
def test_invariant_linear_maps_of_transitive_groups_only_see_channel_sums(rng, group):
    z = rng.normal(size=(4, 6, 3))
    project = RandomInvariantProjection(group, (6, 3), 5, seed=1)
    np.testing.assert_allclose(project(z), pool(z, "sum") @ project.weights[0], atol=1e-12)


def test_a_new_group_plugs_in_by_its_elements(rng):
    reversal = Group("reversal", "Z_2, reversing the order of axis 1",
                     lambda n: np.stack([np.arange(n), np.arange(n)[::-1]]))
    z = rng.normal(size=(4, 5, 2))
    project = RandomInvariantProjection(reversal, (5, 2), 3, seed=0)
    np.testing.assert_allclose(project(z[:, ::-1]), project(z), atol=1e-12)
    assert not np.allclose(project(np.roll(z, 1, axis=1)), project(z))  # a group that does not mix every node
    np.testing.assert_allclose(quotient_distance(z, z[:, ::-1], group=reversal), 0.0, atol=1e-12)


@pytest.mark.parametrize("group", ["permutation", "cyclic"])
@given(seed=SEEDS, n=st.integers(1, 6))
def test_quotient_distance_is_a_metric_on_orbits(group, seed, n):
    rng = np.random.default_rng(seed)
    z1, z2, z3 = rng.normal(size=(3, 6, n, 2))
    d12 = quotient_distance(z1, z2, group)
    np.testing.assert_allclose(quotient_distance(z2, z1, group), d12, atol=1e-12)
    np.testing.assert_allclose(quotient_distance(z1, act(z1, random_element(rng, group, n)), group), 0.0, atol=1e-12)
    assert (d12 <= distance(z1, z2) + 1e-12).all()
    assert (quotient_distance(z1, z3, group) <= d12 + quotient_distance(z2, z3, group) + 1e-12).all()
    moved = quotient_distance(act(z1, random_element(rng, group, n)), act(z2, random_element(rng, group, n)), group)
    np.testing.assert_allclose(moved, d12, atol=1e-12)


def test_quotient_distance_refuses_exponential_enumeration_but_not_cyclic_shifts(rng):
    z = rng.normal(size=(2, 9, 1))
    with pytest.raises(ValueError, match="exponential"):
        quotient_distance(z, z)
    z = rng.normal(size=(2, 24, 3))
    np.testing.assert_allclose(quotient_distance(z, np.roll(z, 5, axis=1), "cyclic"), 0.0, atol=1e-12)


def test_bad_inputs_are_clear_errors(rng):
    z = rng.normal(size=(2, 4, 3))
    with pytest.raises(ValueError, match=r"\(batch, n, c\)"):
        sort(z[..., 0])
    with pytest.raises(ValueError, match="mask must have shape"):
        pool(z, "sum", mask=np.ones((2, 5)))
    with pytest.raises(ValueError, match="Unknown pooling 'median'"):
        pool(z, "median")
    with pytest.raises(ValueError, match="Unknown group 'dihedral'"):
        RandomInvariantProjection("dihedral", (4, 3), 2)
    with pytest.raises(ValueError, match="Unknown group"):
        quotient_distance(z, z, group="rotation")
    with pytest.raises(ValueError, match="same shape"):
        quotient_distance(z, z[:, :3])
    with pytest.raises(ValueError, match=r"\(n, c\) = \(4, 3\)"):
        RandomInvariantProjection("cyclic", (4, 3), 2)(z[:, :3])
