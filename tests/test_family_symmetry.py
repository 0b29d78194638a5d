"""Every architecture of every family, built as the registry builds it, has the symmetry it declares."""

import numpy as np
import pytest

import zoo
from zoo.data import first_sets
from zoo.families import FAMILIES, get_family
from zoo.families.dss.dfaust import DFaustFamily

CASES = [(name, architecture) for name, family in sorted(FAMILIES.items()) if not family.wording.unavailable_reason
         for architecture in family.architectures]


@pytest.mark.parametrize("name,architecture", CASES)
def test_registered_architecture_has_its_declared_symmetry(name, architecture):
    """Each architecture, as the registry builds it (small widths where a family has them), on two sets of its
    family's own test data (tokens, images, signals, ...)."""
    family = get_family(name)
    if family.missing_data:
        pytest.skip(family.missing_data)
    model = family.build(architecture, width=0.05)
    report = zoo.check_symmetry(model, first_sets(family.load_split("test", seed=1)[0], 2), trials=1, padding=1)
    assert report["passed"], report
    if report["declared"]["output"] != "none":
        assert report["padding"] is not None and "permutation" in report["judged"]


@pytest.mark.parametrize("kind", ["points", "graphs"])
@pytest.mark.parametrize("architecture", ["siamese_ds", "dss_sum", "dss_max", "dss_aittala", "dss_sridhar"])
def test_dfaust_architectures_on_a_small_mesh(rng, kind, architecture):
    family = DFaustFamily(kind, num_vertices=6)
    faces = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
    model = family.build(architecture, width=0.1, edges=faces)
    assert zoo.check_symmetry(model, rng.normal(size=(2, 7, 6, 3)).astype("float32"), trials=1)["passed"]
