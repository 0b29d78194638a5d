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
    (tiny_zoo["folder"] / "README.md").write_text("edited by hand")
    with pytest.raises(zoo.IntegrityError, match="README.md"):
        zoo.push(tiny_zoo["folder"], "me/tiny", dry_run=True)


def test_hub_uris():
    assert parse_hub_uri("hf://org/repo") == ("org/repo", None)
    assert parse_hub_uri("hf://org/repo@abc123") == ("org/repo", "abc123")
    with pytest.raises(ValueError, match="hf://owner/repo"):
        parse_hub_uri("hf://repo")
