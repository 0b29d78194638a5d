"""Set expansion: the LDA loader, the authors' query protocol, rank statistics, and the family end to end on a
generated LDA file."""

import json

import numpy as np
import pytest

from zoo.data import lda
from zoo.families.deepsets.set_expansion import SetExpansionFamily
from zoo.tasks import ranks

VOCABULARY = 120


@pytest.fixture
def lda_root(tmp_path):
    """An LDA-1k-shaped file: 120 words, 6 / 2 / 3 topics of 50 words each."""
    rng = np.random.default_rng(0)
    topics = {split: [rng.permutation(VOCABULARY)[:50].tolist() for _ in range(count)]
              for split, count in (("train", 6), ("val", 2), ("test", 3))}
    words = {str(i): f"word{i}" for i in range(VOCABULARY)}
    content = {"params": {"ind2word": words, "word2ind": {w: int(i) for i, w in words.items()},
                          "numInst": {k: len(v) for k, v in topics.items()}}, "data": topics}
    (tmp_path / lda.FILE_NAME.format(variant="1k")).write_text(json.dumps(content))
    return tmp_path


def test_topics_load_and_damaged_or_missing_files_say_so(lda_root, tmp_path):
    topics = lda.load_topics("1k", lda_root)
    assert topics.splits["test"].shape == (3, 50) and topics.vocabulary[7] == "word7"
    with pytest.raises(FileNotFoundError, match="SetExpansion/data/lda.*set ZOO_LDA"):
        lda.load_topics("3k", lda_root)
    (lda_root / lda.FILE_NAME.format(variant="5k")).write_text("{not json")
    with pytest.raises(ValueError, match="not an LDA word-set file"):
        lda.load_topics("5k", lda_root)
    with pytest.raises(ValueError, match="Unknown LDA variant"):
        lda.load_topics("2k", lda_root)


def test_queries_follow_the_authors_protocol_on_seed_1(lda_root):
    topics = lda.load_topics("1k", lda_root).splits["test"]
    x, targets = lda.query_sets(topics, 5)
    np.testing.assert_array_equal(x["elements"], topics[:, :5])
    np.testing.assert_array_equal(targets, topics[:, 5:])
    shuffled, rest = lda.query_sets(topics, 5, np.random.default_rng(2))
    for row, query, wanted in zip(topics, shuffled["elements"], rest):
        assert sorted([*query, *wanted]) == sorted(row)


def test_training_pairs_take_positives_from_the_topic(lda_root):
    topics = lda.load_topics("1k", lda_root).splits["train"]
    x, weights = lda.ranking_pairs(topics, np.random.default_rng(0), VOCABULARY)
    assert x["candidates"].shape == (6, 98) and weights.shape == (6, 49)
    for row, members, mask, candidates, weight in zip(topics, x["elements"], x["mask"], x["candidates"], weights):
        in_set = set(members[mask > 0])
        positives = set(candidates[:49][weight > 0])
        assert in_set | positives == set(row) and not in_set & positives


def test_ranks_share_ties_and_skip_padding():
    scores = np.array([[0.1, 0.9, 0.5, 0.5, 0.2]])
    np.testing.assert_allclose(ranks(scores, np.array([[1, 2, -1]])), [1.0, 2.5])


def test_query_words_never_count_and_a_perfect_ranker_scores_perfectly(lda_root):
    family = SetExpansionFamily("1k", root=lda_root)

    def oracle(x):  # the query words first, then the topic's other words, then everything else
        scores = np.zeros((len(x["elements"]), VOCABULARY), np.float32)
        np.put_along_axis(scores, x["elements"].astype(int), 10.0, axis=1)
        _, targets = family.load_split("test", seed=1)
        np.put_along_axis(scores, targets, 5.0 - np.arange(targets.shape[1]) / 100, axis=1)
        return scores

    metrics = family.evaluate(oracle, seed=1)  # the 45 other words rank 1 … 45
    assert metrics["recall@10"] == pytest.approx(10 / 45) and metrics["recall@100"] == 1.0
    assert metrics["median_rank"] == 23.0 and metrics["mrr"] == pytest.approx(np.mean(1 / np.arange(1, 46)))


def test_the_family_trains_and_is_measured_on_a_generated_file(lda_root):
    family = SetExpansionFamily("1k", root=lda_root)
    assert family.missing_data is None and SetExpansionFamily("1k", root=lda_root / "nowhere").missing_data
    model = family.compile(family.build("deepsets"), learning_rate=1e-2)
    history = model.fit(family.load_split("train", size=3), validation_data=family.load_split("val"), epochs=2,
                        verbose=0).history
    assert np.isfinite(history["loss"]).all() and "val_pair_accuracy" in history
    metrics = family.evaluate(lambda x: model.predict(x, verbose=0), seed=2)
    assert set(metrics) == {"recall@10", "recall@100", "recall@1000", "mrr", "median_rank"}
    baseline = family.evaluate(family.baselines["word_frequency"], seed=1)
    assert 1 <= baseline["median_rank"] <= VOCABULARY
    x, targets = family.load_split("test")
    assert "word" in family.task.describe(model.predict(x, verbose=0)[0], targets[0])
