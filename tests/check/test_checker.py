"""The link checker against the scenario web server: every scenario gets its verdict and reason."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Iterator

import pytest

from kzarchive.check import CheckOptions
from kzarchive.check.checker import (
    CaptureLimits,
    CheckRun,
    LinkChecker,
    check_urls,
    worth_second_look,
)
from kzarchive.check.dns import StaticResolver
from kzarchive.check.exchange import Exchange
from kzarchive.models import Check
from kzarchive.retry import retry_after_seconds
from tests.servers.base import RunningServer, closed_port
from tests.servers.raw import Answer, RawServer
from tests.servers.scenario import scenario_server

FAST = CheckOptions(timeout=1.0, backoff=0.05, retries=3, retry_after_cap=2.0, per_host=8)

# path -> (verdict, reason)
EXPECTED = {
    "/ok": ("alive", "http-200"),
    "/moved": ("redirected", "http-200-after-301"),
    "/dir": ("alive", "http-200"),
    "/to-root": ("dead", "soft-404:redirect-to-root"),
    "/to-404-page": ("dead", "soft-404:redirect-to-404"),
    "/gone404": ("dead", "http-404"),
    "/gone410": ("dead", "http-410"),
    "/auth": ("blocked", "http-401"),
    "/forbidden": ("blocked", "http-403"),
    "/linkedin": ("blocked", "http-999"),
    "/cloudflare": ("blocked", "bot-challenge"),
    "/fb-video?v=1": ("blocked", "login-wall"),
    "/fb-post": ("blocked", "login-wall"),
    "/rate-then-ok?t=check": ("alive", "http-200"),
    "/rate-forever?t=check": ("blocked", "http-429"),
    "/flaky?t=check": ("alive", "http-200"),
    "/down": ("error", "http-503"),
    "/head-405": ("alive", "http-200"),
    "/soft/2019/02/deleted-story": ("dead", "soft-404:not-found-page"),
    "/soft/real-story": ("alive", "http-200"),
    "/hard/real-story": ("alive", "http-200"),
    "/hard/deleted-story": ("dead", "http-404"),
    "/notfound-wording": ("dead", "soft-404:not-found-page"),
    "/watch?v=realvideo1&t=8s": ("alive", "http-200"),
    "/watch?v=deleted00042": ("dead", "soft-404:not-found-page"),
    "/article/77?ref=1234567&fbclid=IwAR17yb7arMov": ("alive", "http-200"),
    "/slow": ("error", "timeout"),
    "/stall": ("error", "body-timeout"),
    "/huge": ("alive", "http-200"),
    "/loop-a": ("error", "too-many-redirects"),
    "/cookie-check": ("alive", "http-200"),
    "/report.pdf": ("alive", "http-200"),
    "/gzip": ("alive", "http-200"),
    "/путь/страница": ("alive", "http-200"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with scenario_server() as running:
        yield running


@pytest.fixture(scope="module")
def results(server: RunningServer) -> tuple[CheckRun, float, dict[str, str]]:
    urls = {path: f"{server.base}{path}" for path in EXPECTED}
    port = server.port
    urls["idn"] = f"http://пример.рф:{port}/путь/страница"
    urls["www"] = f"http://example.test:{port}/www-redirect"
    urls["nxdomain"] = f"http://no-such-host.test:{port}/ok"
    urls["refused"] = f"http://127.0.0.1:{closed_port()}/ok"
    urls["tls"] = f"https://127.0.0.1:{port}/ok"
    urls["invalid"] = "http://exa mple.org/"
    resolver = StaticResolver(
        {
            "xn--e1afmkfd.xn--p1ai": "127.0.0.1",
            "example.test": "127.0.0.1",
            "www.example.test": "127.0.0.1",
        }
    )
    started = time.monotonic()
    run = asyncio.run(check_urls(list(urls.values()), FAST, resolver=resolver))
    return run, time.monotonic() - started, urls


def _check(results: tuple[CheckRun, float, dict[str, str]], key: str) -> Check:
    run, _, urls = results
    return run.checks[urls[key]]


NETWORK = {
    "idn": ("alive", "http-200"),
    "www": ("alive", "http-200"),
    "nxdomain": ("dead", "dns-nxdomain"),
    "refused": ("error", "connection-refused"),
    "tls": ("error", "tls"),
    "invalid": ("error", "invalid-url"),
}


def test_every_scenario_gets_its_verdict_and_reason(
    results: tuple[CheckRun, float, dict[str, str]],
) -> None:
    # One test for all the scenarios (each wrong one is named in the failure): mutmut credits
    # the module-scoped run to the first test that uses it, and runs only that test per mutant.
    found = {
        key: (_check(results, key).verdict, _check(results, key).reason)
        for key in [*EXPECTED, *NETWORK]
    }
    wrong = {
        key: f"{found[key]} instead of {want}"
        for key, want in {**EXPECTED, **NETWORK}.items()
        if found[key] != want
    }
    assert wrong == {}


def test_redirects_recorded(results: tuple[CheckRun, float, dict[str, str]]) -> None:
    check = _check(results, "/moved")
    assert check.http_status == 200
    assert check.final_url is not None and check.final_url.endswith("/new-home-of-the-article")
    assert [r.status for r in check.redirects] == [301]
    loop = _check(results, "/loop-a")
    assert len(loop.redirects) == 11


def test_body_capped_and_hashed(
    server: RunningServer, results: tuple[CheckRun, float, dict[str, str]]
) -> None:
    huge = _check(results, "/huge")
    assert huge.content_length == 1 << 30
    assert huge.sha256 is not None and len(huge.sha256) == 64
    # The client hung up after 2 MiB: the server got to send only a little more than that.
    assert server.server.state.bytes_sent["/huge"] < 64 * 1024 * 1024
    pdf = _check(results, "/report.pdf")
    assert pdf.content_type == "application/pdf"
    gz = _check(results, "/gzip")
    assert gz.content_length is not None


def test_get_only_never_head(server: RunningServer, results: object) -> None:
    assert not [r for r in server.server.state.requests if r[0] == "HEAD"]


def test_user_agent_names_kzarchive(server: RunningServer, results: object) -> None:
    agents = {r[2].get("User-Agent", "") for r in server.server.state.requests}
    assert agents and all("kzarchive/" in a and a.startswith("Mozilla/5.0") for a in agents)


def test_retries_are_bounded(server: RunningServer, results: object) -> None:
    hits = server.server.state.hits
    assert hits["/rate-then-ok?t=check"] == 2
    assert hits["/flaky?t=check"] == 3
    # first look: 1 + 3 retries; 503 is an error, so a second look: 4 more.
    assert hits["/down"] == 8
    assert hits["/rate-forever?t=check"] == 4  # blocked, so no second look


def test_soft_404_probe_once_per_section(server: RunningServer, results: object) -> None:
    probes = [r for r in server.server.state.requests if "kzarchive" in r[1]]
    assert len([p for p in probes if p[1].startswith("/soft/")]) == 1
    # Pages named by their query string are compared with the same path and random values.
    watch = sorted(p[1] for p in probes if p[1].startswith("/watch?v=kzarchive"))
    assert len(watch) == 1  # one probe per path and identifying parameter (v; t is kept)


def test_whole_run_is_bounded(results: tuple[CheckRun, float, dict[str, str]]) -> None:
    _, elapsed, _ = results
    assert elapsed < 20


def test_offline_machine_is_error_offline_fast() -> None:
    urls = ["https://www.facebook.com/x", "https://fidu.it/en/report/", "https://hrw.org/a"]
    started = time.monotonic()
    run = asyncio.run(check_urls(urls, FAST, resolver=StaticResolver({})))
    assert time.monotonic() - started < 3
    assert run.offline
    assert {(c.verdict, c.reason) for c in run.checks.values()} == {("error", "offline")}


def test_nxdomain_needs_evidence_that_dns_works() -> None:
    # No host of the run resolves, but a well-known host does: the missing host is really gone.
    resolver = StaticResolver({"web.archive.org": "127.0.0.1"})
    run = asyncio.run(check_urls(["https://gone.example.invalid/"], FAST, resolver=resolver))
    assert not run.offline
    check = run.checks["https://gone.example.invalid/"]
    assert (check.verdict, check.reason) == ("dead", "dns-nxdomain")


def test_per_host_limit_is_kept(server: RunningServer) -> None:
    server.server.state.latency = 0.1
    try:
        urls = [f"{server.base}/page/{n}" for n in range(12)]
        options = CheckOptions(per_host=3, host_interval=0.0, timeout=5)
        started = time.monotonic()
        run = asyncio.run(check_urls(urls, options, resolver=StaticResolver({})))
        elapsed = time.monotonic() - started
    finally:
        server.server.state.latency = 0.0
    assert all(c.verdict == "alive" for c in run.checks.values())
    # 12 requests, 3 at a time, 0.1 s each: at least 4 rounds (probes for soft-404 add one more).
    assert elapsed >= 0.4


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), (None, None), ("soon", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_a_slow_host_does_not_hold_up_the_others(server: RunningServer) -> None:
    finished: dict[str, float] = {}
    started = time.monotonic()

    class Clock:
        def phase_started(self, phase: str, total: int) -> None:
            pass

        def advanced(self, phase: str, url: str, outcome: str) -> None:
            finished[url] = time.monotonic() - started

        def noted(self, phase: str, event: str) -> None:
            pass

        def warn(self, message: str) -> None:
            pass

    with scenario_server(host="127.0.0.2") as other:
        slow = [f"{server.base}/slow?n={n}" for n in range(4)]
        fast = f"{other.base}/ok"
        options = CheckOptions(concurrency=8, per_host=2, timeout=1.0, second_look=False)
        asyncio.run(check_urls([*slow, fast], options, Clock(), resolver=StaticResolver({})))
    assert finished[fast] < 0.5  # while the slow host's links take 1 s each, 2 at a time
    assert min(finished[url] for url in slow) >= 1.0


def test_missing_twins() -> None:
    from kzarchive.check.soft404 import missing_twin

    fb = "https://www.facebook.com/permalink.php?story_fbid=10114164092556794&id=2364618"
    twin = missing_twin(fb)
    assert twin is not None and twin.key == "https://www.facebook.com/permalink.php?id,story_fbid"
    assert re.fullmatch(
        r"https://www\.facebook\.com/permalink\.php\?story_fbid=\d{17}&id=\d{12}", twin.missing
    )
    assert twin.bare == "https://www.facebook.com/permalink.php"
    yt = missing_twin("https://www.youtube.com/watch?v=NPO7vrFuRWY&t=8s")
    assert yt is not None and yt.missing.endswith("&t=8s") and yt.bare.endswith("/watch?t=8s")
    un = missing_twin("https://tbinternet.ohchr.org/Download.aspx?symbolno=CCPR%2F2012%2F2&Lang=en")
    assert un is not None and un.missing.endswith("&Lang=en") and "symbolno=kzarchive" in un.missing
    # Tracking parameters do not name the page: the path is probed instead.
    zmist = missing_twin("http://zmist.pl.ua/blogs/s-nazarbaevym?fbclid=IwAR17yb-7arMovGWR51WJx")
    assert zmist is not None and zmist.bare is None
    assert zmist.missing.startswith("http://zmist.pl.ua/blogs/kzarchive-")
    assert missing_twin("https://fidu.it/") is None


def _one(url: str, options: CheckOptions = FAST, resolver: StaticResolver | None = None) -> Check:
    run = asyncio.run(check_urls([url], options, resolver=resolver or StaticResolver({})))
    return run.checks[url]


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(server: RunningServer) -> None:
    started = time.monotonic()
    check = _one(f"{server.base}/rate-hour")
    assert (check.verdict, check.reason) == ("blocked", "http-429")
    assert time.monotonic() - started < 1.0
    assert server.server.state.hits["/rate-hour"] == 1


def test_retry_after_is_honoured(server: RunningServer) -> None:
    # /rate-then-ok asks for 1 s; the backoff alone would be 0.05 s.
    started = time.monotonic()
    check = _one(f"{server.base}/rate-then-ok?t=honoured")
    assert (check.verdict, check.reason) == ("alive", "http-200")
    assert time.monotonic() - started >= 1.0


def test_a_cited_login_page_is_the_page_itself(server: RunningServer) -> None:
    check = _one(f"{server.base}/login.php")
    assert (check.verdict, check.reason) == ("alive", "http-200")


def test_the_reason_names_the_first_hop_of_a_redirect_chain(server: RunningServer) -> None:
    check = _one(f"{server.base}/two-hops")
    assert (check.verdict, check.reason) == ("redirected", "http-200-after-302")
    assert [r.status for r in check.redirects] == [302, 301]


def test_a_probe_answering_404_like_the_page_is_no_soft_404(server: RunningServer) -> None:
    check = _one(f"{server.base}/probe404/real-story")
    assert (check.verdict, check.reason) == ("alive", "http-200")


def test_the_per_host_interval_spaces_requests(server: RunningServer) -> None:
    urls = [f"{server.base}/page/{n}?spaced=1" for n in range(4)]
    options = CheckOptions(per_host=4, host_interval=0.2, timeout=5, second_look=False)
    started = time.monotonic()
    asyncio.run(check_urls(urls, options, resolver=StaticResolver({})))
    assert time.monotonic() - started >= 0.6  # four starts, 0.2 s apart


def test_ip_literal_hosts_are_checked_when_dns_is_down(server: RunningServer) -> None:
    urls = [f"{server.base}/ok", "https://unresolvable.example.org/"]
    run = asyncio.run(check_urls(urls, FAST, resolver=StaticResolver({})))
    assert run.offline
    assert (run.checks[urls[0]].verdict, run.checks[urls[0]].reason) == ("alive", "http-200")
    assert run.checks[urls[1]].reason == "offline"


class _Kept:
    """A tap that keeps every exchange, bodies read."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[Exchange, bytes]] = []

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append((exchange, exchange.body.read()))
        exchange.body.close()


