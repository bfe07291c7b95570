"""Name resolution and connections with bounds: each host is resolved once, in bounded time.

The link checker needs to know *why* a host cannot be reached: a name that does not exist (link rot)
is not a machine with no network (nothing can be said). So it resolves every host itself, in
daemon threads that can never hold up the process, and the HTTP transport then connects to the
addresses found, so each host costs one lookup.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import httpcore
import httpx

DnsStatus = Literal["ok", "nxdomain", "failed", "timeout"]
DNS_TIMEOUT = 5.0
# Hosts whose resolution shows that DNS works when no host of the run resolves.
KNOWN_HOSTS = ("web.archive.org", "example.com")


@dataclass(frozen=True)
class DnsAnswer:
    status: DnsStatus
    address: str | None = None


Resolver = Callable[[str], Awaitable[DnsAnswer]]


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def needs_dns(host: str) -> bool:
    """Whether reaching ``host`` says anything about DNS (IP literals and localhost do not)."""
    return not is_ip_literal(host) and host.lower() not in ("localhost", "localhost.")


@functools.lru_cache(maxsize=65536)
def dns_host(url: str) -> str | None:
    """The host of an http(s) URL as DNS knows it (IDNA-encoded, lower case), or None."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not host or "%" in host:
        return None
    return host.strip("[]")


def _lookup(host: str) -> DnsAnswer:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return DnsAnswer("nxdomain")
        return DnsAnswer("failed")
    except (UnicodeError, OSError):
        return DnsAnswer("failed")
    if not infos:
        return DnsAnswer("nxdomain")
    return DnsAnswer("ok", str(infos[0][4][0]))


class SystemResolver:
    """getaddrinfo in daemon threads, each lookup bounded by ``timeout`` seconds."""

    def __init__(self, timeout: float = DNS_TIMEOUT, parallel: int = 16) -> None:
        self.timeout = timeout
        self._slots = asyncio.Semaphore(parallel)

    async def __call__(self, host: str) -> DnsAnswer:
        if is_ip_literal(host):
            return DnsAnswer("ok", host.strip("[]"))
        loop = asyncio.get_running_loop()
        future: asyncio.Future[DnsAnswer] = loop.create_future()

        def deliver(answer: DnsAnswer) -> None:
            if not future.done():
                future.set_result(answer)

        def work() -> None:
            answer = _lookup(host)
            loop.call_soon_threadsafe(deliver, answer)

        async with self._slots:
            threading.Thread(target=work, name=f"dns:{host}", daemon=True).start()
            try:
                return await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                return DnsAnswer("timeout")


class StaticResolver:
    """A resolver from a fixed table (tests, and ``--resolve`` style overrides)."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = {k.lower(): v for k, v in table.items()}

    async def __call__(self, host: str) -> DnsAnswer:
        if is_ip_literal(host):
            return DnsAnswer("ok", host.strip("[]"))
        address = self.table.get(host.lower())
        return DnsAnswer("ok", address) if address else DnsAnswer("nxdomain")


class DnsCache:
    """One lookup per host for the whole run, shared by every request."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.answers: dict[str, DnsAnswer] = {}
        self._pending: dict[str, asyncio.Task[DnsAnswer]] = {}

    async def resolve(self, host: str) -> DnsAnswer:
        host = host.lower()
        if host in self.answers:
            return self.answers[host]
        task = self._pending.get(host)
        if task is None:
            task = asyncio.ensure_future(self.resolver(host))
            self._pending[host] = task
        answer = await task
        self.answers[host] = answer
        return answer

    async def resolve_all(self, hosts: Iterable[str]) -> dict[str, DnsAnswer]:
        unique = list(dict.fromkeys(h.lower() for h in hosts))
        answers = await asyncio.gather(*(self.resolve(h) for h in unique))
        return dict(zip(unique, answers, strict=True))

    async def resolution_works(self, hosts: Iterable[str]) -> bool:
        """True when some name resolves: the hosts of the run first, else a well-known host."""
        named = [h for h in hosts if needs_dns(h)]
        if any(self.answers.get(h.lower(), DnsAnswer("failed")).status == "ok" for h in named):
            return True
        known = await self.resolve_all(KNOWN_HOSTS)
        return any(a.status == "ok" for a in known.values())


class _ResolvedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address the DNS cache found rather than resolving again."""

    def __init__(self, cache: DnsCache) -> None:
        self.cache = cache
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        answer = await self.cache.resolve(host)
        if answer.status != "ok" or answer.address is None:
            raise httpcore.ConnectError(f"cannot resolve {host}: {answer.status}")
        return await self.inner.connect_tcp(
            answer.address, port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self.inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every pool: loading the CA bundle costs tens of milliseconds."""
    return httpx.create_ssl_context()


def resolved_transport(cache: DnsCache, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go to the addresses in ``cache``."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False, verify=_ssl_context())
    # httpx has no public hook for the network backend; rebuild its pool with ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_ResolvedBackend(cache),
    )
    return transport


class PerHostTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin.

    httpcore's pool matches every queued request against every connection, so a single pool
    shared by hundreds of connections costs more CPU than the requests; pools of a few
    connections each keep that cost flat however many hosts a run has.
    """

    def __init__(self, cache: DnsCache, per_host: int) -> None:
        self.cache = cache
        self.limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
        self.pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = resolved_transport(self.cache, self.limits)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()
        self.pools.clear()
