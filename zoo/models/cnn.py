"""Image classifiers that take images or their flattened pixel sequences: the shared plumbing, and a plain CNN."""

import keras
import numpy as np
from keras import ops

from zoo.layers.base import build_in_order
from zoo.models.base import SetInputModel, ZooModel
from zoo.models.inputs import check_value_range, split_inputs, validate_sets


class ImageClassifier(SetInputModel):
    """The plumbing of a classifier of `image_shape` images ending in a `self.head` of layers whose last is the
    output Dense: inputs as images `(batch, *image_shape)`, with a channel axis `(batch, h, w, c)`, or flattened
    pixels `(batch, h · w · c)`, checked and reshaped to `(batch, h, w, c)`; the logits `(batch, output_units)`.

    Subclasses build `self.head` and read `self.images(inputs)`.
    """

    def __init__(self, image_shape, output_units, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(d) for d in image_shape)
        self.output_units = int(output_units)

    def _image_shape(self):
        return self.image_shape if len(self.image_shape) == 3 else self.image_shape + (1,)

    def images(self, inputs):
        """Any input form as a float image batch `(batch, h, w, c)`."""
        x, _, _ = split_inputs(inputs)
        return ops.reshape(ops.cast(x, self.compute_dtype), (-1,) + self._image_shape())

    def check_inputs(self, x):
        """Any of the three input forms, whatever form the model was built with; anything else (another image size,
        colour channels the model lacks) is a clear error rather than a silent reshape into a different batch."""
        ZooModel.check_inputs(self, x)
        elements = split_inputs(x)[0]
        if hasattr(elements, "shape"):
            shape = tuple(elements.shape)[1:]
            pixels = int(np.prod(self._image_shape()))
            forms = list(dict.fromkeys([self.image_shape, self._image_shape(), (pixels,)]))
            if shape not in forms:
                accepted = " or ".join(str((None,) + form).replace("None", "batch") for form in forms)
                raise ValueError(f"{self.name} takes images {accepted} (flattened pixels); got an input of shape "
                                 f"{tuple(elements.shape)}.")
        validate_sets(x, self.name)
        if self.value_range is not None:
            check_value_range(elements, self.value_range, self.name)

    def compute_output_shape(self, input_shape):
        shape = input_shape["elements"] if isinstance(input_shape, dict) else input_shape
        return (shape[0], self.output_units)

    def classifier_layer(self):
        return self.head[-1]

    def _set_num_classes(self, config, num_classes):
        config["output_units"] = num_classes

    def base_config(self):
        return {**super().base_config(), "image_shape": self.image_shape, "output_units": self.output_units}


@keras.saving.register_keras_serializable(package="zoo")
class ImageCNN(ImageClassifier):
    """Conv (ReLU) + max-pool blocks, a hidden Dense layer and logits: the CNN baseline of image tasks.

    It has no symmetry of its own (declared `"none"`): `zoo.check_symmetry` reports how much a reordering of the
    pixels changes its outputs.

    Args:
        image_shape: `(height, width)` or `(height, width, channels)` of the images.
        output_units: number of classes.
        filters: filters of each conv block (3 × 3 convolutions, 2 × 2 max-pooling after each).
        dense_units: width of the hidden Dense layer.
        dropout: dropout rate before the output (training only).
        rotation_augmentation: turn every training image by a fresh uniformly random angle at each step
            (`keras.layers.RandomRotation`, training only): a plain CNN taught rotation invariance by its data.

    Inputs: `(batch, height · width · channels)` flattened pixels (e.g. a digit read as a sequence), or
    `(batch, *image_shape)`.
    Output: `(batch, output_units)` logits.

    Example:
    >>> ImageCNN((28, 28), 10)(keras.random.uniform((2, 784))).shape
    (2, 10)
    """

    symmetry = {"output": "none", "set": None, "element": None}

    def __init__(self, image_shape, output_units, filters=(32, 64), dense_units=128, dropout=0.0,
                 rotation_augmentation=False, **kwargs):
        super().__init__(image_shape, output_units, **kwargs)
        self.filters = tuple(int(f) for f in filters)
        self.dense_units, self.dropout = int(dense_units), float(dropout)
        self.rotation_augmentation = bool(rotation_augmentation)
        self.blocks = [keras.layers.RandomRotation(0.5, fill_mode="constant", seed=0, name="rotation")] \
            if self.rotation_augmentation else []
        for i, width in enumerate(self.filters):
            self.blocks += [keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv_{i}"),
                            keras.layers.MaxPooling2D(2, name=f"pool_{i}")]
        self.head = [keras.layers.Flatten(name="flatten"),
                     keras.layers.Dense(self.dense_units, activation="relu", name="dense"),
                     keras.layers.Dropout(self.dropout, name="dropout"),
                     keras.layers.Dense(self.output_units, name="output_dense")]

    def build(self, input_shape):
        build_in_order(self.blocks + self.head, (None,) + self._image_shape())

    def call(self, inputs, training=None):
        x = self.images(inputs)
        for layer in self.blocks + self.head:
            x = layer(x, training=training)
        return x

    def get_config(self):
        return {**self.base_config(), "filters": self.filters, "dense_units": self.dense_units,
                "dropout": self.dropout, "rotation_augmentation": self.rotation_augmentation}
