"""The MNIST loader: idx files, disjoint pools, damaged files, tfds, and the training deformations."""

import gzip
import shutil

import numpy as np
import pytest

from zoo.data import mnist

needs_shared = pytest.mark.skipif(not mnist.SHARED_MNIST.is_dir(), reason=f"no shared MNIST at {mnist.SHARED_MNIST}")


def _idx(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_idx_files_decode_and_damaged_ones_are_refused():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(mnist.read_idx(_idx(array)), array)
    with pytest.raises(ValueError, match="truncated"):
        mnist.read_idx(_idx(array)[:-1])
    with pytest.raises(ValueError, match="magic number"):
        mnist.read_idx(b"\x01\x02\x03\x04")


@needs_shared
def test_the_test_split_alone_is_cut_into_disjoint_pools():
    pools = mnist.load_pools(str(mnist.SHARED_MNIST))
    assert {k: len(v[1]) for k, v in pools.items()} == {"train": 7000, "val": 1000, "test": 2000}
    seen = {name: {image.tobytes() for image in images} for name, (images, _) in pools.items()}
    assert not seen["train"] & seen["test"] and not seen["train"] & seen["val"] and not seen["val"] & seen["test"]
    images, labels = pools["test"]
    assert images.dtype == np.float32 and 0 <= images.min() and images.max() <= 1 and set(labels) == set(range(10))


@needs_shared
def test_official_splits_validate_on_the_end_of_the_training_split(tmp_path):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(mnist.SHARED_MNIST / name, tmp_path / name)
    rng = np.random.default_rng(0)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx(rng.integers(0, 255, (5100, 28, 28))))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(rng.integers(0, 10, 5100)))
    pools = mnist.load_pools(str(tmp_path))
    assert {k: len(v[1]) for k, v in pools.items()} == {"train": 100, "val": 5000, "test": 10000}
    assert "the training split" in mnist.describe(str(tmp_path))


@needs_shared
def test_a_damaged_test_file_is_refused(tmp_path):
    data = bytearray(gzip.decompress((mnist.SHARED_MNIST / "t10k-images-idx3-ubyte.gz").read_bytes()))
    data[5000] ^= 0xFF
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(bytes(data))
    shutil.copy(mnist.SHARED_MNIST / "t10k-labels-idx1-ubyte.gz", tmp_path)
    with pytest.raises(ValueError, match="does not match the official MNIST test images"):
        mnist.load_pools(str(tmp_path))


def test_missing_data_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.read_folder(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="No MNIST idx files"):
        mnist.read_folder(tmp_path)
    monkeypatch.delenv("ZOO_MNIST", raising=False)
    monkeypatch.setattr(mnist, "SHARED_MNIST", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="set ZOO_MNIST"):
        mnist.default_source()


def test_tensorflow_datasets_mnist_loads_offline(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.setattr(mnist, "OFFICIAL_VAL_SIZE", 4)
    with tfds.testing.mock_data(num_examples=12):
        pools = mnist.load_pools("tfds")
    assert {k: len(v[1]) for k, v in pools.items()} == {"train": 8, "val": 4, "test": 12}
    assert pools["train"][0].shape[1:] == (28, 28)
    with pytest.raises(FileNotFoundError, match="not prepared"):
        mnist.read_tfds(data_dir=tmp_path)


def test_deformations_move_digits_and_leave_padding_blank(rng):
    images = np.zeros((2, 3, 28, 28, 1), np.float32)
    images[:, :2, 10:18, 12:16] = 1.0
    deformed = mnist.deform(images, rng)
    assert deformed.shape == images.shape and not np.allclose(deformed[:, :2], images[:, :2])
    assert not deformed[:, 2].any()  # a blank (padding) image stays blank
