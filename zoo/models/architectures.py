"""Build the set blocks of each architecture of the DSS paper from a family's element layers.

A family gives a list of H-equivariant base layers (circular convs for signals, 3×3 convs for images, ...);
`set_blocks` turns them into the blocks of one architecture, so every family shares one definition of what
"DSS(sum)", "Siamese" or "Siamese+DS" means.
"""

from zoo.layers.blocks import SetBlock
from zoo.layers.deepsets import DeepSetsEquivariant
from zoo.layers.dss import DSSLayer
from zoo.layers.siamese import Siamese

DSS_ARCHITECTURES = ("dss_sum", "dss_max", "dss_aittala", "dss_sridhar")
SIAMESE_ARCHITECTURES = ("siamese", "siamese_ds")
SET_ARCHITECTURES = SIAMESE_ARCHITECTURES + DSS_ARCHITECTURES

ARCHITECTURE_TITLES = {
    "mlp": "MLP",
    "deepsets": "DeepSets",
    "siamese": "Siamese",
    "siamese_ds": "Siamese+DS",
    "dss_sum": "DSS(sum)",
    "dss_max": "DSS(max)",
    "dss_aittala": "DSS(Aittala)",
    "dss_sridhar": "DSS(Sridhar)",
}


def set_layer(architecture, base_layer, aggregate_initializer=None):
    """The set layer of `architecture` around one element layer: a DSS layer or a Siamese (shared) layer."""
    if architecture in DSS_ARCHITECTURES:
        return DSSLayer(base_layer, aggregation=architecture.removeprefix("dss_"),
                        aggregate_initializer=aggregate_initializer)
    if architecture in SIAMESE_ARCHITECTURES:
        return Siamese(base_layer)
    raise ValueError(f"Unknown set architecture {architecture!r}; expected one of {SET_ARCHITECTURES}.")


def set_blocks(architecture, base_layers, normalization="batch", activation="relu", dropout=0.0,
               aggregate_initializer=None):
    """One `SetBlock` (set layer → BN → activation → dropout) per base layer."""
    return [SetBlock(set_layer(architecture, base, aggregate_initializer), normalization=normalization,
                     activation=activation, dropout=dropout) for base in base_layers]


def deepsets_blocks(units, pool="sum", normalization="batch", activation="relu", dropout=0.0):
    """DeepSets equivariant blocks on vectors, one per width in `units`."""
    return [SetBlock(DeepSetsEquivariant(width, pool=pool), normalization=normalization, activation=activation,
                     dropout=dropout) for width in units]
