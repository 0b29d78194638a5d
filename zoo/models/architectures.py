"""Build set blocks of one set-layer kind from a list of element layers.

A kind names how the elements of a set interact in a layer: a `DSSLayer` with one of its aggregations
(`"dss_sum"`, `"dss_max"`, `"dss_aittala"`, `"dss_sridhar"`), or none at all (`"siamese"`: the same layer on every
element). Given H-equivariant base layers (circular convs for signals, 3×3 convs for images, ...), `set_blocks`
makes the blocks of one kind, so every model shares one definition of each.
"""

from zoo.layers.blocks import SetBlock
from zoo.layers.deepsets import DeepSetsEquivariant
from zoo.layers.dss import AGGREGATIONS, DSSLayer
from zoo.layers.siamese import Siamese

DSS_KINDS = tuple(f"dss_{aggregation}" for aggregation in AGGREGATIONS)
SET_LAYER_KINDS = ("siamese", "siamese_ds") + DSS_KINDS


def set_layer(kind, base_layer, aggregate_initializer=None):
    """The set layer of `kind` around one element layer: a DSS layer or a Siamese (shared) layer."""
    if kind in DSS_KINDS:
        return DSSLayer(base_layer, aggregation=kind.removeprefix("dss_"), aggregate_initializer=aggregate_initializer)
    if kind in ("siamese", "siamese_ds"):
        return Siamese(base_layer)
    raise ValueError(f"Unknown set layer kind {kind!r}; expected one of {SET_LAYER_KINDS}.")


def set_blocks(kind, base_layers, normalization="batch", activation="relu", dropout=0.0, aggregate_initializer=None):
    """One `SetBlock` (set layer → BN → activation → dropout) per base layer."""
    return [SetBlock(set_layer(kind, base, aggregate_initializer), normalization=normalization,
                     activation=activation, dropout=dropout) for base in base_layers]


def deepsets_blocks(units, pool="sum", normalization="batch", activation="relu", dropout=0.0):
    """DeepSets equivariant blocks on vectors, one per width in `units`."""
    return [SetBlock(DeepSetsEquivariant(width, pool=pool), normalization=normalization, activation=activation,
                     dropout=dropout) for width in units]
