"""Benchmarks: training-step time and inference throughput per model, and DSS(sum) time against set size.

Writes timm-style CSVs named after the hardware, from a benchmark run only (never from a test):

    evaluation/results/benchmark-train-<device>.csv     ms per training step, batch 64, with and without XLA
    evaluation/results/benchmark-infer-<device>.csv     sets per second, batch 64, with and without XLA
    evaluation/results/benchmark-setsize-<device>.csv   DSS(sum), one set of n = 8 … 4096 signals

    python -m evaluation.benchmark            # the paper's widths (≈ 3.2 M parameters per model)
"""

import argparse
import datetime
import os
import platform
import time

import keras
import numpy as np
import pandas as pd

from evaluation.cards import RESULTS_DIR
from zoo.environment import has_gpu
from zoo.families import get_family

SET_SIZES = tuple(2**k for k in range(3, 13))  # 8 … 4096


def device_name():
    """A short name of the hardware for file names: the GPU if Keras sees one, else `cpu<cores>`."""
    return "gpu" if has_gpu() else f"cpu{os.cpu_count()}"


def device_description():
    """The accelerator's name when Keras runs on one (with the host's core count), else the CPU's model."""
    if has_gpu() and keras.config.backend() == "jax":
        import jax

        return f"{jax.devices()[0].device_kind}, host with {os.cpu_count()} cores"
    if has_gpu():
        import tensorflow as tf

        details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
        return f"{details.get('device_name', 'GPU')}, host with {os.cpu_count()} cores"
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            model = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores ({platform.machine()})"


def _timed(fn, repeats):
    fn()  # warm-up: tracing and compilation are not timed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _environment():
    return {"backend": keras.config.backend(), "keras_version": keras.__version__, "device": device_description(),
            "date": datetime.date.today().isoformat()}


def benchmark_models(family_name="signals", width=1.0, batch_size=64, repeats=3, jit_modes=(False, True),
                     architectures=None):
    """Per architecture and XLA mode: median ms per training step and sets per second at inference."""
    family = get_family(family_name)
    x, y = family.load_split("train", size=batch_size)
    train_rows, infer_rows = [], []
    for architecture in architectures or family.architectures:
        for jit in jit_modes:
            keras.utils.set_random_seed(0)
            model = family.compile(family.build(architecture, width=width), jit_compile=jit)
            step = _timed(lambda m=model: m.train_on_batch(x, y), repeats)
            infer = _timed(lambda m=model: m.predict_on_batch(x), repeats)
            common = {"model": f"{architecture}_{family_name}", "width": width, "param_count": model.count_params(),
                      "batch_size": batch_size, "jit_compile": jit}
            train_rows.append({**common, "train_step_ms": round(1000 * step, 1),
                               "train_samples_per_sec": round(batch_size / step, 2), **_environment()})
            infer_rows.append({**common, "infer_step_ms": round(1000 * infer, 1),
                               "infer_samples_per_sec": round(batch_size / infer, 2), **_environment()})
            print(f"{architecture} jit={jit}: train {1000 * step:.0f} ms/step, infer {batch_size / infer:.1f} sets/s",
                  flush=True)
    return pd.DataFrame(train_rows), pd.DataFrame(infer_rows)


def benchmark_set_sizes(family_name="signals", architecture="dss_sum", width=1.0, set_sizes=SET_SIZES, repeats=3):
    """Time of one forward pass and one training step of a single set against its size n."""
    family = get_family(family_name)
    keras.utils.set_random_seed(0)
    model = family.compile(family.build(architecture, width=width), jit_compile=False)
    rng = np.random.default_rng(0)
    rows = []
    for n in set_sizes:
        x = rng.normal(size=(1, n) + tuple(family.input_spec["elements"][2:])).astype("float32")
        y = np.zeros((1,), "int32")
        infer = _timed(lambda x=x: model.predict_on_batch(x), repeats)
        step = _timed(lambda x=x, y=y: model.train_on_batch(x, y), repeats)
        rows.append({"model": f"{architecture}_{family_name}", "width": width, "set_size": n,
                     "infer_ms": round(1000 * infer, 2), "train_step_ms": round(1000 * step, 2),
                     "param_count": model.count_params(), **_environment()})
        print(f"n={n}: infer {1000 * infer:.1f} ms, train step {1000 * step:.1f} ms", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the zoo's models and write the benchmark CSVs.")
    parser.add_argument("--family", default="signals")
    parser.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1.0: the paper's)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--architectures", nargs="+")
    parser.add_argument("--set-sizes", type=int, nargs="+", default=list(SET_SIZES))
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    device = device_name()
    train, infer = benchmark_models(args.family, args.width, args.batch_size, args.repeats,
                                    architectures=args.architectures)
    train.to_csv(os.path.join(args.output_dir, f"benchmark-train-{device}.csv"), index=False)
    infer.to_csv(os.path.join(args.output_dir, f"benchmark-infer-{device}.csv"), index=False)
    sizes = benchmark_set_sizes(args.family, width=args.width, set_sizes=args.set_sizes, repeats=args.repeats)
    path = os.path.join(args.output_dir, f"benchmark-setsize-{device}.csv")
    sizes.to_csv(path, index=False)
    plot_set_sizes(sizes, path.replace(".csv", ".png"))


def plot_set_sizes(sizes, path):
    """Time against set size on log-log axes (linear scaling is a line of slope 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    axis.loglog(sizes["set_size"], sizes["infer_ms"], marker="o", label="inference")
    axis.loglog(sizes["set_size"], sizes["train_step_ms"], marker="s", label="training step")
    axis.set_xlabel("set size n (signals of 100 steps)")
    axis.set_ylabel("ms per set")
    axis.set_title(f"{sizes['model'].iloc[0]}, width {sizes['width'].iloc[0]}: {sizes['device'].iloc[0]}",
                   fontsize=8)
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    main()
