"""The equivariant graph VAE: equivariant latents and decodings, exact padding, its ELBO, training, saving and bad
input; and the graph-reconstruction task's scores."""

import keras
import numpy as np
import pytest

import zoo
from tests.helpers import assert_close, to_numpy
from zoo.models.graph_vae import EquivariantGraphVAE
from zoo.tasks import GraphReconstruction


def random_graphs(rng, batch=6, n=7, node_types=4, edge_types=4):
    sizes = rng.integers(1, n + 1, batch)
    mask = (np.arange(n)[None] < sizes[:, None]).astype("float32")
    atoms = rng.integers(1, node_types + 1, (batch, n)) * (mask > 0)
    bonds = np.triu(rng.integers(0, edge_types, (batch, n, n)), k=1)
    bonds = (bonds + bonds.transpose(0, 2, 1)) * (mask[:, :, None] * mask[:, None, :] > 0)
    return {"atoms": atoms.astype("int32"), "bonds": bonds.astype("int32"), "mask": mask}


def permuted(graphs, perm):
    return {"atoms": graphs["atoms"][:, perm], "mask": graphs["mask"][:, perm],
            "bonds": graphs["bonds"][:, perm][:, :, perm]}


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return EquivariantGraphVAE(node_types=4, edge_types=4, width=8, depth=2, seed=0)


def test_permuting_the_nodes_permutes_the_latent_and_the_decoded_graph(model, rng):
    graphs = random_graphs(rng)
    perm = rng.permutation(7)
    assert_close(model.encoder(permuted(graphs, perm)), to_numpy(model.encoder(graphs))[:, perm])
    out, out_permuted = model(graphs), model(permuted(graphs, perm))
    assert_close(out_permuted["atoms"], to_numpy(out["atoms"])[:, perm])
    assert_close(out_permuted["bonds"], to_numpy(out["bonds"])[:, perm][:, :, perm])
    report = zoo.check_symmetry(model, graphs)
    assert report["passed"] and report["judged"] == ["permutation", "padding"], report
    report = zoo.check_symmetry(model.encoder, graphs)
    assert report["passed"] and report["judged"] == ["permutation", "padding"], report


def test_the_edge_logits_are_symmetric_and_padding_changes_nothing(model, rng):
    graphs = random_graphs(rng)
    bonds = to_numpy(model(graphs)["bonds"])
    assert_close(bonds, bonds.transpose(0, 2, 1, 3))
    padded = {"atoms": np.pad(graphs["atoms"], ((0, 0), (0, 2)), constant_values=3),
              "bonds": np.pad(graphs["bonds"], ((0, 0), (0, 2), (0, 2)), constant_values=2),
              "mask": np.pad(graphs["mask"], ((0, 0), (0, 2)))}
    assert_close(to_numpy(model.encoder(padded))[:, :7], model.encoder(graphs))


def test_the_loss_is_the_negative_elbo_and_training_lowers_it(model, rng):
    graphs = random_graphs(rng, batch=32)
    targets = {"atoms": graphs["atoms"], "bonds": graphs["bonds"]}
    logits = model(graphs)
    mean, log_variance = (to_numpy(t) for t in model.encoder.distribution(graphs))
    mask = graphs["mask"][:, :, None]
    kl = (0.5 * (mean ** 2 + np.exp(log_variance) - 1 - log_variance) * mask).sum(axis=(1, 2))
    assert_close(model.kl_divergence(graphs), kl)
    expected = np.mean(to_numpy(model.reconstruction_loss(graphs, logits)) + 0.5 * kl)
    assert float(model.compute_loss(graphs, targets, logits)) == pytest.approx(expected, rel=1e-5)
    # A node counts once per real node, an edge once per unordered pair of real nodes.
    uniform = {"atoms": np.zeros((32, 7, 4), "float32"), "bonds": np.zeros((32, 7, 7, 4), "float32")}
    sizes = graphs["mask"].sum(axis=1)
    assert_close(model.reconstruction_loss(graphs, uniform), np.log(4) * (sizes + sizes * (sizes - 1) / 2), atol=1e-3)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = model.fit(graphs, targets, epochs=15, batch_size=32, verbose=0).history["loss"]
    assert history[-1] < 0.7 * history[0]


def test_decoding_and_prior_samples_give_graphs(model):
    nodes, edges = model.sample([3, 5, 1], seed=0)
    assert nodes.shape == (3, 5) and edges.shape == (3, 5, 5)
    assert (nodes[0, 3:] == 0).all() and (nodes[0, :3] > 0).all() and (edges[2] == 0).all()
    assert (edges == edges.transpose(0, 2, 1)).all() and (np.diagonal(edges, axis1=1, axis2=2) == 0).all()


def test_the_model_round_trips_through_a_keras_file(model, rng, tmp_path):
    graphs = random_graphs(rng)
    model(graphs)
    model.save(tmp_path / "vae.keras")
    loaded = keras.saving.load_model(tmp_path / "vae.keras")
    assert_close(loaded.encoder(graphs), model.encoder(graphs))
    assert_close(loaded(graphs)["bonds"], model(graphs)["bonds"])


def test_bad_graphs_get_clear_errors(model, rng):
    graphs = random_graphs(rng)
    with pytest.raises(ValueError, match="takes a dict"):
        model.predict(graphs["atoms"])
    with pytest.raises(ValueError, match=r"bonds \(batch, n, n\)"):
        model.predict({**graphs, "bonds": graphs["bonds"][:, :3]})
    with pytest.raises(ValueError, match="integers 0–3"):
        model.predict({**graphs, "bonds": graphs["bonds"] + 4})
    empty = {**graphs, "mask": np.zeros_like(graphs["mask"]), "atoms": np.zeros_like(graphs["atoms"])}
    with pytest.raises(ValueError, match="empty graph"):
        model.predict(empty)
    with pytest.raises(ValueError, match="needs a type"):
        model.predict({**graphs, "atoms": np.zeros_like(graphs["atoms"])})


def test_graph_reconstruction_scores_nodes_pairs_and_whole_graphs():
    task = GraphReconstruction("atoms", "bonds", valid=lambda nodes, edges: len(nodes) > 1)
    atoms = np.array([[1, 2, 0], [3, 0, 0]])
    bonds = np.array([[[0, 1, 0], [1, 0, 0], [0, 0, 0]], np.zeros((3, 3), int)])
    # Logits decoding the first graph exactly and the second with the wrong atom type.
    node_logits = np.eye(4)[np.array([[0, 1, 0], [1, 0, 0]])]
    bond_logits = np.eye(4)[bonds]
    scores = task.score({"atoms": atoms, "bonds": bonds}, {"atoms": node_logits, "bonds": bond_logits})
    assert scores == {"reconstruction_accuracy": 0.5, "node_accuracy": pytest.approx(2 / 3), "edge_accuracy": 1.0,
                      "validity": 0.5}
