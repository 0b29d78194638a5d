"""A keras-tuner HyperModel for any architecture of any family."""

import keras_tuner


class FamilyHyperModel(keras_tuner.HyperModel):
    """Builds and compiles `family.build(architecture, **hyperparameters)` from a trial's hyper-parameters.

    The search space is the architecture's (`family.search_space`); `fixed` overrides it (e.g. a width chosen for
    the device) and is registered as fixed with the tuner, whose trials then only vary the rest.

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

    def build(self, hp):
        return build_compiled(self.family, self.architecture, self.hyperparameters(hp))


def build_compiled(family, architecture, hyperparameters):
    """A fresh model of `architecture`, compiled with the family's loss and the given learning rate."""
    model = family.build(architecture, **hyperparameters)
    return family.compile(model, learning_rate=hyperparameters.get("learning_rate", 1e-3))
