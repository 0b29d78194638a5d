"""Set models: the generic set network, its heads and the baselines."""

from zoo.models.base import ZooModel
from zoo.models.heads import InvariantHead, MergingHead, SelectionHead
from zoo.models.mlp import FlatSetMLP
from zoo.models.set_model import SetModel
from zoo.models.unet import SetUNet

__all__ = ["FlatSetMLP", "InvariantHead", "MergingHead", "SelectionHead", "SetModel", "SetUNet", "ZooModel"]
