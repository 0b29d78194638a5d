"""Invariant projections of equivariant latents (Hansen, Calissano & Feragen, "Interpreting Equivariant
Representations", ICML 2024).

An equivariant model's latent `z` of shape `(batch, n, c)` is only defined up to its group: permuting the `n` nodes
(group `"permutation"`, S_n) or circularly shifting the `N` group positions of a C_N-equivariant latent (group
`"cyclic"`) gives the same object. Distances, interpolations or plots of raw latents mix up members of one orbit;
an invariant projection maps every orbit to one point first.

- `sort`: an isometric cross-section of the S_n quotient for c = 1 (a complete invariant for any c).
- `RandomInvariantProjection`: a random linear map averaged over the group (Reynolds operator).
- `pool`: sum, mean or max over the nodes, the invariant baselines.
- `quotient_distance`: the orbit distance min_g ||z1 − g·z2||, by enumerating the group.

These are NumPy analysis tools: they take anything `np.asarray` takes and return float64 arrays. A node mask
`(batch, n)` (1 for a node, 0 for padding) makes padding nodes count for nothing, whatever their values.
"""

import dataclasses
import itertools
import math
from collections.abc import Callable

import numpy as np

MAX_ENUMERATED_NODES = 8  # 8! = 40320 permutations; every further node multiplies the work by n
POOLS = ("sum", "mean", "max")


@dataclasses.dataclass(frozen=True)
class Group:
    """A finite group acting on axis 1 of latents `(batch, n, c)` by reordering it: `g·z = z[:, g]`.

    A new group needs its elements for an axis of length n, as index arrays, and, where enumerating them is too
    costly, a closed form of its Reynolds operator on linear maps.

    Args:
        name: the name `get_group` knows it by.
        description: what the group is and how it acts, for messages and docs.
        elements: `n -> (|G|, n)` integer array, one index array `g` per group element.
        reynolds_closed_form: `(n, c, d) -> (n, c, d)`, the average of a linear map over the group, or None to
            average over `elements`.
    """

    name: str
    description: str
    elements: Callable[[int], np.ndarray]
    reynolds_closed_form: Callable[[np.ndarray], np.ndarray] | None = None

    def reynolds(self, weights):
        """Average the linear map `z ↦ Σ_{i,k} z[i, k] weights[i, k]` over the group: `(n, c, d) -> (n, c, d)`.

        The map `z ↦ W(g·z)` has weights `W[g⁻¹]`, so the average over the group is the mean of `W[g]` over g.
        """
        weights = np.asarray(weights, dtype=np.float64)
        if self.reynolds_closed_form is not None:
            return self.reynolds_closed_form(weights)
        return weights[self.elements(len(weights))].mean(axis=0)


def _permutations(n):
    if n > MAX_ENUMERATED_NODES:
        raise ValueError(f"Enumerating the permutations of n = {n} nodes takes n! = {math.factorial(n)} steps, "
                         f"exponential in n; refusing n > {MAX_ENUMERATED_NODES}. For c = 1 the distance between "
                         "`sort`s equals the quotient distance.")
    return np.array(list(itertools.permutations(range(n))), dtype=np.intp).reshape(-1, n)


def _shifts(n):
    return (np.arange(n)[None, :] + np.arange(n)[:, None]) % n  # row s: (g·z)[i] = z[(i + s) mod n]


def _mean_over_nodes(weights):
    # S_n takes any node to any other, so averaging over it gives every node the mean block: the map is then
    # z ↦ (Σ_i z[i]) W̄, a linear map of the per-channel sums (these are all the S_n-invariant linear maps).
    return np.broadcast_to(weights.mean(axis=0), weights.shape).copy()


GROUPS = {
    "permutation": Group("permutation", "S_n, all reorderings of the n nodes on axis 1", _permutations,
                         _mean_over_nodes),
    "cyclic": Group("cyclic", "C_N, the N circular shifts along axis 1 (the group axis)", _shifts),
}


def get_group(group):
    """The `Group` for a name in `GROUPS` (a `Group` is returned as it is), with a clear error for others."""
    if isinstance(group, Group):
        return group
    if group not in GROUPS:
        raise ValueError(f"Unknown group {group!r}; expected one of {sorted(GROUPS)} or a zoo.projections.Group.")
    return GROUPS[group]


def _latents(z, name="z"):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 3:
        raise ValueError(f"{name} must be latents of shape (batch, n, c); got shape {z.shape}.")
    return z


def _real(mask, z):
    """Boolean `(batch, n)`: True at real nodes (everywhere without a mask)."""
    if mask is None:
        return np.ones(z.shape[:2], dtype=bool)
    mask = np.asarray(mask)
    if mask.shape != z.shape[:2]:
        raise ValueError(f"mask must have shape (batch, n) = {z.shape[:2]} to match the latents; got {mask.shape}.")
    return mask > 0


def sort(z, mask=None):
    """Sort each latent's nodes: a canonical member of its S_n orbit.

    For c = 1 the values are sorted; for c > 1 the nodes are sorted lexicographically by their channel vectors
    (first channel, ties broken by the next, ...), each node keeping its vector. Two latents have the same sort
    exactly when they are permutations of each other. For c = 1 the sort is an isometric cross-section:
    `||sort(z1) − sort(z2)|| = quotient_distance(z1, z2)`. For c > 1 it is only an upper bound on it.

    Args:
        z: latents `(batch, n, c)`.
        mask: optional `(batch, n)`; padding nodes go last and come back as zeros, so padding a latent to a larger
            n only appends zero rows.

    Returns:
        `(batch, n, c)`.

    Example:
    >>> sort([[[3.0], [1.0], [2.0]]])[..., 0]
    array([[1., 2., 3.]])
    >>> sort([[[3.0], [9.0], [2.0]]], mask=[[1, 0, 1]])[..., 0]
    array([[2., 3., 0.]])
    """
    z = _latents(z)
    real = _real(mask, z)
    keys = [z[..., k] for k in reversed(range(z.shape[2]))] + [~real]  # np.lexsort's last key is the primary one
    order = np.lexsort(keys, axis=-1)
    sorted_z = np.take_along_axis(z, order[..., None], axis=1)
    return np.where(np.take_along_axis(real, order, axis=1)[..., None], sorted_z, 0.0)


