"""The splits of a family whose sequences a generator draws: one fixed training set, fresh validation and test
draws per seed."""

import numpy as np

from zoo.data import first_examples


class GeneratedSplits:
    """`load_split` and `entry_train_size` of a family drawing its data with `draw`.

    The training set is drawn once (stream 0, as the paper fixes its training data); validation sets per seed
    (stream 1) and test sets per seed and length (stream 2), so every split is reproducible and disjoint in its
    draws. Subclasses set the counts, `test_length` (the length of a test draw without `set_size`), `seed_key`
    (more numbers that tell this family's draws from its siblings') and implement
    `draw(count, rng, split, length) -> (x, y)`.
    """

    train_sequences, val_sequences, test_sequences = 1_000, 500, 500
    test_length = None
    seed_key = ()
    _train = None

    def draw(self, count, rng, split, length=None):
        raise NotImplementedError

    def load_split(self, split, seed=1, size=None, set_size=None):
        if split == "train":
            if self._train is None:
                self._train = self.draw(self.train_sequences, np.random.default_rng([0, *self.seed_key]), "train")
            return first_examples(*self._train, size)
        if split == "val":
            return self.draw(self.val_sequences, np.random.default_rng([1, seed, *self.seed_key]), "val")
        length = set_size or self.test_length
        return self.draw(self.test_sequences, np.random.default_rng([2, seed, length]), "test", length)

    def entry_train_size(self):
        return f"{self.train_sequences:,} sequences"