def _captured(server: RunningServer, paths: list[str], **limits: int) -> _Kept:
    async def go() -> _Kept:
        kept = _Kept()
        async with LinkChecker(FAST, resolver=StaticResolver({})) as checker:
            checker.capture(kept, CaptureLimits(**limits))
            for path in paths:
                await checker.check(f"{server.base}{path}")
            await checker.captures_done()
        return kept

    return asyncio.run(go())


def test_each_hop_is_recorded_as_it_came_over_the_wire(server: RunningServer) -> None:
    kept = _captured(server, ["/two-hops"])
    cited = f"{server.base}/two-hops"
    hops = [(e.url.removeprefix(server.base), e.status, e.reason) for e, _ in kept.exchanges]
    assert hops == [
        ("/two-hops", 302, "Found"),
        ("/moved", 301, "Moved Permanently"),
        ("/new-home-of-the-article", 200, "OK"),
    ]
    for exchange, body in kept.exchanges:
        assert exchange.cited == cited and not exchange.requisite
        assert exchange.version == "1.1"
        assert exchange.remote_ip == "127.0.0.1"
        assert exchange.started_at.endswith("Z") and "T" in exchange.started_at
        assert exchange.size == len(body)
        assert ("Host", f"127.0.0.1:{server.port}") in exchange.request_headers
        assert exchange.truncated is None
    redirect, _ = kept.exchanges[0]
    assert ("Location", "/moved") in redirect.headers
    final, body = kept.exchanges[-1]
    assert b"Moved article" in body
    assert final.sha256 == hashlib.sha256(body).hexdigest()