def pool(z, mode="sum", mask=None):
    """Sum, mean or max over the nodes: invariant, but many orbits share a pooled value.

    Args:
        z: latents `(batch, n, c)`.
        mode: `"sum"`, `"mean"` or `"max"`.
        mask: optional `(batch, n)`; padding nodes are left out (a latent without real nodes pools to 0).

    Returns:
        `(batch, c)`.

    Example:
    >>> pool([[[1.0, 2.0], [3.0, -4.0], [9.0, 9.0]]], "max", mask=[[1, 1, 0]])
    array([[3., 2.]])
    """
    if mode not in POOLS:
        raise ValueError(f"Unknown pooling {mode!r}; expected one of {list(POOLS)}.")
    z = _latents(z)
    real = _real(mask, z)[..., None]
    if mode == "max":
        return np.where(real.any(axis=1), np.where(real, z, -np.inf).max(axis=1, initial=-np.inf), 0.0)
    total = np.where(real, z, 0.0).sum(axis=1)
    return total if mode == "sum" else total / np.maximum(real.sum(axis=1), 1)


class RandomInvariantProjection:
    """A random linear map of latents `(batch, n, c)` to `(batch, output_dim)`, made invariant by averaging it over
    the group (the Reynolds operator), so `P(g·z) = P(z)` for every group element g.

    `"cyclic"` averages the random map over the N shifts. `"permutation"` uses the closed form of the average over
    all n! permutations: every node gets the mean node block W̄, so `P(z) = (Σ_i z[i]) W̄`, a linear map of the
    per-channel sums. The same holds for any group that takes every position to every other, C_N included:
    the invariant linear maps only see the per-channel sums.

    Args:
        group: `"permutation"`, `"cyclic"` or a `Group`.
        shape: `(n, c)` of one latent.
        output_dim: size d of the projection.
        seed: seed of the random map.

    Attributes:
        raw_weights: `(n, c, d)`, the random map before averaging (not invariant).
        weights: `(n, c, d)`, the averaged, invariant map.

    Call: latents `(batch, n, c)` and an optional mask `(batch, n)` (padding nodes are zeroed) → `(batch, d)`.

    Example:
    >>> project = RandomInvariantProjection("cyclic", shape=(4, 3), output_dim=2, seed=0)
    >>> z = np.random.default_rng(0).normal(size=(5, 4, 3))
    >>> project(z).shape
    (5, 2)
    >>> np.allclose(project(np.roll(z, 1, axis=1)), project(z))
    True
    """

    def __init__(self, group, shape, output_dim, seed=0):
        self.group = get_group(group)
        n, c = (int(size) for size in shape)
        rng = np.random.default_rng(seed)
        self.raw_weights = rng.normal(scale=1.0 / np.sqrt(n * c), size=(n, c, int(output_dim)))
        self.weights = self.group.reynolds(self.raw_weights)

    def __call__(self, z, mask=None):
        z = _latents(z)
        if z.shape[1:] != self.weights.shape[:2]:
            raise ValueError(f"This projection takes latents (batch, n, c) with (n, c) = {self.weights.shape[:2]}; "
                             f"got shape {z.shape}.")
        return np.einsum("bnc,ncd->bd", np.where(_real(mask, z)[..., None], z, 0.0), self.weights)


def quotient_distance(z1, z2, group="permutation"):
    """The orbit distance `min_g ||z1 − g·z2||` (Frobenius), found by trying every group element.

    For `"permutation"` that is all n! node orders, exponential in n: n > 8 is refused. For `"cyclic"` it is the
    N shifts. Symmetric, zero exactly on one orbit, and never larger than `||z1 − z2||`.

    Args:
        z1, z2: latents `(batch, n, c)` of the same shape.
        group: `"permutation"`, `"cyclic"` or a `Group`.

    Returns:
        `(batch,)`.

    Example:
    >>> quotient_distance([[[1.0], [2.0], [5.0]]], [[[5.0], [1.0], [2.0]]])
    array([0.])
    >>> quotient_distance([[[1.0], [2.0], [5.0]]], [[[5.0], [1.0], [2.0]]], group="cyclic")
    array([0.])
    """
    z1, z2 = _latents(z1, "z1"), _latents(z2, "z2")
    if z1.shape != z2.shape:
        raise ValueError(f"z1 and z2 must have the same shape; got {z1.shape} and {z2.shape}.")
    batch, n, _ = z1.shape
    elements = get_group(group).elements(n)
    nodes = np.arange(n)
    # ||z1 − g·z2||² = ||z1||² + ||z2||² − 2 Σ_i <z1[i], z2[g[i]]>: the best g has the largest matched inner product.
    cross = np.einsum("bic,bjc->bij", z1, z2)
    best = np.array([elements[np.argmax(row[nodes, elements].sum(axis=1))] for row in cross], dtype=np.intp)
    aligned = np.take_along_axis(z2, best.reshape(batch, n)[..., None], axis=1)
    return np.linalg.norm((z1 - aligned).reshape(batch, -1), axis=1)
