"""The DSS paper (Maron et al., 2020): the publication, its architectures' names, and what its families share."""

from zoo.families.base import Architecture, Paper

PAPER = Paper(key="dss", title="On Learning Sets of Symmetric Elements",
              authors="Maron, Litany, Chechik, Fetaya", venue="ICML 2020", url="https://arxiv.org/abs/2002.08599")

TITLES = {
    "mlp": "MLP",
    "deepsets": "DeepSets",
    "siamese": "Siamese",
    "siamese_ds": "Siamese+DS",
    "dss_sum": "DSS(sum)",
    "dss_max": "DSS(max)",
    "dss_aittala": "DSS(Aittala)",
    "dss_sridhar": "DSS(Sridhar)",
}
SET_ARCHITECTURES = ("siamese_ds", "dss_sum", "dss_max", "dss_aittala", "dss_sridhar")  # the tables' five


def architectures(names, defaults, search=None, weak=None):
    """`{name: Architecture}` with the paper's titles; `search(hp, name)` draws one trial's hyper-parameters."""
    weak = weak or {}
    return {name: Architecture(TITLES[name], dict(defaults),
                               (lambda hp, name=name: search(hp, name)) if search else None, weak.get(name))
            for name in names}


def set_layer_kind(architecture):
    """The set-layer kind (`zoo.models.architectures`) of an architecture: Siamese+DS starts as a Siamese net."""
    return "siamese" if architecture == "siamese_ds" else architecture
