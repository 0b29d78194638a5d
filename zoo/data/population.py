"""Population statistics (DeepSets paper, §4.1.2, Fig. 1): learn a statistic of a distribution from a sample of it.

Each set is 512 points drawn from one Gaussian; the label is a statistic of that Gaussian computed exactly from its
covariance (not estimated from the sample). Four tasks, as in the authors' generator:

- `entropy`: 2-D Gaussian with covariance `R(θ) A Aᵀ R(θ)ᵀ` (A fixed, θ ~ U[0, π]); label: entropy of the first
  coordinate, `½ log(2πe Σ₁₁)`;
- `mi_gaussian`: 16-D Gaussian `[[B, ρB], [ρB, B]]` (B fixed); label: mutual information between the two 8-D
  halves, `−4 log(1 − ρ²)`;
- `mi_rank1`: 32-D Gaussian `I + λ v vᵀ` (v fixed, λ ~ U[0, 1]); label: mutual information of the 32 coordinates
  (total correlation), `½ (Σᵢ log Σᵢᵢ − log det Σ)`;
- `mi_random`: 32-D Gaussian with a random covariance `(A Aᵀ + I) / Σ A²` (A uniform) per set; label as above.
"""

import numpy as np

TASKS = ("entropy", "mi_gaussian", "mi_rank1", "mi_random")
DIMENSIONS = {"entropy": 2, "mi_gaussian": 16, "mi_rank1": 32, "mi_random": 32}
SET_SIZE = 512


def total_correlation(cov):
    """Mutual information of all coordinates of `N(0, cov)`: `½ (Σᵢ log covᵢᵢ − log det cov)`."""
    return 0.5 * (np.sum(np.log(np.diag(cov))) - np.linalg.slogdet(cov)[1])


def _fixed(task):
    """The task's fixed parameters, drawn once from a seeded generator (the authors fix theirs with rng(3))."""
    rng = np.random.default_rng(3)
    if task == "entropy":
        return rng.uniform(size=(2, 2))
    if task == "mi_gaussian":
        a = rng.uniform(size=(8, 8))
        return (a @ a.T + np.eye(8)) / np.sum(a**2)
    if task == "mi_rank1":
        v = rng.uniform(size=32)
        return v / np.linalg.norm(v)
    return None


def _rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def draw_distribution(task, rng, fixed):
    """`(covariance, exact label)` of one random distribution of `task`."""
    if task == "entropy":
        factor = _rotation(rng.uniform(0, np.pi)) @ fixed
        cov = factor @ factor.T
        return cov, 0.5 * np.log(2 * np.pi * np.e * cov[0, 0])
    if task == "mi_gaussian":
        u = rng.uniform(0.01, 0.99)
        rho = rng.choice([-1, 1]) * (u if rng.random() < 0.5 else np.sqrt(1 - np.exp(-4 * u)))
        cov = np.block([[fixed, rho * fixed], [rho * fixed, fixed]])
        return cov, -4.0 * np.log(1 - rho**2)
    if task == "mi_rank1":
        cov = np.eye(32) + rng.uniform(0, 1) * np.outer(fixed, fixed)
        return cov, total_correlation(cov)
    a = rng.uniform(size=(32, 32))
    cov = (a @ a.T + np.eye(32)) / np.sum(a**2)
    return cov, total_correlation(cov)


def population_sets(task, count, rng, set_size=SET_SIZE):
    """`count` sets of `set_size` points, each from its own random Gaussian of `task`.

    Returns:
        `(x, y)`: x `(count, set_size, d)` float32, y the exact labels `(count,)` float32.
    """
    if task not in TASKS:
        raise ValueError(f"Unknown population task {task!r}; expected one of {TASKS}.")
    fixed = _fixed(task)
    x = np.empty((count, set_size, DIMENSIONS[task]), np.float32)
    y = np.empty(count, np.float32)
    for i in range(count):
        cov, y[i] = draw_distribution(task, rng, fixed)
        x[i] = rng.multivariate_normal(np.zeros(len(cov)), cov, size=set_size, method="cholesky")
    return x, y
