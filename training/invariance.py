"""The validation objective of a regularised architecture: its validation loss plus its validation order sensitivity.

A model regularised towards invariance (SIRE, SUB, π-SGD) is chosen, among the trials of its search and among the
epochs of its fit alike, by `INVARIANCE_OBJECTIVE`: of two weights that fit equally well, the one whose
predictions depend less on the order of the set wins.
"""

import keras
import numpy as np

from zoo.families.base import ORDER_SEED
from zoo.metrics import order_sensitivity

INVARIANCE_OBJECTIVE = "val_loss_plus_order_sensitivity"


def selects_invariance(family, architecture):
    """Whether `architecture` of `family` is chosen by `INVARIANCE_OBJECTIVE` rather than by the validation loss:
    it regularises another architecture (`Architecture.regularises`) and the family measures order sensitivity."""
    spec = family.check_architecture(architecture)
    return bool(spec.regularises and family.leaderboard.order_sensitivity)


class ValidationOrderSensitivity(keras.callbacks.Callback):
    """Adds `val_order_sensitivity` (mean |f(x) − f(πx)| over the validation sets `x`, with π drawn by the family's
    `permute` from a fixed stream, the same every epoch) and `INVARIANCE_OBJECTIVE` (the validation loss plus it)
    to each epoch's logs.

    Place it before the callbacks that read those logs (checkpoints, early stopping, the tuner's).

    Args:
        family: the family (its `permute` and its batch size).
        x: the validation inputs.

    Example:
    >>> model.fit(x, y, validation_data=(val_x, val_y), callbacks=[
    ...     ValidationOrderSensitivity(family, val_x),
    ...     keras.callbacks.ModelCheckpoint("best.weights.h5", monitor=INVARIANCE_OBJECTIVE, save_best_only=True,
    ...                                     save_weights_only=True)])
    """

    def __init__(self, family, x):
        super().__init__()
        self.family, self.x = family, x
        self.permuted = family.permute(x, np.random.default_rng(ORDER_SEED))

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or "val_loss" not in logs:
            return
        batch_size = self.family.training.batch_size
        outputs, permuted = (self.model.predict(x, batch_size=batch_size, verbose=0) for x in (self.x, self.permuted))
        logs["val_order_sensitivity"] = order_sensitivity(outputs, permuted)
        logs[INVARIANCE_OBJECTIVE] = float(logs["val_loss"]) + logs["val_order_sensitivity"]
