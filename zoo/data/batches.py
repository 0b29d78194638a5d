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