def test_a_pages_requisites_are_recorded_within_their_budget(server: RunningServer) -> None:
    kept = _captured(server, ["/with-requisites"], requisite_bytes=300)
    page = [e for e, _ in kept.exchanges if not e.requisite]
    requisites = [(e, body) for e, body in kept.exchanges if e.requisite]
    assert [e.url for e in page] == [f"{server.base}/with-requisites"]
    assert requisites and all(e.cited == page[0].url for e, _ in requisites)
    # The budget is spent in order: the last requisite read is the one that crossed it.
    sizes = [e.size for e, _ in requisites]
    assert sum(sizes[:-1]) < 300 <= sum(sizes) or sum(sizes) < 300
    assert all(e.size == len(body) for e, body in requisites)


def test_an_exhausted_budget_fetches_no_more_requisites(server: RunningServer) -> None:
    generous = _captured(server, ["/with-requisites"])
    none = _captured(server, ["/with-requisites"], requisite_bytes=1)
    assert len([e for e, _ in generous.exchanges if e.requisite]) > 1
    firsts = [e for e, _ in none.exchanges if e.requisite]
    assert len(firsts) == 1 and firsts[0].size <= 1


def test_worth_a_second_look_is_an_error_that_may_clear_up() -> None:
    def check(verdict: str, reason: str) -> Check:
        return Check(verdict=verdict, reason=reason, checked_at="2024-01-01T00:00:00Z")  # type: ignore[arg-type]

    assert worth_second_look(check("error", "timeout"))
    assert not worth_second_look(check("error", "offline"))  # final: asking again cannot help
    assert not worth_second_look(check("error", "invalid-url"))
    assert not worth_second_look(check("dead", "http-404"))
    assert not worth_second_look(check("blocked", "timeout"))


