"""The registry: every zoo entry, as data, in `zoo/registry.json`.

An entry names its family and architecture (so it can be built untrained), the hyper-parameters of its shipped
weights, where its weights live on the Hugging Face Hub (repository and pinned revision) and the sha256 of every
file of its entry folder. Entries with recorded hashes are pretrained; a copy of their folder is embedded in the
package under `zoo/pretrained/<name>/`. An entry that was trained but fell short of the zoo's bar is withheld: no
weights ship, the registry says why, and its measurement stays in the family's leaderboard.

Names follow timm's `arch.tag`: `<architecture>_<family>` is an architecture's default entry, and
`<architecture>_<family>.<tag>` another set of weights of the same architecture and task (e.g.
`dss_sum_signals.paper_width` beside `dss_sum_signals`), with its own embedded folder, Hub repository, card and
leaderboard row. Tags are lowercase letters, digits and underscores; `add_tagged_entry` registers one.

The environment variable `ZOO_REGISTRY` points the zoo at another registry file (its embedded entries then live
in a `pretrained/` folder beside it).

This module is the only one that writes the registry: `add_family` registers a family's entries,
`add_tagged_entry` a tagged copy of one, and `update_entry` records an entry's hyper-parameters, file hashes, Hub
revision or why it is withheld.
"""

import dataclasses
import difflib
import fnmatch
import json
import os
import re
from pathlib import Path

from zoo.errors import UnknownModelError

REGISTRY_PATH = Path(__file__).with_name("registry.json")
HUB_ORGANISATION = "symmetry-zoo"
TAG_PATTERN = re.compile(r"[a-z0-9_]+")


def split_name(name):
    """`"<base>.<tag>"` -> `("<base>", "<tag>")`; an untagged name -> `(name, None)`.

    Raises:
        ValueError: more than one dot, or a tag that is not lowercase letters, digits and underscores.

    Example:
    >>> split_name("dss_sum_signals.paper_width")
    ('dss_sum_signals', 'paper_width')
    """
    base, dot, tag = name.partition(".")
    if dot and not TAG_PATTERN.fullmatch(tag):
        raise ValueError(f"Invalid tag {tag!r} in {name!r}: a model name is <base> or <base>.<tag>, and a tag is "
                         "lowercase letters, digits and underscores (e.g. 'dss_sum_signals.paper_width').")
    return base, tag if dot else None


@dataclasses.dataclass
class Entry:
    """One registered model.

    Attributes:
        name: the name `zoo.load` takes, `<architecture>_<family>` or, for more weights of the same architecture
            and task, `<architecture>_<family>.<tag>`.
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
    def base(self):
        """The name without its tag: `"dss_sum_signals"` for `dss_sum_signals.paper_width`."""
        return split_name(self.name)[0]

    @property
    def tag(self):
        """The tag (`"paper_width"` for `dss_sum_signals.paper_width`), None for an architecture's default entry."""
        return split_name(self.name)[1]

    @property
    def embedded_dir(self):
        return pretrained_dir() / self.name

    @property
    def repo_id(self):
        """Its Hub repository: the registered one, else `symmetry-zoo/<name>` (one repository per tagged name)."""
        return self.hub.get("repo_id") or f"{HUB_ORGANISATION}/{self.name}"

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
    """All entries, by name (a name with an invalid tag raises `ValueError`)."""
    data = json.loads(Path(path or registry_path()).read_text())
    for name in data:
        split_name(name)
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


