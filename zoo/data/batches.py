"""Endless random training batches drawn by a function, reproducible per seed, epoch and batch."""

import keras
import numpy as np


class RandomBatches(keras.utils.PyDataset):
    """`steps` batches per epoch of `draw(rng, batch_size) -> (x, y)`; every epoch draws new examples.

    The generator of batch `i` of epoch `e` is seeded with `(seed, e, i)`, so a run is reproducible.
    """

    def __init__(self, draw, batch_size, steps, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.draw, self.batch_size, self.steps, self.seed, self.epoch = draw, batch_size, steps, seed, 0

    def __len__(self):
        return self.steps

    def on_epoch_end(self):
        self.epoch += 1

    def __getitem__(self, index):
        return self.draw(np.random.default_rng([self.seed, self.epoch, index]), self.batch_size)


class ArrayBatches(keras.utils.PyDataset):
    """`steps` random batches per epoch drawn from fixed arrays `(x, y)` (x an array or a dict of arrays).

    Unlike `fit(x, y)`, an epoch is a fixed number of gradient steps whatever the number of examples, so training
    sets of 128 and of 8192 examples get the same optimisation budget and the same validation schedule. The
    batches of epoch `e` are drawn with the generator seeded `(seed, e)`.
    """

    def __init__(self, x, y, batch_size, steps, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.steps, self.seed, self.epoch = x, y, batch_size, steps, seed, 0
        self.count = len(y)
        self._order()

    def _order(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        repeats = -(-self.steps * self.batch_size // self.count)
        self.order = np.concatenate([rng.permutation(self.count) for _ in range(repeats)])

    def __len__(self):
        return self.steps

    def on_epoch_end(self):
        self.epoch += 1
        self._order()

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        x = {k: v[rows] for k, v in self.x.items()} if isinstance(self.x, dict) else self.x[rows]
        return x, self.y[rows]
