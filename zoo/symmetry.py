"""`zoo.check_symmetry`: measure how exactly a model has the symmetry it declares; `zoo.check_size_dependence`:
measure whether its outputs depend on a set's size as well as on its contents.

The group actions come from the model's declaration (`model.symmetry`, see `ZooModel`): permutations of the set
(or of a graph's nodes, with the rows and columns of its adjacency), circular shifts or 90° rotations of each
element, and masked padding. Inputs may be real-valued or integer tokens.
"""

import warnings

import numpy as np
from keras import ops

from zoo.metrics import order_sensitivity
from zoo.models.inputs import split_inputs


def _as_numpy(outputs):
    if isinstance(outputs, dict):
        return {key: ops.convert_to_numpy(value) for key, value in outputs.items()}
    return ops.convert_to_numpy(outputs)


def _apply(outputs, transform):
    """Apply `transform` to an output, or to each output of a dict."""
    if isinstance(outputs, dict):
        return {key: transform(value) for key, value in outputs.items()}
    return transform(outputs)


def _error(a, b):
    if isinstance(a, dict):
        return max(_error(a[key], b[key]) for key in a)
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


def _mean_error(a, b):
    if isinstance(a, dict):
        return float(np.mean([_mean_error(a[key], b[key]) for key in a]))
    return order_sensitivity(a, b)


def _scale(outputs):
    if isinstance(outputs, dict):
        return max(_scale(value) for value in outputs.values())
    return float(np.abs(outputs).max())


def _take_elements(x, indices, axes):
    """`x` with the elements at `indices` (a permutation, or a selection) taken along each of `axes`."""
    for axis in axes:
        x = np.take(x, indices, axis=axis)
    return x


def _take_outputs(outputs, indices, axes):
    """`_take_elements` on an output, or on each output of a dict (`axes` one list, or a list per output)."""
    if isinstance(outputs, dict):
        return {key: _take_elements(value, indices, axes[key] if isinstance(axes, dict) else axes)
                for key, value in outputs.items()}
    return _take_elements(outputs, indices, axes)


class _Runner:
    """Calls the model on transformed copies of one batch of inputs (the elements under the input name `key`)."""

    def __init__(self, model, elements, mask, context, key="elements"):
        self.model, self.elements, self.mask, self.context, self.key = model, elements, mask, context, key

    def __call__(self, elements=None, mask=None, **context):
        inputs = {self.key: self.elements if elements is None else elements,
                  "mask": self.mask if mask is None else mask, **{**self.context, **context}}
        return _as_numpy(self.model(inputs, training=False))


def _element_transform(group, element_shape, rng):
    """A random non-identity element of the declared element group, as `transform(x, offset)` acting on the axes
    `offset + axis` of `x` (offset 2 for a set's elements, 1 for an output without a set axis)."""
    if group["group"] == "circular_shift":
        shifts = {}
        for axis in group["axes"]:
            steps = element_shape[axis] // group["step"]
            shifts[axis] = group["step"] * int(rng.integers(1, steps)) if steps > 1 else 0
        return lambda x, offset: np.roll(x, tuple(shifts.values()), axis=tuple(offset + a for a in shifts))
    if group["group"] == "rotation90":
        turns = int(rng.integers(1, 4))
        first, second = group["axes"]
        return lambda x, offset: np.rot90(x, turns, axes=(offset + first, offset + second))
    raise ValueError(f"check_symmetry does not know the element group {group['group']!r}; it knows "
                     "'circular_shift' and 'rotation90'.")


def _padding_values(elements, mask, count, rng):
    """`count` extra elements per set: large random values, or random tokens in the range of the real ones."""
    shape = (elements.shape[0], count) + elements.shape[2:]
    if np.issubdtype(elements.dtype, np.integer):
        real = elements[mask > 0]
        return rng.integers(real.min(), real.max() + 1, size=shape).astype(elements.dtype)
    return (rng.normal(size=shape) * (np.abs(elements).max() + 1)).astype(elements.dtype)


