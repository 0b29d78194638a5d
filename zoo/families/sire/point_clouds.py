"""SIRE paper, point clouds (Cohen-Karlik et al., 2020, §5): ModelNet40 read point by point by a GRU with SIRE.

The same data, loader and splits as the DeepSets paper's family (`zoo.families.deepsets.point_clouds`); the SIRE
paper compares DeepSets with a GRU (256 units, 512 for 5,000 points; dropout 0.75) regularised by SIRE (λ = 0.1),
trained with Adam (1e-3) in batches of 200. The data is for academic research only: the zoo carries the models,
tested on generated fixtures, and no weights.
"""

from zoo.data import modelnet
from zoo.families.base import Architecture, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.deepsets.point_clouds import PointCloudFamily, deepsets_point_cloud_model, input_spec
from zoo.families.sire.paper import PAPER
from zoo.families.widths import scaled
from zoo.models import RecurrentModel
from zoo.tasks import Classification

PAPER_ACCURACY = {"deepsets": {100: 0.825, 1000: 0.872, 5000: 0.90},
                  "sire_gru": {100: 0.835, 1000: 0.878, 5000: 0.899}}
GRU_UNITS = {100: 256, 1000: 256, 5000: 512}
DROPOUT, SIRE_WEIGHT, BATCH_SIZE = 0.75, 0.1, 200


class RecurrentPointCloudFamily(PointCloudFamily):
    """ModelNet40 from clouds of `points` points: DeepSets against a GRU read in the given order, plain and with
    SIRE (`root=` or `$MODELNET_ROOT`, see `zoo.data.modelnet`)."""

    batch_size = BATCH_SIZE

    def parts(self, points):
        numbers = "; ".join(f"{n} points: DeepSets {PAPER_ACCURACY['deepsets'][n]}, SIRE "
                            f"{PAPER_ACCURACY['sire_gru'][n]}" for n in GRU_UNITS)
        return dict(
            name=f"modelnet40_{points}", paper=PAPER,
            description=f"3D object classification: the ModelNet40 class (of 40) of a cloud of {points} points, "
                        "read point by point",
            task=Classification(classes=modelnet.CLASSES),
            architectures={
                "deepsets": Architecture("DeepSets", {"width": 1.0, "learning_rate": 1e-3}),
                "gru": Architecture("GRU", {"width": 1.0, "learning_rate": 1e-3}),
                "sire_gru": Architecture("GRU + SIRE", {"width": 1.0, "learning_rate": 1e-3,
                                                        "sire_weight": SIRE_WEIGHT}, regularises="gru")},
            input_spec=input_spec(points),
            wording=Wording(
                notes=("The GRU reads the points in the order the loader gives them (the sampler's), with dropout "
                       f"{DROPOUT} on its last state; DeepSets is the DeepSets paper's point-cloud model.",),
                data_licence=modelnet.DATA_LICENCE,
                unavailable_reason=modelnet.LICENCE_NOTE,
                retrain="MODELNET_ROOT=/path/to/ModelNet40 zoo train {name}"),
            training=TrainingPlan(batch_size=BATCH_SIZE, budgets={"gpu": {"epochs": 1000, "patience": 100}},
                                  train_size_unit=f"batches of {BATCH_SIZE} augmented training clouds per epoch"),
            leaderboard=LeaderboardPlan(
                paper_results={name: values[points] for name, values in PAPER_ACCURACY.items()},
                paper_note=f"§5, ModelNet40 test accuracy: {numbers}", order_sensitivity=True))

    def build(self, architecture, width=1.0, sire_weight=0.0, **unused):
        """DeepSets (the DeepSets paper's model), or a GRU of the paper's width × `width` with dropout on its last
        state and 40 logits; built for clouds of any number of points `(batch, n, 3)`."""
        self.check_architecture(architecture)
        if architecture == "deepsets":
            return deepsets_point_cloud_model(self.points, width, name=architecture)
        (units,) = scaled((GRU_UNITS[self.points],), width)
        model = RecurrentModel(cell="gru", units=units, dropout=DROPOUT, output_units=len(modelnet.CLASSES),
                               sire_weight=sire_weight, seed=0, name=architecture)
        model.build((None, None, 3))
        return model
