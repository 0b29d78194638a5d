"""The lab's Question 2, measured: when does a sum-DeepSets give every set {x, −x} the same representation?

The representation of {x, −x} is `φ(x) + φ(−x)`. It is the same for every x exactly when that sum is constant:
for a linear φ (`W x`: it is 0; `W x + b`: it is 2b) and for any odd φ (`tanh(W x)`: 0). For a non-odd nonlinear
φ it is not constant (`ReLU(W x) + ReLU(−W x) = |W x|`), so the sets are told apart, and a trained sum-DeepSets with
a ReLU φ regresses ‖x‖ from {x, −x}, which a linear or odd φ cannot. The lab states the collapse for any φ; this
study measures which part holds.

    python -m zoo.families.lab.symmetric_pairs     # writes evaluation/results/lab_symmetric_pairs.{csv,png}
"""

import argparse
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from zoo.layers import SetPooling, Siamese
from zoo.models import InvariantHead, SetModel

RESULTS_DIR = Path(__file__).resolve().parents[3] / "evaluation" / "results"
DIMENSION, WIDTH = 4, 32
# φ: (activation, bias, bias at the start of training), and whether φ(x) + φ(−x) is constant (linear or odd φ).
PHIS = {"linear W x": (None, False, None), "affine W x + b": (None, True, "random"),
        "odd tanh(W x)": ("tanh", False, None), "ReLU(W x + b)": ("relu", True, "random"),
        "tanh(W x + b)": ("tanh", True, "random"), "tanh(W x + b), b = 0 at the start": ("tanh", True, "zeros")}
COLLAPSES = {"linear W x": True, "affine W x + b": True, "odd tanh(W x)": True, "ReLU(W x + b)": False,
             "tanh(W x + b)": False, "tanh(W x + b), b = 0 at the start": False}


def pair_sets(points):
    """The sets {x, −x}: `(m, d)` points → `(m, 2, d)` sets."""
    return np.stack([points, -points], axis=1).astype(np.float32)


def _phi(name, seed=None):
    """φ of `name`, with N(0, 1) weights (seeded when `seed` is given) and its bias as `PHIS` says."""
    activation, bias, start = PHIS[name]
    return keras.layers.Dense(WIDTH, activation=activation, use_bias=bias,
                              kernel_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed),
                              bias_initializer="zeros" if start == "zeros" else
                              keras.initializers.RandomNormal(stddev=1.0, seed=None if seed is None else seed + 1))


def representation_spread(name, points, seed=0):
    """How much the representations `φ(x) + φ(−x)` of different sets differ: their standard deviation over the
    sets, relative to the typical size of one element's `φ(x)` (0 means every set looks the same)."""
    phi = _phi(name, seed)
    single = keras.ops.convert_to_numpy(phi(points.astype(np.float32)))
    return float(representations(phi, pair_sets(points)).std(axis=0).mean() / (np.abs(single).mean() + 1e-12))


def representations(phi, sets):
    """The sum-DeepSets representation `Σ_{x ∈ S} φ(x)` of each set."""
    return keras.ops.convert_to_numpy(SetPooling("sum")(Siamese(phi)(sets)))


def norm_regressor(name, seed=0):
    """A sum-DeepSets `ρ(φ(x) + φ(−x))` with the φ of `name` (trainable) and an MLP ρ, predicting ‖x‖."""
    keras.utils.set_random_seed(seed)
    phi = _phi(name)
    model = SetModel([Siamese(phi)], InvariantHead(1, pool="sum", hidden_units=(WIDTH,), activation="relu"),
                     name=f"pairs_{list(PHIS).index(name)}")
    model.build((None, 2, DIMENSION))
    return model


def trained_error(name, train=2000, test=500, epochs=40, seed=0):
    """Test mean absolute error of `norm_regressor(name)` trained to predict ‖x‖ from {x, −x}, and of the trivial
    predictor (the training mean)."""
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(train + test, DIMENSION))
    sets, norms = pair_sets(points), np.linalg.norm(points, axis=1).astype(np.float32)
    model = norm_regressor(name, seed)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")
    model.fit(sets[:train], norms[:train], epochs=epochs, batch_size=64, verbose=0)
    predicted = model.predict(sets[train:], verbose=0).ravel()
    return (float(np.mean(np.abs(predicted - norms[train:]))),
            float(np.mean(np.abs(norms[:train].mean() - norms[train:]))), model, sets[train:], norms[train:])


def study(points=1000, seed=0, epochs=40):
    """One row per φ: the representation spread of a random φ, and the error of a trained sum-DeepSets."""
    rng = np.random.default_rng(seed)
    sample = rng.normal(size=(points, DIMENSION))
    rows, fits = [], {}
    for name in PHIS:
        error, trivial, model, sets, norms = trained_error(name, epochs=epochs, seed=seed)
        fits[name] = (model.predict(sets, verbose=0).ravel(), norms)
        rows.append({"phi": name, "collapses_in_theory": COLLAPSES[name],
                     "representation_spread": representation_spread(name, sample, seed),
                     "trained_norm_mae": error, "trivial_norm_mae": trivial,
                     "trained_beats_trivial": error < 0.5 * trivial})
    return pd.DataFrame(rows), fits


def plot(table, fits, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    xs = np.linspace(-3, 3, 121)[:, None] * np.ones((1, DIMENSION)) / np.sqrt(DIMENSION)
    for name in list(PHIS)[:-1]:  # the last φ differs from the one before only at the start of training
        phi = _phi(name, 0)
        representation = representations(phi, pair_sets(xs))
        axes[0].plot(xs[:, 0] * np.sqrt(DIMENSION), representation[:, 0], label=name)
    axes[0].set_xlabel("t, where x = t · (1, 1, 1, 1) / 2")
    axes[0].set_ylabel("first coordinate of φ(x) + φ(−x)")
    axes[0].set_title("random φ: the representation of {x, −x}", fontsize=9)
    axes[0].legend(fontsize=7)
    for name, (predicted, norms) in fits.items():
        axes[1].scatter(norms, predicted, s=4, alpha=0.5, label=name)
    axes[1].plot([0, norms.max()], [0, norms.max()], "k--", linewidth=0.8)
    axes[1].set_xlabel("‖x‖")
    axes[1].set_ylabel("prediction of a trained sum-DeepSets")
    axes[1].set_title("trained to predict ‖x‖ from {x, −x} (test sets)", fontsize=9)
    axes[1].legend(fontsize=7, markerscale=3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure when a sum-DeepSets collapses the sets {x, −x}.")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    table, fits = study()
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    table.to_csv(output / "lab_symmetric_pairs.csv", index=False)
    plot(table, fits, output / "lab_symmetric_pairs.png")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
