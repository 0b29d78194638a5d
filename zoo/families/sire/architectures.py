"""The architectures every SIRE task compares: RNN, GRU and LSTM cells plain and with SIRE, a π-SGD GRU and DeepSets.

A task supplies its element encoders and widths; the names (`gru`, `sire_gru`, `pisgd_gru`, `deepsets`, …), titles,
search spaces and the builder are shared, so a new task is its data and a few numbers.

Example:
>>> architectures = sequence_architectures(deepsets_weak=None)
>>> model = build_sequence_model("sire_gru", SequenceWidths(units=20), lambda: [], input_range=(0, 1), sire_weight=0.1)
"""

import dataclasses

import keras

from zoo.families.base import Architecture
from zoo.layers import Siamese
from zoo.models import InvariantHead, RecurrentModel, SetModel

CELLS = ("rnn", "gru", "lstm")
TITLES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
SIRE_WEIGHTS = (0.01, 0.1, 1.0)
SUB_WEIGHTS = (0.001, 0.01, 0.1)
LEARNING_RATES = (1e-3, 3e-3, 1e-2)
PI_SGD_PERMUTATIONS = 20  # orders averaged at inference, as in the paper's baseline


# Cards' note on entries whose searched hyper-parameter was settled by full runs rather than the short trials.
FULL_RUN_NOTE = ("Where the search's short trials chose a value that a full training run at another value of the "
                 "same search space beat on the validation criterion (the validation loss, plus the validation "
                 "order sensitivity for a regularised model), the entry ships that full run; its card names the "
                 "value as fixed by the trainer.")


# The cards' note on entries trained with the relative SIRE distance (`RecurrentModel`'s `sire_scale`).
RELATIVE_SIRE_NOTE = ("SIRE here divides the squared distance between the two swapped states by their mean squared "
                      "norm (`sire_scale = relative`), a choice of the zoo: a cell can lower the paper's distance by "
                      "shrinking its states (the range's ReLU RNN did, and its output became more order-sensitive, "
                      "not less), while the relative distance is the same at any scale of the states. Its λ has no "
                      "counterpart in the paper and was fixed by the trainer from full runs, as the card's training "
                      "section says.")


def regulariser_notes(hyperparameters):
    """The card's sentences on how an entry's regulariser departs from the paper's: the relative SIRE distance, and
    how a π-SGD entry (`permutations` k > 0) trains and predicts; `[]` for the others.

    >>> regulariser_notes({"learning_rate": 0.01})
    []
    """
    k = int(hyperparameters.get("permutations", 0))
    return ([RELATIVE_SIRE_NOTE] if hyperparameters.get("sire_scale") == "relative" else []) + (
        [f"π-SGD: each training step reads every set in a fresh random order, and a prediction is the mean of "
         f"the outputs over k = {k} random orders of the set's elements (the same {k} orders at every call, so "
         "predictions reproduce); its order sensitivity is what the averaging leaves of the order."] if k else [])


def search_space(rates=LEARNING_RATES, **weights):
    """A keras-tuner search over the learning `rates` and, for each `name=values` of `weights` (e.g.
    `sire_weight=SIRE_WEIGHTS`), over that regulariser's λ."""
    def search(hp):
        return {"learning_rate": hp.Choice("learning_rate", list(rates)),
                **{name: hp.Choice(name, list(values)) for name, values in weights.items()}}

    return search


_search = search_space()


def scaled_weights(weights, output_scale):
    """The model's λ for each of the paper's `weights`, in a model whose unit-scale output is multiplied by
    `output_scale` (e.g. 100 for ranges of integers 0–99).

    The task loss is in the target's units, so a state difference that moves the unit-scale output by δ costs
    `output_scale · δ` there, while SIRE and SUB weigh the squared state difference itself: λ · `output_scale`² puts
    the two on the same footing (measured on `range`, output scale 100, 40 epochs: λ = 1 left the order
    sensitivity of a GRU where λ = 0 had it, 1.71 against 1.73; λ = 100 and 1000 cut it to 1.05 and 0.65 at the
    same accuracy).

    >>> scaled_weights((0.01, 0.1), output_scale=100.0)
    (100.0, 1000.0)
    """
    return tuple(float(weight) * output_scale ** 2 for weight in weights)


