"""The lab: φ = ρ = id sums exactly, and which φ make a sum-DeepSets collapse the sets {x, −x}."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zoo
from zoo.families import get_family
from zoo.families.lab.identity_sum import learned_weights
from zoo.families.lab.symmetric_pairs import COLLAPSES, DIMENSION, PHIS, representation_spread, trained_error

IDENTITY = get_family("identity_sum").build("deepsets")
sets_of_counts = st.lists(st.lists(st.integers(0, 10_000), min_size=1, max_size=300), min_size=1, max_size=4)


@given(sets=sets_of_counts, padding=st.integers(0, 5))
def test_the_identity_solution_sums_any_masked_set_of_non_negative_numbers_exactly(sets, padding):
    x = zoo.pad_sets(sets, dtype="float32", length=max(map(len, sets)) + padding)
    x["elements"][x["mask"] == 0] = 7.0  # padding slots hold values the mask must hide
    np.testing.assert_array_equal(IDENTITY.predict(x, verbose=0)[:, 0], [sum(s) for s in sets])


def test_negative_numbers_are_clipped_by_the_relu():
    assert IDENTITY.predict(np.array([[3.0, -2.0]], np.float32), verbose=0)[0, 0] == 3.0
    assert learned_weights(IDENTITY) == (1.0, 0.0, 1.0, 0.0)


@pytest.mark.parametrize("name", list(PHIS))
def test_random_phi_collapses_the_pairs_exactly_when_it_is_linear_or_odd(name):
    points = np.random.default_rng(0).normal(size=(200, DIMENSION))
    spread = representation_spread(name, points)
    if COLLAPSES[name] or name.endswith("at the start"):  # a zero bias makes tanh(W x + b) odd, for now
        assert spread < 1e-5
    else:
        assert spread > 0.1


@pytest.mark.parametrize("name", ["linear W x", "odd tanh(W x)", "ReLU(W x + b)"])
def test_only_a_non_odd_phi_lets_training_read_the_norm_from_the_pair(name):
    error, trivial, *_ = trained_error(name, train=1000, test=300, epochs=20)
    assert (error < 0.5 * trivial) == (not COLLAPSES[name]), (error, trivial)


def test_the_readme_quotes_the_measured_study():
    import pandas as pd

    from evaluation.cards import README_PATH
    from zoo.families.lab.symmetric_pairs import RESULTS_DIR

    readme = README_PATH.read_text()
    for row in pd.read_csv(RESULTS_DIR / "lab_symmetric_pairs.csv").itertuples():
        assert f"| {row.phi} | {'yes' if row.collapses_in_theory else 'no'} | {row.representation_spread:.2g} | " \
               f"{row.trained_norm_mae:.3f} | {row.trivial_norm_mae:.3f} |" in readme
