"""Time one training step of a zoo model on a batch of its family's training sets (default 64), the zoo's side of
the paired benchmark against the authors' code (`evaluation.benchmark.benchmark_reference`).

Usage:
    KERAS_BACKEND=jax python -m evaluation.zoo_step FAMILY ARCHITECTURE [REPEATS] [--width W]

Runs the backend's default path (`family.compile`'s `jit_compile`: XLA under JAX, none under TensorFlow and
PyTorch). Prints one CSV line, as the reference's script does: architecture,backend,jit_compile,params,
train_step_ms_median.
"""

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("family")
    parser.add_argument("architecture")
    parser.add_argument("repeats", nargs="?", type=int, default=10)
    parser.add_argument("--width", type=float, default=1.0, help="channel width multiplier (1.0: the paper's)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)

    import keras

    from evaluation.benchmark import timed
    from zoo.families import get_family

    family = get_family(args.family)
    x, y = family.load_split("train", size=args.batch_size)
    keras.utils.set_random_seed(0)
    model = family.compile(family.build(args.architecture, width=args.width))
    seconds = timed(lambda: model.train_on_batch(x, y), args.repeats, warmups=3)
    jit = bool(getattr(model, "jit_compile", False))
    print(f"{args.architecture},{keras.config.backend()},{jit},{model.count_params()},"
          f"{1000 * seconds:.2f}")


if __name__ == "__main__":
    main()
