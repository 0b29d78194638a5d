"""The LDA word sets of the DeepSets set-expansion experiment (Zaheer et al., 2017, §4.2.2).

Each set is the 50 top words of one LDA topic of English Wikipedia; the files `lda_top_words_split_allwords_<k>.json`
(k = 1k, 3k, 5k topics; Apache-2.0) ship with the DeepSets authors' code (`SetExpansion/data/lda/`). They hold the
vocabulary (`params.ind2word`) and train / val / test splits of topics as lists of word ids. `$ZOO_LDA` (or `root=`)
names the folder holding them; by default the copy shared with the zoo (`../shared/data/lda`).
"""

import dataclasses
import json
import os
from pathlib import Path

import numpy as np

from zoo.data import SHARED_DATA
from zoo.models.inputs import pad_sets

VARIANTS = ("1k", "3k", "5k")
FILE_NAME = "lda_top_words_split_allwords_{variant}.json"


@dataclasses.dataclass
class Topics:
    """The word sets of one LDA file: `vocabulary[i]` is word id i; `splits[split]` is an int32 `(topics, 50)`."""

    vocabulary: list
    splits: dict


def default_root():
    return Path(os.environ.get("ZOO_LDA", SHARED_DATA / "lda"))


def lda_path(variant, root=None):
    if variant not in VARIANTS:
        raise ValueError(f"Unknown LDA variant {variant!r}; expected one of {VARIANTS}.")
    return Path(root or default_root()) / FILE_NAME.format(variant=variant)


def load_topics(variant, root=None):
    """Read one LDA file.

    Raises:
        FileNotFoundError: the file is not there (it names where to get it).
        ValueError: the file is not an LDA word-set file.
    """
    path = lda_path(variant, root)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: the LDA-{variant} word sets ship with the DeepSets authors' code "
            f"(github.com/manzilzaheer/DeepSets, SetExpansion/data/lda/{path.name}); set ZOO_LDA to their folder.")
    try:
        content = json.loads(path.read_text())
        index = content["params"]["ind2word"]
        vocabulary = [index[str(i)] for i in range(len(index))]
        splits = {split: np.asarray(content["data"][split], np.int32) for split in ("train", "val", "test")}
    except (json.JSONDecodeError, KeyError, ValueError, TypeError) as error:
        raise ValueError(f"{path} is not an LDA word-set file ({type(error).__name__}: {error}).") from error
    for split, topics in splits.items():
        if topics.ndim != 2 or topics.min() < 0 or topics.max() >= len(vocabulary):
            raise ValueError(f"{path}: the {split} topics are not lists of word ids of equal length.")
    return Topics(vocabulary, splits)


def query_sets(topics, query_size, rng=None):
    """The evaluation protocol: the first `query_size` words of each topic form the query set, the others are the
    words to retrieve; with `rng`, `query_size` random words of each topic instead.

    Returns:
        `({"elements": (topics, query_size), "mask"}, targets (topics, 50 − query_size))`.
    """
    if rng is not None:
        topics = np.stack([rng.permutation(row) for row in topics])
    return pad_sets(topics[:, :query_size]), topics[:, query_size:].astype(np.int32)


def ranking_pairs(topics, rng, vocabulary_size):
    """Training sets with positive and negative candidates, as the authors' loader draws them: each topic's words
    shuffled, a random number 1 … 49 of them form the set, the rest are positives, each paired with a random word.

    Returns:
        `({"elements", "mask", "candidates"}, pair weights)`: elements padded to 49 words; candidates `(rows, 98)`,
        the positives then as many random negatives (padded pairs have weight 0).
    """
    rows, width = topics.shape
    sets, positives = [], []
    for row in topics:
        row = rng.permutation(row)
        cut = int(rng.integers(1, width))
        sets.append(row[:cut])
        positives.append(row[cut:])
    x = pad_sets(sets, dtype="int32", length=width - 1)
    padded = pad_sets(positives, dtype="int32", length=width - 1)
    negatives = rng.integers(0, vocabulary_size, size=(rows, width - 1)).astype(np.int32)
    x["candidates"] = np.concatenate([padded["elements"], negatives], axis=1)
    return x, padded["mask"]
