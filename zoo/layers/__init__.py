"""Set layers: DeepSets, DSS and the H-equivariant element layers they are built from.

Every layer here takes a padded batch of sets `(batch, n, *element_shape)` and an optional float mask `(batch, n)`.
"""

from zoo.layers.blocks import SetBlock
from zoo.layers.deepsets import DeepSetsEquivariant
from zoo.layers.deviation import SetDeviation
from zoo.layers.dss import DSSLayer
from zoo.layers.element import CircularConv
from zoo.layers.graph import GraphConv, MeshConv
from zoo.layers.graph_equivariant import EquivariantGraphLinear
from zoo.layers.pooling import ElementPooling, SetPooling
from zoo.layers.rotation import RotationGroupConv2D, RotationLiftingConv2D, RotationMaxPooling2D
from zoo.layers.siamese import Siamese
from zoo.layers.votes import SelectionVote

__all__ = [
    "CircularConv",
    "DSSLayer",
    "DeepSetsEquivariant",
    "ElementPooling",
    "EquivariantGraphLinear",
    "GraphConv",
    "MeshConv",
    "RotationGroupConv2D",
    "RotationLiftingConv2D",
    "RotationMaxPooling2D",
    "SetBlock",
    "SetDeviation",
    "SelectionVote",
    "SetPooling",
    "Siamese",
]
