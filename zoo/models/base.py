"""Behaviour shared by every zoo model: checked inputs, a declared symmetry and a hand-written config."""

import keras
import numpy as np
from keras import KerasTensor

from zoo.models.inputs import (
    check_element_shape,
    check_regular,
    check_value_range,
    elements_shape,
    real_valued,
    split_inputs,
    validate_sets,
    warn_on_set_sizes,
)


class ZooModel(keras.Model):
    """Base class of the zoo's models, whatever their input: sets, sequences, graphs or images.

    Subclasses set `self.symmetry`, the declaration `zoo.check_symmetry` measures:

    - `output`: how the output transforms when the elements (or nodes) are permuted: `"invariant"`,
      `"equivariant"`, `"selection"` (a score per element) or `"none"` (no set symmetry; errors are only reported);
    - `exact`: False for a model only regularised towards its symmetry (errors are reported, not judged);
    - `set`: the permutation group of the set axis (axis 1), or None;
    - `element`: the group acting on each element (`circular_shift`, `rotation90`), or None;
    - optional `padding` (masked padding leaves the outputs unchanged; default: whether `set` is declared),
      `graph` (`{"adjacency": key}`: node permutations also permute the rows and columns of that input),
      `nodes` (the input name of the elements or nodes, when not `"elements"`) and `output_axes` (the output axes
      an equivariant output permutes, default `[1]`; a dict of them per output for dict outputs).

    Subclasses write `get_config` by hand (Keras's automatic config of subclassed models loses constructor
    arguments). NumPy inputs to `predict`, `evaluate`, `fit` and eager calls `model(x)` are converted losslessly
    (`prepare_inputs`) and checked (`check_inputs`): ragged sets, NaNs and, for set models, empty sets or batches,
    wrong shapes, masks that are not 0/1 or not `(batch, n)`, and tokens outside the vocabulary give a clear error
    instead of a silent wrong answer.
    """

    symmetry = {"output": "none", "set": None, "element": None}
    # `(low, high)` of real-valued inputs (e.g. images in [0, 1]); `zoo.load` sets it from the family's input spec.
    value_range = None
    # `(smallest, largest)` training set sizes; `zoo.load` sets it from the family. Sets far outside warn.
    trained_set_sizes = None

    def __call__(self, *args, **kwargs):
        if args and not isinstance(args[0], KerasTensor):  # eager calls get predict's checks
            args = (self._checked(args[0]),) + args[1:]
        return super().__call__(*args, **kwargs)

    def predict(self, x, *args, **kwargs):
        return super().predict(self._checked(x), *args, **kwargs)

    def evaluate(self, x=None, *args, **kwargs):
        return super().evaluate(self._checked(x), *args, **kwargs)

    def fit(self, x=None, *args, **kwargs):
        return super().fit(self._checked(x), *args, **kwargs)

    def _checked(self, x):
        x = self.prepare_inputs(x)
        self.check_inputs(x)
        return x

    def prepare_inputs(self, x):
        """NumPy inputs in the dtypes the model computes with (a lossless conversion only); others unchanged."""
        return x

    def check_inputs(self, x):
        """Raise a clear error for NumPy inputs this model cannot take."""
        check_regular(x, self.name)

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


class SetInputModel(ZooModel):
    """A zoo model whose input is a padded batch of sets: `(batch, n, *element_shape)` or
    `{"elements": ..., "mask": (batch, n) float, **side_inputs}`.

    Args:
        input_range: `(low, high)` of the integer tokens the model takes (e.g. digits 1–9 through an
            embedding), checked on NumPy inputs; None for real-valued elements.
    """

    def __init__(self, input_range=None, **kwargs):
        super().__init__(**kwargs)
        self.input_range = None if input_range is None else tuple(int(v) for v in input_range)

    def prepare_inputs(self, x):
        """A boolean mask as 0/1 floats; integer elements (e.g. uint8 pixels) of a real-valued model as float32."""
        return real_valued(x, convert_elements=self.input_range is None)

    def check_inputs(self, x):
        super().check_inputs(x)
        validate_sets(x, self.name, self.input_range)
        if self.trained_set_sizes is not None:
            warn_on_set_sizes(x, self.trained_set_sizes, self.name)
        elements, mask, _ = split_inputs(x)
        if self.value_range is not None:
            real = elements[mask > 0] if isinstance(elements, np.ndarray) and isinstance(mask, np.ndarray) \
                else elements  # padding may hold anything
            check_value_range(real, self.value_range, self.name)
        if self.built and hasattr(elements, "shape"):
            expected = elements_shape(self.get_build_config()["input_shape"])
            check_element_shape(elements.shape, expected[2:], self.name)

    def base_config(self):
        config = super().base_config()
        if self.input_range is not None:
            config["input_range"] = self.input_range
        return config
