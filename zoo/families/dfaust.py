"""DSS paper, centre-frame selection on Dynamic FAUST (Maron et al., 2020, §6.2, Table 1).

A set of 7 shuffled frames of a registered human-motion sequence; select the centre frame in time. Elements are
point clouds (a per-point 1×1 convolution as the DSS base layer) or mesh graphs (a graph convolution on the
shared mesh). The data needs a licence from its owners: the zoo carries the loader, the models and the
mean-shape baseline, tested on generated fixtures, and no pretrained weights.
"""

from zoo.data.dfaust import LICENCE_NOTE, centre_frame_sets, mean_shape_baseline, read_registrations, split_sequences
from zoo.families.base import Family
from zoo.families.image_selection import scaled
from zoo.layers.graph import MeshConv
from zoo.layers.pooling import ElementPooling
from zoo.models.architectures import DSS_ARCHITECTURES, set_blocks
from zoo.models.heads import SelectionHead
from zoo.models.set_model import SetModel

SET_SIZE, STRIDE = 7, 3
POINT_WIDTHS = (64, 256, 128)  # per-point 1×1 convs [3, 64, 256, 128], then max over the points
HEAD_WIDTHS = (128,)  # DeepSets head 128 → 128 → 1
PAPER = {  # Table 1: Siamese+DS / DSS(sum) / DSS(max) / DSS(Sridhar) / DSS(Aittala)
    "points": (22.26, 42.45, 28.71, 54.26, 26.43),
    "graphs": (26.53, 44.24, 30.54, 53.16, 26.66),
}
TABLE_ORDER = ("siamese_ds", "dss_sum", "dss_max", "dss_sridhar", "dss_aittala")


class DFaustFamily(Family):
    paper = "dss"
    architectures = ("siamese_ds",) + DSS_ARCHITECTURES
    metric = "accuracy"
    default_hyperparameters = {"width": 1.0, "learning_rate": 1e-3}
    unavailable_reason = LICENCE_NOTE
    baselines = {"mean_shape": mean_shape_baseline}
    batch_size, val_sets, test_sets = 8, 64, 256

    def __init__(self, kind, root=None, num_vertices=6890):
        self.kind, self.root, self.num_vertices = kind, root, num_vertices
        self.name = f"dfaust_{kind}"
        self.task = f"centre-frame selection: the middle of 7 shuffled frames of a human motion ({kind})"
        self.paper_results = {a: v / 100 for a, v in zip(TABLE_ORDER, PAPER[kind])}
        self.paper_results["baseline:mean_shape"] = 0.3447
        self.paper_note = "Table 1, Dynamic FAUST; random choice 0.1428"
        self._data = None

    @property
    def input_spec(self):
        return {"elements": [None, SET_SIZE, self.num_vertices, 3], "mask": [None, SET_SIZE],
                "range": "registered vertex positions (metres), each set centred on its mean"}

    def data(self):
        """`(sequences split by subject, faces)`, read once."""
        if self._data is None:
            sequences, faces = read_registrations(self.root)
            self._data = split_sequences(sequences), faces
        return self._data

    def build(self, architecture, width=1.0, edges=None, **unused):
        """The point-cloud model, or (`kind="graphs"`) the mesh model on the triangles or edges `edges`."""
        self.check_architecture(architecture)
        kind = "siamese" if architecture == "siamese_ds" else architecture
        widths = scaled(POINT_WIDTHS, width)
        if self.kind == "graphs":
            if edges is None:
                edges = self.data()[1]
            base = [MeshConv(w, edges, self.num_vertices) for w in widths]
        else:
            import keras

            base = [keras.layers.Dense(w) for w in widths]
        blocks = set_blocks(kind, base, activation="relu", aggregate_initializer="zeros")
        blocks.append(ElementPooling("max"))  # max over the points of each frame
        model = SetModel(blocks, SelectionHead(scaled(HEAD_WIDTHS, width), pool="max", activation="relu"),
                         name=architecture)
        model.build((None, SET_SIZE, self.num_vertices, 3))
        return model

    def search_space(self, hp, architecture):
        return {"learning_rate": hp.Choice("learning_rate", [3e-4, 1e-3])}

    def load_split(self, split, seed=1, size=None):
        import numpy as np

        from zoo.data.batches import RandomBatches

        splits, _ = self.data()
        if split == "train":
            return RandomBatches(lambda rng, count: centre_frame_sets(splits["train"], count, rng, SET_SIZE, STRIDE),
                                 self.batch_size, size or 50, seed=seed)
        source = splits["train"] if split == "val" else splits["test"]
        count = self.val_sets if split == "val" else self.test_sets
        rng = np.random.default_rng([10_000, seed] if split == "val" else seed)
        return centre_frame_sets(source, count, rng, SET_SIZE, STRIDE)

    def dataset_info(self, train_size=None):
        return {"name": "Dynamic FAUST registrations (licensed; not available to the zoo)",
                "training_split": "sets from the sequences of all but the last two subjects",
                "evaluation_split": f"{self.test_sets} sets per seed from the last two subjects' sequences"}
