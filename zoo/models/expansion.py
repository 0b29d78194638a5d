"""Set expansion: score candidate elements for membership of a set (DeepSets' text concept retrieval)."""

import keras
from keras import ops

from zoo.layers import masking
from zoo.models.base import SetInputModel
from zoo.models.inputs import check_element_shape, split_inputs, validate_sets
from zoo.models.set_model import SET_GROUP

CANDIDATES = "candidates"


@keras.saving.register_keras_serializable(package="zoo")
class SetExpansionModel(SetInputModel):
    """Scores how well each candidate token extends a set of tokens: `s(S, c) = ρ(Σ_{x ∈ S} φ(x) + φ(c))`.

    `φ` embeds a token and maps it with Dense layers; the set is the (masked) sum of its members' `φ`, so the score
    is a DeepSets function of the set with the candidate added. Permuting or padding the set leaves every score
    unchanged. Candidates are given as a side input, or omitted to score every token of the vocabulary (computed in
    chunks of `vocabulary_chunk` tokens, so memory stays bounded for large vocabularies).

    Args:
        vocabulary_size: number of tokens (ids 0 … vocabulary_size − 1).
        embedding_dim: width of the token embedding.
        phi_units: widths of the Dense layers of `φ` after the embedding.
        rho_units: widths of the hidden Dense layers of `ρ` (a Dense(1) follows).
        activation: activation of `φ` and `ρ`.
        vocabulary_chunk: tokens scored at once when every token is scored.

    Inputs: `{"elements": int (batch, n), "mask": (batch, n), "candidates": int (batch, k)}` (candidates optional)
        or the bare elements.
    Output: `(batch, k)` scores, or `(batch, vocabulary_size)` without candidates.

    Example:
    >>> model = SetExpansionModel(100, embedding_dim=8, phi_units=(16,), rho_units=(8,))
    >>> model({"elements": np.array([[3, 5, 7]]), "candidates": np.array([[1, 2]])}).shape
    (1, 2)
    """

    def __init__(self, vocabulary_size, embedding_dim=50, phi_units=(150, 150), rho_units=(150, 75),
                 activation="tanh", vocabulary_chunk=4096, **kwargs):
        kwargs.setdefault("input_range", (0, int(vocabulary_size) - 1))
        super().__init__(**kwargs)
        self.vocabulary_size, self.embedding_dim = int(vocabulary_size), int(embedding_dim)
        self.phi_units, self.rho_units = tuple(int(u) for u in phi_units), tuple(int(u) for u in rho_units)
        self.activation, self.vocabulary_chunk = activation, int(vocabulary_chunk)
        self.embedding = keras.layers.Embedding(self.vocabulary_size, self.embedding_dim, name="embedding")
        self.phi = [keras.layers.Dense(u, activation=activation, name=f"phi_{i}") for i, u in enumerate(self.phi_units)]
        self.rho = [keras.layers.Dense(u, activation=activation, name=f"rho_{i}") for i, u in enumerate(self.rho_units)]
        self.score = keras.layers.Dense(1, name="score")
        self.symmetry = {"output": "invariant", "set": SET_GROUP, "element": None}

    def build(self, input_shape):
        self.element_shape = ()
        self.embedding.build((None,))
        shape = (None, self.embedding_dim)
        for layer in self.phi + self.rho + [self.score]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def _phi(self, tokens):
        x = self.embedding(tokens)
        for layer in self.phi:
            x = layer(x)
        return x

    def _rho(self, x):
        for layer in self.rho:
            x = layer(x)
        return ops.squeeze(self.score(x), axis=-1)

    def call(self, inputs, mask=None, training=None):
        x, mask, context = split_inputs(inputs, mask)
        check_element_shape(x.shape, self.element_shape, self.name)
        pooled = ops.expand_dims(masking.set_sum(self._phi(x), mask), axis=1)  # (batch, 1, features)
        candidates = context.get(CANDIDATES)
        if candidates is not None:
            return self._rho(pooled + self._phi(candidates))
        chunks = []
        for start in range(0, self.vocabulary_size, self.vocabulary_chunk):
            tokens = ops.arange(start, min(start + self.vocabulary_chunk, self.vocabulary_size))
            chunks.append(self._rho(pooled + ops.expand_dims(self._phi(tokens), axis=0)))
        return ops.concatenate(chunks, axis=1)

    def check_inputs(self, x):
        super().check_inputs(x)
        if isinstance(x, dict) and CANDIDATES in x:
            validate_sets({"elements": x[CANDIDATES]}, f"{self.name} (candidates)", self.input_range)

    def get_config(self):
        return {
            **self.base_config(),
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "phi_units": self.phi_units,
            "rho_units": self.rho_units,
            "activation": self.activation,
            "vocabulary_chunk": self.vocabulary_chunk,
        }
