"""The SIRE paper's families (Cohen-Karlik et al., 2020): recurrent models regularised towards permutation
invariance, with π-SGD and DeepSets beside them."""

from zoo.families import register
from zoo.families.sire.parity import ParityFamily

register(ParityFamily())
