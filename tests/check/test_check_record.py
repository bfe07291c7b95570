"""The whole record a check leaves in the manifest, field by field, for each kind of outcome: an
answer, an answer after redirects and after a 429, a refused connection, a redirect loop; and the
page words kept for drift measurement (alive HTML pages only)."""

from __future__ import annotations

import asyncio
import re

from kzarchive.check import CheckOptions
from kzarchive.check.checker import LinkChecker, check_urls
from kzarchive.check.dns import StaticResolver
from kzarchive.models import Check, Redirect
from tests.servers.base import closed_port
from tests.servers.scenario import scenario_server

FAST = CheckOptions(
    timeout=2.0, backoff=0.01, retries=2, retry_after_cap=2.0, per_host=4, second_look=False
)
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_every_field_of_each_kind_of_check() -> None:
    refused = f"http://127.0.0.1:{closed_port()}/x"
    with scenario_server() as site:
        base = site.base
        paths = ["/ok", "/two-hops", "/rate-then-ok", "/loop-a", "/gzip", "/report.pdf"]
        urls = [base + p for p in paths] + [refused]
        checks = asyncio.run(check_urls(urls, FAST, resolver=StaticResolver({}))).checks
    ok, hops, rated, loop, gzipped, pdf = (checks[base + p] for p in paths)
    for check in checks.values():
        assert STAMP.match(check.checked_at or "")
        assert isinstance(check.elapsed_ms, int) and 0 <= check.elapsed_ms < 10_000
    assert (ok.verdict, ok.http_status, ok.final_url, ok.redirects) == (
        "alive",
        200,
        f"{base}/ok",
        (),
    )
    assert (ok.content_type, ok.content_length) == ("text/html; charset=utf-8", 242)
    assert ok.sha256 is not None and len(ok.sha256) == 64
    assert (hops.verdict, hops.http_status, hops.final_url) == (
        "redirected",
        200,
        f"{base}/new-home-of-the-article",
    )
    assert hops.redirects == (
        Redirect(302, f"{base}/moved"),
        Redirect(301, f"{base}/new-home-of-the-article"),
    )
    assert rated.verdict == "alive" and rated.elapsed_ms is not None
    assert rated.elapsed_ms >= 1000  # it waited the second the 429 asked for
    # a failure after redirects names where it ended and how it got there
    assert (loop.verdict, loop.reason, loop.http_status) == ("error", "too-many-redirects", None)
    assert loop.final_url == loop.redirects[-1].url == f"{base}/loop-b"
    assert len(loop.redirects) == FAST.max_redirects + 1
    assert (loop.content_type, loop.content_length, loop.sha256) == (None, None, None)
    # Content-Length as sent (the compressed size), else the body's length
    assert (gzipped.content_length, pdf.content_type, pdf.content_length) == (
        194,
        "application/pdf",
        77,
    )
    gone = checks[refused]
    assert (gone.verdict, gone.reason, gone.http_status, gone.final_url, gone.redirects) == (
        "error",
        "connection-refused",
        None,
        None,
        (),
    )


def test_page_words_are_kept_for_alive_html_pages_only() -> None:
    with scenario_server() as site:
        urls = [f"{site.base}{p}" for p in ("/ok", "/gone404", "/report.pdf", "/moved")]

        async def go(keep: bool) -> dict[str, frozenset[str]]:
            async with LinkChecker(FAST, resolver=StaticResolver({})) as checker:
                if keep:  # the pipeline asks for them; by default none are kept
                    checker.keep_words = True
                await checker.check_all(urls)
                return dict(checker.words)

        kept, not_kept = asyncio.run(go(True)), asyncio.run(go(False))
    assert sorted(kept) == sorted([urls[0], urls[3]])  # alive and redirected HTML pages
    assert {"acquitted", "activist"} <= set(kept[urls[0]])
    assert not_kept == {}


def test_asks_are_bounded_and_no_requisite_is_fetched_without_evidence() -> None:
    with scenario_server() as site:
        urls = [f"{site.base}{p}" for p in ("/", "/rate-forever", "/with-requisites")]

        async def go() -> dict[str, Check]:
            async with LinkChecker(FAST, resolver=StaticResolver({})) as checker:
                run = await checker.check_all(urls)
                await checker.captures_done()  # anything fetched in the background is done
                return run.checks

        checks = asyncio.run(go())
        hits = dict(site.server.state.hits)
    # a site's home page is never taken for its own not-found page
    assert (checks[urls[0]].verdict, checks[urls[0]].reason) == ("alive", "http-200")
    assert checks[urls[1]].verdict == "blocked"
    assert hits["/rate-forever"] == FAST.retries + 1
    # the page's images and styles are fetched only when a capture keeps them
    assert hits["/with-requisites"] == 1
    assert not any(path.startswith("/assets") for path in hits)
