"""The lab's families ("Symmetry in Deep Learning Representations", lab 1 of a deep-learning course)."""

from zoo.families import register
from zoo.families.lab.identity_sum import IdentitySumFamily

register(IdentitySumFamily())
