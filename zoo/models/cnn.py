"""A plain convolutional classifier for images, given as images or as their flattened pixel sequences."""

import keras
from keras import ops

from zoo.layers.base import build_in_order
from zoo.models.base import SetInputModel
from zoo.models.inputs import split_inputs


@keras.saving.register_keras_serializable(package="zoo")
class ImageCNN(SetInputModel):
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
        super().__init__(**kwargs)
        self.image_shape = tuple(int(d) for d in image_shape)
        self.output_units, self.filters = int(output_units), tuple(int(f) for f in filters)
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

    def _image_shape(self):
        return self.image_shape if len(self.image_shape) == 3 else self.image_shape + (1,)

    def build(self, input_shape):
        build_in_order(self.blocks + self.head, (None,) + self._image_shape())

    def call(self, inputs, training=None):
        x, _, _ = split_inputs(inputs)
        x = ops.reshape(ops.cast(x, self.compute_dtype), (-1,) + self._image_shape())
        for layer in self.blocks + self.head:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_units)

    def classifier_layer(self):
        return self.head[-1]

    def _set_num_classes(self, config, num_classes):
        config["output_units"] = num_classes

    def get_config(self):
        return {**self.base_config(), "image_shape": self.image_shape, "output_units": self.output_units,
                "filters": self.filters, "dense_units": self.dense_units, "dropout": self.dropout,
                "rotation_augmentation": self.rotation_augmentation}