def test_an_http_1_0_answer_with_no_reason_phrase_is_recorded_as_such() -> None:
    answer = Answer(b"HTTP/1.0 200 \r\nContent-Type: text/plain\r\n\r\nold server", close=True)
    with RawServer({"/old": answer}) as raw:

        async def go() -> _Kept:
            kept = _Kept()
            async with LinkChecker(FAST, resolver=StaticResolver({})) as checker:
                checker.capture(kept)
                await checker.check(f"http://127.0.0.1:{raw.port}/old")
            return kept

        kept = asyncio.run(go())
    [(exchange, body)] = kept.exchanges
    assert (exchange.version, exchange.status, exchange.reason) == ("1.0", 200, "")
    assert body == b"old server"


def test_requisites_that_hang_cost_a_page_twice_one_links_time_at_most() -> None:
    page = (
        b"<html><head><link rel='stylesheet' href='/h1.css'><link rel='stylesheet' href='/h2.css'>"
        b"<link rel='stylesheet' href='/h3.css'></head><body><img src='/late.png'></body></html>"
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
    answers = {
        "/page": Answer(head % len(page) + page),
        **{f"/h{n}.css": Answer(b"") for n in (1, 2, 3)},  # never answered
        "/late.png": Answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    }
    options = CheckOptions(timeout=0.5, retries=0, per_host=8)
    with RawServer(answers) as raw:

        async def go() -> tuple[Check, _Kept, float]:
            kept = _Kept()
            async with LinkChecker(options, resolver=StaticResolver({})) as checker:
                checker.capture(kept)
                check = await checker.check(raw.url("/page"))
                started = time.monotonic()
                await checker.captures_done()  # the cut-off is not an error
                return check, kept, time.monotonic() - started

        check, kept, waited = asyncio.run(go())
        page_url = raw.url("/page")
    assert (check.verdict, check.reason) == ("alive", "http-200")
    assert [e.url for e, _ in kept.exchanges] == [page_url]
    assert "/late.png" not in raw.requests
    assert waited < 1.5


def test_a_captured_check_names_the_stage_that_timed_out(server: RunningServer) -> None:
    # Recording the exchanges must not change what a timeout is called: a stalled body is
    # body-timeout, a redirect to a host that never answers is timeout.
    hang = Answer(b"")
    redirect = Answer(b"HTTP/1.1 302 Found\r\nLocation: /hang\r\nContent-Length: 0\r\n\r\n")
    options = CheckOptions(timeout=0.5, retries=0, second_look=False)
    with RawServer({"/to-hang": redirect, "/hang": hang}) as raw:

        async def go() -> tuple[Check, Check]:
            async with LinkChecker(options, resolver=StaticResolver({})) as checker:
                checker.capture(_Kept())
                return (
                    await checker.check(f"{server.base}/stall"),
                    await checker.check(raw.url("/to-hang")),
                )

        stalled, hung = asyncio.run(go())
    assert (stalled.verdict, stalled.reason) == ("error", "body-timeout")
    assert (hung.verdict, hung.reason) == ("error", "timeout")


def test_a_large_answer_records_the_address_it_came_from(server: RunningServer) -> None:
    kept = _captured(server, ["/big/300000"])
    [(exchange, body)] = kept.exchanges
    assert exchange.remote_ip == "127.0.0.1" and len(body) == 300000


def test_a_requisite_that_stalls_is_kept_cut_short_by_time() -> None:
    page = b"<html><head><link rel='stylesheet' href='/slow.css'></head><body>x</body></html>"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
    answers = {
        "/page": Answer(head % (b"text/html", len(page)) + page),
        # promises 100,000 bytes, sends 100 and stalls
        "/slow.css": Answer(head % (b"text/css", 100000) + b"a" * 100),
    }
    # The read stops min(0.5 s, a tenth of the timeout) before the attempt's own deadline: 5 s
    # gives it the whole 0.5 s, which a loaded machine's event loop needs; the stall is for ever
    options = CheckOptions(timeout=5.0, retries=0)
    with RawServer(answers) as raw:

        async def go() -> _Kept:
            kept = _Kept()
            async with LinkChecker(options, resolver=StaticResolver({})) as checker:
                checker.capture(kept)
                await checker.check(raw.url("/page"))
                await checker.captures_done()
            return kept

        kept = asyncio.run(go())
    requisites = [(e, body) for e, body in kept.exchanges if e.requisite]
    assert [(e.truncated, body) for e, body in requisites] == [("time", b"a" * 100)]
