"""Every model is exactly as symmetric as it declares: set permutations, element group, padding."""

import numpy as np
import pytest

import zoo
from tests.models.zoo_models import ALL_MODELS, inputs_for, signal_model


@pytest.mark.parametrize("name", sorted(n for n in ALL_MODELS if n not in ("signals_mlp", "graph")))
def test_declared_symmetry_holds(rng, name):
    model = ALL_MODELS[name]()
    report = zoo.check_symmetry(model, inputs_for(model, rng), trials=2)
    assert report["passed"], report
    assert report["permutation"] <= report["tolerance"]
    assert report["padding"] is not None and report["padding"] <= report["tolerance"]


@pytest.mark.parametrize("name", ["signals_dss_sum", "signals_siamese", "signals_dss_aittala", "unet_dss_sum",
                                  "merging"])
def test_element_group_is_checked_where_declared(rng, name):
    model = ALL_MODELS[name]()
    report = zoo.check_symmetry(model, inputs_for(model, rng), trials=2)
    assert report["element"] is not None and report["element"] <= report["tolerance"]


def test_graph_model_with_side_input(rng):
    model = ALL_MODELS["graph"]()
    inputs = inputs_for(model, rng)
    report = zoo.check_symmetry(model, inputs["elements"], context={"adjacency": inputs["adjacency"]})
    assert report["passed"], report


def test_mlp_baseline_declares_no_set_symmetry_and_is_not_invariant(rng):
    model = signal_model("mlp")
    report = zoo.check_symmetry(model, inputs_for(model, rng))
    assert report["declared"]["output"] == "none"
    assert report["permutation"] > 1e-3  # the baseline really depends on the order
    assert report["padding"] is None


def test_the_checker_catches_a_model_that_breaks_its_declaration(rng):
    """A model declaring invariance it does not have must fail the check (the checker can fail)."""
    model = signal_model("mlp")
    model.symmetry = {"output": "invariant", "set": "S_n", "element": None}
    x = inputs_for(model, rng)
    report = zoo.check_symmetry(model, x, padding=0)
    assert not report["passed"]


def test_a_wrongly_declared_shift_step_is_caught(rng):
    """DSS signal models are invariant to shifts by multiples of 4 only (strides 2, 2): step 1 must fail."""
    model = signal_model("dss_sum")
    model.symmetry = dict(model.symmetry, element={"group": "circular_shift", "axes": [0], "step": 1})
    failures = 0
    for seed in range(4):
        report = zoo.check_symmetry(model, inputs_for(model, rng), seed=seed, trials=3)
        failures += not report["passed"]
    assert failures > 0


def test_selection_scores_of_padding_are_excluded_from_the_softmax(rng):
    model = ALL_MODELS["selection_sum"]()
    x = inputs_for(model, rng)
    mask = np.ones(x.shape[:2], "float32")
    mask[:, -2:] = 0
    scores = model.predict({"elements": x, "mask": mask}, verbose=0)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    assert np.allclose(probabilities[:, -2:], 0.0)
