"""Start the Keras backend without its start-up log lines on the terminal.

TensorFlow prints its oneDNN and CUDA notices from C++ before any logging is configured, so neither
`TF_CPP_MIN_LOG_LEVEL` nor Python's logging can hold them back; only the process's stderr can. `start_backend`
points stderr at /dev/null while Keras imports its backend and finds its devices, then restores it. Set
`ZOO_VERBOSE=1` to see the lines.
"""

import contextlib
import os
import sys


@contextlib.contextmanager
def silenced_stderr():
    """Send everything written to the process's stderr (file descriptor 2) to /dev/null inside the block."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def start_backend():
    """Import Keras and let its backend find its devices, quietly (once; a no-op after the first call)."""
    if "keras" in sys.modules or os.environ.get("ZOO_VERBOSE", "") not in ("", "0"):
        import keras  # noqa: F401  (already started, or the user asked to see the lines)

        return
    with silenced_stderr():
        import keras

        if keras.config.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices()  # CUDA's probe ("failed call to cuInit") happens here