def _takes_padding(declared):
    return declared.get("padding", declared.get("set") is not None or bool(declared.get("graph")))


def _inputs(x, mask, context, key="elements"):
    """`(elements, mask, context)` as arrays from a model input (an array or a dict whose elements are under `key`)
    and optional overrides."""
    if isinstance(x, dict) and key != "elements":
        x = {("elements" if name == key else name): value for name, value in x.items()}
    elements, given_mask, given_context = split_inputs(x)
    elements = np.asarray(elements)
    if not np.issubdtype(elements.dtype, np.integer):
        elements = elements.astype("float32")
    mask = mask if mask is not None else given_mask
    mask = np.ones(elements.shape[:2], "float32") if mask is None else np.asarray(mask, dtype="float32")
    context = {key: np.asarray(value) for key, value in {**given_context, **(context or {})}.items()}
    return elements, mask, context


def check_symmetry(model, x, mask=None, context=None, seed=0, trials=3, padding=2, rtol=1e-4):
    """Measure the invariance / equivariance errors of `model` on the inputs `x`.

    Three kinds of transformation are drawn and the outputs compared with what the declared symmetry
    (`model.symmetry`) predicts:

    - `permutation`: random permutations of axis 1 (the set's elements, or a graph's nodes together with the rows
      and columns of its adjacency): an invariant output stays unchanged, selection scores and equivariant outputs
      are permuted the same way. For an output declared `"none"` the error measures how much the order matters;
    - `element`: random transformations from the declared element group (circular shifts by multiples of the
      declared step, or quarter turns); the output is expected unchanged, or transformed the same way where the
      group declares `"output": "equivariant"`; None without an element group;
    - `padding`: `padding` extra elements (random values or random tokens), masked out: the outputs for the real
      elements stay unchanged; None for models that take no padding.

    Errors of an exact declaration are judged against the tolerance; a model declared approximate
    (`"exact": False`, e.g. regularised towards invariance) and an output declared `"none"` have their permutation
    error reported only, with their `order_sensitivity`: the mean |f(x) − f(πx)| over the permutations drawn.

    Args:
        model: a zoo model (it has a `symmetry` dict).
        x: the elements `(batch, n, *element_shape)` (floats or integer tokens), or the model's whole input dict.
        mask: float mask `(batch, n)` (default: the dict's, else all elements real).
        context: side inputs passed along (e.g. `{"adjacency": a}`), in addition to those of a dict `x`.
        seed: seed of the random transformations.
        trials: transformations drawn per test.
        padding: extra masked elements for the padding test.
        rtol: tolerance relative to the largest output magnitude, for `passed`.

    Returns:
        dict with the maximum absolute error per test (`permutation`, `element`, `padding`), `order_sensitivity`
        (None for an exact declaration), `scale` (largest |output|), `tolerance`, `judged` (the tests that decide
        `passed`), `passed` and the `declared` symmetry.

    Example:
    >>> report = check_symmetry(zoo.load("dss_sum_signals"), x[:4])
    >>> report["passed"], report["permutation"]
    (True, 2.4e-07)
    """
    declared = model.symmetry
    key = declared.get("nodes", "elements")
    elements, mask, context = _inputs(x, mask, context, key)
    rng = np.random.default_rng(seed)
    run = _Runner(model, elements, mask, context, key)
    base = run()
    kind = declared["output"]
    output_axes = declared.get("output_axes", [1])
    graph = declared.get("graph")
    errors = {"permutation": 0.0, "element": None, "padding": None}
    sensitivities = []

    for _ in range(trials):
        perm = rng.permutation(elements.shape[1])
        moved = {}
        if graph:
            adjacency = graph["adjacency"]
            moved[adjacency] = _take_elements(context[adjacency], perm, (1, 2))
        expected = _take_outputs(base, perm, output_axes) if kind in ("selection", "equivariant") else base
        permuted = run(elements[:, perm], mask[:, perm], **moved)
        errors["permutation"] = max(errors["permutation"], _error(permuted, expected))
        sensitivities.append(_mean_error(permuted, expected))

    group = declared.get("element")
    if group:
        errors["element"] = 0.0
        equivariant = group.get("output", "equivariant" if kind == "equivariant" else "invariant") == "equivariant"
        output_offset = 2 if kind == "equivariant" else 1
        for _ in range(trials):
            transform = _element_transform(group, elements.shape[2:], rng)
            transformed = transform(elements, 2)
            expected = base
            if equivariant:  # an invariant set output has lost the set axis: its element axes start at 1
                expected = _apply(base, lambda out, transform=transform: transform(out, output_offset))
            errors["element"] = max(errors["element"], _error(run(transformed), expected))

    if _takes_padding(declared) and padding:
        extra = _padding_values(elements, mask, padding, rng)
        padded_mask = np.concatenate([mask, np.zeros((elements.shape[0], padding), "float32")], axis=1)
        moved = {}
        if graph:
            adjacency = context[graph["adjacency"]]
            widths = [(0, 0)] + [(0, padding)] * 2 + [(0, 0)] * (adjacency.ndim - 3)
            moved[graph["adjacency"]] = np.pad(adjacency, widths)
        out = run(np.concatenate([elements, extra], axis=1), padded_mask, **moved)
        if kind in ("selection", "equivariant"):
            out = _take_outputs(out, np.arange(elements.shape[1]), output_axes)
        errors["padding"] = _error(out, base)

    scale = _scale(base)
    tolerance = rtol * max(scale, 1.0)
    judged = [test for test in ("element", "padding") if errors[test] is not None]
    exact = kind != "none" and declared.get("exact", True)
    if exact:
        judged.insert(0, "permutation")
    passed = all(errors[test] <= tolerance for test in judged)
    return {**errors, "order_sensitivity": None if exact else float(np.mean(sensitivities)), "scale": scale,
            "tolerance": tolerance, "judged": judged, "passed": passed, "declared": declared}


