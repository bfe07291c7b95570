"""HTTPS end to end: the checker's own network layer does the TLS handshake and verifies."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator

import pytest

from kzarchive.check import CheckOptions
from kzarchive.check import checker as checker_module
from kzarchive.check.checker import check_urls
from kzarchive.check.dns import StaticResolver
from tests.conftest import FIXTURES
from tests.servers.base import RunningServer
from tests.servers.scenario import scenario_server

TLS = FIXTURES / "tls"


@pytest.fixture
def https_server() -> Iterator[RunningServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    with scenario_server(tls=context) as server:
        yield server


def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the checker trust the test certificate (and nothing else)."""
    context = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    monkeypatch.setattr(checker_module, "ssl_context", lambda: context)


def test_https_pages_and_redirects(
    https_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusting(monkeypatch)
    port = https_server.port
    urls = [
        f"{https_server.base}/ok",
        f"{https_server.base}/gzip",
        f"{https_server.base}/moved",
        f"https://example.test:{port}/gone404",
    ]
    resolver = StaticResolver({"example.test": "127.0.0.1"})
    run = asyncio.run(check_urls(urls, CheckOptions(timeout=5), resolver=resolver))
    verdicts = [(run.checks[u].verdict, run.checks[u].reason) for u in urls]
    assert verdicts == [
        ("alive", "http-200"),
        ("alive", "http-200"),
        ("redirected", "http-200-after-301"),
        ("dead", "http-404"),
    ]
    paths = {request[1] for request in https_server.server.state.requests}
    assert {"/ok", "/gzip", "/moved", "/new-home-of-the-article", "/gone404"} <= paths


def test_untrusted_certificate_is_a_tls_error(https_server: RunningServer) -> None:
    run = asyncio.run(check_urls([f"{https_server.base}/ok"], CheckOptions(timeout=5)))
    check = run.checks[f"{https_server.base}/ok"]
    assert (check.verdict, check.reason) == ("error", "tls")
