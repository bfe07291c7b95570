"""The browser capture's pieces that need no browser: cookies.txt, the screenshot's stamp, the
switches Chromium is started with, and which browser is found."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image

from kzarchive.capture.cookies import CookiesError, load_cookies
from kzarchive.capture.launch import QUIET_SWITCHES, BrowserPathError, system_browser
from kzarchive.capture.stamp import STRIP, THUMBNAIL_WIDTH, stamp

COOKIES = (
    "# Netscape HTTP Cookie File\n"
    "# (as yt-dlp and curl write it)\n"
    ".facebook.com\tTRUE\t/\tTRUE\t2147483647\tc_user\t100012345\n"
    "#HttpOnly_.facebook.com\tTRUE\t/\tTRUE\t2147483647\txs\t31%3Aabc\n"
    "www.example.org\tFALSE\t/news\tFALSE\t0\tsession\tabc123\n"
)


def test_a_netscape_cookies_file_becomes_the_browsers_cookies(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text(COOKIES, encoding="utf-8")
    cookies = load_cookies(path)
    assert cookies.text == COOKIES  # for yt-dlp, as an in-memory stream
    by_name = {c["name"]: c for c in cookies.for_browser()}
    assert by_name["c_user"] == {
        "name": "c_user",
        "value": "100012345",
        "domain": ".facebook.com",
        "path": "/",
        "secure": True,
        "httpOnly": False,
        "expires": 2147483647.0,
    }
    assert by_name["xs"]["httpOnly"] is True  # the #HttpOnly_ prefix
    session = by_name["session"]  # host-only, a session cookie (expiry 0): no expiry given
    assert session["domain"] == "www.example.org" and "expires" not in session
    assert session["path"] == "/news" and session["secure"] is False


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "not a Netscape cookies.txt"),
        ("# Netscape HTTP Cookie File\n", "no cookies in it"),
        ("session=abc; path=/\n", "not a Netscape cookies.txt"),
    ],
)
def test_a_file_that_is_not_cookies_is_one_line(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CookiesError, match=said):
        load_cookies(path)
    with pytest.raises(CookiesError, match="cannot read"):
        load_cookies(tmp_path / "missing.txt")


def test_the_screenshot_shows_its_url_and_time_and_says_them_in_its_chunks() -> None:
    page = io.BytesIO()
    Image.new("RGB", (1280, 3000), (250, 250, 250)).save(page, "PNG")
    url = "https://www.facebook.com/story.php?story_fbid=1&id=2"
    full, small = stamp(page.getvalue(), url, "2026-12-05T20:00:00Z")
    with Image.open(io.BytesIO(full)) as shot:
        assert shot.size == (1280, 3000 + STRIP)
        assert shot.text["URL"] == url  # type: ignore[attr-defined]
        assert shot.text["Creation Time"] == "2026-12-05T20:00:00Z"  # type: ignore[attr-defined]
        assert shot.getpixel((2, 2)) != (250, 250, 250)  # the strip is drawn
        assert shot.getpixel((2, STRIP + 5)) == (250, 250, 250)  # the page under it, untouched
    with Image.open(io.BytesIO(small)) as thumbnail:
        assert thumbnail.width == THUMBNAIL_WIDTH and thumbnail.height <= 480


def test_chromium_is_started_with_one_list_of_features_off() -> None:
    # Chromium reads only the last --disable-features: two would silently undo Playwright's own
    # (NetworkTimeServiceQuerying came back that way and asked clients2.google.com the time)
    features = [s for s in QUIET_SWITCHES if s.startswith("--disable-features=")]
    assert len(features) == 1
    off = features[0].split("=", 1)[1].split(",")
    for feature in ("NetworkTimeServiceQuerying", "OptimizationHints", "SafeBrowsing", "Translate"):
        assert feature in off
    for switch in ("--disable-background-networking", "--disable-component-update", "--no-pings"):
        assert switch in QUIET_SWITCHES
    updater = [s for s in QUIET_SWITCHES if s.startswith("--component-updater=")]
    assert updater == ["--component-updater=url-source=http://127.0.0.1:9/"]


def test_which_browser_is_driven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert system_browser(fake) == fake
    with pytest.raises(BrowserPathError, match="no such program"):
        system_browser(tmp_path / "nothing")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert system_browser() == fake  # found on the PATH
    monkeypatch.setenv("PATH", os.devnull)
    assert system_browser() is None
