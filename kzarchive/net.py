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

from kzarchive.http1 import TransportError, wire_target

DnsStatus = Literal["ok", "nxdomain", "failed", "timeout"]
DNS_TIMEOUT = 5.0
# Hosts whose resolution shows that DNS works when no host of the run resolves.
KNOWN_HOSTS = ("web.archive.org", "example.com")


@dataclass(frozen=True)
class DnsAnswer:
    status: DnsStatus
    address: str | None = None


Resolver = Callable[[str], Awaitable[DnsAnswer]]


@functools.lru_cache(maxsize=4096)
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
        return wire_target(url).host
    except TransportError:
        return None


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


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every connection: loading the CA bundle costs tens of milliseconds."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
