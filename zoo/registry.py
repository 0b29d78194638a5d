"""The registry: every zoo entry, as data, in `zoo/registry.json`.

An entry names its family and architecture (so it can be built untrained), the hyper-parameters of its shipped
weights, where its weights live on the Hugging Face Hub (repository and pinned revision) and the sha256 of every
file of its entry folder. Entries with recorded hashes are pretrained; a copy of their folder is embedded in the
package under `zoo/pretrained/<name>/`. An entry that was trained but fell short of the zoo's bar is withheld: no
weights ship, the registry says why, and its measurement stays in the family's leaderboard. The environment
variable `ZOO_REGISTRY` points the zoo at another registry file (its embedded entries then live in a
`pretrained/` folder beside it).

This module is the only one that writes the registry: `add_family` registers a family's entries, and
`update_entry` records an entry's hyper-parameters, file hashes, Hub revision or why it is withheld.
"""

import dataclasses
import difflib
import fnmatch
import json
import os
from pathlib import Path

from zoo.errors import UnknownModelError

REGISTRY_PATH = Path(__file__).with_name("registry.json")
HUB_ORGANISATION = "symmetry-zoo"


@dataclasses.dataclass
class Entry:
    """One registered model.

    Attributes:
        name: the name `zoo.load` takes, `<architecture>_<family>`.
        family: the family (`zoo.families`) that builds it and owns its task.
        architecture: the architecture within the family.
        hyperparameters: arguments of `family.build` and of training for the shipped weights.
        hub: `{"repo_id": ..., "revision": commit or None}`: where `zoo push` published it.
        sha256: file name -> sha256 of the entry folder; empty when no weights are registered.
        withheld: why trained weights do not ship (e.g. they lose to a trivial baseline), or None.
    """

    name: str
    family: str
    architecture: str
    hyperparameters: dict = dataclasses.field(default_factory=dict)
    hub: dict = dataclasses.field(default_factory=dict)
    sha256: dict = dataclasses.field(default_factory=dict)
    withheld: str | None = None

    @property
    def pretrained(self):
        return bool(self.sha256)

    @property
    def embedded_dir(self):
        return pretrained_dir() / self.name

    def to_json(self):
        data = dataclasses.asdict(self)
        del data["name"]
        if data["withheld"] is None:  # only withheld entries carry the field
            del data["withheld"]
        return data


def registry_path():
    """The registry file (`ZOO_REGISTRY` overrides it, e.g. for a private registry or tests)."""
    return Path(os.environ.get("ZOO_REGISTRY", REGISTRY_PATH))


def pretrained_dir():
    """Where embedded entry folders live: beside the registry file."""
    return registry_path().parent / "pretrained"


def load_registry(path=None):
    """All entries, by name."""
    data = json.loads(Path(path or registry_path()).read_text())
    return {name: Entry(name=name, **fields) for name, fields in data.items()}


def _write_registry(entries, path=None):
    """Write entries back, sorted by name, atomically."""
    path = Path(path or registry_path())
    text = json.dumps({name: entries[name].to_json() for name in sorted(entries)}, indent=2) + "\n"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def update_entry(name, **fields):
    """Record `fields` (`hyperparameters`, `sha256`, `hub`, `withheld`) of entry `name` in the registry; returns
    the entry."""
    entries = load_registry()
    entry = get_entry(name, entries)
    unknown = set(fields) - {"hyperparameters", "sha256", "hub", "withheld"}
    if unknown:
        raise ValueError(f"Registry entries have no field(s) {sorted(unknown)}.")
    for key, value in fields.items():
        setattr(entry, key, value)
    _write_registry(entries)
    return entry


def add_family(family):
    """Register an entry `<architecture>_<family>` for every architecture of `family` that has none yet, with the
    architecture's default hyper-parameters; returns the names added."""
    entries = load_registry()
    added = []
    for architecture, spec in family.architectures.items():
        name = f"{architecture}_{family.name}"
        if name not in entries:
            entries[name] = Entry(name=name, family=family.name, architecture=architecture,
                                  hyperparameters=dict(spec.defaults))
            added.append(name)
    _write_registry(entries)
    return added


def get_entry(name, entries=None):
    """The entry called `name` (case-insensitively); an unknown name raises `UnknownModelError` with the closest
    names, an empty one `ValueError`."""
    entries = load_registry() if entries is None else entries
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"A model name must be a non-empty string; got {name!r}. `zoo.list_models()` lists them.")
    folded = {key.lower(): key for key in entries}
    name = folded.get(name.strip().lower(), name)  # names are case-insensitive, as Hub repository names are
    if name not in entries:
        close = difflib.get_close_matches(name.lower(), list(entries), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownModelError(f"Unknown model {name!r}.{hint} `zoo.list_models()` lists the "
                                f"{len(entries)} registered models.")
    return entries[name]


def find_entry(family, architecture, entries=None):
    """The registered entry of `architecture` in the family named `family` (e.g. the unregularised twin of a
    regularised entry), or None."""
    entries = load_registry() if entries is None else entries
    return next((entry for entry in entries.values()
                 if entry.family == family and entry.architecture == architecture), None)


def list_models(pattern="*", pretrained=None):
    """Names of the registered models matching a shell-style `pattern`, sorted.

    Args:
        pattern: e.g. `"dss_*"` or `"*_signals"`.
        pretrained: True for only the models with weights, False for only those without, None for all.

    Example:
    >>> list_models("dss_sum_*")
    ['dss_sum_signals']
    """
    return sorted(name for name, entry in load_registry().items()
                  if fnmatch.fnmatchcase(name, pattern) and (pretrained is None or entry.pretrained == pretrained))
