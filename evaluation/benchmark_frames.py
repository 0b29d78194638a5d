"""Throughput of UCF101 first-frame selection at scale: decoding, the frame cache, the set pipeline and training.

A synthetic folder in the official `UCF-101/<Class>/v_<Class>_gXX_cYY.avi` layout (a few hundred generated 320×240
clips) goes through the path `zoo train dss_sum_ucf101` takes on full UCF101, and every stage is timed:

    decode         clips/s decoded, centre-cropped, resized and written to the `.npy` cache (`ZOO_CACHE_DIR`)
    cache_read     clips/s read back from that cache (every later run)
    pipeline       random augmented training sets/s drawn by `FrameSetBatches` (one process, no model)
    train_step     sets/s of the model's training step on a batch already in memory (the device's rate)
    fit_workers_N  sets/s of `model.fit` fed by the pipeline (what training really gets), with the sets drawn in the
                   training loop's thread (`workers` 1) or by 4 threads while the device computes (as the family does)

`fit` close to `train_step` means the input pipeline keeps the device busy. Writes
`evaluation/results/benchmark-frames-<device>.csv`:

    python -m evaluation.benchmark_frames --clips 300 --width 1.0       # the paper's width
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from evaluation.benchmark import _environment, device_name, timed
from evaluation.cards import RESULTS_DIR
from zoo.data.frame_sets import FrameSetBatches, frame_size_for
from zoo.data.ucf101 import FrameCache, find_clips
from zoo.data.video import write_video
from zoo.families import get_family
from zoo.families.dss.image_selection import IMAGE_SIZE
from zoo.families.dss.ucf101 import BATCH_SIZE, SET_SIZE, STRIDE

CLASSES = ("Archery", "Biking", "Diving", "Fencing", "Rowing")


def synthetic_clip(rng, frames=80, height=240, width=320):
    """A textured background with a bright square moving along a random straight line, `(frames, h, w, 3)` uint8."""
    background = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
    start, velocity = rng.uniform((0, 0), (height - 40, width - 40)), rng.uniform(-3, 3, size=2)
    clip = np.repeat(background[None], frames, axis=0)
    for t in range(frames):
        top, left = np.clip(start + t * velocity, 0, (height - 40, width - 40)).astype(int)
        clip[t, top : top + 40, left : left + 40] = 255
    return clip


def synthetic_ucf101(root, clips=300, frames=80, seed=0):
    """Write `clips` synthetic avi clips in the official layout under `root/UCF-101`; returns `root`."""
    rng = np.random.default_rng(seed)
    for i in range(clips):
        label = CLASSES[i % len(CLASSES)]
        group, clip = 1 + (i // len(CLASSES)) % 25, 1 + i // (25 * len(CLASSES))  # 25 groups, as UCF101 has
        write_video(Path(root) / "UCF-101" / label / f"v_{label}_g{group:02d}_c{clip:02d}.avi",
                    synthetic_clip(rng, frames))
    return Path(root)


def _per_second(count, fn):
    start = time.perf_counter()
    fn()
    return count / (time.perf_counter() - start)


def benchmark_frames(root, cache_dir, width=1.0, architecture="dss_sum", steps=10, repeats=3, workers=(1, 4)):
    """Rows of per-second rates for each stage (see the module docstring) on the clips under `root`."""
    clips = find_clips(root)
    size = frame_size_for(IMAGE_SIZE)
    decode = _per_second(len(clips), lambda: FrameCache(size, cache_dir).all(clips, "decoding"))
    videos = []
    cache_read = _per_second(len(clips), lambda: videos.extend(np.asarray(v) for v in FrameCache(size, cache_dir)
                                                              .all(clips, "reading the cache")))
    batches = FrameSetBatches(videos, SET_SIZE, STRIDE, IMAGE_SIZE, BATCH_SIZE, steps=steps, seed=0)
    pipeline = _per_second(steps * BATCH_SIZE, lambda: [batches[i] for i in range(steps)])
    family = get_family("ucf101")
    keras.utils.set_random_seed(0)
    defaults = family.architectures[architecture].defaults
    model = family.compile(family.build(architecture, **{**defaults, "width": width}))
    x, y = batches[0]
    step = timed(lambda: model.train_on_batch(x, y), repeats)
    model.fit(batches, epochs=1, steps_per_epoch=1, verbose=0)  # tracing is not timed
    fits = []
    for count in workers:
        fed = FrameSetBatches(videos, SET_SIZE, STRIDE, IMAGE_SIZE, BATCH_SIZE, steps=steps, seed=0, workers=count)
        fits.append((f"fit_workers_{count}", _per_second(steps * BATCH_SIZE, lambda f=fed: model.fit(f, verbose=0)),
                     "sets"))
    common = {"model": f"{architecture}_ucf101", "width": width, "param_count": model.count_params(),
              "batch_size": BATCH_SIZE, "set_size": SET_SIZE, "clips": len(clips), **_environment()}
    rates = [("decode", decode, "clips"), ("cache_read", cache_read, "clips"), ("pipeline", pipeline, "sets"),
             ("train_step", BATCH_SIZE / step, "sets"), *fits]
    return pd.DataFrame([{"stage": stage, "per_sec": round(rate, 2), "unit": unit, **common}
                         for stage, rate, unit in rates])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the UCF101 data path and write benchmark-frames-*.csv.")
    parser.add_argument("--clips", type=int, default=300, help="synthetic clips to generate")
    parser.add_argument("--frames", type=int, default=80, help="frames per synthetic clip")
    parser.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1.0: the paper's)")
    parser.add_argument("--architecture", default="dss_sum")
    parser.add_argument("--steps", type=int, default=10, help="batches timed for the pipeline and the fit")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        root = synthetic_ucf101(Path(work) / "ucf", args.clips, args.frames)
        rows = benchmark_frames(root, Path(work) / "cache", args.width, args.architecture, args.steps)
    os.makedirs(args.output_dir, exist_ok=True)
    path = Path(args.output_dir) / f"benchmark-frames-{device_name()}.csv"
    rows.to_csv(path, index=False)
    print(rows[["stage", "per_sec", "unit"]].to_string(index=False))
    return path


if __name__ == "__main__":
    main()
