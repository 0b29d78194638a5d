"""The Hugging Face Hub side of the zoo: read entry folders from the cache or the Hub, publish them, and list
what is published."""

import fnmatch
import glob
import os
from pathlib import Path

from zoo.entry import UNHASHED_FILES, read_info, sha256_file, verify_folder
from zoo.errors import HubUnavailableError

TRUE_VALUES = {"1", "ON", "YES", "TRUE"}


def is_offline():
    """True when `HF_HUB_OFFLINE` is set (read now, not at import time)."""
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in TRUE_VALUES


def parse_hub_uri(uri):
    """`hf://owner/repo@revision` -> `("owner/repo", "revision" or None)`."""
    path = uri.removeprefix("hf://")
    repo_id, _, revision = path.partition("@")
    if repo_id.count("/") != 1:
        raise ValueError(f"Expected a Hub address like hf://owner/repo or hf://owner/repo@revision; got {uri!r}.")
    return repo_id, revision or None


def hub_folder(repo_id, revision=None, cache_dir=None):
    """The local folder of `repo_id` at `revision`: from the Hugging Face cache, else downloaded.

    Raises:
        HubUnavailableError: offline (`HF_HUB_OFFLINE`) with nothing cached, or the Hub cannot be reached.
    """
    from huggingface_hub import snapshot_download

    where = f"{repo_id}@{revision or 'main'}"
    try:
        return Path(snapshot_download(repo_id, revision=revision, cache_dir=cache_dir, local_files_only=True))
    except Exception as cache_miss:
        if is_offline():
            raise HubUnavailableError(
                f"{where} is not in the Hugging Face cache and HF_HUB_OFFLINE is set, so it cannot be downloaded. "
                "Unset HF_HUB_OFFLINE with network access, or load a local copy with zoo.load('local-dir:PATH')."
            ) from cache_miss
    try:
        return Path(snapshot_download(repo_id, revision=revision, cache_dir=cache_dir, library_name="symmetry-zoo"))
    except Exception as error:
        raise HubUnavailableError(
            f"Could not download {where} from the Hugging Face Hub ({type(error).__name__}: {error}). "
            "Check the network, or load a local copy with zoo.load('local-dir:PATH').") from error


def upload_files(folder):
    """What `push` uploads from an entry folder: `{name: {"size": bytes, "sha256": hex}}` for its model files
    (verified against the hashes in its `zoo.json`), its `zoo.json` and its card, and nothing else.

    Raises:
        IntegrityError: a model file is missing or differs from its recorded hash.
        FileNotFoundError: no `zoo.json` or no card.

    Example:
    >>> upload_files("zoo/pretrained/dss_sum_signals")["model.weights.h5"]["size"]
    """
    folder = Path(folder)
    recorded = read_info(folder)["files"]
    verify_folder(folder, recorded)
    files = {}
    for name in sorted({*UNHASHED_FILES, *recorded}):
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: an entry folder is published with its zoo.json and card "
                                    "(zoo.save writes both).")
        files[name] = {"size": path.stat().st_size, "sha256": recorded.get(name) or sha256_file(path)}
    return files


def push(folder, repo_id, revision=None, create_pr=False, private=None, commit_message=None, dry_run=False,
         token=None, endpoint=None):
    """Publish an entry folder to a Hub model repository (create_repo + upload_folder).

    The folder is verified against its `zoo.json` hashes first: a modified entry is never published. Exactly the
    files `upload_files` lists are uploaded (`allow_patterns`), so a dry run shows what a real push sends; files
    already in the repository that are not among them stay there.

    Args:
        folder: the entry folder.
        repo_id: `owner/name` on the Hub.
        revision: branch to commit to (default: the repository's main branch).
        create_pr: open a pull request instead of committing to the branch.
        private: create the repository as private.
        commit_message: message of the commit.
        dry_run: only list what would be uploaded (names, sizes and sha256); nothing is sent.
        token, endpoint: Hub credentials and address (defaults: huggingface_hub's).

    Returns:
        dict with `repo_id`, `revision`, `create_pr`, `files` (`upload_files`), `dry_run` and, unless a dry run,
        `commit` (the commit hash to pin as the registry's revision), `commit_url` and `pr_url`.

    Example:
    >>> push("zoo/pretrained/dss_sum_signals", "symmetry-zoo/dss_sum_signals", dry_run=True)["files"]
    """
    folder = Path(folder)
    files = upload_files(folder)
    result = {"repo_id": repo_id, "revision": revision, "create_pr": create_pr, "files": files}
    if dry_run:
        return dict(result, dry_run=True)
    if is_offline():
        raise HubUnavailableError("HF_HUB_OFFLINE is set: nothing can be published. Unset it to push.")
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    message = commit_message or f"Upload {read_info(folder)['name']} from symmetry-zoo"
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        commit = api.upload_folder(repo_id=repo_id, folder_path=folder, revision=revision, create_pr=create_pr,
                                   allow_patterns=[glob.escape(name) for name in files], commit_message=message)
    except Exception as error:
        raise HubUnavailableError(
            f"Could not publish {folder} to {repo_id} on {endpoint or 'the Hugging Face Hub'} "
            f"({type(error).__name__}: {error}).") from error
    return dict(result, dry_run=False, commit=commit.oid, commit_url=commit.commit_url, pr_url=commit.pr_url)