def add_tagged_entry(base_name, tag, hyperparameters=None):
    """Register `<base_name>.<tag>`: another set of weights of the architecture and task of the default entry
    `base_name`, with no weights yet; returns the new entry.

    It starts from the base entry's hyper-parameters with `hyperparameters` on top; its embedded folder is
    `pretrained/<base_name>.<tag>` and its Hub repository `symmetry-zoo/<base_name>.<tag>`. Train it with
    `zoo train <base_name>.<tag>`: the hyper-parameters it sets apart from the base's stay fixed, the search varies
    the others.

    Args:
        base_name: a registered untagged name, e.g. `"dss_sum_signals"`.
        tag: lowercase letters, digits and underscores, e.g. `"paper_width"`.
        hyperparameters: what differs from the base entry's, e.g. `{"width": 1.0}`.

    Raises:
        UnknownModelError: `base_name` is not registered.
        ValueError: an invalid tag, a tagged `base_name`, a name already registered, or a hyper-parameter that its
            architecture does not take (`Family.check_hyperparameters`).

    Example:
    >>> add_tagged_entry("dss_sum_signals", "paper_width", {"width": 1.0}).name
    'dss_sum_signals.paper_width'
    """
    from zoo.families import get_family

    entries = load_registry()
    base = get_entry(base_name, entries)
    if base.tag is not None:
        raise ValueError(f"{base.name!r} is itself tagged; tag its default entry {base.base!r} instead.")
    name = f"{base.name}.{tag}"
    split_name(name)  # validates the tag
    get_family(base.family).check_hyperparameters(base.architecture, hyperparameters or {})
    if name in entries:
        raise ValueError(f"{name!r} is already registered; `zoo train {name}` retrains it.")
    entries[name] = Entry(name=name, family=base.family, architecture=base.architecture,
                          hyperparameters={**base.hyperparameters, **(hyperparameters or {})},
                          hub={"repo_id": f"{HUB_ORGANISATION}/{name}", "revision": None})
    _write_registry(entries)
    return entries[name]


def get_entry(name, entries=None):
    """The entry called `name` (case-insensitively; `<base>.<tag>` for a tagged one); an unknown name raises
    `UnknownModelError` with the closest names (and the base's tags), an empty one `ValueError`."""
    entries = load_registry() if entries is None else entries
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"A model name must be a non-empty string; got {name!r}. `zoo.list_models()` lists them.")
    folded = {key.lower(): key for key in entries}
    name = folded.get(name.strip().lower(), name)  # names are case-insensitive, as Hub repository names are
    if name not in entries:
        close = difflib.get_close_matches(name.lower(), list(entries), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        hint += _tag_hint(name, entries)
        raise UnknownModelError(f"Unknown model {name!r}.{hint} `zoo.list_models()` lists the "
                                f"{len(entries)} registered models.")
    return entries[name]


def _tag_hint(name, entries):
    """What an unknown tagged name's error adds: the tags its base has and how to register one, or the tag rule."""
    base, dot, tag = name.lower().partition(".")
    base = {key.lower(): key for key in entries}.get(base)
    if not dot or base is None:
        return ""
    if not TAG_PATTERN.fullmatch(tag):
        return " Tags are lowercase letters, digits and underscores."
    tags = sorted(key for key in entries if key.startswith(f"{base}."))
    known = f"its tagged entries are {', '.join(map(repr, tags))}" if tags else "it has no tagged entries"
    return f" {base!r} is registered and {known}; `zoo tag {base} {tag}` registers {name!r}."


def find_entry(family, architecture, entries=None):
    """The default (untagged) entry of `architecture` in the family named `family` (e.g. the unregularised twin
    of a regularised entry), or None."""
    entries = load_registry() if entries is None else entries
    return next((entry for entry in entries.values()
                 if entry.family == family and entry.architecture == architecture and entry.tag is None), None)


def list_models(pattern="*", pretrained=None, remote=False):
    """Names of the registered models matching a shell-style `pattern`, sorted; with `remote`, what is published.

    Args:
        pattern: e.g. `"dss_*"`, `"*_signals"` or `"dss_sum_signals*"` (the default entry and its tags).
        pretrained: True for only the models with weights, False for only those without, None for all.
        remote: list the Hub instead (`zoo.hub.list_remote`): one dict per registered name and per repository
            published under `symmetry-zoo`, saying whether it is published and whether the registry's pinned
            revision is the Hub's current one. Raises `HubUnavailableError` offline or without network.

    Example:
    >>> add_tagged_entry("dss_sum_signals", "paper_width", {"width": 1.0}).name  # a second set of weights
    'dss_sum_signals.paper_width'
    >>> list_models("dss_sum_signals*")
    ['dss_sum_signals', 'dss_sum_signals.paper_width']
    >>> [(row["name"], row["status"]) for row in list_models("dss_sum_signals*", remote=True)]
    [('dss_sum_signals', 'not published'), ('dss_sum_signals.paper_width', 'not published')]
    """
    if remote:
        from zoo.hub import list_remote

        return list_remote(pattern, pretrained)
    return sorted(name for name, entry in load_registry().items()
                  if fnmatch.fnmatchcase(name, pattern) and (pretrained is None or entry.pretrained == pretrained))
