"""The SIRE paper's families (Cohen-Karlik et al., 2020): recurrent models regularised towards permutation
invariance, with π-SGD and DeepSets beside them."""

from zoo.data.sequence_tasks import ARITHMETIC_TASKS
from zoo.families import register
from zoo.families.sire.arithmetic import ArithmeticFamily, appendix_c_family
from zoo.families.sire.half_range import LENGTHS as HALF_RANGE_LENGTHS
from zoo.families.sire.half_range import HalfRangeFamily
from zoo.families.sire.parity import ParityFamily
from zoo.families.sire.perturbed_mnist import PerturbedMnistFamily
from zoo.families.sire.point_clouds import GRU_UNITS, RecurrentPointCloudFamily

register(ParityFamily())
for task in ARITHMETIC_TASKS:
    register(ArithmeticFamily(task))
register(appendix_c_family())
for length in HALF_RANGE_LENGTHS:
    register(HalfRangeFamily(length))
register(PerturbedMnistFamily())
for points in GRU_UNITS:
    register(RecurrentPointCloudFamily(points))
