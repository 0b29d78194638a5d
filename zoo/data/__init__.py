"""Data generators and loaders of the zoo's tasks."""

from pathlib import Path

# The offline real data shared with every checkout of the zoo (`../shared/data` from the project's root), when it
# exists; loaders default to it and name their official sources otherwise.
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def first_examples(x, y, size=None):
    """The first `size` examples of `(x, y)`, x an array or a dict of arrays; all of them when `size` is None.

    Example:
    >>> first_examples({"elements": elements, "mask": mask}, targets, 100)  # a smaller training set
    """
    if not size:
        return x, y
    return ({key: value[:size] for key, value in x.items()} if isinstance(x, dict) else x[:size]), y[:size]
