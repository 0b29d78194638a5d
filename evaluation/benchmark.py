"""Benchmarks: training-step time and inference throughput per model, and DSS(sum) time against set size.

Writes timm-style CSVs named after the hardware, from a benchmark run only (never from a test):

    evaluation/results/benchmark-train-<device>.csv     ms per training step, batch 64, with and without XLA
    evaluation/results/benchmark-infer-<device>.csv     sets per second, batch 64, with and without XLA
    evaluation/results/benchmark-setsize-<device>.csv   DSS(sum), one set of n = 8 … 10,000 signals
    evaluation/results/benchmark-reference-<device>.csv zoo against the authors' code (the family's `reference`)

    python -m evaluation.benchmark            # the paper's widths (≈ 3.2 M parameters per model)
    python -m evaluation.benchmark --reference CHECKOUT [--family signals] [--backends tensorflow jax torch]
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from evaluation.cards import RESULTS_DIR
from zoo.environment import has_gpu
from zoo.families import get_family
from zoo.registry import find_entry

SET_SIZES = (*(2**k for k in range(3, 14)), 10_000)  # 8 … 8192, 10⁴
# Beside the signal models: recurrent models and DeepSets on integers (SIRE), DeepSets on digit tokens, and the
# equivariant graph VAE.
OTHER_FAMILIES = ("sum", "digit_sum_text", "qm9")


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


def forward_gflop(model, x):
    """GFLOP of one forward pass of `model` on the batch `x`, counted by TensorFlow's profiler on the traced graph
    (matrix products, convolutions and element-wise ops; it has no count for FFTs, so a convolution computed through
    `rfft` counts its products per frequency only, and none for the steps of a recurrent layer's loop); None on the
    other backends.

    Example:
    >>> forward_gflop(family.build("dss_sum", width=1.0), x)  # x: (64, 25, 100, 1); 135.9 with direct convolutions
    13.85
    """
    if keras.config.backend() != "tensorflow":
        return None
    import tensorflow as tf
    from tensorflow.python.profiler import model_analyzer, option_builder

    spec = tf.nest.map_structure(lambda value: tf.TensorSpec(value.shape, value.dtype), x)
    graph = tf.function(lambda inputs: model(inputs, training=False)).get_concrete_function(spec).graph
    options = {**option_builder.ProfileOptionBuilder.float_operation(), "output": "none"}
    return round(model_analyzer.profile(graph, options=options).total_float_ops / 1e9, 4)


def timed(fn, repeats, warmups=1):
    """Median seconds of `repeats` calls of `fn`, after `warmups` untimed calls (tracing and compilation)."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _environment():
    return {"backend": keras.config.backend(), "keras_version": keras.__version__, "device": device_description(),
            "date": datetime.date.today().isoformat()}


def _hyperparameters(family, architecture, width):
    """`{"width": width}`, or with `width=None` the shipped entry's hyper-parameters (the defaults without one)."""
    if width is not None:
        return {"width": width}
    entry = find_entry(family.name, architecture)
    return dict(entry.hyperparameters) if entry else dict(family.architectures[architecture].defaults)


def benchmark_models(family_name="signals", width=1.0, batch_size=64, repeats=3, jit_modes=(False, True),
                     architectures=None):
    """Per architecture and XLA mode: median ms per training step and sets per second at inference.

    Args:
        width: channel width multiplier of every model (the signal models: 1.0 is the paper's), or None for the
            shipped entries' hyper-parameters (families without a width).
        architectures: the architectures to time, where the family has them (default: all of the family's).
    """
    family = get_family(family_name)
    if family.missing_data:
        print(f"{family_name}: skipped, {family.missing_data}", flush=True)
        return pd.DataFrame(), pd.DataFrame()
    x, y = family.load_split("train", size=batch_size)
    # Some families draw a fixed split whatever the size asked; inputs and targets may be dicts of arrays.
    x, y = keras.tree.map_structure(lambda values: values[:batch_size], (x, y))
    train_rows, infer_rows = [], []
    for architecture in [a for a in family.architectures if architectures is None or a in architectures]:
        hyperparameters = _hyperparameters(family, architecture, width)
        for jit in jit_modes:
            keras.utils.set_random_seed(0)
            model = family.compile(family.build(architecture, **hyperparameters), jit_compile=jit)
            try:
                step = timed(lambda m=model: m.train_on_batch(x, y), repeats)
            except Exception as error:  # e.g. TensorFlow's XLA cannot compile a recurrent loop of unknown length
                if not jit:
                    raise
                print(f"{architecture} jit=True: not timed, XLA cannot compile it here ({type(error).__name__})",
                      flush=True)
                continue
            infer = timed(lambda m=model: m.predict_on_batch(x), repeats)
            common = {"model": f"{architecture}_{family_name}", "width": hyperparameters.get("width"),
                      "param_count": model.count_params(), "forward_gflop": forward_gflop(model, x),
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
        infer = timed(lambda x=x: model.predict_on_batch(x), repeats)
        step = timed(lambda x=x, y=y: model.train_on_batch(x, y), repeats)
        rows.append({"model": f"{architecture}_{family_name}", "width": width, "set_size": n,
                     "infer_ms": round(1000 * infer, 2), "train_step_ms": round(1000 * step, 2),
                     "param_count": model.count_params(), **_environment()})
        print(f"n={n}: infer {1000 * infer:.1f} ms, train step {1000 * step:.1f} ms", flush=True)
    return pd.DataFrame(rows)


def timing_output(command, env, what, cwd=None):
    """Run a timing script in a process of its own, with this process's environment updated by `env` (a None value
    removes the variable); its last line of output. Raises `RuntimeError` with its error output if it fails."""
    environment = {key: value for key, value in {**os.environ, **env}.items() if value is not None}
    done = subprocess.run(command, env=environment, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"Timing {what} failed (exit {done.returncode}): {done.stderr.strip()[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def reference_code(family, architectures=()):
    """`family.reference`, the authors' code, checked to have a class for each of `architectures`."""
    reference = family.reference
    if reference is None:
        raise ValueError(f"Family {family.name!r} names no authors' code to time against (Family.reference).")
    unknown = sorted(set(architectures) - set(reference.classes))
    if unknown:
        raise ValueError(f"The authors' code of {family.name!r} has no model for {unknown}; it has "
                         f"{sorted(reference.classes)}.")
    return reference


def reference_step(family, checkout, architecture, repeats, python=sys.executable):
    """`(ms, params, device)` of one training step of the authors' model for `architecture`, timed by the script of
    `family.reference` in its own process."""
    reference = reference_code(family, [architecture])
    if not (Path(checkout) / reference.marker).is_file():
        raise FileNotFoundError(f"{checkout} is not a checkout of the authors' repository (no {reference.marker}); "
                                f"clone {reference.repository} and pass its folder.")
    _, device, params, ms = timing_output([python, str(reference.script), reference.classes[architecture],
                                           str(repeats)], {"REFERENCE_CHECKOUT": str(checkout)},
                                          f"the reference {architecture}").split(",")
    return float(ms), int(params), device


def zoo_step(family, architecture, repeats, backend, width=1.0):
    """`(ms, params, jit_compile)` of one training step of the zoo's `architecture` on `backend`, timed by
    `evaluation.zoo_step` in its own process, as the reference is."""
    _, _, jit, params, ms = timing_output([sys.executable, "-m", "evaluation.zoo_step", family.name, architecture,
                                           str(repeats), "--width", str(width)], {"KERAS_BACKEND": backend},
                                          f"the zoo's {architecture} on {backend}").split(",")
    return float(ms), int(params), jit == "True"


def benchmark_reference(checkout, family_name="signals", architectures=None, backends=("tensorflow",), rounds=3,
                        repeats=5, width=1.0):
    """The zoo's training step against the authors' (`Family.reference`) on the same machine, alternating in one run.

    Each round times, per architecture, the reference's step and the zoo's on every backend, one after the other
    (the reference first in odd rounds, last in even ones), so both see the same load. Each side runs in its
    own process, warmed up for 3 steps, and reports the median of `repeats` steps on the same batch shape (for the
    signals, 64 sets of 25 signals of 100 steps); the ratio is zoo / reference, below 1 where the zoo is faster.

    Returns:
        One row per round, architecture and backend.
    """
    family = get_family(family_name)
    classes = reference_code(family, architectures or ()).classes
    rows = []
    for round_ in range(1, rounds + 1):
        for architecture in architectures or classes:
            timings = {}
            sides = ["reference", *backends]
            for side in sides if round_ % 2 else sides[::-1]:
                timings[side] = (reference_step(family, checkout, architecture, repeats) if side == "reference"
                                 else zoo_step(family, architecture, repeats, side, width))
            reference_ms, reference_params, reference_device = timings["reference"]
            for backend in backends:
                ms, params, jit = timings[backend]
                rows.append({"round": round_, "model": f"{architecture}_{family.name}",
                             "reference_model": classes[architecture], "backend": backend,
                             "jit_compile": jit, "width": width, "batch_size": 64, "zoo_ms": ms,
                             "reference_ms": reference_ms, "ratio": round(ms / reference_ms, 3),
                             "param_count": params, "reference_param_count": reference_params,
                             "reference_device": reference_device, "first": sides[0 if round_ % 2 else -1],
                             **{key: value for key, value in _environment().items() if key != "backend"}})
                print(f"round {round_} {architecture} {backend}: zoo {ms:.0f} ms, reference {reference_ms:.0f} ms "
                      f"({ms / reference_ms:.2f}×)", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the zoo's models and write the benchmark CSVs.")
    parser.add_argument("--family", default="signals")
    parser.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1.0: the paper's)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--families", nargs="*", default=list(OTHER_FAMILIES),
                        help="more families, timed at their shipped entries' hyper-parameters")
    parser.add_argument("--architectures", nargs="+", help="only these architectures, in whichever family has them")
    parser.add_argument("--set-sizes", type=int, nargs="+", default=list(SET_SIZES))
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    parser.add_argument("--reference", metavar="CHECKOUT",
                        help="only the paired benchmark against the authors' code of --family, checked out in CHECKOUT")
    parser.add_argument("--backends", nargs="+", default=["tensorflow"],
                        help="the zoo's backends timed against the reference (each in its own process)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the paired benchmark")
    args = parser.parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    device = device_name()
    if args.reference:
        rows = benchmark_reference(args.reference, args.family, args.architectures, args.backends, args.rounds,
                                   args.repeats, args.width)
        rows.to_csv(os.path.join(args.output_dir, f"benchmark-reference-{device}.csv"), index=False)
        return
    per_family = [benchmark_models(args.family, args.width, args.batch_size, args.repeats,
                                   architectures=args.architectures)]
    per_family += [benchmark_models(family, None, args.batch_size, args.repeats, architectures=args.architectures)
                   for family in args.families]
    train, infer = (pd.concat([rows[i] for rows in per_family], ignore_index=True) for i in (0, 1))
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
