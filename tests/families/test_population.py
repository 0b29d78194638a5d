"""Population statistics: the labels are the exact statistics of the sampled distributions."""

import numpy as np
import pytest

from zoo.data.batches import ArrayBatches
from zoo.data.population import TASKS, _fixed, draw_distribution, population_sets, total_correlation


def _gaussian_mi(cov, first):
    """Mutual information between coordinates `first` and the others of N(0, cov)."""
    rest = [i for i in range(len(cov)) if i not in first]
    logdet = lambda idx: np.linalg.slogdet(cov[np.ix_(idx, idx)])[1]  # noqa: E731
    return 0.5 * (logdet(first) + logdet(rest) - np.linalg.slogdet(cov)[1])


@pytest.mark.parametrize("task", TASKS)
def test_labels_are_the_exact_statistics_of_the_covariance(task):
    rng = np.random.default_rng(0)
    for _ in range(5):
        cov, label = draw_distribution(task, rng, _fixed(task))
        if task == "entropy":
            assert label == pytest.approx(0.5 * np.log(2 * np.pi * np.e * cov[0, 0]))
        elif task == "mi_gaussian":
            assert label == pytest.approx(_gaussian_mi(cov, list(range(8))), rel=1e-6)
        else:  # the chain rule: TC(X) = TC(X_A) + TC(X_B) + I(X_A; X_B), with I from log-determinants
            half = list(range(16))
            parts = total_correlation(cov[:16, :16]) + total_correlation(cov[16:, 16:]) + _gaussian_mi(cov, half)
            assert label == pytest.approx(parts, rel=1e-6)
            assert total_correlation(np.diag(np.diag(cov))) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("task", TASKS)
def test_samples_follow_their_distribution(task):
    x, y = population_sets(task, 3, np.random.default_rng(1), set_size=20_000)
    assert x.shape == (3, 20_000, {"entropy": 2, "mi_gaussian": 16}.get(task, 32)) and x.dtype == np.float32
    if task == "entropy":  # the label from the sample's own variance is close to the exact one
        estimate = 0.5 * np.log(2 * np.pi * np.e * x[:, :, 0].var(axis=1))
        np.testing.assert_allclose(estimate, y, atol=0.02)


def test_array_batches_give_every_size_the_same_number_of_steps():
    x, y = np.arange(10)[:, None].astype(np.float32), np.arange(10).astype(np.float32)
    batches = ArrayBatches(x, y, batch_size=4, steps=7, seed=0)
    assert len(batches) == 7 and all(len(batches[i][1]) == 4 for i in range(7))
    seen = np.concatenate([batches[i][1] for i in range(7)])
    assert set(seen.astype(int)) == set(range(10))  # every example before any repeats twice
    np.testing.assert_array_equal(batches[0][0][:, 0], batches[0][1])
    first = batches[0][1].copy()
    batches.on_epoch_end()
    assert not np.array_equal(first, batches[0][1])