def weight_units(output_scale):
    """The `Architecture.paper_units` of a recurrent model's SIRE and SUB weights under `scaled_weights`.

    >>> weight_units(100.0)
    {'sire_weight': 10000.0, 'sub_weight': 10000.0}
    """
    (factor,) = scaled_weights((1.0,), output_scale)
    return {"sire_weight": factor, "sub_weight": factor} if factor != 1.0 else {}


def sub_architecture(cell, learning_rate=3e-3, sub_weight=0.001, output_scale=1.0):
    """The `cell` regularised by SUB (the paper's Appendix C): default λ `sub_weight`, searched over `SUB_WEIGHTS`
    (both the paper's; the model's are `scaled_weights` of them)."""
    (default,), weights = scaled_weights((sub_weight,), output_scale), scaled_weights(SUB_WEIGHTS, output_scale)
    return Architecture(f"{TITLES[cell]} + SUB", {"learning_rate": learning_rate, "sub_weight": default},
                        search_space(sub_weight=weights), regularises=cell, paper_units=weight_units(output_scale))


def sequence_architectures(deepsets_weak=None, learning_rate=3e-3, sire_weight=0.1, sire_weights=SIRE_WEIGHTS,
                           output_scale=1.0, sire_pairs=None, cell_options=None):
    """`{name: Architecture}`: `rnn`, `gru`, `lstm`, `sire_<cell>` (default λ `sire_weight`, searched over
    `sire_weights`, both the paper's; the model's are `scaled_weights` of them for the task's `output_scale`; with
    `sire_pairs`, e.g. `"adjacent"`, the pairs SIRE swaps, a hyper-parameter `RecurrentModel` takes), `pisgd_gru`
    and `deepsets` (declared weak with the sentence `deepsets_weak`, when the task defeats it by design).
    `cell_options` maps a cell to the hyper-parameters its plain and SIRE models take beyond the defaults (e.g.
    `{"rnn": {"activation": "relu"}}` for a ReLU cell instead of tanh), recorded with their other
    hyper-parameters."""
    (default,), weights = scaled_weights((sire_weight,), output_scale), scaled_weights(sire_weights, output_scale)
    cell_options, units = cell_options or {}, weight_units(output_scale)
    plain = {cell: Architecture(TITLES[cell], {"learning_rate": learning_rate, **cell_options.get(cell, {})},
                                _search, paper_units=units) for cell in CELLS}
    pairs = {"sire_pairs": sire_pairs} if sire_pairs else {}
    sire = {f"sire_{cell}": Architecture(f"{TITLES[cell]} + SIRE",
                                         {"learning_rate": learning_rate, "sire_weight": default, **pairs,
                                          **cell_options.get(cell, {})},
                                         search_space(sire_weight=weights), regularises=cell, paper_units=units)
            for cell in CELLS}
    return {**plain, **sire,
            "pisgd_gru": Architecture("π-SGD GRU", {"learning_rate": learning_rate,
                                                     "permutations": PI_SGD_PERMUTATIONS}, _search,
                                      regularises="gru", paper_units=units),
            "deepsets": Architecture("DeepSets", {"learning_rate": learning_rate}, _search, weak=deepsets_weak)}