def check_size_dependence(model, x, mask=None, context=None, copies=2, rtol=1e-4):
    """Measure whether `model`'s outputs depend on how many elements a set has, beyond which elements it holds.

    Every element of every set is repeated `copies` times (masks alike): the same contents, the same distribution
    of elements, at `copies` times the size. A model that pools with a mean or a max gives the same outputs (for
    selection scores and equivariant outputs, the same output for each original element); one that sums, counts
    or reads the elements in sequence does not, so its outputs drift on sets far from the size it was trained on.

    Args:
        model: a zoo model (it has a `symmetry` dict).
        x: the elements `(batch, n, *element_shape)`, or the model's whole input dict.
        mask: float mask `(batch, n)` (default: the dict's, else all elements real).
        context: side inputs passed along unchanged.
        copies: how many times each element appears in the larger set.
        rtol: tolerance relative to the largest output magnitude.

    Returns:
        dict with `error` (largest absolute change of an output), `scale` (largest |output|), `tolerance`,
        `size_dependent` (error above tolerance) and `copies`; None for a model that takes sets of one size only,
        or graphs (repeating a node would change the graph).

    Example:
    >>> zoo.check_size_dependence(zoo.load("dss_sum_signals"), x[:4])["size_dependent"]
    True
    """
    declared = model.symmetry
    if not _takes_padding(declared) or declared.get("graph"):
        return None
    key = declared.get("nodes", "elements")
    elements, mask, context = _inputs(x, mask, context, key)
    run = _Runner(model, elements, mask, context, key)
    with warnings.catch_warnings():  # a larger set than trained on is the point here, not a mistake
        warnings.simplefilter("ignore")
        base = run()
        out = run(np.repeat(elements, copies, axis=1), np.repeat(mask, copies, axis=1))
    if declared["output"] in ("selection", "equivariant"):  # the first copy of each element, in place
        out = _take_outputs(out, copies * np.arange(elements.shape[1]), declared.get("output_axes", [1]))
    scale = _scale(base)
    error = _error(out, base)
    tolerance = rtol * max(scale, 1.0)
    return {"error": error, "scale": scale, "tolerance": tolerance, "size_dependent": error > tolerance,
            "copies": copies}

