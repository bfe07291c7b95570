"""The browser's behaviours on one page, against the scenario server's ``/js/`` pages: what a
reader sees is kept (script-built text, CSS images, lazy images, script-set video), nothing is
clicked, and every page that misbehaves is cut at its budget and said to be."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from kzarchive.capture.session import BrowserSession
from kzarchive.evidence.warc import WarcRecorder
from tests.capture.conftest import NO_DNS, TEST_OPTIONS, Browser, Loop, read_records
from tests.servers.base import RunningServer
from tests.servers.rendered import (
    BROWSER_ONLY_TEXT,
    FETCHED_TEXT,
    IMAGES,
    POST_TEXT,
    PRIVATE_NAME,
)
from tests.servers.scenario import MP4


def responses(records: list[Any]) -> dict[str, tuple[int, bytes]]:
    """Each response record's URL path (with query): its status and payload."""
    out = {}
    for record, payload in records:
        if record.rec_type == "response":
            url = record.rec_headers.get_header("WARC-Target-URI")
            out["/" + url.split("/", 3)[3]] = (int(record.http_headers.get_statuscode()), payload)
    return out


def test_text_a_script_fetched_is_kept(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    rendered, records = browser.capture(web.base + "/js/fetch-text", tmp_path)
    assert rendered.error is None and rendered.status == 200
    assert FETCHED_TEXT in rendered.text
    assert rendered.dom is not None and FETCHED_TEXT.encode() in rendered.dom
    assert rendered.screenshot is not None and rendered.screenshot.startswith(b"\x89PNG")
    kept = responses(records)
    assert FETCHED_TEXT.encode() in kept["/js/api/post.json"][1]  # replay has what the script read
    assert kept["/js/fetch-text"][0] == 200
    # Each response has its request record, with the browser's own headers
    requests = [r for r, _ in records if r.rec_type == "request"]
    assert len(requests) == len(kept)
    assert all("Chrome/" in (r.http_headers.get_header("User-Agent") or "") for r in requests)
    assert not any("Headless" in (r.http_headers.get_header("User-Agent") or "") for r in requests)


def test_css_background_image_is_kept(browser: Browser, web: RunningServer, tmp_path: Path) -> None:
    rendered, records = browser.capture(web.base + "/js/background", tmp_path)
    assert rendered.truncated == ()
    assert responses(records)["/js/img/background.png"] == (200, IMAGES["/js/img/background.png"])


def test_lazy_images_below_the_fold_and_every_srcset_size(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    rendered, records = browser.capture(web.base + "/js/lazy", tmp_path)
    kept = responses(records)
    for path in ("/js/img/lazy.png", "/js/img/lazy-native.png", "/js/img/small.png"):
        assert kept[path] == (200, IMAGES[path]), path  # loaded by scrolling
    # the 2x picture a 1x screen never asks for: fetched outside the browser
    assert kept["/js/img/large.png"] == (200, IMAGES["/js/img/large.png"])
    assert rendered.fetched >= 1


def test_a_video_whose_source_a_script_set_is_kept_whole(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    rendered, records = browser.capture(web.base + "/js/video", tmp_path)
    assert rendered.error is None
    assert responses(records)["/media/clip.mp4"] == (200, MP4)
    # no partial (206) answer is kept: replay serves ranges from the whole file
    assert all(r.http_headers.get_statuscode() != "206" for r, _ in records if r.http_headers)


def test_the_post_under_a_login_overlay_is_kept_and_nothing_is_clicked(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    asked = len(web.server.state.requests)  # type: ignore[attr-defined]
    rendered, _ = browser.capture(web.base + "/js/overlay", tmp_path)
    assert POST_TEXT in rendered.text
    assert rendered.dom is not None and b"See more on Facebook" in rendered.dom  # not dismissed
    paths = [p for _, p, _ in web.server.state.requests[asked:]]  # type: ignore[attr-defined]
    assert "/login.php" not in paths


def test_a_site_that_refuses_plain_clients_answers_the_browser(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    import httpx

    assert httpx.get(web.base + "/js/browser-only", timeout=5).status_code == 403
    rendered, records = browser.capture(web.base + "/js/browser-only", tmp_path)
    assert rendered.status == 200
    assert BROWSER_ONLY_TEXT in rendered.text
    assert responses(records)["/js/browser-only"][0] == 200


def test_a_page_that_never_stops_loading_is_cut_at_its_budget(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    rendered, records = browser.capture(web.base + "/js/never-loads", tmp_path)
    took = time.monotonic() - started
    assert "load" in rendered.truncated and "network-busy" in rendered.truncated
    assert took < TEST_OPTIONS.page_time + 5
    assert rendered.screenshot is not None and "Almost there." in rendered.text  # what it showed
    assert responses(records)["/js/never-loads"][0] == 200


def test_an_endless_page_and_dialogs_are_cut(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    endless, _ = browser.capture(web.base + "/js/endless", tmp_path / "endless")
    assert "scroll" in endless.truncated and endless.screenshot is not None
    nagging, _ = browser.capture(web.base + "/js/dialogs", tmp_path / "dialogs")
    assert "dialog" in nagging.truncated
    assert nagging.screenshot is not None and "Annoying page." in nagging.text


def test_private_addresses_are_refused_to_the_browser(
    browser: Browser, web: RunningServer, tmp_path: Path
) -> None:
    asked: list[str] = []

    async def private(host: str) -> bool:
        asked.append(host)
        return True

    session = BrowserSession(TEST_OPTIONS, WarcRecorder(tmp_path, "unused"), private)
    session._browser, session._client, session._agent = (  # the session's browser, shared
        browser.session._browser,
        browser.session._client,
        browser.session._agent,
    )
    before = len(web.server.state.requests)  # type: ignore[attr-defined]
    rendered, records = browser.capture(web.base + "/js/background", tmp_path, session)
    assert rendered.error is not None and rendered.screenshot is None
    assert asked == ["127.0.0.1"] and records == []
    assert len(web.server.state.requests) == before  # type: ignore[attr-defined]


def test_a_redirect_to_a_private_host_is_refused_to_the_browser(
    web: RunningServer, tmp_path: Path
) -> None:
    """Playwright's route handler sees only a redirect's first URL: the gate must see each hop.
    The page's images answer 302 (one after a first, public, hop) to ``private.test``, which
    Chromium maps to 127.0.0.1 here and the stand-in private rule calls private: the redirected
    request never reaches the server."""
    asked: list[str] = []

    async def private(host: str) -> bool:
        asked.append(host)
        return host == PRIVATE_NAME

    mapped = f"--host-resolver-rules=MAP {PRIVATE_NAME} 127.0.0.1, {NO_DNS.split('=', 1)[1]}"
    options = dataclasses.replace(TEST_OPTIONS, extra_args=(mapped,))
    loop = Loop()
    session = BrowserSession(options, WarcRecorder(tmp_path, "unused"), private)
    try:
        loop.run(session.__aenter__())
        recorder = WarcRecorder(tmp_path, "test")
        rendered = loop.run(session.capture(web.base + "/js/redirected-image", recorder))
        recorder.close()
    finally:
        loop.run(session.close())
        loop.stop()
    hits = web.server.state.hits  # type: ignore[attr-defined]
    assert hits["/js/img/elsewhere.png"] >= 1 and hits["/js/img/moved-twice.png"] >= 1
    assert hits["/js/img/private.png"] == 0  # the private hop never left the browser
    assert PRIVATE_NAME in asked
    assert rendered.error is None and "An image elsewhere." in rendered.text
    assert "private-address" in rendered.truncated  # the record says why the image is missing
    kept = responses(read_records(recorder.path))
    assert "/js/img/private.png" not in kept
    assert b"An image elsewhere." in kept["/js/redirected-image"][1]  # the page, as it came


def test_a_renderer_crash_is_recorded_and_the_next_page_is_captured(
    browser: Browser, web: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kzarchive.capture.page as page_module

    async def crash(page: Any, *args: Any) -> None:
        # what an out-of-memory page or a renderer bug does, made on purpose through CDP
        cdp = await page.context.new_cdp_session(page)
        with contextlib.suppress(Exception):
            await cdp.send("Page.crash")
        await asyncio.sleep(0.5)

    monkeypatch.setattr(page_module, "_scroll", crash)
    crashed, records = browser.capture(web.base + "/js/background", tmp_path / "crashed")
    assert "crash" in crashed.truncated
    assert crashed.screenshot is None and crashed.error == "the page crashed the browser's renderer"
    assert responses(records)["/js/background"][0] == 200  # what came before the crash is kept
    monkeypatch.undo()
    after, _ = browser.capture(web.base + "/js/fetch-text", tmp_path / "after")
    assert after.error is None and FETCHED_TEXT in after.text
