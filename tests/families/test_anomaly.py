"""Set anomaly detection: the odd one out is where the target says."""

import numpy as np

from zoo.data.anomaly_sets import odd_one_out_sets


def test_fifteen_share_a_class_and_the_target_marks_the_sixteenth(rng):
    labels = np.arange(200) % 10
    images = labels.astype(np.float32)[:, None]  # an "image" that is its label
    x, y = odd_one_out_sets(images, labels, 40, rng)
    assert x.shape == (40, 16, 1)
    for members, target in zip(x[..., 0], y):
        odd = members[target]
        others = np.delete(members, target)
        assert len(set(others)) == 1 and odd != others[0]
    assert len(set(y)) > 5  # the odd one is shuffled to any position
