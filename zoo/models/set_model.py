"""The generic set network: equivariant blocks followed by a head."""

import keras

from zoo.layers.base import build_in_order
from zoo.layers.calling import call_layer
from zoo.models.base import SetInputModel
from zoo.models.inputs import check_element_shape, elements_shape, split_inputs

SET_GROUP = "S_n: permutations of the set axis"


def _deserialize(layer):
    return keras.saving.deserialize_keras_object(layer) if isinstance(layer, dict) else layer


@keras.saving.register_keras_serializable(package="zoo")
class SetModel(SetInputModel):
    """A set network `head(block_k(...block_1(X)))`: every DSS, DeepSets and Siamese model of the zoo.

    Each block is permutation-equivariant (and equivariant to the element group H when its base layers are), so
    the model is invariant, equivariant or selective exactly as its head says. The declared symmetry is part of
    the config and is what `zoo.check_symmetry` verifies.

    Args:
        blocks: equivariant set layers (`SetBlock`, `Siamese`, ...), instances or serialized configs.
        head: an `InvariantHead`, `SelectionHead`, `MergingHead` or (for an order-dependent baseline)
            `FlatSetHead`.
        element_symmetry: the element group the model is exactly equivariant/invariant to, or None. Supported by
            `check_symmetry`: `{"group": "circular_shift", "axes": [0], "step": 4}` (axes count from the first
            element axis; shifts by multiples of `step`) or `{"group": "rotation90", "axes": [0, 1]}`, with
            `"output": "equivariant"` when the output moves with the input (e.g. a merged image) rather than
            staying unchanged.
        vote: an optional layer that combines the head's output with the model's input elements,
            `vote([head output, elements], mask=...)` (e.g. `SelectionVote`, a selection head's scores plus
            cues from the set's geometry), keeping the head's symmetry.
        input_range: `(low, high)` of integer token elements (e.g. digits through an embedding), checked on
            NumPy inputs.

    Inputs: `(batch, n, *element_shape)` or `{"elements": ..., "mask": (batch, n), **side_inputs}`.
    Output: the head's output.

    Example:
    >>> from zoo.layers import DeepSetsEquivariant, SetBlock
    >>> model = SetModel([SetBlock(DeepSetsEquivariant(16), activation="relu")], InvariantHead(3))
    >>> model(keras.random.normal((2, 5, 4))).shape
    (2, 3)
    """

    def __init__(self, blocks, head, element_symmetry=None, vote=None, **kwargs):
        super().__init__(**kwargs)
        self.set_blocks = [_deserialize(block) for block in blocks]
        self.head = _deserialize(head)
        self.vote = _deserialize(vote) if vote is not None else None
        self.element_symmetry = element_symmetry
        if self.head.output_symmetry == "none":  # an order-dependent head (a baseline) takes a fixed set, no padding
            self.symmetry = {"output": "none", "set": None, "element": None}
        else:
            self.symmetry = {"output": self.head.output_symmetry, "set": SET_GROUP, "element": element_symmetry}

    def build(self, input_shape):
        shape = elements_shape(input_shape)
        self.element_shape = tuple(shape[2:])
        output_shape = build_in_order(self.set_blocks + [self.head], shape)
        if self.vote is not None and not self.vote.built:
            self.vote.build([output_shape, shape])

    def call(self, inputs, mask=None, training=None):
        elements, mask, context = split_inputs(inputs, mask)
        check_element_shape(elements.shape, self.element_shape, self.name)
        x = elements
        for block in self.set_blocks:
            x = call_layer(block, x, mask=mask, training=training, **context)
        output = call_layer(self.head, x, mask=mask, training=training)
        return output if self.vote is None else call_layer(self.vote, [output, elements], mask=mask, training=training)

    def classifier_layer(self):
        return getattr(self.head, "output_dense", None)

    def _set_num_classes(self, config, num_classes):
        config["head"]["config"]["units"] = num_classes

    def get_config(self):
        return {
            **self.base_config(),
            "blocks": [keras.saving.serialize_keras_object(block) for block in self.set_blocks],
            "head": keras.saving.serialize_keras_object(self.head),
            "element_symmetry": self.element_symmetry,
            "vote": None if self.vote is None else keras.saving.serialize_keras_object(self.vote),
        }
