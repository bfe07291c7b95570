"""``--media``: the video of a page with an HTML5 player and a direct .mp4, with yt-dlp."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from kzarchive.evidence.media import folder_name, reason_of
from tests.evidence.conftest import Servers, links, run
from tests.shared import third_party


def test_media_of_a_player_page_and_a_direct_file(sealed: Path) -> None:
    found = links(sealed)
    mp4 = third_party("media/mp4-with-audio.mp4").read_bytes()
    for path in ("/video-page", "/media/clip.mp4"):
        evidence = found[path]["evidence"]
        assert evidence["media_error"] is None, evidence
        files = {Path(m["path"]).suffix: m for m in evidence["media"]}
        assert set(files) == {".mp4", ".json"}
        video = files[".mp4"]
        assert video["sha256"] == hashlib.sha256(mp4).hexdigest() and video["size"] == len(mp4)
        assert (sealed / video["path"]).read_bytes() == mp4
        assert video["path"].startswith("media/")
    # Pages without a player are not handed to yt-dlp
    assert found["/report.pdf"]["evidence"]["media"] == []
    assert found["/gone404"]["evidence"]["media"] == []


def test_a_failure_is_recorded_with_the_extractor_reason(servers: Servers, tmp_path: Path) -> None:
    result, out = run(servers, tmp_path, ["/video-broken"], "--media")
    assert result.exit_code == 0, result.stderr
    evidence = links(out)["/video-broken"]["evidence"]
    # yt-dlp read the player (its .info.json is kept) but the video itself is gone
    assert [Path(m["path"]).suffix for m in evidence["media"]] == [".json"]
    assert evidence["media_error"].startswith("media not found (404)"), evidence
    assert evidence["record_id"]  # the page itself was still captured


def test_media_over_the_limit_is_not_downloaded(servers: Servers, tmp_path: Path) -> None:
    third_party("media/mp4-with-audio.mp4")
    result, out = run(servers, tmp_path, ["/media/clip.mp4"], "--media", "--media-max", "100")
    assert result.exit_code == 0, result.stderr
    evidence = links(out)["/media/clip.mp4"]["evidence"]
    assert evidence["media_error"] == "larger than --media-max (100 bytes)"
    assert not [m for m in evidence["media"] if m["path"].endswith(".mp4")]


def test_without_yt_dlp_media_says_how_to_install_it(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # import yt_dlp now raises ImportError
    result, out = run(servers, tmp_path, ["/video-page"], "--media")
    assert result.exit_code == 2
    assert "--media needs yt-dlp: pip install 'kzarchive[media]'" in result.stderr
    assert not out.exists()


def test_media_without_capture_is_a_usage_error(servers: Servers, tmp_path: Path) -> None:
    result, _ = run(servers, tmp_path, ["/video-page"], "--media", "--no-capture")
    assert result.exit_code == 2 and "--no-capture" in result.stderr


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("ERROR: Unsupported URL: https://example.org/x", "unsupported URL"),
        (
            "ERROR: [facebook] 123: This video is only available for registered users. "
            "Use --cookies-from-browser or --cookies for the authentication.",
            "login required",
        ),
        ("ERROR: [youtube] abc: Private video. Sign in if you've been granted access", "login"),
        ("ERROR: [youtube] abc: Video unavailable", "media unavailable"),
    ],
)
def test_reasons_read_from_yt_dlp(said: str, reason: str) -> None:
    # Messages as yt-dlp words them (its extractors' own strings)
    assert reason_of(said).startswith(reason)
    assert "ERROR:" not in reason_of(said)


def test_each_url_gets_a_folder_of_its_own() -> None:
    a = folder_name("https://www.youtube.com/watch?v=abc")
    b = folder_name("https://www.youtube.com/watch?v=abd")
    assert a != b and a.startswith("www.youtube.com-watch-v-abc-")
    assert "/" not in folder_name("https://x.org/" + "a/" * 100)
