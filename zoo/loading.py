"""`zoo.load`: a name or address in, a ready Keras model out."""

from pathlib import Path

from zoo import hub
from zoo.entry import INFO_FILE, load_model_folder, read_info, verify_folder
from zoo.errors import IntegrityError
from zoo.families import FAMILIES, get_family
from zoo.registry import get_entry
from zoo.saving import MEASURED_FIELDS

LOCAL_PREFIX = "local-dir:"
HUB_PREFIX = "hf://"
# A loaded model is compiled to fine-tune: a fresh Adam at its training rate knocks trained weights far off in its
# first steps (`python -m evaluation.fine_tuning`, `evaluation/results/fine_tuning.csv`).
FINE_TUNING_RATE = 0.01  # × the entry's training learning rate
WARMUP_STEPS = 50


def load(name_or_uri, pretrained=True, num_classes=None, revision=None, compile=True, cache_dir=None,
         learning_rate=None):
    """Load a zoo model.

    Resolution order for a registered name (`<architecture>_<family>`, or `<architecture>_<family>.<tag>` for
    another set of weights of it): the copy embedded in the package, then the Hugging Face cache, then the Hub at
    the revision pinned in the registry (or `revision`), from the entry's repository (default
    `symmetry-zoo/<name>`). Addresses `local-dir:PATH` (or an existing
    folder path) and `hf://owner/repo[@revision]` load an entry folder from there. Every file's sha256 is checked
    against the registry (registered names) or the folder's `zoo.json` before anything is loaded.

    Args:
        name_or_uri: a registered name (`zoo.list_models()`), `local-dir:PATH`, a folder path or `hf://owner/repo`.
        pretrained: False builds the registered architecture with fresh weights.
        num_classes: replace the classification layer with a new one of this size; all other weights are kept,
            and the measured metrics of the original are dropped from `model.zoo_info`.
        revision: Hub revision (commit, branch or tag) to load instead of the pinned one; exactly that revision is
            loaded, from the cache or the Hub (never the embedded copy), or `HubUnavailableError` says why not.
        compile: compile with the family's loss, metric and Adam so that `model.fit` works at once. Trained
            weights are compiled to fine-tune: Adam at `FINE_TUNING_RATE` (1/100) of the entry's training
            learning rate, warmed up linearly over the first `WARMUP_STEPS` (50) steps. A fresh build
            (`pretrained=False`) or a new output layer (`num_classes`) gets the training rate, with the same
            warm-up.
        cache_dir: Hugging Face cache folder (default: huggingface_hub's).
        learning_rate: Adam's rate instead, constant from the first step and settable (e.g. by
            `keras.callbacks.ReduceLROnPlateau`, which a warm-up schedule refuses).

    Returns:
        The Keras model; `model.zoo_info` holds its `zoo.json` (provenance, metrics, symmetry).

    Example:
    >>> model = load("dss_sum_signals")
    >>> model.predict(x)  # x: (batch, 25, 100, 1)
    """
    if not isinstance(name_or_uri, str | Path) or not str(name_or_uri).strip():
        raise ValueError(f"zoo.load needs a model name or address; got {name_or_uri!r}. `zoo.list_models()` lists "
                         "the names.")
    if learning_rate is not None and not compile:
        raise ValueError("zoo.load got learning_rate= with compile=False: the rate is the compiled Adam's; drop "
                         "one of them.")
    folder, info = _resolve(str(name_or_uri), pretrained, revision, cache_dir)
    if folder is None:
        model = get_family(info["family"]).build(info["architecture"], **info["hyperparameters"])
    else:
        model = load_model_folder(folder)
        check_architecture(model, info, folder)
    trained = folder is not None
    if num_classes is not None and getattr(model.classifier_layer(), "units", None) != num_classes:
        model = model.with_num_classes(num_classes)
        info = {key: value for key, value in info.items() if key not in MEASURED_FIELDS}
        trained = False  # a fresh output layer learns at the training rate
    model.zoo_info = info
    if info.get("family") in FAMILIES:
        family = get_family(info["family"])
        model.value_range = family.input_spec.get("value_range")
        model.trained_set_sizes = family.trained_set_sizes
    if compile and info.get("family"):
        _compile(model, get_family(info["family"]), info["hyperparameters"], trained, learning_rate)
    return model