def published_repos(owners, token=None, endpoint=None):
    """The model repositories of `owners` on the Hub: `{repo_id: {"sha": current commit, "last_modified": ISO
    date}}` (either None where the Hub gives none).

    Raises:
        HubUnavailableError: offline (`HF_HUB_OFFLINE`) or the Hub cannot be reached.

    Example:
    >>> published_repos(["symmetry-zoo"])["symmetry-zoo/dss_sum_signals"]["sha"]
    """
    where = endpoint or "the Hugging Face Hub"
    if is_offline():
        raise HubUnavailableError(f"HF_HUB_OFFLINE is set, so {where} cannot be listed. Unset it with network "
                                  "access; `zoo list` without --remote lists the registry.")
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    try:
        models = [model for owner in owners
                  for model in api.list_models(author=owner, expand=["sha", "lastModified"])]
    except Exception as error:
        raise HubUnavailableError(
            f"Could not list the models of {', '.join(owners)} on {where} ({type(error).__name__}: {error}). "
            "Check the network; `zoo list` without --remote lists the registry.") from error
    return {model.id: {"sha": model.sha,
                       "last_modified": model.last_modified.isoformat() if model.last_modified else None}
            for model in models}


def _row(name, repo_id, remote, pinned, registered):
    """One row of `list_remote`: a registered name or a published repository, and how the two compare."""
    sha = remote["sha"] if remote else None
    if remote is None:
        status = "not published"
    elif not registered:
        status = "not registered"
    elif pinned is None:
        status = "published, no revision pinned"
    elif sha is None:
        status = "published, current revision unknown"
    else:
        status = "pinned revision is current" if pinned == sha else "pinned revision is not the Hub's current"
    return {"name": name, "registered": registered, "repo_id": repo_id, "published": remote is not None,
            "sha": sha, "last_modified": remote["last_modified"] if remote else None, "pinned": pinned,
            "pinned_is_current": pinned == sha if pinned and sha else None, "status": status}


def list_remote(pattern="*", pretrained=None, token=None, endpoint=None):
    """What is published on the Hub, against the registry: one row per registered name matching `pattern` (and
    `pretrained`, as `zoo.list_models`) and one per other repository of `symmetry-zoo` whose name matches.

    A registered name is looked up in its registered repository (default `symmetry-zoo/<name>`, tags included);
    the repositories of `symmetry-zoo` and of every other owner among them are listed with
    `HfApi.list_models(author=...)`.

    Returns:
        Rows sorted by name: dicts with `name` (the registered name, or the repository's), `registered`,
        `repo_id`, `published`, `sha` and `last_modified` (the Hub's current commit and date, None when not
        published), `pinned` (the registry's revision), `pinned_is_current` (None when there is nothing to
        compare) and `status`.

    Raises:
        HubUnavailableError: offline (`HF_HUB_OFFLINE`) or the Hub cannot be reached.

    Example:
    >>> [(row["name"], row["status"]) for row in list_remote("dss_sum_signals*")]
    [('dss_sum_signals', 'not published')]
    """
    from zoo.registry import HUB_ORGANISATION, list_models, load_registry

    entries = load_registry()
    registered = {entries[name].repo_id: entries[name] for name in list_models(pattern, pretrained)}
    owners = sorted({HUB_ORGANISATION, *(repo_id.partition("/")[0] for repo_id in registered)})
    published = published_repos(owners, token, endpoint)
    everywhere = {entry.repo_id for entry in entries.values()}  # the repositories of every registered name
    rows = []
    for repo_id, remote in published.items():
        owner, _, name = repo_id.partition("/")
        if repo_id not in everywhere and owner == HUB_ORGANISATION and fnmatch.fnmatchcase(name, pattern):
            rows.append(_row(name, repo_id, remote, None, registered=False))
    for repo_id, entry in registered.items():
        rows.append(_row(entry.name, repo_id, published.get(repo_id), entry.hub.get("revision"), registered=True))
    return sorted(rows, key=lambda row: row["name"])

