"""Publishing and listing the Hub: tested up to huggingface_hub's API (`HfApi`), never the network."""

import huggingface_hub
import pytest

import zoo
from tests.conftest import TINY_COMMIT
from zoo.entry import sha256_file
from zoo.hub import list_remote, parse_hub_uri


def test_dry_run_lists_what_would_be_uploaded(tiny_zoo):
    folder = tiny_zoo["folder"]
    (folder / "notes.txt").write_text("not part of the entry")
    result = zoo.push(folder, "me/tiny", dry_run=True)
    assert result["dry_run"] is True and "commit" not in result
    assert set(result["files"]) == {"zoo.json", "README.md", "config.json", "metadata.json", "model.weights.h5"}
    for name, file in result["files"].items():
        assert file == {"size": (folder / name).stat().st_size, "sha256": sha256_file(folder / name)}


def fake_hub(monkeypatch):
    """Replace `HfApi.create_repo` and `HfApi.upload_folder` (the API boundary) by fakes that record their
    arguments; the fake upload selects the folder's files with huggingface_hub's own pattern filter."""
    from huggingface_hub.utils import filter_repo_objects

    calls = {}

    def create_repo(self, repo_id, **kwargs):
        calls["create_repo"] = dict(kwargs, repo_id=repo_id)

    def upload_folder(self, **kwargs):
        folder = kwargs["folder_path"]
        on_disk = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
        calls["upload_folder"] = kwargs
        calls["uploaded"] = {name: sha256_file(folder / name) for name in filter_repo_objects(
            on_disk, allow_patterns=kwargs.get("allow_patterns"), ignore_patterns=kwargs.get("ignore_patterns"))}
        oid = "f" * 40
        return huggingface_hub.CommitInfo(commit_url=f"https://huggingface.co/{kwargs['repo_id']}/commit/{oid}",
                                          commit_message=kwargs["commit_message"], commit_description="", oid=oid)

    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", create_repo)
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", upload_folder)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return calls


def test_a_push_uploads_exactly_the_files_of_the_dry_run(tiny_zoo, monkeypatch):
    import json

    folder = tiny_zoo["folder"]
    (folder / "notes.txt").write_text("not part of the entry")
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "vocab[1].txt").write_text("a b c")  # an asset whose name is also a glob pattern
    info = json.loads((folder / "zoo.json").read_text())
    info["files"]["assets/vocab[1].txt"] = sha256_file(folder / "assets" / "vocab[1].txt")
    (folder / "zoo.json").write_text(json.dumps(info))
    dry = zoo.push(folder, "me/tiny", dry_run=True)
    assert "assets/vocab[1].txt" in dry["files"] and "notes.txt" not in dry["files"]
    calls = fake_hub(monkeypatch)
    result = zoo.push(folder, "me/tiny", token="hf_fake")
    assert calls["uploaded"] == {name: file["sha256"] for name, file in dry["files"].items()}
    assert calls["create_repo"] == {"repo_id": "me/tiny", "private": None, "exist_ok": True}
    upload = calls["upload_folder"]
    assert (upload["repo_id"], upload["folder_path"], upload["revision"], upload["create_pr"]) == (
        "me/tiny", folder, None, False)
    assert upload["commit_message"] == "Upload tiny_dss_signals from symmetry-zoo"
    assert result["files"] == dry["files"] and not result["dry_run"] and result["commit"] == "f" * 40


