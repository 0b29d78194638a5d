"""Facts about the machine and software a model is trained or measured on (recorded beside every number)."""

import platform

import keras


def has_gpu():
    """Whether the current Keras backend sees a GPU."""
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if keras.config.backend() == "jax":
        import jax

        return jax.devices()[0].platform == "gpu"
    return False


def environment():
    """`{"backend", "keras_version", "device"}` of this process."""
    return {"backend": keras.config.backend(), "keras_version": keras.__version__,
            "device": "GPU" if has_gpu() else f"CPU ({platform.machine()})"}
