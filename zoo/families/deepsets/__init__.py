"""The DeepSets paper's families (Zaheer et al., 2017)."""

from zoo.data.lda import VARIANTS as LDA_VARIANTS
from zoo.data.population import TASKS as POPULATION_TASKS
from zoo.families import register
from zoo.families.deepsets.anomaly import AnomalyMnistFamily
from zoo.families.deepsets.anomaly_celeba import AnomalyCelebaFamily
from zoo.families.deepsets.digit_sums import DigitSumMnistFamily, DigitSumTextFamily
from zoo.families.deepsets.image_tagging import ImageTaggingCocoFamily
from zoo.families.deepsets.point_clouds import PointCloudFamily
from zoo.families.deepsets.population import PopulationFamily
from zoo.families.deepsets.redshift import RedshiftFamily
from zoo.families.deepsets.set_expansion import SetExpansionFamily

register(DigitSumTextFamily())
register(DigitSumMnistFamily())
for statistic in POPULATION_TASKS:
    register(PopulationFamily(statistic))
for variant in LDA_VARIANTS:
    register(SetExpansionFamily(variant))
register(AnomalyMnistFamily())
register(AnomalyCelebaFamily())
for points in (100, 1000, 5000):
    register(PointCloudFamily(points))
register(RedshiftFamily())
register(ImageTaggingCocoFamily())
