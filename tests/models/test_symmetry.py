"""Every model is exactly as symmetric as it declares: set permutations, element group, padding."""

import keras
import numpy as np
import pytest

import zoo
from tests.models.zoo_models import ALL_MODELS, ORDER_DEPENDENT, inputs_for, model_params, signal_model
from zoo.layers import GraphConv, Siamese
from zoo.models import InvariantHead, MergingHead, SetModel, ZooModel


@pytest.mark.parametrize("name", model_params(n for n in ALL_MODELS if n not in ORDER_DEPENDENT + ["graph"]))
def test_declared_symmetry_holds(rng, name):
    model = ALL_MODELS[name]()
    report = zoo.check_symmetry(model, inputs_for(model, rng), trials=2)
    assert report["passed"], report
    assert report["permutation"] <= report["tolerance"] and "permutation" in report["judged"]
    assert report["order_sensitivity"] is None  # reported for approximate declarations only
    assert report["padding"] is not None and report["padding"] <= report["tolerance"]


@pytest.mark.parametrize("name", ORDER_DEPENDENT)
def test_order_dependent_models_have_their_order_dependence_reported_not_judged(rng, name):
    model = ALL_MODELS[name]()
    report = zoo.check_symmetry(model, inputs_for(model, rng), trials=2)
    declared = report["declared"]  # no set symmetry, or invariance that training only approaches (SIRE)
    assert (declared["output"] == "none" or declared.get("exact") is False) and "permutation" not in report["judged"]
    assert report["permutation"] > 1e-4  # the order really matters
    assert 0 < report["order_sensitivity"] <= report["permutation"]  # the mean change, below the largest
    if report["declared"].get("padding"):  # the recurrent models skip masked steps: padding is exact
        assert report["padding"] <= report["tolerance"] and report["passed"]


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


def _rotation_model(invariant=True, declared="invariant"):
    """Per-pixel layers (rotation-equivariant) then an invariant mean over pixels, or a position-dependent flatten."""
    blocks = [Siamese(keras.layers.Dense(4, activation="tanh"))]
    head = InvariantHead(2, element_reduction="mean" if invariant else "flatten")
    model = SetModel(blocks, head, element_symmetry={"group": "rotation90", "axes": [0, 1], "output": declared})
    model.build((None, 3, 6, 6, 2))
    return model


def test_quarter_turns_of_the_elements(rng):
    x = rng.normal(size=(2, 3, 6, 6, 2)).astype("float32")
    report = zoo.check_symmetry(_rotation_model(), x, trials=3)
    assert report["passed"] and report["element"] <= report["tolerance"] and "element" in report["judged"]
    assert not zoo.check_symmetry(_rotation_model(invariant=False), x, trials=3)["passed"]  # flatten sees the turn


def test_quarter_turns_move_an_equivariant_merged_image(rng):
    model = SetModel([Siamese(keras.layers.Dense(4))], MergingHead("max", [keras.layers.Dense(3)]),
                     element_symmetry={"group": "rotation90", "axes": [0, 1], "output": "equivariant"})
    model.build((None, 3, 6, 6, 2))
    report = zoo.check_symmetry(model, rng.normal(size=(2, 3, 6, 6, 2)).astype("float32"))
    assert report["passed"] and report["element"] <= report["tolerance"]


class NodeModel(ZooModel):
    """A graph convolution over the nodes, summed over the real nodes (or kept per node)."""

    def __init__(self, per_node=False, declare_graph=True, **kwargs):
        super().__init__(**kwargs)
        self.per_node = per_node
        self.conv, self.out = GraphConv(4), keras.layers.Dense(2)
        self.symmetry = {"output": "equivariant" if per_node else "invariant", "set": None, "element": None,
                         "padding": declare_graph, **({"graph": {"adjacency": "adjacency"}} if declare_graph else {})}

    def call(self, inputs):
        h = self.out(self.conv(inputs["elements"], adjacency=inputs["adjacency"]))
        h = h * inputs["mask"][..., None]
        return h if self.per_node else keras.ops.sum(h, axis=1)


def _graph(rng, batch=2, nodes=5):
    a = (rng.random((batch, nodes, nodes)) < 0.5).astype("float32")
    return {"elements": rng.normal(size=(batch, nodes, 3)).astype("float32"),
            "mask": np.ones((batch, nodes), "float32"), "adjacency": np.maximum(a, a.transpose(0, 2, 1))}


@pytest.mark.parametrize("per_node", [False, True])
def test_node_permutations_move_the_adjacency_rows_and_columns_together(rng, per_node):
    report = zoo.check_symmetry(NodeModel(per_node), _graph(rng))
    assert report["passed"] and report["permutation"] <= report["tolerance"], report
    assert report["padding"] <= report["tolerance"]  # extra nodes joined by no edge, masked out


def test_permuting_nodes_without_their_adjacency_is_caught(rng):
    assert not zoo.check_symmetry(NodeModel(declare_graph=False), _graph(rng))["passed"]


def test_token_sets_are_permuted_and_padded_with_tokens_in_range(rng):
    model = ALL_MODELS["digit_sum_text_deepsets"]()
    tokens = rng.integers(1, 10, size=(4, 6)).astype("int32")
    report = zoo.check_symmetry(model, tokens)
    assert report["passed"] and report["padding"] <= report["tolerance"]  # padding tokens within 1–9: no error


def test_an_approximate_declaration_is_reported_not_judged(rng):
    model = signal_model("mlp")
    model.symmetry = {"output": "invariant", "exact": False, "set": "S_n", "element": None, "padding": False}
    report = zoo.check_symmetry(model, inputs_for(model, rng))
    assert report["permutation"] > 1e-3 and "permutation" not in report["judged"] and report["passed"]


@pytest.mark.parametrize("name,dependent", [
    ("selection_sum", True), ("selection_max", False), ("selection_sridhar", False), ("signals_dss_sum", True),
    ("signals_dss_max", False), ("signals_deepsets", True), ("signals_siamese", False),
    ("anomaly_mnist_deepsets", False), ("digit_sum_text_deepsets", True), ("digit_sum_text_gru", True),
    ("unet_burst_merge", False)])
def test_size_dependence_tells_sums_from_means_and_maxima(rng, name, dependent):
    """Repeating every element keeps a mean or a max and changes a sum (or a recurrent read-out)."""
    model = ALL_MODELS[name]()
    report = zoo.check_size_dependence(model, inputs_for(model, rng))
    assert report["size_dependent"] is dependent, report
    assert (report["error"] > 10 * report["tolerance"]) if dependent else (report["error"] <= report["tolerance"])


def test_size_dependence_follows_a_selection_per_element_and_keeps_masks(rng):
    """Masked padding stays masked when repeated; each original element's score is compared with its copy's."""
    model = ALL_MODELS["selection_max"]()
    x = inputs_for(model, rng)
    mask = np.ones(x.shape[:2], "float32")
    mask[:, -2:] = 0.0
    x[:, -2:] = 1e3  # padding that would dominate a max if it were not masked
    assert not zoo.check_size_dependence(model, x, mask=mask)["size_dependent"]


def test_size_dependence_is_not_measured_where_a_set_cannot_grow(rng):
    """A fixed-size baseline and a model of a graph's nodes (repeating a node changes the graph) have none."""
    model = ALL_MODELS["signals_mlp"]()
    assert zoo.check_size_dependence(model, inputs_for(model, rng)) is None
    model = ALL_MODELS["selection_sum"]()
    model.symmetry = {**model.symmetry, "graph": {"adjacency": "adjacency"}}
    assert zoo.check_size_dependence(model, inputs_for(model, rng)) is None
