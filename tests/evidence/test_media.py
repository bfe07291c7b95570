"""``--media``: the video of a page with an HTML5 player and a direct .mp4, with yt-dlp."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest

from kzarchive.evidence.media import (
    _scrubbed,
    download,
    folder_name,
    private_target,
    reason_of,
    ytdlp_options,
)
from kzarchive.evidence.warc import PLAYER
from tests.evidence.conftest import Servers, links, run
from tests.servers.base import RunningServer
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


def test_a_local_players_media_is_kept_when_no_public_name_resolves(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kzarchive.check import dns as net

    third_party("media/mp4-with-audio.mp4")
    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))  # offline
    from click.testing import CliRunner

    from kzarchive.cli import main
    from tests.servers.documents import footnoted_report

    doc = footnoted_report(
        tmp_path / "report.md", [f"{servers.web.base}/video-page", "https://news.example.org/x"]
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(doc), "--out", str(out), "--media"], env=servers.env()
    )
    assert "offline" in result.stderr  # the machine counts as offline, the local page answers
    evidence = links(out)["/video-page"]["evidence"]
    assert evidence["media_error"] is None, evidence
    assert {Path(m["path"]).suffix for m in evidence["media"]} == {".mp4", ".json"}


def test_media_files_are_in_the_wacz_where_the_page_asks_for_them(sealed: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    found = links(sealed)
    page = found["/video-page"]
    clip = page["url"].removesuffix("/video-page") + "/media/clip.mp4"
    media = {Path(m["path"]).suffix: m for m in page["evidence"]["media"]}
    # The manifest names where each file came from and where its record is
    assert media[".mp4"]["source"] == clip and media[".mp4"]["target"] == clip
    assert media[".json"]["source"] is None
    info_name = Path(media[".json"]["path"]).name
    assert media[".json"]["target"] == f"urn:kzarchive:media:{page['url']}#{info_name}"
    resources: dict[str, tuple[str, bytes]] = {}
    with zipfile.ZipFile(sealed / "evidence.wacz") as wacz:
        names = [n for n in wacz.namelist() if n.endswith("-media.warc.gz")]
        assert len(names) == 1
        with wacz.open(names[0]) as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "resource":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    kind = record.rec_headers.get_header("Content-Type")
                    resources[uri] = (kind, record.content_stream().read())
    # The video at the URL the page's <video> asks for, so replay plays it
    assert resources[clip] == ("video/mp4", third_party("media/mp4-with-audio.mp4").read_bytes())
    kind, info = resources[media[".json"]["target"]]
    assert kind == "application/json" and json.loads(info)["url"] == clip
    # The media WARC is sealed with the rest
    sums = next((sealed / "evidence" / "seals").glob("*/SHA256SUMS")).read_text()
    assert "-media.warc.gz" in sums


def test_no_cookie_is_written_with_the_media_info() -> None:
    info = {
        "id": "x",
        "formats": [{"url": "https://cdn/x.mp4", "cookies": "c_user=1; xs=secret"}],
        "http_headers": {"Cookie": "xs=secret", "User-Agent": "UA"},
    }
    assert "secret" not in json.dumps(_scrubbed(info))
    assert _scrubbed(info) == {
        "id": "x",
        "formats": [{"url": "https://cdn/x.mp4"}],
        "http_headers": {"User-Agent": "UA"},
    }


def _formats() -> list[dict[str, object]]:
    """Formats of the kinds YouTube offers: one file with both streams only at 360p; video and
    audio apart above it."""

    def fmt(fid: str, ext: str, height: int | None, v: str, a: str) -> dict[str, object]:
        sizes = {"18": 90, "135": 150, "136": 300, "247": 280, "137": 600, "140": 20}
        return {
            "filesize": sizes.get(fid, 100) * 1024 * 1024,
            "format_id": fid,
            "url": f"http://127.0.0.1:9/{fid}",
            "ext": ext,
            "height": height,
            "width": height and height * 16 // 9,
            "vcodec": v,
            "acodec": a,
            "protocol": "https",
        }

    return [
        fmt("18", "mp4", 360, "avc1.42001E", "mp4a.40.2"),
        fmt("43", "webm", 360, "vp8", "vorbis"),
        fmt("135", "mp4", 480, "avc1.4d401e", "none"),
        fmt("136", "mp4", 720, "avc1.4d401f", "none"),
        fmt("247", "webm", 720, "vp9", "none"),
        fmt("137", "mp4", 1080, "avc1.640028", "none"),
        fmt("140", "m4a", None, "none", "mp4a.40.2"),
        fmt("251", "webm", None, "none", "opus"),
    ]


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("merge", "limit", "chosen"),
    [
        (True, 500 * MB, "136+140"),
        (False, 500 * MB, "18"),
        # a smaller format that fits --media-max rather than none
        (True, 200 * MB, "135+140"),
        # none fits: the best is asked for, and yt-dlp's max_filesize refuses it
        (False, 10 * MB, "18"),
    ],
)
def test_the_default_format(
    merge: bool, limit: int, chosen: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import yt_dlp

    from kzarchive.evidence import media

    monkeypatch.setattr(media, "can_merge", lambda: merge)
    options = ytdlp_options(tmp_path, limit, 5.0, None)
    del options["logger"]
    info = {"id": "v", "title": "v", "extractor": "test", "webpage_url": "http://127.0.0.1:9/"}
    with yt_dlp.YoutubeDL({**options, "quiet": True}) as ydl:
        picked = ydl.process_ie_result({**info, "formats": _formats()}, download=False)
    # With ffmpeg: the best video up to 720p in MP4 and the M4A audio, merged into one MP4;
    # without: the best file holding both (YouTube's 360p MP4), never 1080p
    assert picked["format_id"] == chosen
    assert picked["ext"] == "mp4"


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


def test_without_yt_dlp_the_run_goes_on_and_says_why(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # import yt_dlp now raises ImportError
    result, out = run(servers, tmp_path, ["/video-page"])
    assert result.exit_code == 0, result.stderr
    assert "no media kept: yt-dlp cannot be imported" in result.stderr
    evidence = links(out)["/video-page"]["evidence"]
    assert evidence["record_id"] and evidence["media"] == []


def test_media_are_kept_by_default_and_no_media_turns_them_off(
    servers: Servers, tmp_path: Path
) -> None:
    result, out = run(servers, tmp_path / "default", ["/video-page"])
    assert result.exit_code == 0, result.stderr
    assert any(m["path"].endswith(".mp4") for m in links(out)["/video-page"]["evidence"]["media"])
    result, out = run(servers, tmp_path / "off", ["/video-page"], "--no-media")
    assert result.exit_code == 0, result.stderr
    assert links(out)["/video-page"]["evidence"]["media"] == []
    assert not (out / "media").exists()
    assert not list((out / "evidence" / "warc").glob("*-media.warc.gz"))
    result, out = run(servers, tmp_path / "env", ["/video-page"], KZARCHIVE_MEDIA="0")
    assert result.exit_code == 0 and not (out / "media").exists()


def test_media_without_capture_is_a_usage_error(servers: Servers, tmp_path: Path) -> None:
    result, _ = run(servers, tmp_path, ["/video-page"], "--media", "--no-capture")
    assert result.exit_code == 2 and "--no-capture" in result.stderr
    # Media being on by default, --no-capture alone turns them off with the rest
    result, out = run(servers, tmp_path / "alone", ["/video-page"], "--no-capture")
    assert result.exit_code == 0, result.stderr
    assert not (out / "media").exists()


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("ERROR: Unsupported URL: https://example.org/x", "unsupported URL"),
        (
            "ERROR: [facebook] 123: This video is only available for registered users. "
            "Use --cookies-from-browser or --cookies for the authentication.",
            "login-wall",
        ),
        ("ERROR: [youtube] abc: Private video. Sign in if you've been granted access", "private"),
        ("ERROR: [youtube] abc: Video unavailable", "unavailable"),
        ("ERROR: [youtube] abc: Sign in to confirm your age", "age-gate"),
        ("ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found", "media not"),
        ("ERROR: [generic] Unable to download webpage: timed out", "timeout"),
    ],
)
def test_reasons_read_from_yt_dlp(said: str, reason: str) -> None:
    # Messages as yt-dlp words them (its extractors' own strings); the platform's kinds
    # (kzarchive.check.platforms) come first, in the verdicts' words
    assert reason_of(said).startswith(reason)
    assert "ERROR:" not in reason_of(said)


def test_each_url_gets_a_folder_of_its_own() -> None:
    a = folder_name("https://www.youtube.com/watch?v=abc")
    b = folder_name("https://www.youtube.com/watch?v=abd")
    assert a != b and a.startswith("www.youtube.com-watch-v-abc-")
    assert "/" not in folder_name("https://x.org/" + "a/" * 100)


@pytest.mark.parametrize(
    ("page", "player"),
    [
        (b"<video controls><source src='/a.mp4'></video>", True),
        (b"<AUDIO src=x>", True),
        (b'<iframe width="560" src="https://www.youtube.com/embed/abc" frameborder=0>', True),
        (b"<iframe src=//player.vimeo.com/video/1>", True),
        (b'<iframe src="https://www.facebook.com/plugins/video.php?href=x">', True),
        (b'<iframe src="https://example.org/embed/">', False),
        (b"<p>videos of the hearing</p>", False),
    ],
)
def test_which_pages_carry_a_player(page: bytes, player: bool) -> None:
    assert bool(PLAYER.search(page)) is player


def test_exclude_private_keeps_yt_dlp_off_private_networks(
    site: RunningServer, tmp_path: Path
) -> None:
    # The page's <video> is on 127.0.0.1: with --exclude-private it is not fetched, and why
    page = f"{site.base}/video-page"
    refused = download(page, tmp_path / "media" / "a", 10**8, 5.0, exclude_private=True)
    assert refused.error == "private-address: the media is on 127.0.0.1 (--exclude-private)"
    assert [Path(f.path).suffix for f in refused.files] == [".json"]
    assert site.server.state.hits["/media/clip.mp4"] == 0
    kept = download(page, tmp_path / "media" / "b", 10**8, 5.0)
    assert kept.error is None and any(f.path.endswith(".mp4") for f in kept.files)


def test_the_hosts_media_would_come_from() -> None:
    public = {"url": "http://93.184.216.34/v.mp4"}
    assert private_target(public) is None
    assert private_target({"url": "http://10.1.2.3/v.mp4"}) == "10.1.2.3"
    merged = {"requested_formats": [public, {"url": "http://printer.local/a.m4a"}]}
    assert private_target(merged) == "printer.local"
    fragments = {"url": "http://93.184.216.34/x", "fragment_base_url": "http://[::1]/f/"}
    assert private_target(fragments) == "::1"
