"""The checker's HTTP plumbing: an aiohttp session set up for link checking, and its failures named.

aiohttp does the protocol (llhttp's C parser, connection reuse, proxies from the environment,
happy eyeballs over every address a name has, bounded decompression of gzip and raw or wrapped
deflate). What is ours: the session's settings, each host resolved once through :class:`DnsCache`,
cookies kept within one redirect chain and nowhere else, bodies read only as far as asked, and every
exception turned into one of the checker's ``error`` reasons, so that no answer from any server can
end a run.

Where aiohttp's parser is stricter than browsers, the choice made is recorded here:

- header lines and fields up to 256 KiB and 4,096 headers (aiohttp's defaults, 8 KiB and 128,
  refuse pages that Facebook and news sites serve with tens of KiB of cookies);
- answers with both ``Transfer-Encoding`` and ``Content-Length``, NUL bytes or a line without a
  colon in the head, non-ASCII digits in a length, and HTTP/0.9-style bodies are
  ``protocol-error``: llhttp refuses them to prevent request smuggling, and no setting relaxes it;
- bytes a server sends after a complete answer belong to that answer's link (a 204 with a body is
  ``protocol-error`` there) and are never read as the next link's answer.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import urllib.request
from typing import Any
from urllib.parse import quote

from multidict import CIMultiDictProxy
from yarl import URL

from kzarchive.check.aio import aiohttp
from kzarchive.check.dns import DnsCache, DnsFailure
from kzarchive.check.reasons import Reason

MAX_HEAD_LINE = 256 * 1024
MAX_HEADERS = 4096
KEEPALIVE = 5.0
# What a Location header may keep as it is; anything else (spaces, non-ASCII) is percent-encoded
# from its UTF-8 bytes, as browsers do.
_LOCATION_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


class CachedResolver(aiohttp.abc.AbstractResolver):
    """Gives aiohttp's connector every address the run's DNS cache found for a host."""

    def __init__(self, cache: DnsCache) -> None:
        self.cache = cache

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        answer = await self.cache.resolve(host)
        if answer.status != "ok":
            raise DnsFailure(host, answer.status)
        results: list[aiohttp.abc.ResolveResult] = []
        for address in answer.addresses:
            kind = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family not in (socket.AF_UNSPEC, kind):
                continue
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": port,
                    "family": kind,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        if not results:
            raise DnsFailure(host, "nxdomain")
        return results

    async def close(self) -> None:
        return None


class Proxies:
    """The proxy for each URL, from ``*_PROXY`` and ``NO_PROXY``, read once and kept per host.

    aiohttp's own ``trust_env`` looks both the proxy and ``~/.netrc`` up in a thread for every
    request (two thread hops a link); netrc credentials have no business going to cited sites.
    """

    def __init__(self) -> None:
        self._proxies = urllib.request.getproxies()
        self._chosen: dict[tuple[str, str], tuple[URL | None, dict[str, str] | None]] = {}

    def __call__(self, url: URL) -> tuple[URL | None, dict[str, str] | None]:
        """The proxy for ``url`` and the headers that only the proxy sees (its credentials)."""
        key = (url.scheme, url.raw_host or "")
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = self._chosen[key] = self._choose(url)
        return chosen

    def _choose(self, url: URL) -> tuple[URL | None, dict[str, str] | None]:
        address = self._proxies.get(url.scheme)
        if not address or urllib.request.proxy_bypass(url.raw_host or ""):
            return None, None
        proxy = URL(address if "://" in address else f"http://{address}")
        if proxy.user is None:
            return proxy, None
        credentials = aiohttp.encode_basic_auth(proxy.user, proxy.password or "")
        return proxy.with_user(None), {"Proxy-Authorization": credentials}


def new_session(cache: DnsCache, user_agent: str, connect_timeout: float) -> aiohttp.ClientSession:
    """A session for link checks: no shared cookies, no netrc, no limits of its own (the
    checker's gates bound concurrency), every host resolved through ``cache``; proxies are given
    per request by :class:`Proxies`."""
    connector = aiohttp.TCPConnector(
        limit=0,
        limit_per_host=0,
        resolver=CachedResolver(cache),
        use_dns_cache=False,
        keepalive_timeout=KEEPALIVE,
        happy_eyeballs_delay=0.25,
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        auto_decompress=True,
        max_line_size=MAX_HEAD_LINE,
        max_field_size=MAX_HEAD_LINE,
        max_headers=MAX_HEADERS,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout),
        headers={
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en;q=0.9,*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        },
    )


def header_dict(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    """Headers with lower-case names; repeated ones joined (``Set-Cookie`` by new lines)."""
    joined: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in joined:
            joined[key] += ("\n" if key == "set-cookie" else ", ") + value
        else:
            joined[key] = value
    return joined


def redirect_target(base: URL, location: str) -> URL:
    """Where a ``Location`` leads from ``base``; its raw bytes are read as UTF-8, as browsers do."""
    raw = location.strip().encode("utf-8", "surrogateescape")
    return base.join(URL(quote(raw, safe=_LOCATION_SAFE), encoded=True))


def content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length", "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """At most ``limit`` bytes of the decoded body: a 1 GB answer or a gzip bomb costs ``limit``."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(min(limit - size, 256 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


class CookieChain:
    """Cookies set along one link's redirects, sent back within that chain, then forgotten."""

    def __init__(self) -> None:
        self._jar: aiohttp.CookieJar | None = None

    def take(self, response: aiohttp.ClientResponse) -> None:
        if "Set-Cookie" not in response.headers:
            return
        if self._jar is None:
            self._jar = aiohttp.CookieJar(unsafe=True, quote_cookie=False)
        self._jar.update_cookies(response.cookies, response.url)

    def header(self, url: URL) -> dict[str, str]:
        if self._jar is None:
            return {}
        cookies = self._jar.filter_cookies(url)
        if not cookies:
            return {}
        return {"Cookie": "; ".join(f"{name}={m.value}" for name, m in cookies.items())}


def _os_reason(exc: OSError) -> Reason:
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return Reason.TLS
    if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return Reason.CONNECTION_REFUSED
    if isinstance(exc, ConnectionResetError | BrokenPipeError) or exc.errno == errno.ECONNRESET:
        return Reason.CONNECTION_RESET
    if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
        return Reason.TIMEOUT
    return Reason.CONNECTION_FAILED


def failure_reason(exc: BaseException) -> Reason:
    """The checker's ``error`` reason (or ``dns-nxdomain``) for anything a request raised."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        cause: Any = exc.os_error
        if isinstance(cause, DnsFailure):
            return {
                "nxdomain": Reason.DNS_NXDOMAIN,
                "timeout": Reason.DNS_TIMEOUT,
            }.get(cause.status, Reason.DNS_FAILED)
        return Reason.DNS_FAILED
    if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return Reason.PROXY
    if isinstance(
        exc,
        aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError | ssl.SSLError,
    ):
        return Reason.TLS
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _os_reason(exc.os_error)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return Reason.INVALID_URL
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return Reason.TIMEOUT
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return Reason.CONNECTION_RESET
    if isinstance(exc, aiohttp.ClientPayloadError):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, OSError):
            return _os_reason(cause)
        return Reason.CONNECTION_RESET if "not completed" in str(exc) else Reason.PROTOCOL_ERROR
    if isinstance(exc, aiohttp.ClientOSError):
        return _os_reason(exc)
    if isinstance(exc, OSError):
        return _os_reason(exc)
    return Reason.PROTOCOL_ERROR
