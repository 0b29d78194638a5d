"""The Hugging Face Hub side of the zoo: read entry folders from the cache or the Hub, publish them."""

import os
from pathlib import Path

from zoo.entry import UNHASHED_FILES, read_info, verify_folder
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


def push(folder, repo_id, revision=None, create_pr=False, private=None, commit_message=None, dry_run=False,
         token=None, endpoint=None):
    """Publish an entry folder to a Hub model repository (create_repo + upload_folder).

    The folder is verified against its `zoo.json` hashes first: a modified entry is never published.

    Args:
        folder: the entry folder.
        repo_id: `owner/name` on the Hub.
        revision: branch to commit to (default: the repository's main branch).
        create_pr: open a pull request instead of committing to the branch.
        private: create the repository as private.
        commit_message: message of the commit.
        dry_run: only list what would be uploaded.
        token, endpoint: Hub credentials and address (defaults: huggingface_hub's).

    Returns:
        dict with `repo_id`, `files` (name -> size in bytes) and, unless a dry run, `commit` (the commit hash to
        pin as the registry's revision), `commit_url` and `pr_url`.
    """
    folder = Path(folder)
    info = read_info(folder)
    verify_folder(folder, info["files"])
    files = {name: (folder / name).stat().st_size for name in sorted({*UNHASHED_FILES, *info["files"]})}
    result = {"repo_id": repo_id, "revision": revision, "create_pr": create_pr, "files": files}
    if dry_run:
        return dict(result, dry_run=True)
    if is_offline():
        raise HubUnavailableError("HF_HUB_OFFLINE is set: nothing can be published. Unset it to push.")
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        commit = api.upload_folder(repo_id=repo_id, folder_path=folder, revision=revision, create_pr=create_pr,
                                   commit_message=commit_message or f"Upload {info['name']} from symmetry-zoo")
    except Exception as error:
        raise HubUnavailableError(
            f"Could not publish {folder} to {repo_id} on {endpoint or 'the Hugging Face Hub'} "
            f"({type(error).__name__}: {error}).") from error
    return dict(result, dry_run=False, commit=commit.oid, commit_url=commit.commit_url, pr_url=commit.pr_url)
