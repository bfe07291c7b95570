"""Name resolution with bounds and a memory: each host is resolved once, in bounded time.

The link checker needs to know *why* a host cannot be reached: a name that does not exist (link rot)
is not a machine with no network (nothing can be said). So it resolves every host itself, in
daemon threads that can never hold up the process, and keeps every address found: aiohttp's
connector then gets them through :class:`CachedResolver` and tries them in turn (happy eyeballs),
so a name that resolves to ``::1`` and ``127.0.0.1`` reaches a server listening on either.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import threading
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

DnsStatus = Literal["ok", "nxdomain", "failed", "timeout"]
DNS_TIMEOUT = 5.0
# Hosts whose resolution shows that DNS works when no host of the run resolves.
KNOWN_HOSTS = ("web.archive.org", "example.com")
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


@dataclass(frozen=True)
class DnsAnswer:
    status: DnsStatus
    addresses: tuple[str, ...] = ()

    @property
    def address(self) -> str | None:
        return self.addresses[0] if self.addresses else None


Resolver = Callable[[str], Awaitable[DnsAnswer]]


class DnsFailure(OSError):
    """A name that did not resolve; ``status`` says how (raised into aiohttp's connector)."""

    def __init__(self, host: str, status: DnsStatus) -> None:
        super().__init__(f"{host}: {status}")
        self.host = host
        self.status = status


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


def wire_host(host: str) -> str:
    """``host`` as DNS knows it (IDNA for international names); ValueError if it cannot be."""
    host = host.lower()
    if not host.isascii():
        import idna  # only for international names: its tables take a while to load

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"not a valid international host name: {host}") from exc
    if not _HOST.fullmatch(host):
        raise ValueError(f"not a valid host name: {host}")
    return host


@functools.lru_cache(maxsize=32768)  # asked three times a link: grouping, DNS, judging
def dns_host(url: str) -> str | None:
    """The host of an http(s) URL as DNS knows it (IDNA-encoded, lower case), or None."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if ":" in host:  # IPv6 literal: urlsplit has checked the brackets
        return host
    try:
        return wire_host(host)
    except ValueError:
        return None


def uses_proxy(url: str) -> bool:
    """Whether the environment sends ``url`` through a proxy (``*_PROXY`` less ``NO_PROXY``).

    Behind a proxy the proxy resolves names, and this machine often cannot: its own DNS says
    nothing about the cited host.
    """
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if parts.scheme.lower() not in proxies:
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def _lookup(host: str) -> DnsAnswer:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return DnsAnswer("nxdomain")
        return DnsAnswer("failed")
    except (UnicodeError, OSError):
        return DnsAnswer("failed")
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    return DnsAnswer("ok", addresses) if addresses else DnsAnswer("nxdomain")


class SystemResolver:
    """getaddrinfo in daemon threads, each lookup bounded by ``timeout`` seconds."""

    def __init__(self, timeout: float = DNS_TIMEOUT, parallel: int = 16) -> None:
        self.timeout = timeout
        self._slots = asyncio.Semaphore(parallel)

    async def __call__(self, host: str) -> DnsAnswer:
        if is_ip_literal(host):
            return DnsAnswer("ok", (host.strip("[]"),))
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
    """A resolver from a fixed table (tests); a name may map to one address or several."""

    def __init__(self, table: Mapping[str, str | tuple[str, ...]]) -> None:
        self.table = {k.lower(): (v,) if isinstance(v, str) else tuple(v) for k, v in table.items()}

    async def __call__(self, host: str) -> DnsAnswer:
        if is_ip_literal(host):
            return DnsAnswer("ok", (host.strip("[]"),))
        addresses = self.table.get(host.lower())
        return DnsAnswer("ok", addresses) if addresses else DnsAnswer("nxdomain")


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
