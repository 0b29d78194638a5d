"""Rotated MNIST: real MNIST digits, each turned by a uniformly random angle, for rotation-invariant classifiers
(e.g. the C_N group-convolution classifier of "Interpreting Equivariant Representations", Hansen et al., 2024).

Split rule: the digits come from the disjoint pools of `zoo.data.mnist.load_pools` (train / val / test), so no digit
image of the validation or test split is ever a rotated copy of a training digit. With the shared copy of the MNIST
test split those pools are 7,000 / 1,000 / 2,000 digits (fixed permutation, seed 0); with both official splits,
the training split less its last 5,000 digits / those 5,000 / the test split.

Each digit is turned about the centre of its 28 × 28 frame by an angle drawn uniformly from [0°, 360°)
(counter-clockwise as displayed, `scipy.ndimage.rotate(digit, angle, reshape=False, order=1)`: bilinear
interpolation, zeros outside the frame). The angles come from `np.random.default_rng([seed, split index])`: the
same split and seed always give the same angles, and the three splits draw independent angles from one seed.
"""

import numpy as np

from zoo.data import mnist

SPLITS = ("train", "val", "test")


def rotate_digits(images, angles):
    """`images (m, H, W)` turned by `angles (m,)` degrees about their centres (counter-clockwise as displayed),
    bilinear, zeros outside the frame: float32 in the range of the inputs (a bilinear value is a convex combination
    of pixels and zeros)."""
    from scipy.ndimage import rotate

    images = np.asarray(images, np.float32)
    out = np.empty_like(images)
    for i, (image, angle) in enumerate(zip(images, np.asarray(angles, np.float64))):
        out[i] = rotate(image, float(angle), reshape=False, order=1, mode="constant", cval=0.0)
    low, high = min(float(images.min(initial=0.0)), 0.0), float(images.max(initial=0.0))
    return np.clip(out, low, high)  # bilinear weights sum to 1; clip only the last-bit float excursions


def rotated_mnist(split="train", seed=0, size=None, source=None, pools=None):
    """Rotated digits of one split: each digit of the split's pool turned by a uniformly random angle.

    Args:
        split: `"train"`, `"val"` or `"test"`: which disjoint MNIST pool the digits come from.
        seed: seed of the angles (the split is mixed into it, so splits draw independent angles).
        size: take the first `size` digits of the pool (default: all of them), in the pool's order.
        source: the MNIST source of `zoo.data.mnist.load_pools` (a folder of idx files, `"tfds"`, or None for the
            default one).
        pools: already loaded pools `{split: (images, labels)}` (e.g. a `zoo.data.mnist.MnistPools`) instead of
            reading `source`.

    Returns:
        `(images (m, 28, 28) float32 in [0, 1], labels (m,) int32, angles (m,) float32 degrees in [0, 360))`;
        `images[i]` is digit i of the pool turned by `angles[i]` (see `rotate_digits`).

    Example:
    >>> images, labels, angles = rotated_mnist("train", seed=0, size=7000)
    >>> images.shape, labels.shape, angles.shape
    ((7000, 28, 28), (7000,), (7000,))
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r}.")
    images, labels = (pools if pools is not None else mnist.load_pools(source))[split]
    if size is not None:
        if not 0 < int(size) <= len(images):
            raise ValueError(f"size must be between 1 and the {len(images)} digits of the {split} pool; got {size}.")
        images, labels = images[: int(size)], labels[: int(size)]
    images = np.asarray(images, np.float32)
    if images.max(initial=0.0) > 1.0:  # uint8 pixels
        images = images / np.float32(255.0)
    rng = np.random.default_rng([int(seed), SPLITS.index(split)])
    angles = rng.uniform(0.0, 360.0, size=len(images)).astype(np.float32)
    angles[angles >= 360.0] = 0.0  # a draw within float32 rounding of 360° is the same turn as 0°
    return rotate_digits(images, angles), np.asarray(labels, np.int32), angles
