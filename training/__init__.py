"""Training: keras-tuner searches over each family's space, then a checkpointed fit of the best configuration."""

from training.fit import fit_model
from training.hypermodel import FamilyHyperModel
from training.search import BUDGETS, search
from training.train import train_model

__all__ = ["BUDGETS", "FamilyHyperModel", "fit_model", "search", "train_model"]
