"""The budget fields that `zoo train` overrides one by one, and the options that repeat them on a card."""

# The budget fields `zoo train` can override one by one (`--trials 1 --epochs 300`), by their option names.
BUDGET_OPTIONS = {"max_trials": "trials", "search_epochs": "search-epochs", "epochs": "epochs", "patience": "patience"}


def budget_options(overrides):
    """The `zoo train` options that repeat `overrides` (budget fields, e.g. `{"epochs": 300}` → `--epochs 300`).

    >>> budget_options({"max_trials": 1, "epochs": 300})
    ['--trials 1', '--epochs 300']
    """
    unknown = sorted(set(overrides) - set(BUDGET_OPTIONS))
    if unknown:
        raise ValueError(f"Unknown budget fields {unknown}; `zoo train` overrides {sorted(BUDGET_OPTIONS)}.")
    return [f"--{BUDGET_OPTIONS[key]} {value}" for key, value in overrides.items()]
