"""The one evaluation harness: an entry's task, on its test split, over several seeds.

Models and trivial baselines are scored the same way: the family's `evaluate` draws the test data of a seed and
scores `predict(x)` with its task (several metrics, ranking metrics, or every metric along a curve over set
sizes); the harness summarises each metric over the seeds.
"""

import numpy as np

import zoo
from zoo.families import get_family

DEFAULT_SEEDS = (1, 2, 3)


def summarize(values):
    """`{"mean", "std", "values"}` of per-seed values (std with ddof=1; 0 for a single value)."""
    values = [float(v) for v in values]
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return {"mean": float(np.mean(values)), "std": std, "values": values}


def summarize_seeds(per_seed, seeds):
    """`{"split": "test", "seeds": [...], <metric>: summary}` from one `{metric: value}` dict per seed."""
    keys = list(per_seed[0])
    return {"split": "test", "seeds": list(seeds), **{key: summarize([s[key] for s in per_seed]) for key in keys}}


def evaluate_predictions(family, predict, seeds=DEFAULT_SEEDS):
    """Score any `predict(x) -> prediction` on the family's test split of each seed."""
    return summarize_seeds([family.evaluate(predict, seed) for seed in seeds], seeds)


def evaluate_model(model, family, seeds=DEFAULT_SEEDS, batch_size=64):
    """Evaluate a model of `family` on the test split drawn with each seed.

    For the signal family, seed 1 is the paper's test split and other seeds are fresh draws of the generator.

    Returns:
        `{"split": "test", "seeds": [...], <metric>: {"mean", "std", "values"}, ...}`, one entry per metric the
        family's task reports (curve families: also per set size, e.g. `"accuracy@n=25"`).
    """
    return evaluate_predictions(family, lambda x: model.predict(x, batch_size=batch_size, verbose=0), seeds)


def evaluate_baseline(family, name, seeds=DEFAULT_SEEDS):
    """Evaluate the family's trivial predictor `name` on the same test sets as the models."""
    return evaluate_predictions(family, family.baselines[name], seeds)


def evaluate(name_or_uri, seeds=DEFAULT_SEEDS):
    """Load a zoo entry (`zoo.load`) and evaluate it with `evaluate_model`.

    Example:
    >>> evaluate("dss_sum_signals")["accuracy"]["mean"]
    """
    model = zoo.load(name_or_uri)
    return evaluate_model(model, get_family(model.zoo_info["family"]), seeds=seeds)
