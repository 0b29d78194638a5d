"""The one evaluation harness: an entry's task, on its test split, over several seeds."""

import numpy as np

import zoo
from zoo.families import get_family

DEFAULT_SEEDS = (1, 2, 3)


def summarize(values):
    """`{"mean", "std", "values"}` of per-seed values (std with ddof=1; 0 for a single value)."""
    values = [float(v) for v in values]
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return {"mean": float(np.mean(values)), "std": std, "values": values}


def evaluate_model(model, family, seeds=DEFAULT_SEEDS, batch_size=64):
    """Evaluate a compiled model of `family` on the test split drawn with each seed.

    For the signal family, seed 1 is the paper's test split and other seeds are fresh draws of the generator.

    Returns:
        `{"split": "test", "seeds": [...], <metric>: {"mean", "std", "values"}}`.
    """
    values = []
    for seed in seeds:
        x, y = family.load_split("test", seed=seed)
        results = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
        values.append(results[family.metric])
    return {"split": "test", "seeds": list(seeds), family.metric: summarize(values)}


def score(metric, y, prediction):
    """A metric on NumPy predictions: `accuracy` (scores or logits against indices) or `mae_255`."""
    y, prediction = np.asarray(y), np.asarray(prediction)
    if metric == "accuracy":
        return float(np.mean(np.argmax(prediction, axis=-1) == y))
    if metric == "mae_255":
        return float(255.0 * np.mean(np.abs(y - prediction)))
    raise ValueError(f"No NumPy scorer for metric {metric!r}.")


def evaluate_baseline(family, name, seeds=DEFAULT_SEEDS):
    """Evaluate the family's trivial predictor `name` on the same test sets as the models."""
    predict = family.baselines[name]
    values = [score(family.metric, *_predicted(family, predict, seed)) for seed in seeds]
    return {"split": "test", "seeds": list(seeds), family.metric: summarize(values)}


def _predicted(family, predict, seed):
    x, y = family.load_split("test", seed=seed)
    return y, predict(x)


def evaluate(name_or_uri, seeds=DEFAULT_SEEDS):
    """Load a zoo entry (`zoo.load`) and evaluate it with `evaluate_model`.

    Example:
    >>> evaluate("dss_sum_signals")["accuracy"]["mean"]
    """
    model = zoo.load(name_or_uri)
    return evaluate_model(model, get_family(model.zoo_info["family"]), seeds=seeds)
