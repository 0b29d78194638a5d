"""Set anomaly detection (DeepSets paper, §4.3): sets in which every member but one shares a property.

The target is the position of the odd one out. For MNIST digits the shared property is the class; for CelebA faces
it is a pair of attributes (`zoo.data.celeba`).
"""

import numpy as np


def odd_one_out_sets(images, labels, count, rng, set_size=16):
    """`count` sets of `set_size` images: `set_size - 1` of one random class, one of another class, shuffled.

    Returns:
        `(x, y)`: x `(count, set_size, *image_shape)`, y the position of the odd image.
    """
    by_class = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    classes = sorted(by_class)
    x = np.empty((count, set_size) + images.shape[1:], images.dtype)
    y = np.empty(count, np.int32)
    for i in range(count):
        common, odd = rng.choice(classes, size=2, replace=False)
        members = np.concatenate([rng.choice(by_class[common], size=set_size - 1, replace=False),
                                  rng.choice(by_class[odd], size=1)])
        order = rng.permutation(set_size)
        x[i] = images[members[order]]
        y[i] = int(np.flatnonzero(order == set_size - 1)[0])
    return x, y
