"""Publishing: tested up to the network boundary (no network here)."""

import pytest

import zoo
from zoo.hub import parse_hub_uri


def test_dry_run_lists_what_would_be_uploaded(tiny_zoo):
    result = zoo.push(tiny_zoo["folder"], "me/tiny", dry_run=True)
    assert result["dry_run"] is True
    assert set(result["files"]) == {"zoo.json", "README.md", "config.json", "metadata.json", "model.weights.h5"}
    assert all(size > 0 for size in result["files"].values())


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
