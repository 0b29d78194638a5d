"""DSS paper, centre-frame selection on Dynamic FAUST (Maron et al., 2020, §6.2, Table 1).

A set of 7 shuffled frames of a registered human-motion sequence; select the centre frame in time. Elements are
point clouds (a per-point 1×1 convolution as the DSS base layer) or mesh graphs (a graph convolution on the
shared mesh). The data needs a licence from its owners: the zoo carries the loader, the models and the
mean-shape baseline, tested on generated fixtures, and no pretrained weights.
"""

import keras
import numpy as np

from zoo.data.batches import RandomBatches
from zoo.data.dfaust import (
    LICENCE_NOTE,
    centre_frame_sets,
    mean_shape_baseline,
    read_registrations,
    registration_files,
    split_sequences,
)
from zoo.families.base import Family, LeaderboardPlan, TrainingPlan, Wording
from zoo.families.dss.paper import PAPER, SET_ARCHITECTURES, architectures, set_layer_kind
from zoo.families.widths import scaled, width_note
from zoo.layers.graph import MeshConv
from zoo.layers.pooling import ElementPooling
from zoo.models.architectures import set_blocks
from zoo.models.heads import SelectionHead
from zoo.models.set_model import SetModel
from zoo.tasks import Selection

SET_SIZE, STRIDE = 7, 3
POINT_WIDTHS = (64, 256, 128)  # per-point 1×1 convs [3, 64, 256, 128], then max over the points
HEAD_WIDTHS = (128,)  # DeepSets head 128 → 128 → 1
PAPER_TABLE = {  # Table 1: Siamese+DS / DSS(sum) / DSS(max) / DSS(Sridhar) / DSS(Aittala)
    "points": (22.26, 42.45, 28.71, 54.26, 26.43),
    "graphs": (26.53, 44.24, 30.54, 53.16, 26.66),
}
TABLE_ORDER = ("siamese_ds", "dss_sum", "dss_max", "dss_sridhar", "dss_aittala")
BATCH_SIZE, TRAIN_STEPS, VAL_SETS, TEST_SETS = 8, 50, 64, 256
# Any mesh describes the graph models (MeshConv's weights do not depend on the topology).
PLACEHOLDER_MESH = [[0, 1, 2]]


def _search(hp, architecture):
    return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3])}


class DFaustFamily(Family):
    def __init__(self, kind, root=None, num_vertices=6890):
        paper_results = {a: v / 100 for a, v in zip(TABLE_ORDER, PAPER_TABLE[kind])}
        super().__init__(
            name=f"dfaust_{kind}", paper=PAPER,
            description=f"centre-frame selection: the middle of 7 shuffled frames of a human motion ({kind})",
            task=Selection(SET_SIZE, "the centre frame in time"),
            architectures=architectures(SET_ARCHITECTURES, {"width": 1.0, "learning_rate": 1e-3}, _search),
            input_spec={"elements": [None, SET_SIZE, num_vertices, 3], "mask": [None, SET_SIZE],
                        "range": "registered vertex positions (metres), each set centred on its mean"},
            baselines={"mean_shape": mean_shape_baseline},
            wording=Wording(unavailable_reason=LICENCE_NOTE,
                            retrain="DFAUST_ROOT=/path/to/registrations zoo train {name}"),
            training=TrainingPlan(train_size_unit=f"batches of {BATCH_SIZE} random sets per epoch"),
            leaderboard=LeaderboardPlan(paper_results={**paper_results, "baseline:mean_shape": 0.3447},
                                        paper_note="Table 1, Dynamic FAUST; random choice 0.1428"))
        self.kind, self.root, self.num_vertices = kind, root, num_vertices
        self._data = None

    def find_data(self):
        registration_files(self.root)

    def data(self):
        """`(sequences split by subject, faces)`, read once."""
        if self._data is None:
            sequences, faces = read_registrations(self.root)
            self._data = split_sequences(sequences), faces
        return self._data

    def build(self, architecture, width=1.0, edges=None, **unused):
        """The point-cloud model, or (`kind="graphs"`) the mesh model on the triangles or edges `edges` (default:
        the registrations' mesh)."""
        self.check_architecture(architecture)
        widths = scaled(POINT_WIDTHS, width)
        if self.kind == "graphs":
            if edges is None:
                edges = self.data()[1]
            base = [MeshConv(w, edges, self.num_vertices) for w in widths]
        else:
            base = [keras.layers.Dense(w) for w in widths]
        blocks = set_blocks(set_layer_kind(architecture), base, activation="relu", aggregate_initializer="zeros")
        blocks.append(ElementPooling("max"))  # max over the points of each frame
        model = SetModel(blocks, SelectionHead(scaled(HEAD_WIDTHS, width), pool="max", activation="relu"),
                         name=architecture)
        model.build((None, SET_SIZE, self.num_vertices, 3))
        return model

    def example_model(self, architecture, hyperparameters):
        return self.build(architecture, **dict(hyperparameters, edges=PLACEHOLDER_MESH))

    def entry_notes(self, hyperparameters):
        return width_note(hyperparameters)

    def load_split(self, split, seed=1, size=None, set_size=None):
        splits, _ = self.data()
        if split == "train":
            return RandomBatches(lambda rng, count: centre_frame_sets(splits["train"], count, rng, SET_SIZE, STRIDE),
                                 BATCH_SIZE, size or TRAIN_STEPS, seed=seed)
        source = splits["train"] if split == "val" else splits["test"]
        count = VAL_SETS if split == "val" else TEST_SETS
        rng = np.random.default_rng([10_000, seed] if split == "val" else seed)
        return centre_frame_sets(source, count, rng, SET_SIZE, STRIDE)

    def dataset_info(self, train_size=None):
        return {"name": "Dynamic FAUST registrations (licensed; not available to the zoo)",
                "training_split": "sets from the sequences of all but the last two subjects",
                "evaluation_split": f"{TEST_SETS} sets per seed from the last two subjects' sequences"}
