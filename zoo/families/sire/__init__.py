"""The SIRE paper's families (Cohen-Karlik et al., 2020): recurrent models regularised towards permutation
invariance, with π-SGD and DeepSets beside them."""

from zoo.data.sequence_tasks import ARITHMETIC_TASKS
from zoo.families import register
from zoo.families.sire.arithmetic import ArithmeticFamily
from zoo.families.sire.half_range import LENGTHS as HALF_RANGE_LENGTHS
from zoo.families.sire.half_range import HalfRangeFamily
from zoo.families.sire.parity import ParityFamily

register(ParityFamily())
for task in ARITHMETIC_TASKS:
    register(ArithmeticFamily(task))
for length in HALF_RANGE_LENGTHS:
    register(HalfRangeFamily(length))
