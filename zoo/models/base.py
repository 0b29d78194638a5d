"""Behaviour shared by every zoo model: input checks, a declared symmetry and a hand-written config."""

import keras

from zoo.models.inputs import check_element_shape, elements_shape, split_inputs, validate_sets


class ZooModel(keras.Model):
    """Base class of the zoo's models.

    Subclasses set `self.symmetry` (a dict: `output` is "invariant", "equivariant", "selection" or "none", `set`
    the group acting on the set axis, `element` the group acting on each element or None) and write
    `get_config` by hand (Keras's automatic config of subclassed models loses constructor arguments).
    NumPy inputs to `predict`, `evaluate` and `fit` are checked first: NaNs, empty sets and wrong shapes give a
    clear error instead of a silent wrong answer.
    """

    symmetry = {"output": "none", "set": None, "element": None}

    def predict(self, x, *args, **kwargs):
        self.check_inputs(x)
        return super().predict(x, *args, **kwargs)

    def evaluate(self, x=None, *args, **kwargs):
        self.check_inputs(x)
        return super().evaluate(x, *args, **kwargs)

    def fit(self, x=None, *args, **kwargs):
        self.check_inputs(x)
        return super().fit(x, *args, **kwargs)

    def check_inputs(self, x):
        """Raise a clear error for NumPy inputs this model cannot take (wrong shape, NaN, empty sets)."""
        validate_sets(x, self.name)
        elements = split_inputs(x)[0]
        if self.built and hasattr(elements, "shape"):
            expected = elements_shape(self.get_build_config()["input_shape"])
            check_element_shape(elements.shape, expected[2:], self.name)

    def classifier_layer(self):
        """The output Dense layer whose width is the number of classes, or None (e.g. a selection head)."""
        return None

    def with_num_classes(self, num_classes):
        """A copy of this model with a new, freshly initialised output layer of `num_classes` units.

        Every other weight is copied, so fine-tuning on a new label set starts from the pretrained features
        (keras-hub's rule for `from_preset(..., num_classes=K)`).
        """
        if self.classifier_layer() is None:
            raise ValueError(f"{self.name} has no class output layer, so num_classes cannot be changed.")
        config = self.get_config()
        self._set_num_classes(config, int(num_classes))
        model = self.__class__.from_config(config)
        model.build_from_config(self.get_build_config())
        skip = {id(variable) for variable in model.classifier_layer().weights}
        for source, target in zip(self.weights, model.weights):
            if id(target) not in skip:
                target.assign(source)
        return model

    def _set_num_classes(self, config, num_classes):
        raise NotImplementedError

    def base_config(self):
        """The config entries every model has."""
        return {"name": self.name, "trainable": self.trainable, "symmetry": self.symmetry}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("symmetry", None)  # derived from the architecture, recorded for readers of config.json
        return cls(**config)
