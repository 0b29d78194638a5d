"""The zoo entry folder: Keras's own Hub layout plus provenance and a model card.

    <name>/
        config.json, metadata.json, model.weights.h5   written by `keras.saving.save_model(..., zipped=False)`
        zoo.json    name, architecture, task, data, licences, paper, symmetry, input spec, metrics, sha256 of files
        README.md   the model card

The same folder is embedded in the package, uploaded to the Hugging Face Hub and read back from its cache.
"""

import hashlib
import json
import shutil
import uuid
import warnings
from pathlib import Path

import keras

from zoo.errors import IntegrityError

INFO_FILE = "zoo.json"
CARD_FILE = "README.md"
KERAS_FILES = ("config.json", "metadata.json", "model.weights.h5")
UNHASHED_FILES = (INFO_FILE, CARD_FILE)


def sha256_file(path):
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_hashes(folder):
    """sha256 of the model files of an entry folder (the Keras files and any assets), keyed by relative path.

    The card and `zoo.json` are left out: they are refreshed as results are added, and a revision published to
    the Hub (pinned by these hashes in the registry) must keep verifying after such a refresh. What a model
    computes lives in the hashed files; `zoo.load` also checks that the config is the architecture `zoo.json`
    names.
    """
    folder = Path(folder)
    return {name: sha256_file(path) for path in sorted(folder.rglob("*"))
            if path.is_file() and (name := path.relative_to(folder).as_posix()) not in UNHASHED_FILES}


def verify_folder(folder, expected):
    """Raise `IntegrityError` unless every file in `expected` exists in `folder` with the recorded sha256."""
    folder = Path(folder)
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise IntegrityError(f"{path} is missing: the entry folder is incomplete.")
        actual = sha256_file(path)
        if actual != digest:
            raise IntegrityError(
                f"{path} does not match its recorded sha256 (expected {digest[:12]}…, found {actual[:12]}…): "
                "the file is corrupt, truncated or was modified. Delete it and load the model again.")


def read_info(folder):
    """The entry's `zoo.json`."""
    path = Path(folder) / INFO_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: {folder} is not a zoo entry folder.")
    return json.loads(path.read_text())


def load_model_folder(folder):
    """Load the Keras model of an entry folder, turning any warning into an error.

    Keras only warns when a layer fails to build during loading and then returns a model with partly random
    weights; here that is an error. A config Keras cannot deserialize (an unknown class, or code such as a
    `Lambda` that safe mode refuses) raises `IntegrityError` with the innermost reason, not Keras's outer
    "could not be deserialized" wrapper.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = keras.saving.load_model(str(folder), compile=False)
        except (TypeError, ValueError) as error:
            raise IntegrityError(f"{Path(folder) / 'config.json'} cannot be loaded: {_root_cause(error)}") from error
    problems = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    if problems:
        raise IntegrityError(f"Loading {folder} did not restore every weight: " + " | ".join(problems))
    return model


def _root_cause(error):
    """The innermost reason in an exception chain (Keras wraps it in one 'could not be deserialized' per level)."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    reason = str(error).split(" Full object config:")[0]
    if "safe_mode" in reason or "Lambda" in reason:
        reason += " (zoo entries never need code in their config; Keras's safe mode refused it)"
    return reason


def write_entry(model, folder, info, card, overwrite=False):
    """Write an entry folder atomically and return the info written to `zoo.json` (with the file hashes).

    Everything is written to a temporary folder beside `folder` and moved into place at the end, so a failure
    never leaves a half-written entry. Only an entry folder (one with a `zoo.json`) or an empty folder is
    replaced.
    """
    folder = Path(folder)
    if folder.exists() and not overwrite:
        raise FileExistsError(f"{folder} already exists; pass overwrite=True to replace it.")
    if folder.exists() and not (folder / INFO_FILE).is_file() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} is not a zoo entry folder (no {INFO_FILE}) and is not empty: overwrite=True "
                              "only replaces an entry folder. Nothing was changed; choose another folder.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.tmp"
    try:
        keras.saving.save_model(model, str(tmp), zipped=False)
        (tmp / CARD_FILE).write_text(card)
        info = dict(info, files=folder_hashes(tmp))
        (tmp / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
        if folder.exists():
            old = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.old"
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old)
        else:
            tmp.rename(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return info


def _replace_text(path, text):
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def rewrite_card(folder, card):
    """Replace the model card of an entry folder (its hashed model files are verified first and never change);
    return the info."""
    folder = Path(folder)
    info = read_info(folder)
    verify_folder(folder, info["files"])
    _replace_text(folder / CARD_FILE, card)
    if set(info["files"]) & set(UNHASHED_FILES):  # written before the card left the hashed files
        info["files"] = folder_hashes(folder)
        _replace_text(folder / INFO_FILE, json.dumps(info, indent=2) + "\n")
    return info
