"""The interpretation paper's families (Hansen, Calissano, Feragen, 2024): an equivariant graph VAE on QM9 and
rotation-invariant MNIST classifiers, whose equivariant latents `zoo.projections` and `evaluation/interp.py` study."""

from zoo.families import register
from zoo.families.interp.qm9_vae import Qm9VaeFamily
from zoo.families.interp.rotated_mnist import RotatedMnistFamily

register(Qm9VaeFamily())
register(RotatedMnistFamily())