def _compile(model, family, hyperparameters, trained, learning_rate):
    """Compile `model` to fine-tune (trained weights) or to train (a fresh build or output layer)."""
    if learning_rate is not None:
        return family.compile(model, learning_rate=learning_rate)
    rate = hyperparameters.get("learning_rate", 1e-3) * (FINE_TUNING_RATE if trained else 1.0)
    return family.compile(model, learning_rate=rate, warmup_steps=WARMUP_STEPS)


def _resolve(name, pretrained, revision, cache_dir):
    """`(verified entry folder or None for an untrained build, entry info)`."""
    if name.startswith(LOCAL_PREFIX) or (not name.startswith(HUB_PREFIX) and Path(name).is_dir()):
        return _verified(Path(name.removeprefix(LOCAL_PREFIX)))
    if name.startswith(HUB_PREFIX):
        repo_id, uri_revision = hub.parse_hub_uri(name)
        return _verified(hub.hub_folder(repo_id, revision or uri_revision, cache_dir))
    entry = get_entry(name)
    if not pretrained:
        return None, {"name": entry.name, "family": entry.family, "architecture": entry.architecture,
                      "hyperparameters": entry.hyperparameters, "pretrained": False}
    if not entry.pretrained and entry.withheld:
        raise ValueError(f"{name!r} is withheld: {entry.withheld} Its measurement stays in its family's leaderboard; "
                         f"zoo.load({name!r}, pretrained=False) builds the architecture with fresh weights and "
                         f"`zoo train {name}` retrains it.")
    if not entry.pretrained:
        raise ValueError(f"{name!r} has no pretrained weights yet; use zoo.load({name!r}, pretrained=False) for "
                         f"the architecture with fresh weights, or train it with `zoo train {name}`.")
    pinned = entry.hub.get("revision")
    if revision is None and entry.embedded_dir.is_dir():
        folder = entry.embedded_dir
    elif revision is None and pinned is None:
        raise FileNotFoundError(f"{name!r} is neither embedded in this installation ({entry.embedded_dir}) nor "
                                "published to the Hub yet (no pinned revision in the registry).")
    else:
        folder = hub.hub_folder(entry.repo_id, revision or pinned, cache_dir)
        if revision is not None and revision != pinned:
            return _verified(folder)
    verify_folder(folder, entry.sha256)
    return folder, read_info(folder)


def _verified(folder):
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist or is not a folder.")
    if not (folder / INFO_FILE).is_file():
        raise FileNotFoundError(f"{folder} has no {INFO_FILE}: it is not a zoo entry folder (see zoo.save).")
    info = read_info(folder)
    verify_folder(folder, info.get("files", {}))
    return folder, info


def _structure(config):
    """A model config without what does not change the function a loaded model computes (layer names,
    initializers, dtype policies)."""
    if isinstance(config, dict):
        return {key: _structure(value) for key, value in config.items()
                if key not in ("name", "dtype") and not key.endswith("initializer")}
    if isinstance(config, list | tuple):
        return [_structure(value) for value in config]
    return config


def check_architecture(model, info, folder):
    """Raise `IntegrityError` unless `model` (loaded from `folder`) is the architecture its `zoo.json` names.

    The family rebuilds the named architecture with the recorded hyper-parameters (and the loaded model's number
    of classes); the two configs must agree. Entries of unknown families, and families whose data is missing (a
    few need it to size their vocabulary), are not checked.
    """
    family = FAMILIES.get(info.get("family"))
    if family is None or info.get("architecture") not in family.architectures or family.missing_data:
        return
    expected = family.build(info["architecture"], **info.get("hyperparameters", {}))
    config = expected.get_config()
    units = getattr(model.classifier_layer(), "units", None)
    if units is not None and units != getattr(expected.classifier_layer(), "units", None):
        expected._set_num_classes(config, units)
    if _structure(config) != _structure(model.get_config()):
        raise IntegrityError(
            f"{folder}/config.json is not the architecture {info['architecture']!r} that its zoo.json records "
            f"(family {info['family']!r}, hyper-parameters {info.get('hyperparameters', {})}): one of the two was "
            "edited. Restore the entry folder, or save the model again with zoo.save.")
