"""A keras-tuner HyperModel for any architecture of any family."""

import keras_tuner
import numpy as np

from zoo.families.base import ORDER_SEED
from zoo.metrics import order_sensitivity

# The search objective of a regularised architecture (see `FamilyHyperModel.selects_invariance`).
INVARIANCE_OBJECTIVE = "val_loss_plus_order_sensitivity"


class FamilyHyperModel(keras_tuner.HyperModel):
    """Builds and compiles `family.build(architecture, **hyperparameters)` from a trial's hyper-parameters.

    The search space is the architecture's (`family.search_space`); `fixed` overrides it (e.g. a width chosen for
    the device) and is registered as fixed with the tuner, whose trials then only vary the rest.

    A regularised architecture (`Architecture.regularises`) of a family that measures order sensitivity is
    ranked by its validation loss plus its validation order sensitivity (`INVARIANCE_OBJECTIVE`), so that of
    two weights λ that fit equally well the one whose model depends less on the order wins; others by the
    validation loss.

    Example:
    >>> from zoo.families import get_family
    >>> hypermodel = FamilyHyperModel(get_family("signals"), "dss_sum", fixed={"width": 0.25})
    >>> model = hypermodel.build(keras_tuner.HyperParameters())
    """

    def __init__(self, family, architecture, fixed=None, **kwargs):
        super().__init__(name=f"{architecture}_{family.name}", **kwargs)
        family.check_architecture(architecture)
        self.family = family
        self.architecture = architecture
        self.fixed = dict(fixed or {})

    def hyperparameters(self, hp):
        """The full hyper-parameter dict of a trial: defaults < search space < fixed values."""
        for name, value in self.fixed.items():
            if isinstance(value, (bool, int, float, str)):  # the types keras-tuner can hold
                hp.Fixed(name, value)
        return {**self.family.search_space(hp, self.architecture), **self.fixed}

    @property
    def selects_invariance(self):
        """Whether trials are ranked by `INVARIANCE_OBJECTIVE` rather than by the validation loss."""
        spec = self.family.check_architecture(self.architecture)
        return bool(spec.regularises and self.family.leaderboard.order_sensitivity)

    @property
    def objective(self):
        return INVARIANCE_OBJECTIVE if self.selects_invariance else "val_loss"

    def build(self, hp):
        return build_compiled(self.family, self.architecture, self.hyperparameters(hp))

    def fit(self, hp, model, *args, validation_data=None, **kwargs):
        """`model.fit`; for a regularised architecture, also the last epoch's validation loss, the validation
        order sensitivity (mean |f(x) − f(πx)| over the validation sets, π drawn by the family's `permute`) and
        their sum."""
        history = model.fit(*args, validation_data=validation_data, **kwargs)
        if not self.selects_invariance:
            return history
        def predict(sets):
            return model.predict(sets, batch_size=self.family.training.batch_size, verbose=0)

        x = validation_data[0]
        sensitivity = order_sensitivity(predict(x), predict(self.family.permute(x, np.random.default_rng(ORDER_SEED))))
        loss = float(history.history["val_loss"][-1])
        return {"val_loss": loss, "val_order_sensitivity": sensitivity, INVARIANCE_OBJECTIVE: loss + sensitivity}


def build_compiled(family, architecture, hyperparameters):
    """A fresh model of `architecture`, compiled with the family's loss and the given learning rate."""
    model = family.build(architecture, **hyperparameters)
    return family.compile(model, learning_rate=hyperparameters.get("learning_rate", 1e-3))