def integer_encoders(recurrent_scale, deepsets_scale, deepsets_width, element_units=0):
    """`(recurrent_encoder, deepsets_encoder)` for sequences of integer tokens, as `build_sequence_model` takes
    them: the recurrence reads each token times `recurrent_scale` (then through a ReLU layer of `element_units`,
    when given); DeepSets' φ rescales it by `deepsets_scale`, then two ReLU layers of `deepsets_width`.

    >>> recurrent_encoder, deepsets_encoder = integer_encoders(0.01, 0.01, 100)
    >>> [type(layer).__name__ for layer in deepsets_encoder()]
    ['Rescaling', 'Reshape', 'Dense', 'Dense']
    >>> [type(layer).__name__ for layer in integer_encoders(0.01, 0.01, 100, element_units=16)[0]()]
    ['Rescaling', 'Reshape', 'Dense']
    """
    def recurrent_encoder():
        element = [keras.layers.Reshape((1,)), keras.layers.Dense(element_units, activation="relu")] \
            if element_units else []
        return [keras.layers.Rescaling(recurrent_scale), *element]

    def deepsets_encoder():
        return [keras.layers.Rescaling(deepsets_scale), keras.layers.Reshape((1,)),
                keras.layers.Dense(deepsets_width, activation="relu"),
                keras.layers.Dense(deepsets_width, activation="relu")]

    return recurrent_encoder, deepsets_encoder


@dataclasses.dataclass(frozen=True)
class SequenceWidths:
    """The sizes of a task's models: recurrent `units` and head, DeepSets `deepsets_width` (φ and ρ), and the
    `output_scale` that brings the targets to unit scale."""

    units: int = 20
    head_units: tuple = ()
    deepsets_width: int = 100
    output_scale: float = 1.0


def build_sequence_model(architecture, widths, recurrent_encoder, deepsets_encoder=None, input_range=None,
                         sire_weight=0.0, permutations=0, sub_weight=0.0, sire_pairs="batch", sire_blocks=(),
                         sire_scale="absolute", sire_state_length=0, activation="tanh", name=None):
    """A built model of one of `sequence_architectures`.

    Args:
        architecture: `"gru"`, `"sire_lstm"`, `"sub_gru"`, `"pisgd_gru"`, `"deepsets"`, ….
        widths: the task's `SequenceWidths`.
        recurrent_encoder, deepsets_encoder: `() -> [layers]`, fresh element layers `φ` before the recurrence and
            before DeepSets' sum (the DeepSets encoder ends with `deepsets_width` features).
        input_range: `(low, high)` of the integer tokens, checked on every call.
        sire_weight, permutations, sub_weight: λ of SIRE, k orders of π-SGD, and λ of SUB.
        sire_pairs: the pairs SIRE swaps (`RecurrentModel`'s `"batch"` or `"adjacent"`).
        sire_blocks: with adjacent pairs, the blocks of positions SIRE's swaps stay inside (`RecurrentModel`'s).
        sire_scale: `RecurrentModel`'s `"absolute"` (the paper's) or `"relative"` SIRE distance.
        sire_state_length: `RecurrentModel`'s: 0 (the paper's) or the longest random sequence SIRE's states follow.
        activation: the recurrent cell's activation (`"tanh"`, or `"relu"` for a plain RNN that computes maxima).
    """
    name = name or architecture
    if architecture == "deepsets":
        model = SetModel([Siamese(layer) for layer in deepsets_encoder()],
                         InvariantHead(1, pool="sum", hidden_units=(widths.deepsets_width,),
                                       output_scale=widths.output_scale), input_range=input_range, name=name)
    else:
        cell = architecture.split("_")[-1]  # after the regulariser's prefix
        model = RecurrentModel(recurrent_encoder(), cell=cell, units=widths.units, activation=activation,
                               head_units=widths.head_units,
                               output_scale=widths.output_scale, sire_weight=sire_weight, sire_pairs=sire_pairs,
                               sire_blocks=sire_blocks, sire_scale=sire_scale, sire_state_length=sire_state_length,
                               sub_weight=sub_weight, permutations=permutations, input_range=input_range, seed=0,
                               name=name)
    model.build((None, None))
    return model
