"""Data generators and loaders of the zoo's tasks."""

from pathlib import Path

# The offline real data shared with every checkout of the zoo (`../shared/data` from the project's root), when it
# exists; loaders default to it and name their official sources otherwise.
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
