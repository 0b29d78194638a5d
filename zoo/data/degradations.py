"""Image degradations of the DSS image tasks: blur, noise, occlusion, and the sets built from them."""

import numpy as np


def gaussian_blur(image, sigma):
    """Blur a float image `(h, w, 3)` with a Gaussian of standard deviation `sigma` pixels (0: unchanged)."""
    import cv2

    return image if sigma <= 0 else cv2.GaussianBlur(image, (0, 0), sigmaX=float(sigma))


def motion_blur(image, rng, max_length=9):
    """Blur along a random direction over a random length (a camera shake of one burst frame)."""
    import cv2

    length = int(rng.integers(1, max_length + 1))
    kernel = np.zeros((max_length, max_length), np.float32)
    angle = rng.uniform(0, np.pi)
    centre = (max_length - 1) / 2
    for t in np.linspace(-(length - 1) / 2, (length - 1) / 2, num=max(length, 2) * 2):
        kernel[int(round(centre + t * np.sin(angle))), int(round(centre + t * np.cos(angle)))] = 1.0
    return cv2.filter2D(image, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT)


def occlude(image, fraction, rng):
    """Cover `fraction` of the image with one random-coloured rectangle of random aspect."""
    h, w = image.shape[:2]
    area = fraction * h * w
    aspect = rng.uniform(0.5, 2.0)
    rh = min(h, int(round(np.sqrt(area * aspect))))
    rw = min(w, int(round(area / max(rh, 1))))
    top, left = int(rng.integers(0, h - rh + 1)), int(rng.integers(0, w - rw + 1))
    out = image.copy()
    out[top : top + rh, left : left + rw] = rng.uniform(0, 255, size=3)
    return out


def degrade(clean, kind, level, rng):
    """One degraded copy of a clean uint8 image (DSS image selection, Table 2).

    Every copy is blurred with a random Gaussian (σ ~ U[0, 2] px); then `kind="noise"` adds Gaussian noise of
    standard deviation ~ U[0, level] (0–255 scale) and `kind="occlusion"` covers up to `level` % of the image.
    Returns float32 in [0, 255].
    """
    image = gaussian_blur(clean.astype(np.float32), rng.uniform(0, 2))
    if kind == "noise":
        image = image + rng.normal(0, rng.uniform(0, level), size=image.shape)
    elif kind == "occlusion":
        image = occlude(image, rng.uniform(0, level / 100), rng)
    else:
        raise ValueError(f"Unknown degradation {kind!r}; expected 'noise' or 'occlusion'.")
    return np.clip(image, 0, 255).astype(np.float32)


def quality_sets(crops, n, kind, level, rng):
    """Sets of `n` degraded copies of each clean crop; the target is the copy closest in L1 to the clean image.

    Returns:
        `(x, y)`: x `(len(crops), n, h, w, 3)` float32 in [0, 1], y the index of the best copy.
    """
    x = np.empty((len(crops), n) + crops.shape[1:], np.float32)
    y = np.empty(len(crops), np.int32)
    for i, clean in enumerate(crops):
        copies = np.stack([degrade(clean, kind, level, rng) for _ in range(n)])
        y[i] = int(np.argmin(np.abs(copies - clean.astype(np.float32)).mean(axis=(1, 2, 3))))
        x[i] = copies / 255.0
    return x, y


def channel_sets(crops, rng):
    """Colour-channel matching (Table 3): two colour images → 6 single-channel images, shuffled.

    Each element keeps one of R, G, B of one image with the other two channels zeroed; its target is the full
    colour image it came from.

    Returns:
        `(x, y)`: both `(len(crops) // 2, 6, h, w, 3)` float32 in [0, 1].
    """
    pairs = len(crops) // 2
    x = np.zeros((pairs, 6) + crops.shape[1:], np.float32)
    y = np.empty_like(x)
    for i in range(pairs):
        order = rng.permutation(6)
        for slot, element in enumerate(order):
            image = crops[2 * i + element // 3].astype(np.float32) / 255.0
            x[i, slot, ..., element % 3] = image[..., element % 3]
            y[i, slot] = image
    return x, y


IMMERKAER_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def _grey(x):
    return x.mean(axis=-1)


def random_scores(x, seed=0):
    """The chance baseline of a selection: scores drawn at random (seeded), `(batch, n)`; its accuracy is about
    1/n on any test sets.

    >>> random_scores(np.zeros((2, 20, 8, 8, 3))).shape
    (2, 20)
    """
    return np.random.default_rng(seed).random(np.shape(x)[:2])


def least_noise_scores(x):
    """A classical quality estimate without learning: minus each image's noise level σ, estimated from the
    response to a Laplacian-difference mask that cancels smooth image structure (Immerkær 1996).

    Args:
        x: `(batch, n, h, w, 3)` images in [0, 1].
    Returns:
        `(batch, n)` scores; the largest marks the least noisy image.
    """
    import cv2

    grey = _grey(x).reshape(-1, *x.shape[2:4])
    h, w = grey.shape[1:]
    sigma = [np.abs(cv2.filter2D(image, -1, IMMERKAER_MASK)[1:-1, 1:-1]).sum() for image in grey]
    sigma = np.asarray(sigma) * np.sqrt(np.pi / 2) / (6 * (w - 2) * (h - 2))
    return -sigma.reshape(x.shape[:2])


def sharpness_scores(x):
    """A classical quality estimate without learning: each image's sharpness, the variance of its Laplacian
    (blur and flat occluding patches lower it).

    Args:
        x: `(batch, n, h, w, 3)` images in [0, 1].
    Returns:
        `(batch, n)` scores; the largest marks the sharpest image.
    """
    import cv2

    grey = _grey(x).reshape(-1, *x.shape[2:4])
    return np.asarray([cv2.Laplacian(image, cv2.CV_32F).var() for image in grey]).reshape(x.shape[:2])


def grey_baseline(x):
    """The trivial colour-matching predictor: each single-channel image copied into all three channels."""
    return np.repeat(x.max(axis=-1, keepdims=True), 3, axis=-1)


def burst_sets(crops, n, rng, noise=0.05, max_blur=17):
    """Burst deblurring (Table 3): n copies of each crop, each motion-blurred differently (random direction, up
    to `max_blur` px), plus Gaussian noise of standard deviation `noise`.

    Returns:
        `(x, y)`: x `(len(crops), n, h, w, 3)` and y the sharp crops `(len(crops), h, w, 3)`, float32 in [0, 1].
    """
    clean = crops.astype(np.float32) / 255.0
    x = np.empty((len(crops), n) + crops.shape[1:], np.float32)
    for i, image in enumerate(clean):
        for j in range(n):
            x[i, j] = motion_blur(image, rng, max_blur) + rng.normal(0, noise, size=image.shape)
    return np.clip(x, 0, 1), clean


def median_baseline(x):
    """The trivial burst predictor: the per-pixel median over the burst."""
    return np.median(x, axis=1)


def mean_baseline(x):
    """A trivial burst predictor: the per-pixel mean over the burst (it averages the noise away better than the
    median, and blurs more)."""
    return x.mean(axis=1)
