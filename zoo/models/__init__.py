"""Set models: the generic set network, its heads and the baselines."""

from zoo.models.base import SetInputModel, ZooModel
from zoo.models.cn_cnn import CNClassifier
from zoo.models.cnn import ImageCNN
from zoo.models.expansion import SetExpansionModel
from zoo.models.graph_vae import EquivariantGraphVAE
from zoo.models.heads import FlatSetHead, InvariantHead, MergingHead, PerElementHead, SelectionHead
from zoo.models.mlp import FlatSetMLP
from zoo.models.recurrent import RecurrentModel
from zoo.models.set_model import SetModel
from zoo.models.unet import SetUNet

__all__ = ["CNClassifier", "EquivariantGraphVAE", "FlatSetHead", "FlatSetMLP", "ImageCNN", "InvariantHead",
           "MergingHead", "PerElementHead", "RecurrentModel", "SelectionHead", "SetExpansionModel",
           "SetInputModel", "SetModel", "SetUNet", "ZooModel"]
