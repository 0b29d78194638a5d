"""Data-parallel training over the devices of one machine: `keras.distribution.DataParallel` on JAX,
`tf.distribute.MirroredStrategy` on TensorFlow.

Every device holds a copy of the weights, computes the loss and gradients of its slice of each batch, and the
gradients are combined before one update of all copies, so a step computes what one device computes on the whole
batch, provided that

- every batch divides by the device count: JAX refuses a batch that does not (`IndivisibleError`), and TensorFlow
  averages the replicas' mean losses, which weighs unequal slices wrongly (a global batch of 1 over 2 replicas
  counts half). `model.fit` on arrays makes a last, partial batch of `len % batch_size` sets, so the batch size
  must divide by the device count and each split is cut to a multiple of it (`divisible`): at most `devices - 1`
  sets are left out. Cutting is preferred to `drop_remainder` (which leaves out up to a batch each epoch) and to
  padding (padded sets would enter the loss, whose mean counts them, and the batch statistics);
- batch norms use the global batch's statistics: under JAX a reduction over the sharded batch axis already does;
  under TensorFlow the zoo's `BatchNormalization` (`zoo.layers.normalization`) sums its moments over the replicas;
- the distribution is in place before any model is built or loaded (variables are created where it says): build,
  compile and fit inside `data_parallel(devices)`, and clear no Keras session there (`keras.backend.clear_session`,
  which keras-tuner calls before each trial, drops a JAX distribution and a TensorFlow strategy's scope).

Example:
>>> with data_parallel(2):
...     model = build_compiled(family, "dss_sum", {"width": 0.25})
...     model.fit(*divisible(family.load_split("train"), 2), batch_size=64)
"""

import contextlib
import functools
import os

import keras

XLA_DEVICE_FLAG = "--xla_force_host_platform_device_count"


def available_devices():
    """The names of the devices data-parallel training runs on: the accelerators when there are any, else the CPU
    devices (one, unless split with `simulate_cpu_devices`)."""
    backend = keras.config.backend()
    if backend == "jax":
        return keras.distribution.list_devices()
    if backend == "tensorflow":
        import tensorflow as tf

        return [device.name for device in tf.config.list_logical_devices("GPU") or
                tf.config.list_logical_devices("CPU")]
    raise ValueError(f"Data-parallel training runs on the TensorFlow and JAX backends; this process runs {backend!r} "
                     "(set KERAS_BACKEND=tensorflow or jax).")


def data_parallel(devices):
    """A context in which the models built, compiled and fitted train data-parallel over the first `devices`
    devices of this machine (`available_devices`).

    Args:
        devices: the device count; None or 1 for ordinary single-device training (a context that does nothing).

    Returns:
        `keras.distribution.DataParallel(...).scope()` on JAX, `tf.distribute.MirroredStrategy(...).scope()` on
        TensorFlow.

    Raises:
        ValueError: on PyTorch (its data parallelism needs one process per device, e.g. `torchrun`), for a count
            below 1, or for more devices than the machine has.

    Example:
    >>> with data_parallel(2):
    ...     model = build_compiled(get_family("signals"), "dss_sum", {"width": 0.25})
    """
    if devices is None or devices == 1:
        return contextlib.nullcontext()
    if not isinstance(devices, int) or devices < 1:
        raise ValueError(f"devices must be a positive integer; got {devices!r}.")
    names = available_devices()
    if devices > len(names):
        raise ValueError(
            f"Data-parallel training over {devices} devices asked for, but {keras.config.backend()} sees "
            f"{len(names)}: {', '.join(names)}. On a machine without accelerators, split the CPU for a trial "
            f"(training.devices.simulate_cpu_devices, before the backend starts; no faster than one device).")
    chosen = names[:devices]
    if keras.config.backend() == "jax":
        return keras.distribution.DataParallel(devices=chosen).scope()
    return mirrored_strategy(tuple(chosen)).scope()


@functools.cache
def mirrored_strategy(devices):
    """The process's one `tf.distribute.MirroredStrategy` over `devices` (a tuple of device names): a second
    strategy over the same devices in one process reuses the keys of the first one's collective operations (with
    TensorFlow 2.21 its gradient all-reduce failed on a shape mismatch with the first one's)."""
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(devices=list(devices))


def simulate_cpu_devices(count):
    """Split this machine's CPU into `count` devices, to run data-parallel training where there is no accelerator
    (tests, benchmarks). It must run before the backend has started: JAX reads `XLA_FLAGS` when it first lists its
    devices, and TensorFlow fixes its logical devices at its first operation.

    Raises:
        RuntimeError: when the backend has already started with another device count.
    """
    backend = keras.config.backend()
    if backend == "jax":
        flags = [flag for flag in os.environ.get("XLA_FLAGS", "").split() if not flag.startswith(XLA_DEVICE_FLAG)]
        os.environ["XLA_FLAGS"] = " ".join([*flags, f"{XLA_DEVICE_FLAG}={count}"])
        import jax

        started = len(jax.devices("cpu"))
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
        except RuntimeError:
            pass  # already initialised: reported below unless it has the count asked for
        started = len(tf.config.list_logical_devices("CPU"))
    else:
        raise ValueError(f"Simulated devices exist on the TensorFlow and JAX backends, not {backend!r}.")
    if started != count:
        raise RuntimeError(f"{backend} had started with {started} CPU device(s) before {count} could be simulated: "
                           "call simulate_cpu_devices first thing in the process.")


def divisible(split, devices):
    """A split cut to a multiple of `devices` sets, so that with a batch size that divides by `devices` every
    batch of `model.fit`, the last partial one included, divides evenly over the devices.

    Args:
        split: `(x, y)` arrays (or dicts of arrays), or a Keras dataset of batches, which must have a `batch_size`
            that divides by `devices`.
        devices: the device count.

    Returns:
        `(x, y)` without the last `len % devices` sets, or the dataset itself.

    Example:
    >>> x, y = divisible((np.zeros((10, 3)), np.zeros(10)), 4)
    >>> len(x)
    8
    """
    if not isinstance(split, tuple):
        check_batch_size(getattr(split, "batch_size", None), devices)
        return split
    size = len(keras.tree.flatten(split[0])[0])
    keep = size - size % devices
    return keras.tree.map_structure(lambda array: array[:keep], split)


def check_batch_size(batch_size, devices):
    """Raise a clear error unless `batch_size` divides by `devices` (None: a dataset of unknown batch size)."""
    if batch_size is None or batch_size % devices:
        raise ValueError(f"Data-parallel training over {devices} devices needs a batch size divisible by {devices}; "
                         f"the batches hold {batch_size if batch_size is not None else 'an unknown number of'} sets.")

