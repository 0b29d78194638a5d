"""A keras-tuner HyperModel for any architecture of any family."""

import keras_tuner

from training.invariance import INVARIANCE_OBJECTIVE, ValidationOrderSensitivity, selects_invariance


class FamilyHyperModel(keras_tuner.HyperModel):
    """Builds and compiles `family.build(architecture, **hyperparameters)` from a trial's hyper-parameters.

    The search space is the architecture's (`family.search_space`); `fixed` overrides it (e.g. a width chosen for
    the device) and is registered as fixed with the tuner, whose trials then only vary the rest.

    A regularised architecture (`Architecture.regularises`) of a family that measures order sensitivity is
    ranked by its validation loss plus its validation order sensitivity (`training.invariance`), so that of
    two weights λ that fit equally well the one whose model depends less on the order wins; others by the
    validation loss. Either is taken at the trial's best epoch.

    Example:
    >>> from zoo.families import get_family
    >>> hypermodel = FamilyHyperModel(get_family("signals"), "dss_sum", fixed={"width": 0.25})
    >>> model = hypermodel.build(keras_tuner.HyperParameters())
    """

    def __init__(self, family, architecture, fixed=None, **kwargs):
        super().__init__(name=f"{architecture}_{family.name}", **kwargs)
        family.check_hyperparameters(architecture, fixed or {})
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
    def objective(self):
        """The logged value trials are ranked by: `INVARIANCE_OBJECTIVE` or `"val_loss"`."""
        return INVARIANCE_OBJECTIVE if selects_invariance(self.family, self.architecture) else "val_loss"

    def build(self, hp):
        return build_compiled(self.family, self.architecture, self.hyperparameters(hp))

    def fit(self, hp, model, *args, validation_data=None, callbacks=(), **kwargs):
        """`model.fit`; for a regularised architecture, each epoch also logs the validation order sensitivity
        and `INVARIANCE_OBJECTIVE` (`ValidationOrderSensitivity`, ahead of the tuner's callbacks)."""
        if self.objective == INVARIANCE_OBJECTIVE:
            callbacks = [ValidationOrderSensitivity(self.family, validation_data[0]), *callbacks]
        return model.fit(*args, validation_data=validation_data, callbacks=list(callbacks), **kwargs)


def build_compiled(family, architecture, hyperparameters):
    """A fresh model of `architecture`, compiled with the family's loss and the given learning rate."""
    model = family.build(architecture, **hyperparameters)
    return family.compile(model, learning_rate=hyperparameters.get("learning_rate", 1e-3))
