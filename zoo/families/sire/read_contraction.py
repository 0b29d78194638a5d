"""How SIRE changes the reads of the parity cells: how much one read pulls two states together.

A read of element x contracts by `||f(s, x) − f(s', x)|| / ||s − s'||` for two states s, s' that should mean the same
(here: the same parity so far). A cell whose reads contract forgets the small errors of earlier reads, so its output
stays as exact on sequences of 100 bits as on the training lengths 2–10. SIRE's penalty
`||f(f(s, 0), 1) − f(f(s, 1), 0)||²` is zero when reading a 0 leaves the state alone, which a contracting read does not;
this study measures, for the plain and SIRE entries of each cell, how much the 0-read and the 1-read contract on
states reached on the test sequences, the size of the states and the SIRE penalty on the validation sequences, beside
the order sensitivity the harness measured at length 10 and 100.

    python -m zoo.families.sire.read_contraction     # writes evaluation/results/parity_read_contraction.csv
"""

import argparse
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from keras import ops

RESULTS_DIR = Path(__file__).resolve().parents[3] / "evaluation" / "results"
CELLS = ("rnn", "gru", "lstm")


def _numpy(states):
    return [np.asarray(ops.convert_to_numpy(h)) for h in states]


def read_contraction(model, states, groups, element):
    """The median, over pairs of states of the same group, of `||f(s, x) − f(s', x)|| / ||s − s'||` for the read of
    the encoded `element` `(features,)`.

    Args:
        model: a `RecurrentModel`.
        states: the state tensors (one, or two for an LSTM), each `(count, units)`.
        groups: `(count,)` labels; states are paired within a group (the first half of its members with the
            second), and pairs of equal states are skipped.
        element: `(features,)` the element read.

    Example (a linear RNN whose recurrent matrix is I/2 halves every distance):
    >>> model = RecurrentModel(cell="rnn", units=3, activation=None)
    >>> model.build((None, None)); model.cell.recurrent_kernel.assign(0.5 * np.eye(3, dtype="float32"))
    >>> states = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    >>> read_contraction(model, [states], np.zeros(8), np.array([1.0]))
    0.5
    """
    states = _numpy(states)
    count = len(groups)
    read = _numpy(model.step([ops.convert_to_tensor(h) for h in states],
                             ops.convert_to_tensor(np.broadcast_to(element, (count, len(element))).astype("float32"))))
    ratios = []
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        half = len(members) // 2
        a, b = members[:half], members[half:2 * half]
        before = np.sqrt(sum(np.sum((h[a] - h[b]) ** 2, axis=-1) for h in states))
        after = np.sqrt(sum(np.sum((h[a] - h[b]) ** 2, axis=-1) for h in read))
        distinct = before > 1e-6
        ratios.append(after[distinct] / before[distinct])
    return float(np.median(np.concatenate(ratios)))


def states_midway(model, x, rng):
    """The states after a random prefix (1 to all of its bits) of each sequence `x` `(count, n)` of real bits, and
    the parity of that prefix: `(states, parities)`."""
    x = np.asarray(x)
    steps = rng.integers(1, x.shape[1] + 1, size=len(x))
    rows = np.arange(len(x))
    states = [h[rows, steps] for h in _numpy(model.states(x))]
    parities = np.array([int(x[i, :t].sum()) % 2 for i, t in zip(rows, steps)])
    return states, parities


def state_norm_and_penalty(model, x, batch=100, draws=5):
    """`(mean norm of the states after every real prefix, SIRE penalty)` of `model` on the sets `x` (a dict of
    elements and mask): the penalty (λ-free, `RecurrentModel.sire_penalty`) averaged over `draws` draws per batch
    of `batch` sets, from Keras's seed 0."""
    states = _numpy(model.states(x))
    real = np.concatenate([np.ones((len(x["mask"]), 1)), np.asarray(x["mask"])], axis=1) > 0  # s_0 and real reads
    norm = np.sqrt(sum(np.sum(h ** 2, axis=-1) for h in states))[real].mean()
    keras.utils.set_random_seed(0)
    batches = [{key: value[start:start + batch] for key, value in x.items()}
               for start in range(0, len(x["mask"]), batch)]
    return float(norm), float(np.mean([float(model.sire_penalty(part)) for part in batches for _ in range(draws)]))


def measure(seed=1, length=100, results=None):
    """One row per parity entry (plain and SIRE, each cell): the contraction of its 0-read and 1-read on states
    midway through the test sequences of `length` (test seed `seed`), its mean state norm and SIRE penalty on the
    validation sets, and the harness's order sensitivity at length 10 and `length` from the leaderboard CSV
    `results`."""
    import zoo
    from zoo.families import get_family

    family = get_family("parity")
    x, _ = family.load_split("test", seed=seed, set_size=length)
    validation, _ = family.load_split("val")
    elements = np.asarray(x["elements"])
    board = pd.read_csv(results or RESULTS_DIR / "parity.csv")
    board = board[board.metric == "accuracy"].set_index(["model", "set_size"])["order_sensitivity"]
    rows = []
    for cell in CELLS:
        for name in (f"{cell}_parity", f"sire_{cell}_parity"):
            model = zoo.load(name)
            states, parities = states_midway(model, elements, np.random.default_rng([seed, length]))
            norm, penalty = state_norm_and_penalty(model, validation)
            rows.append({"model": name, "cell": cell, "sire_weight": model.sire_weight,
                         **{f"contraction_{bit}_read": round(read_contraction(model, states, parities,
                                                                             np.array([float(bit)])), 4)
                            for bit in (0, 1)},
                         "validation_state_norm": round(norm, 3), "validation_sire_penalty": round(penalty, 4),
                         "order_sensitivity@n=10": board.get((name, 10.0)),
                         f"order_sensitivity@n={length}": board.get((name, float(length)))})
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "parity_read_contraction.csv")
    args = parser.parse_args(argv)
    table = measure()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output, index=False)
    print(table.to_string(index=False))
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
