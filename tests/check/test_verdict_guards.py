"""Verdict rules no other test pinned down: the soft-404 likeness threshold, a second look
replacing the first, and a flaky resolver never making a link dead."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from kzarchive.check import CheckOptions
from kzarchive.check.checker import LinkChecker
from kzarchive.check.dns import DnsAnswer
from kzarchive.check.dns import _lookup as system_lookup  # before conftest replaces it
from kzarchive.models import Check
from tests.servers.base import RunningServer
from tests.servers.scenario import scenario_server

OPTIONS = CheckOptions(timeout=2.0, backoff=0.01, retries=0, per_host=4, second_look=False)
TEMPLATE = " ".join(f"sitewide{n}" for n in range(14))


@dataclass
class _Site:
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _PortalSite(BaseHTTPRequestHandler):
    """A news site that answers 200 with its template for any path under /news/; the one real
    story adds six words of its own (its likeness to the template page is 14/20 = 0.7)."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        extra = " storyword1 storyword2 storyword3 storyword4 storyword5 storyword6"
        words = TEMPLATE + (extra if self.path == "/news/real-story" else "")
        body = f"<html><head><title>News</title></head><body><p>{words}</p></body></html>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _check(
    urls: list[str], options: CheckOptions = OPTIONS, resolver: object = None
) -> dict[str, Check]:
    async def go() -> dict[str, Check]:
        async with LinkChecker(options, resolver=resolver) as checker:  # type: ignore[arg-type]
            return (await checker.check_all(urls)).checks

    return asyncio.run(go())


def test_a_page_much_like_the_sites_not_found_page_but_not_the_same_is_alive() -> None:
    # 0.7 alike: below the 0.9 that makes a page the site's answer for anything
    with RunningServer(_PortalSite, _Site()) as site:
        found = _check([f"{site.base}/news/real-story", f"{site.base}/news/nothing-here"])
    verdicts = {url.rsplit("/", 1)[1]: (c.verdict, c.reason) for url, c in found.items()}
    assert verdicts == {
        "real-story": ("alive", "http-200"),
        "nothing-here": ("dead", "soft-404:not-found-page"),
    }


def test_a_second_look_replaces_the_first() -> None:
    # /flaky answers 503 twice, then the page: with one retry the first look ends in 503
    options = CheckOptions(timeout=2.0, backoff=0.01, retries=1, second_look=True)
    with scenario_server() as server:
        finished: dict[str, Check] = {}

        async def go() -> dict[str, Check]:
            async with LinkChecker(options) as checker:
                return (await checker.check_all([f"{server.base}/flaky"], finished)).checks

        found = asyncio.run(go())
        assert server.server.state.hits["/flaky"] == 3
    check = found[f"{server.base}/flaky"]
    assert (check.verdict, check.reason) == ("alive", "http-200")
    assert finished == found  # what an interrupted run keeps is the latest look too


class _FlakyResolver:
    """A resolver whose server fails (SERVFAIL) or times out for some names."""

    def __init__(self, answers: dict[str, DnsAnswer]) -> None:
        self.answers = answers

    async def __call__(self, host: str) -> DnsAnswer:
        return self.answers.get(host, DnsAnswer("ok", ("127.0.0.1",)))


def test_a_flaky_resolver_never_makes_a_link_dead() -> None:
    resolver = _FlakyResolver(
        {
            "servfail.example": DnsAnswer("failed"),
            "slow.example": DnsAnswer("timeout"),
            "gone.example": DnsAnswer("nxdomain"),
        }
    )
    with scenario_server() as server:
        port = server.port
        found = _check(
            [f"http://{name}.example:{port}/ok" for name in ("ok", "servfail", "slow", "gone")],
            resolver=resolver,
        )
    verdicts = {url.split("//")[1].split(".")[0]: (c.verdict, c.reason) for url, c in found.items()}
    assert verdicts == {
        "ok": ("alive", "http-200"),
        "servfail": ("error", "dns-failed"),
        "slow": ("error", "dns-timeout"),
        "gone": ("dead", "dns-nxdomain"),
    }


@pytest.mark.parametrize(
    ("errno", "status"),
    [
        (socket.EAI_AGAIN, "failed"),  # "temporary failure in name resolution": ask again
        (socket.EAI_FAIL, "failed"),  # SERVFAIL
        (socket.EAI_NONAME, "nxdomain"),  # the name does not exist
    ],
)
def test_only_a_name_that_does_not_exist_is_nxdomain(
    monkeypatch: pytest.MonkeyPatch, errno: int, status: str
) -> None:
    def getaddrinfo(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(errno, "from the resolver")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert system_lookup("any.example").status == status
