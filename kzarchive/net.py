"""Name resolution and connections with bounds: each host is resolved once, in bounded time.

The link checker needs to know *why* a host cannot be reached: a name that does not exist (link rot)
is not a machine with no network (nothing can be said). So it resolves every host itself, in
daemon threads that can never hold up the process, and the HTTP transport then connects to the
addresses found, so each host costs one lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import select
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

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


def dns_host(url: str) -> str | None:
    """The host of an http(s) URL as DNS knows it (IDNA-encoded, lower case), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if "%" in host or any(c.isspace() for c in host):
        return None
    return host.lower()


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


def _readable(sock: socket.socket) -> bool:
    """Whether a kept-alive socket has data (or EOF) waiting: if so it is no use for reuse."""
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class _Stream(httpcore.AsyncNetworkStream):
    """An httpcore network stream on plain asyncio streams.

    httpcore's own backend goes through anyio, whose cancel scopes cost more CPU per request
    than the rest of a link check; asyncio's streams and ``asyncio.timeout`` do the same job.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self.reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("read timed out") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self.writer.write(buffer)
                await self.writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("write timed out") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self.writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self.writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            await self.aclose()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            sock = self.writer.get_extra_info("socket")
            return self.reader.at_eof() or (sock is not None and _readable(sock))
        if info == "client_addr":
            return self.writer.get_extra_info("sockname")
        if info == "server_addr":
            return self.writer.get_extra_info("peername")
        return self.writer.get_extra_info(info)


class _ResolvedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address the DNS cache found rather than resolving again."""

    def __init__(self, cache: DnsCache) -> None:
        self.cache = cache

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
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(answer.address, port, limit=1 << 20)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Stream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


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


class HostPools:
    """One small httpcore connection pool per origin, connecting to the DNS cache's addresses.

    httpcore's pool matches every queued request against every connection, so one pool shared
    by hundreds of connections costs more CPU than the requests themselves; pools of a few
    connections each keep that cost flat however many hosts a run has.
    """

    def __init__(self, cache: DnsCache, per_host: int) -> None:
        self.cache = cache
        self.per_host = per_host
        self.pools: dict[tuple[bytes, bytes, int | None], httpcore.AsyncConnectionPool] = {}

    def pool(self, scheme: bytes, host: bytes, port: int | None) -> httpcore.AsyncConnectionPool:
        key = (scheme, host, port)
        found = self.pools.get(key)
        if found is None:
            found = self.pools[key] = httpcore.AsyncConnectionPool(
                ssl_context=_ssl_context(),
                max_connections=self.per_host,
                max_keepalive_connections=self.per_host,
                network_backend=_ResolvedBackend(self.cache),
            )
        return found

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()
        self.pools.clear()
