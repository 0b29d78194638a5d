"""Every architecture of every family, built as the registry builds it, has the symmetry it declares."""

import numpy as np
import pytest

import zoo
from zoo.families import FAMILIES, get_family
from zoo.families.dss.dfaust import DFaustFamily

CASES = [(name, architecture) for name, family in sorted(FAMILIES.items()) if not family.wording.unavailable_reason
         for architecture in family.architectures]


def _model_and_inputs(name, architecture, rng):
    family = get_family(name)
    model = family.build(architecture, width=0.05)
    shape = model.get_build_config()["input_shape"]
    return model, rng.random((2,) + tuple(shape[1:])).astype("float32")


@pytest.mark.parametrize("name,architecture", CASES)
def test_registered_architecture_has_its_declared_symmetry(rng, name, architecture):
    model, x = _model_and_inputs(name, architecture, rng)
    report = zoo.check_symmetry(model, x, trials=1, padding=1)
    assert report["passed"], report
    if report["declared"]["output"] != "none":
        assert report["padding"] is not None


@pytest.mark.parametrize("kind", ["points", "graphs"])
@pytest.mark.parametrize("architecture", ["siamese_ds", "dss_sum", "dss_max", "dss_aittala", "dss_sridhar"])
def test_dfaust_architectures_on_a_small_mesh(rng, kind, architecture):
    family = DFaustFamily(kind, num_vertices=6)
    faces = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
    model = family.build(architecture, width=0.1, edges=faces)
    assert zoo.check_symmetry(model, rng.normal(size=(2, 7, 6, 3)).astype("float32"), trials=1)["passed"]
