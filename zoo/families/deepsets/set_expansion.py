"""DeepSets paper, set expansion / text concept retrieval (Zaheer et al., 2017, §4.2.2, Table 3).

Given a few words of a topic, retrieve the topic's other words from the whole vocabulary. The model scores a
candidate word c for a set S as `ρ(Σ_{x∈S} φ(x) + φ(c))` and is trained with a margin ranking loss on the topic's
words against random words; the harness ranks every word of the vocabulary for a 5-word query and reports
recall@10/100/1k, mean reciprocal rank and median rank of the topic's other 45 words.
"""

import numpy as np

from zoo.data import lda
from zoo.data.batches import RandomBatches
from zoo.families.base import Architecture, Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.paper import PAPER
from zoo.models import SetExpansionModel
from zoo.tasks import Ranking

QUERY_SIZE, MARGIN = 5, 0.1
BATCH_SIZE, TRAIN_STEPS = 100, 250
PAPER_TABLE = {  # Table 3, DeepSets: recall@10, @100, @1k (%), MRR, median rank
    "1k": (5.53, 24.2, 54.3, 0.025, 696), "3k": (6.04, 28.5, 60.7, 0.027, 426), "5k": (5.54, 26.1, 55.5, 0.026, 616)}


def _search(hp):
    return {"learning_rate": hp.Choice("learning_rate", [1e-4, 1e-3])}


class SetExpansionFamily(Family):
    """Set expansion on one of the LDA files: `variant` is `"1k"`, `"3k"` or `"5k"` topics."""

    def __init__(self, variant, root=None):
        recall10, recall100, recall1k, mrr, median = PAPER_TABLE[variant]
        self.variant, self.root = variant, root
        self._topics = None
        super().__init__(
            name=f"set_expansion_lda{variant}", paper=PAPER,
            description=f"set expansion: the other words of an LDA-{variant} topic, from 5 of its words",
            task=Ranking(lambda: self.topics().vocabulary, MARGIN),
            architectures={"deepsets": Architecture("DeepSets", {"learning_rate": 1e-4}, _search)},
            input_spec={"elements": [None, None], "mask": [None, None], "candidates": [None, None],
                        "range": "int32 word ids of the LDA vocabulary; without `candidates` every word is scored"},
            baselines={"word_frequency": self._word_frequency},
            wording=Wording(
                notes=("Words are embedded from scratch (50 dimensions) as in the authors' code, not from word2vec. "
                       "Test seed 1 queries with each test topic's first five words, the authors' protocol; seeds 2 "
                       "and 3 with five random words of each topic.",),
                data_licence="the DeepSets authors' LDA word sets of English Wikipedia (Apache-2.0)",
                retrain="ZOO_LDA=/folder/with/the/lda/json/files zoo train {name}",
                retrain_budget="cpu"),
            training=TrainingPlan(batch_size=BATCH_SIZE,
                                  budgets={"cpu": {"max_trials": 2, "search_epochs": 3, "search_train_size": 100,
                                                   "epochs": 50, "patience": 9}},
                                  train_size_unit=f"batches of {BATCH_SIZE} topics per epoch"),
            leaderboard=LeaderboardPlan(
                paper_results={"deepsets": {"recall@10": recall10 / 100, "recall@100": recall100 / 100,
                                            "recall@1000": recall1k / 100, "mrr": mrr, "median_rank": median}},
                paper_note=f"Table 3, LDA-{variant}, DeepSets (recall as a fraction)"))

    def topics(self):
        if self._topics is None:
            self._topics = lda.load_topics(self.variant, self.root)
        return self._topics

    def find_data(self):
        path = lda.lda_path(self.variant, self.root)
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found (set ZOO_LDA to the folder of the LDA word sets)")

    def build(self, architecture, **unused):
        self.check_architecture(architecture)
        model = SetExpansionModel(len(self.topics().vocabulary), name=architecture)
        model.build((None, None))
        return model

    def load_split(self, split, seed=1, size=None, set_size=None):
        topics = self.topics()
        vocabulary_size = len(topics.vocabulary)
        if split == "train":
            rows = topics.splits["train"]

            def draw(rng, count):
                return lda.ranking_pairs(rows[rng.integers(0, len(rows), size=count)], rng, vocabulary_size)

            return RandomBatches(draw, BATCH_SIZE, size or TRAIN_STEPS, seed=seed)
        if split == "val":
            return lda.ranking_pairs(topics.splits["val"], np.random.default_rng([1, seed]), vocabulary_size)
        return lda.query_sets(topics.splits["test"], QUERY_SIZE, None if seed == 1 else np.random.default_rng(seed))

    def evaluate(self, predict, seed):
        """Rank every word for each query set; the query's own words are never counted (they rank last)."""
        x, targets = self.load_split("test", seed=seed)
        scores = np.array(predict(x), dtype=np.float32)
        np.put_along_axis(scores, x["elements"].astype(np.int64), -np.inf, axis=1)
        return self.task.score(targets, scores)

    def _word_frequency(self, x):
        """A trivial predictor: every query gets the same ranking, by how many training topics use each word."""
        counts = np.bincount(self.topics().splits["train"].ravel(), minlength=len(self.topics().vocabulary))
        return np.tile(counts.astype(np.float32), (len(x["elements"]), 1))

    def entry_train_size(self):
        return f"{len(self.topics().splits['train'])} topics"

    def dataset_info(self, train_size=None):
        splits = {k: len(v) for k, v in self.topics().splits.items()} if not self.missing_data else {}
        file_name = lda.FILE_NAME.format(variant=self.variant)
        return {"name": f"LDA-{self.variant} word sets of the DeepSets authors ({file_name})",
                "training_split": f"the {splits.get('train', 'training')} training topics: a random part of each "
                                  f"topic's 50 words as the set, the rest as positives against random words, "
                                  f"{BATCH_SIZE} topics × {train_size or TRAIN_STEPS} batches per epoch; "
                                  f"{splits.get('val', 'the')} validation topics",
                "evaluation_split": f"the {splits.get('test', '')} test topics: a 5-word query each, the whole "
                                    "vocabulary ranked (seed 1: the first five words, the authors' protocol; seeds 2, "
                                    "3: five random words)"}
