"""Shared fixtures: paths to the seed report and the document fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, fake_wayback
from tests.servers.scenario import scenario_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCUMENTS = FIXTURES / "documents"


@pytest.fixture
def seed() -> Path:
    return ROOT / "sources.txt"


@pytest.fixture
def site() -> Iterator[RunningServer]:
    """The scenario web server (tests/servers/scenario.py), for one test."""
    with scenario_server() as running:
        yield running


@pytest.fixture
def wayback() -> Iterator[tuple[RunningServer, FakeState]]:
    """The fake Wayback Machine (tests/servers/fake_wayback.py) and its state, for one test."""
    server, state = fake_wayback()
    with server:
        yield server, state


@pytest.fixture(autouse=True, scope="session")
def http_only_runs() -> Iterator[None]:
    """``run`` captures in the browser by default; the tests that are about the browser turn it
    on (tests/capture/), the others keep to the HTTP capture so that the suite stays fast.
    Session-scoped so that it holds for module- and session-scoped runs too (the evidence
    tests' sealed run opened Chromium for 20 s when this was set per test, after them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KZARCHIVE_BROWSER", "0")
        yield


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sends a DNS query: names resolve from this table (tests that need more inject a
    StaticResolver), so every packet stays on this machine."""
    from kzarchive.check import dns

    def lookup(host: str) -> dns.DnsAnswer:
        if host.lower().rstrip(".") == "localhost":
            return dns.DnsAnswer("ok", ("127.0.0.1",))
        return dns.DnsAnswer("nxdomain")

    monkeypatch.setattr(dns, "_lookup", lookup)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test resolves a name through the system (httpx and aiohttp included): only IP
    literals and localhost; anything else fails as a name that does not exist would."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            import ipaddress

            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            if name.lower().rstrip(".") != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "no DNS in tests") from None
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``asyncio.sleep`` the code under test asks for, in order; each is taken as at most
    10 ms, so that tests of waiting (backoff, Retry-After, polling) run at once."""
    taken: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        taken.append(delay)
        await real_sleep(min(delay, 0.01))

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return taken
