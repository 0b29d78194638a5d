"""Data-parallel training throughput against the device count: sets per second of a signal model's training steps
over 1, 2, 4 … devices, as `zoo train NAME --devices N` trains (`training.devices`).

The global batch stays the same (each of N devices gets batch / N sets), and the steps are `model.fit` epochs over
ready arrays, the input pipeline and the gradient all-reduce included. Each device count runs in its own process:
the devices must be set up before the backend starts. Without an accelerator the devices are simulated, slices of
the same CPU cores (`training.devices.simulate_cpu_devices`): no faster than one device, so such rows measure what
data parallelism costs, not what it gains. Writes `evaluation/results/benchmark-devices-<device>.csv`:

    python -m evaluation.benchmark_devices --devices 1 2 4 --width 0.25
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from evaluation.benchmark import device_name, timing_output
from evaluation.cards import RESULTS_DIR
from zoo.environment import has_gpu

ROOT = Path(__file__).resolve().parents[1]


def measure(devices, backend, architecture="dss_sum", family_name="signals", width=1.0, batch_size=64, steps=5,
            simulate=False):
    """One row: the mean ms per training step of `steps` steps over `devices` devices, after a warm-up step
    (tracing, compilation). Runs first thing in a fresh process of `backend`."""
    from training.devices import check_batch_size, data_parallel, simulate_cpu_devices

    if simulate:
        simulate_cpu_devices(devices)  # first: before anything starts the backend
    import keras

    from evaluation.benchmark import _environment
    from training.hypermodel import build_compiled
    from zoo.families import get_family

    check_batch_size(batch_size, devices)
    family = get_family(family_name)
    x, y = family.load_split("train", size=batch_size)
    with data_parallel(devices):
        keras.utils.set_random_seed(0)
        model = build_compiled(family, architecture, {"width": width, "dropout": 0.0})
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=steps, verbose=0)
        step = (time.perf_counter() - start) / steps
    return {"model": f"{architecture}_{family_name}", "width": width, "param_count": model.count_params(),
            "backend": backend, "devices": devices, "simulated": simulate, "global_batch": batch_size,
            "ms_per_step": round(1000 * step, 1), "sets_per_second": round(batch_size / step, 2), **_environment()}


def benchmark_devices(counts=(1, 2, 4), backends=("tensorflow", "jax"), architecture="dss_sum", width=1.0,
                      batch_size=64, steps=5):
    """A row per backend and device count, each measured in its own process (`measure`)."""
    simulate = not has_gpu()
    rows = []
    for backend in backends:
        for devices in counts:
            options = {"architecture": architecture, "width": width, "batch_size": batch_size, "steps": steps,
                       "simulate": simulate}
            script = (f"import json; from evaluation.benchmark_devices import measure; "
                      f"print(json.dumps(measure({devices}, {backend!r}, **{options!r})))")
            # XLA_FLAGS off: the process sets up its own (simulated) devices
            environment = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "XLA_FLAGS": None}
            rows.append(json.loads(timing_output([sys.executable, "-c", script], environment,
                                                 f"{devices} device(s) on {backend}", cwd=ROOT)))
            print(f"{backend}, {devices} device(s): {rows[-1]['ms_per_step']} ms per step, "
                  f"{rows[-1]['sets_per_second']} sets/s", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark data-parallel training against the device count and "
                                                 "write benchmark-devices-*.csv.")
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"], choices=["tensorflow", "jax"])
    parser.add_argument("--architecture", default="dss_sum")
    parser.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1.0: the paper's)")
    parser.add_argument("--batch-size", type=int, default=64, help="the global batch, split over the devices")
    parser.add_argument("--steps", type=int, default=5, help="training steps timed per device count")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    rows = benchmark_devices(args.devices, args.backends, args.architecture, args.width, args.batch_size, args.steps)
    os.makedirs(args.output_dir, exist_ok=True)
    path = Path(args.output_dir) / f"benchmark-devices-{device_name()}.csv"
    rows.to_csv(path, index=False)
    return path


if __name__ == "__main__":
    main()