def test_unreachable_endpoint_is_a_clear_error(tiny_zoo, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(zoo.HubUnavailableError, match="Could not publish .* to me/tiny on http://127.0.0.1:9"):
        zoo.push(tiny_zoo["folder"], "me/tiny", endpoint="http://127.0.0.1:9", token="hf_fake")


def test_offline_mode_refuses_to_publish(tiny_zoo, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(zoo.HubUnavailableError, match="HF_HUB_OFFLINE"):
        zoo.push(tiny_zoo["folder"], "me/tiny")


def test_a_modified_entry_is_never_published(tiny_zoo):
    weights = tiny_zoo["folder"] / "model.weights.h5"
    weights.write_bytes(weights.read_bytes()[:-8])
    with pytest.raises(zoo.IntegrityError, match="model.weights.h5"):
        zoo.push(tiny_zoo["folder"], "me/tiny", dry_run=True)


def test_a_card_refreshed_after_publishing_never_breaks_the_pinned_revision(tiny_zoo, tmp_path, monkeypatch):
    from evaluation.cards import refresh_card
    from tests.conftest import TINY_COMMIT, make_hf_cache
    from zoo.registry import get_entry

    cache = tmp_path / "hf_cache"
    make_hf_cache(cache, tiny_zoo["repo_id"], TINY_COMMIT, tiny_zoo["folder"])  # what `zoo push` published
    pinned = get_entry("tiny_dss_signals").sha256
    card = (tiny_zoo["folder"] / "README.md").read_text()
    (tiny_zoo["folder"] / "README.md").write_text(card + "\nAn older card.\n")
    refresh_card("tiny_dss_signals")  # a later refresh of the package's copy
    assert get_entry("tiny_dss_signals").sha256 == pinned
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert zoo.load("tiny_dss_signals", revision=TINY_COMMIT, cache_dir=cache).zoo_info["name"] == "tiny_dss_signals"
    assert zoo.load("tiny_dss_signals").zoo_info["name"] == "tiny_dss_signals"


def test_hub_uris():
    assert parse_hub_uri("hf://org/repo") == ("org/repo", None)
    assert parse_hub_uri("hf://org/repo@abc123") == ("org/repo", "abc123")
    with pytest.raises(ValueError, match="hf://owner/repo"):
        parse_hub_uri("hf://repo")


def model_info(repo_id, sha, day=1):
    return huggingface_hub.ModelInfo(id=repo_id, sha=sha, lastModified=f"2025-01-{day:02d}T12:00:00.000Z")


def fake_listing(monkeypatch, published):
    """Replace `HfApi.list_models` (the API boundary) by one that answers from `published` ({owner: [ModelInfo]})
    and records each call's arguments."""
    calls = []

    def list_models(self, **kwargs):
        calls.append(kwargs)
        return iter(published.get(kwargs["author"], []))

    monkeypatch.setattr(huggingface_hub.HfApi, "list_models", list_models)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return calls


def test_the_remote_listing_marks_what_is_published_and_whether_the_pin_is_current(tiny_zoo, monkeypatch):
    from zoo.registry import add_tagged_entry, update_entry

    add_tagged_entry("tiny_dss_signals", "wide")
    update_entry("tiny_dss_signals.wide", hub={"repo_id": "symmetry-zoo/tiny_dss_signals.wide", "revision": "0" * 40})
    add_tagged_entry("tiny_dss_signals", "narrow")  # registered, never pushed
    add_tagged_entry("tiny_dss_signals", "mine")
    update_entry("tiny_dss_signals.mine", hub={"repo_id": "me/tiny-mine", "revision": None})
    calls = fake_listing(monkeypatch, {
        "symmetry-zoo": [model_info("symmetry-zoo/tiny_dss_signals", TINY_COMMIT, 2),
                         model_info("symmetry-zoo/tiny_dss_signals.wide", "1" * 40, 3),
                         model_info("symmetry-zoo/other_signals", "2" * 40)],
        "me": [model_info("me/tiny-mine", "3" * 40), model_info("me/unrelated", "4" * 40)]})
    rows = {row["name"]: row for row in zoo.list_models(remote=True)}
    assert sorted(calls, key=lambda call: call["author"]) == [
        {"author": "me", "expand": ["sha", "lastModified"]},
        {"author": "symmetry-zoo", "expand": ["sha", "lastModified"]}]
    assert {name: row["status"] for name, row in rows.items()} == {
        "other_signals": "not registered",
        "tiny_dss_signals": "pinned revision is current",
        "tiny_dss_signals.mine": "published, no revision pinned",
        "tiny_dss_signals.narrow": "not published",
        "tiny_dss_signals.wide": "pinned revision is not the Hub's current"}
    assert rows["tiny_dss_signals"] == {
        "name": "tiny_dss_signals", "registered": True, "repo_id": "symmetry-zoo/tiny_dss_signals",
        "published": True, "sha": TINY_COMMIT, "last_modified": "2025-01-02T12:00:00+00:00",
        "pinned": TINY_COMMIT, "pinned_is_current": True, "status": "pinned revision is current"}
    assert rows["tiny_dss_signals.wide"]["pinned_is_current"] is False
    assert rows["tiny_dss_signals.narrow"]["published"] is False
    assert rows["tiny_dss_signals.narrow"]["repo_id"] == "symmetry-zoo/tiny_dss_signals.narrow"
    assert rows["other_signals"]["registered"] is False
    assert [row["name"] for row in zoo.list_models("tiny_dss_signals.*", remote=True)] == [
        "tiny_dss_signals.mine", "tiny_dss_signals.narrow", "tiny_dss_signals.wide"]
    assert [row["name"] for row in zoo.list_models("*", pretrained=True, remote=True)] == [
        "other_signals", "tiny_dss_signals"]


def test_offline_the_remote_listing_is_refused_before_any_request(tiny_zoo, monkeypatch):
    calls = fake_listing(monkeypatch, {})
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(zoo.HubUnavailableError, match="HF_HUB_OFFLINE is set, so the Hugging Face Hub cannot be "
                                                      "listed"):
        zoo.list_models(remote=True)
    assert calls == []


def test_an_unreachable_hub_is_a_clear_error_when_listing(tiny_zoo, monkeypatch):
    import time

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # huggingface_hub retries a refused connection 5 times
    with pytest.raises(zoo.HubUnavailableError,
                       match="Could not list the models of symmetry-zoo on http://127.0.0.1:9 .*Check the network"):
        list_remote(endpoint="http://127.0.0.1:9")
