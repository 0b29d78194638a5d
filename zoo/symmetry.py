"""`zoo.check_symmetry`: measure how exactly a model has the symmetry it declares."""

import numpy as np
from keras import ops


def _run(model, x, mask, context):
    return ops.convert_to_numpy(model({"elements": x, "mask": mask, **context}, training=False))


def _shift(x, group, rng):
    """Roll the element axes of `x` by random non-zero multiples of the group's step; return `(x, shifts)`."""
    shifts = {}
    for axis in group["axes"]:
        length = x.shape[2 + axis]
        steps = length // group["step"]
        shifts[2 + axis] = group["step"] * int(rng.integers(1, steps)) if steps > 1 else 0
    return np.roll(x, tuple(shifts.values()), axis=tuple(shifts)), shifts


def check_symmetry(model, x, mask=None, context=None, seed=0, trials=3, padding=2, rtol=1e-4):
    """Measure the invariance / equivariance errors of `model` on the sets `x`.

    Three transformations are applied and the outputs compared with what the declared symmetry
    (`model.symmetry`) predicts:

    - `permutation`: random permutations of the set axis (invariant output unchanged; selection scores and
      equivariant outputs permuted the same way);
    - `element`: random transformations from the declared element group (e.g. circular shifts by multiples of the
      declared step); the output is expected unchanged, or shifted the same way where the group declares
      `"output": "equivariant"` (the default for equivariant set outputs); None without an element group;
    - `padding`: `padding` extra elements of random values, masked out (outputs for the real elements unchanged);
      None for models that need a fixed set size.

    Args:
        model: a zoo model (it has a `symmetry` dict).
        x: NumPy sets `(batch, n, *element_shape)`.
        mask: float mask `(batch, n)` (default: all elements real).
        context: side inputs passed unchanged (e.g. `{"adjacency": a}`).
        seed: seed of the random transformations.
        trials: transformations drawn per test.
        padding: extra masked elements for the padding test.
        rtol: tolerance relative to the largest output magnitude, for `passed`.

    Returns:
        dict with the maximum absolute error per test, `scale` (largest |output|), `tolerance`, `passed` (every
        declared symmetry holds within tolerance) and the `declared` symmetry.

    Example:
    >>> report = check_symmetry(zoo.load("dss_sum_signals"), x[:4])
    >>> report["passed"], report["permutation"]
    (True, 2.4e-07)
    """
    declared = model.symmetry
    x = np.asarray(x, dtype="float32")
    mask = np.ones(x.shape[:2], "float32") if mask is None else np.asarray(mask, dtype="float32")
    context = context or {}
    rng = np.random.default_rng(seed)
    base = _run(model, x, mask, context)
    kind = declared["output"]
    per_element = kind in ("selection", "equivariant")
    errors = {"permutation": 0.0, "element": None, "padding": None}
    for _ in range(trials):
        perm = rng.permutation(x.shape[1])
        expected = base[:, perm] if per_element else base
        errors["permutation"] = max(errors["permutation"],
                                    float(np.abs(_run(model, x[:, perm], mask[:, perm], context) - expected).max()))
    group = declared.get("element")
    if group and group.get("group") == "circular_shift":
        errors["element"] = 0.0
        for _ in range(trials):
            shifted, shifts = _shift(x, group, rng)
            expected = base
            if group.get("output", "equivariant" if kind == "equivariant" else "invariant") == "equivariant":
                offset = 0 if kind == "equivariant" else -1  # an invariant output has no set axis
                expected = np.roll(base, tuple(shifts.values()), axis=tuple(a + offset for a in shifts))
            error = float(np.abs(_run(model, shifted, mask, context) - expected).max())
            errors["element"] = max(errors["element"], error)
    if declared.get("set") is not None and padding:
        extra = rng.normal(size=(x.shape[0], padding) + x.shape[2:]).astype("float32") * (np.abs(x).max() + 1)
        padded = np.concatenate([x, extra], axis=1)
        padded_mask = np.concatenate([mask, np.zeros((x.shape[0], padding), "float32")], axis=1)
        out = _run(model, padded, padded_mask, context)
        out = out[:, : x.shape[1]] if per_element else out
        errors["padding"] = float(np.abs(out - base).max())
    scale = float(np.abs(base).max())
    tolerance = rtol * max(scale, 1.0)
    checked = [errors["element"], errors["padding"]] + ([errors["permutation"]] if kind != "none" else [])
    passed = all(e <= tolerance for e in checked if e is not None)
    return {**errors, "scale": scale, "tolerance": tolerance, "passed": passed, "declared": declared}
