"""The network a user's machine really has: proxies from the environment and its own CAs.

Both HTTP clients (the link checker's aiohttp session and the Wayback client's httpx client) must
send requests through ``HTTP_PROXY`` unless ``NO_PROXY`` says otherwise, and trust the CA that a
TLS-inspecting network installs, given here through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from kzarchive import tls
from kzarchive.check import CheckOptions
from kzarchive.check.checker import check_urls
from kzarchive.check.dns import StaticResolver
from kzarchive.wayback.client import WaybackClient
from tests.servers.fake_wayback import fake_wayback
from tests.servers.proxy import forward_proxy
from tests.servers.scenario import scenario_server

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
OPTIONS = CheckOptions(timeout=5.0, second_look=False)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    tls.ssl_context.cache_clear()
    yield
    tls.ssl_context.cache_clear()


def test_the_checker_goes_through_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_server() as site:
        proxy, seen = forward_proxy(site)
        with proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.base)
            # The cited host does not resolve here: behind a proxy that is the proxy's business,
            # and it must be neither "offline" nor "dead:dns-nxdomain".
            url = "http://cited-site.example/ok"
            run = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert not run.offline
    assert (run.checks[url].verdict, run.checks[url].reason) == ("alive", "http-200")
    assert seen.seen[0] == "GET http://cited-site.example/ok"


def test_proxy_credentials_go_to_the_proxy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_server() as site:
        proxy, seen = forward_proxy(site)
        with proxy:
            monkeypatch.setenv("HTTP_PROXY", f"http://agent:s3cret@127.0.0.1:{proxy.port}")
            url = "http://cited-site.example/echo-ua"
            run = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert run.checks[url].verdict == "alive"
    assert seen.authorizations[0] == "Basic " + base64.b64encode(b"agent:s3cret").decode()
    # The site behind the proxy never sees the proxy's credentials.
    assert all("Proxy-Authorization" not in r[2] for r in site.server.state.requests)


def test_no_proxy_hosts_are_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_server() as site:
        proxy, seen = forward_proxy(site)
        with proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.base)
            monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
            url = f"{site.base}/ok"
            run = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert run.checks[url].verdict == "alive"
    assert seen.seen == []
    assert ("GET", "/ok") in {(r[0], r[1]) for r in site.server.state.requests}


def test_the_wayback_client_goes_through_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = fake_wayback()
    with server:
        proxy, seen = forward_proxy(server)
        with proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.base)

            async def look() -> object:
                async with WaybackClient(
                    "http://wayback.example", timeout=5.0, resolver=StaticResolver({})
                ) as client:
                    return await client.cdx("https://example.org/page")

            assert asyncio.run(look()) == []
    assert seen.seen and seen.seen[0].startswith("GET http://wayback.example/cdx/search/cdx?")


@pytest.fixture
def inspecting_ca(tmp_path: Path) -> tuple[trustme.CA, Path]:
    """A CA of the kind a TLS-inspecting network installs, written where SSL_CERT_FILE points."""
    ca = trustme.CA()
    pem = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return ca, pem


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def test_the_checker_trusts_ssl_cert_file(
    inspecting_ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, pem = inspecting_ca
    with scenario_server(tls=_server_context(ca)) as site:
        url = f"{site.base}/ok"
        untrusted = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))
        tls.ssl_context.cache_clear()
        trusted = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert (untrusted.checks[url].verdict, untrusted.checks[url].reason) == ("error", "tls")
    assert (trusted.checks[url].verdict, trusted.checks[url].reason) == ("alive", "http-200")


@pytest.mark.parametrize(("known", "said"), [(True, None), (False, "unreachable")])
def test_the_wayback_client_trusts_ssl_cert_file_and_no_other_ca(
    inspecting_ca: tuple[trustme.CA, Path],
    monkeypatch: pytest.MonkeyPatch,
    known: bool,
    said: str | None,
) -> None:
    ca, pem = inspecting_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    server, _ = fake_wayback()
    context = _server_context(ca if known else trustme.CA())
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    with server:

        async def ask() -> str | None:
            base = f"https://127.0.0.1:{server.port}"
            async with WaybackClient(base, timeout=5.0, resolver=StaticResolver({})) as client:
                return await client.unreachable()

        assert asyncio.run(ask()) == said


def test_a_server_of_an_unknown_ca_is_still_refused(
    inspecting_ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, pem = inspecting_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    with scenario_server(tls=_server_context(trustme.CA())) as site:
        url = f"{site.base}/ok"
        run = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert (run.checks[url].verdict, run.checks[url].reason) == ("error", "tls")


def test_an_archive_behind_the_proxy_is_reachable_without_local_dns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Behind a proxy only the proxy resolves names: this machine's DNS (here: none) is not asked.
    server, _ = fake_wayback()
    with server:
        proxy, seen = forward_proxy(server)
        with proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.base)

            async def ask() -> str | None:
                async with WaybackClient(
                    "http://wayback.example", timeout=5.0, resolver=StaticResolver({})
                ) as client:
                    return await client.unreachable()

            assert asyncio.run(ask()) is None
    assert seen.seen == ["GET http://wayback.example/save/status/system"]
