"""`python -m training.adopt FOLDER...`: ship entries trained on another machine (e.g. a GPU one).

`zoo train NAME --output-dir OUT` writes a complete entry folder without touching the package. Adopting it
copies the weights into the package, re-measures them with the harness on this machine (so the shipped numbers
are the ones every CPU machine reproduces; float reductions differ between devices), keeps the training machine's
measurement in `training.metrics_where_trained`, records the hyper-parameters and hashes in the registry and
regenerates the card and the README table.

Example:
    zoo train dss_sum_colour_matching --budget gpu --width 0.25 --output-dir gpu_entries   # on the GPU machine
    python -m training.adopt gpu_entries/dss_sum_colour_matching                           # here
"""

import zoo
from evaluation.cards import write_readme_table
from evaluation.harness import evaluate_model
from training.train import register_embedded
from zoo.families import get_family
from zoo.loading import LOCAL_PREFIX
from zoo.registry import get_entry


def adopt_entry(folder):
    """Ship the entry folder `folder` as its registered entry; returns the `zoo.json` written.

    Raises:
        IntegrityError: the folder's files do not match the hashes in its `zoo.json`.
        UnknownModelError: the entry's name is not registered.
        ValueError: the folder's family or architecture differ from the registry's.
    """
    model = zoo.load(f"{LOCAL_PREFIX}{folder}")  # checks every file's sha256; compiled for the harness
    info = model.zoo_info
    entry = get_entry(info["name"])
    if (info["family"], info["architecture"]) != (entry.family, entry.architecture):
        raise ValueError(f"{folder} holds a {info['architecture']} model of family {info['family']}; the registry's "
                         f"{entry.name} is a {entry.architecture} model of family {entry.family}.")
    metrics = evaluate_model(model, get_family(entry.family), seeds=info["metrics"]["seeds"])
    training = dict(info["training"], metrics_where_trained=info["metrics"])
    zoo.save(model, entry.embedded_dir, name=entry.name, overwrite=True, metrics=metrics, training=training)
    return register_embedded(entry.name, info["hyperparameters"])


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=adopt_entry.__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="entry folders written by `zoo train NAME --output-dir`")
    args = parser.parse_args(argv)
    for folder in args.folders:
        info = adopt_entry(folder)
        metric = get_family(info["family"]).metric
        print(f"{info['name']}: {metric} {info['metrics'][metric]['mean']:.4f} ± {info['metrics'][metric]['std']:.4f}")
    write_readme_table()


if __name__ == "__main__":
    main()
