"""A family defined here, in the test, goes through the whole zoo with no change to the core: it trains,
evaluates (several metrics and a curve over set sizes), gets a card and leaderboard rows, and loads by name."""

import numpy as np
import pandas as pd
import pytest

import evaluation.leaderboard as leaderboard
import zoo
from zoo.families import FAMILIES, Architecture, Family, LeaderboardPlan, Paper, Wording, register
from zoo.models import InvariantHead, SetModel
from zoo.models.architectures import deepsets_blocks
from zoo.pipeline import train_entry
from zoo.registry import add_family, get_entry
from zoo.tasks import Regression

TINY_BUDGET = {"name": "test", "max_trials": 1, "search_epochs": 1, "search_train_size": 256, "epochs": 3,
               "patience": 2}


def _sets(seed, count, set_size=None):
    rng = np.random.default_rng(seed)
    sizes = np.full(count, set_size) if set_size else rng.integers(1, 6, count)
    x = np.zeros((count, max(sizes), 1), "float32")
    mask = np.zeros((count, max(sizes)), "float32")
    for i, n in enumerate(sizes):
        x[i, :n, 0], mask[i, :n] = rng.uniform(0, 1, n), 1.0
    return {"elements": x, "mask": mask}, x[..., 0].sum(axis=1)


class SumFamily(Family):
    """Sum the numbers of a set: a paper the core has never heard of."""

    def __init__(self):
        super().__init__(
            name="tiny_sum", paper=Paper("tiny", "Sums of Sets", "Tester", "Workshop 2026"),
            description="sum of a set of numbers", task=Regression("mae", what="the sum"),
            architectures={"deepsets": Architecture("DeepSets (tiny)", {"units": 8, "learning_rate": 1e-2},
                                                    weak=None),
                           "meanpool": Architecture("Mean pooling", {"learning_rate": 1e-2},
                                                    weak="a mean cannot count the elements.")},
            input_spec={"elements": [None, None, 1], "mask": [None, None]},
            baselines={"zero": lambda x: np.zeros(len(x["elements"]))},
            wording=Wording(notes=("A test family.",), data_licence="generated"),
            leaderboard=LeaderboardPlan(paper_results={"deepsets": {"mse": {2: 0.0}}}, paper_note="made up",
                                        set_sizes=(2, 4)))

    def build(self, architecture, units=8, **unused):
        self.check_architecture(architecture)
        pool = "sum" if architecture == "deepsets" else "mean"
        blocks = deepsets_blocks((units,), pool=pool, normalization=None)
        model = SetModel(blocks, InvariantHead(1, pool=pool), name=architecture)
        model.build((None, None, 1))
        return model

    def load_split(self, split, seed=1, size=None, set_size=None):
        count = {"train": size or 512, "val": 64, "test": 128}[split]
        return _sets([{"train": 0, "val": 1, "test": 2}[split], seed], count, set_size)

    def dataset_info(self, train_size=None):
        return {"name": "generated sums", "training_split": f"{train_size or 512} sets",
                "evaluation_split": "128 sets per seed"}


@pytest.fixture
def tiny_family(tiny_zoo):
    family = register(SumFamily())
    yield family
    FAMILIES.pop(family.name)


@pytest.mark.slow
def test_a_new_family_trains_evaluates_and_loads_by_name(tiny_family, tmp_path):
    assert add_family(tiny_family) == ["deepsets_tiny_sum", "meanpool_tiny_sum"]
    for name in ("deepsets_tiny_sum", "meanpool_tiny_sum"):
        train_entry(name, budget=TINY_BUDGET, work_dir=tmp_path / "runs", verbose=0)
    table = leaderboard.write_leaderboard("tiny_sum", seeds=(1, 2))

    model = zoo.load("deepsets_tiny_sum")
    x, y = tiny_family.load_split("test", seed=5)
    assert model.predict(x, verbose=0).shape == (128, 1)
    assert zoo.check_symmetry(model, x)["passed"]
    metrics = model.zoo_info["metrics"]
    assert {"mse", "mae", "mse@n=2", "mae@n=4"} <= set(metrics) and len(metrics["mse"]["values"]) == 3
    assert get_entry("deepsets_tiny_sum").pretrained

    assert set(table["model"]) == {"deepsets_tiny_sum", "meanpool_tiny_sum", "baseline:zero"}
    curve = table[(table["model"] == "deepsets_tiny_sum") & table["set_size"].notna()]
    assert curve["set_size"].tolist() == [2, 4] and curve["paper"].tolist()[0] == 0.0
    assert (tmp_path / "results" / "tiny_sum.png").stat().st_size > 1000
    zero = table[(table["model"] == "baseline:zero") & (table["metric"] == "mse") & table["set_size"].isna()]
    ours = table[(table["model"] == "deepsets_tiny_sum") & (table["metric"] == "mse") & table["set_size"].isna()]
    assert ours["mean"].iloc[0] < zero["mean"].iloc[0]

    card = (tmp_path / "model_cards" / "deepsets_tiny_sum.md").read_text()
    assert "DeepSets (tiny)" in card and "Sums of Sets (Tester, Workshop 2026)" in card
    assert "type: set-regression" in card and "A test family." in card and "mse@n=2" in card
    weak = (tmp_path / "model_cards" / "meanpool_tiny_sum.md").read_text()
    assert "a mean cannot count the elements." in weak
    assert "Size-dependent" in card and "Size-independent" in weak  # measured: a sum against a mean
    assert pd.read_csv(tmp_path / "results" / "tiny_sum.csv").shape[0] == len(table)

    history = model.fit(*tiny_family.load_split("train", size=64), epochs=1, verbose=0).history
    assert np.isfinite(history["loss"]).all()
