"""Link checking: does each cited URL still resolve, and if not, why not.

One async httpx client checks every unique URL with a global concurrency limit and a per-host gate
(a few connections and a minimum interval per host), so that one slow or hostile site never holds
up the others. Answers are judged by :mod:`kzarchive.verdicts`; this module does the I/O: DNS once
per host, redirects followed by hand and recorded, bodies streamed and capped, 429/5xx retried with
backoff that honours ``Retry-After``, and a second look at what was still an ``error``.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import re
import secrets
import ssl
import time
import zlib
from collections import defaultdict, deque
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from kzarchive import __version__
from kzarchive.models import Check, Redirect, Verdict, utc_now
from kzarchive.net import (
    DnsCache,
    HostPools,
    Resolver,
    SystemResolver,
    dns_host,
    needs_dns,
)
from kzarchive.progress import SILENT, Observer
from kzarchive.verdicts import (
    RETRY_STATUSES,
    asks_to_log_in,
    is_challenge,
    is_login_wall,
    is_trivial_redirect,
    says_not_found,
    similarity,
    soft_404_redirect,
    status_verdict,
)

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/131.0 Safari/537.36 kzarchive/{__version__} (+https://pypi.org/project/kzarchive/)"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SOFT_404_SIMILARITY = 0.9


@dataclass(frozen=True)
class CheckOptions:
    """How hard and how politely to check."""

    concurrency: int = 32
    per_host: int = 4
    host_interval: float = 0.01
    timeout: float = 20.0
    max_body: int = 2 * 1024 * 1024
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    second_look: bool = True


@dataclass(frozen=True)
class CheckRun:
    """Every URL's check, and whether the machine looked offline."""

    checks: dict[str, Check]
    offline: bool


@dataclass
class _Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    chain: list[Redirect] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        kind = self.headers.get("content-type", "").lower()
        return not kind or "html" in kind or kind.startswith("text/plain")


@dataclass
class _Failure:
    reason: str
    verdict: Verdict = "error"
    chain: list[Redirect] = field(default_factory=list)
    status: int | None = None


class _HostGate:
    """At most ``limit`` requests in flight to one host, starts spaced by ``interval`` seconds."""

    def __init__(self, limit: int, interval: float) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.interval = interval
        self.next_start = 0.0

    async def __aenter__(self) -> None:
        await self.slots.acquire()
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)

    async def __aexit__(self, *exc: object) -> None:
        self.slots.release()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (it may be seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _failure_reason(exc: BaseException) -> str:
    """The ``error`` reason for a transport failure, from the exception and what caused it."""
    if isinstance(exc, _TooManyRedirects):
        return "too-many-redirects"
    if isinstance(exc, httpcore.TimeoutException):
        return "timeout"
    if isinstance(exc, httpcore.UnsupportedProtocol | httpx.InvalidURL | InvalidURL):
        return "invalid-url"
    if isinstance(exc, httpcore.RemoteProtocolError | httpcore.LocalProtocolError):
        return "protocol-error"
    causes: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(causes) < 10:
        causes.append(node)
        node = node.__cause__ or node.__context__
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection-refused"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "tls"
    if any(isinstance(c, ConnectionResetError | BrokenPipeError) for c in causes):
        return "connection-reset"
    text = " ".join(repr(c) for c in causes).lower()
    if "cannot resolve" in text:
        return "dns-failure"
    if "ssl" in text or "certificate" in text or "tls" in text:
        return "tls"
    if "refused" in text:
        return "connection-refused"
    if "reset" in text or "broken pipe" in text:
        return "connection-reset"
    if isinstance(exc, httpcore.ConnectError):
        return "connection-failed"
    if isinstance(exc, httpcore.ReadError | httpcore.WriteError):
        return "connection-reset"
    return "network-error"


class LinkChecker:
    """Checks a list of URLs; one instance per run."""

    def __init__(
        self,
        options: CheckOptions | None = None,
        observer: Observer = SILENT,
        resolver: Resolver | None = None,
    ) -> None:
        self.options = options or CheckOptions()
        self.observer = observer
        self.dns = DnsCache(resolver or SystemResolver())
        self.offline = False
        self._gates: dict[str, _HostGate] = {}
        self._global = asyncio.Semaphore(self.options.concurrency)
        self._probes: dict[str, asyncio.Task[_Answer | _Failure]] = {}
        self._pools = HostPools(self.dns, self.options.per_host)
        self._headers = [
            (b"User-Agent", self.options.user_agent.encode("latin-1", "replace")),
            (b"Accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            (b"Accept-Language", b"en;q=0.9,*;q=0.5"),
            (b"Accept-Encoding", b"gzip, deflate"),
        ]
        timeout = self.options.timeout
        self._timeouts = {
            "connect": min(timeout, 10.0),
            "read": timeout,
            "write": timeout,
            "pool": timeout,
        }

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._pools.aclose()

    async def prepare(self, urls: Iterable[str], *, offline_also: str = "") -> None:
        """Resolve every host once; decide whether this machine is offline.

        ``offline_also`` is added to the one warning an offline machine gets.
        """
        hosts = [h for h in map(dns_host, urls) if h]
        named = [h for h in hosts if needs_dns(h)]
        await self.dns.resolve_all(named)
        if named and not await self.dns.resolution_works(named):
            self.offline = True
            self.observer.warn(
                "this machine looks offline (no host name resolves, not even well-known "
                f"ones): links are reported as error:offline, not dead{offline_also}"
            )

    async def check_all(self, urls: list[str]) -> CheckRun:
        """Check every URL (each once), then give the ones still in error a second look."""
        unique = list(dict.fromkeys(urls))
        await self.prepare(unique)
        self.observer.phase_started("check", len(unique))
        found: dict[str, Check] = {}

        async def work(queue: deque[str]) -> None:
            while queue:
                url = queue.popleft()
                found[url] = await self._first_look(url)

        # A few workers per host, not a task per link: memory stays flat with the number of
        # links, and a slow host only ever holds up its own workers.
        by_host: dict[str, deque[str]] = defaultdict(deque)
        for url in unique:
            by_host[dns_host(url) or url].append(url)
        await asyncio.gather(
            *(
                work(queue)
                for queue in by_host.values()
                for _ in range(min(self.options.per_host, len(queue)))
            )
        )
        results = {url: found[url] for url in unique}
        if self.options.second_look:
            again = [u for u, c in results.items() if worth_second_look(c)]
            for url, check in zip(
                again, await asyncio.gather(*map(self.check, again)), strict=True
            ):
                results[url] = check
                self.observer.advanced("check", url, check.verdict)
        return CheckRun(results, self.offline)

    async def _first_look(self, url: str) -> Check:
        check = await self.check(url)
        if not (self.options.second_look and worth_second_look(check)):
            self.observer.advanced("check", url, check.verdict)
        return check

    async def check(self, url: str) -> Check:
        """Check one URL and return its verdict."""
        started = time.monotonic()
        checked_at = utc_now()
        outcome = await self._outcome(url)
        elapsed = int((time.monotonic() - started) * 1000)
        if isinstance(outcome, _Failure):
            return Check(
                verdict=outcome.verdict,
                reason=outcome.reason,
                checked_at=checked_at,
                http_status=outcome.status,
                final_url=outcome.chain[-1].url if outcome.chain else None,
                redirects=tuple(outcome.chain),
                elapsed_ms=elapsed,
            )
        verdict, reason = await self._judge(url, outcome)
        length = outcome.headers.get("content-length")
        return Check(
            verdict=verdict,
            reason=reason,
            checked_at=checked_at,
            http_status=outcome.status,
            final_url=outcome.url,
            redirects=tuple(outcome.chain),
            content_type=outcome.headers.get("content-type"),
            content_length=int(length) if length and length.isdigit() else len(outcome.body),
            sha256=hashlib.sha256(outcome.body).hexdigest(),
            elapsed_ms=elapsed,
        )

    async def _outcome(self, url: str) -> _Answer | _Failure:
        host = dns_host(url)
        if host is None:
            return _Failure("invalid-url")
        if needs_dns(host):
            if self.offline:
                return _Failure("offline")
            answer = await self.dns.resolve(host)
            if answer.status == "nxdomain":
                return _Failure("dns-nxdomain", verdict="dead")
            if answer.status != "ok":
                return _Failure(f"dns-{answer.status}")
        return await self._with_retries(url)

    async def _with_retries(self, url: str) -> _Answer | _Failure:
        opts = self.options
        outcome: _Answer | _Failure = _Failure("not-checked")
        for attempt in range(opts.retries + 1):
            outcome = await self._attempt(url)
            if not isinstance(outcome, _Answer) or outcome.status not in RETRY_STATUSES:
                return outcome
            if attempt == opts.retries:
                break
            asked = retry_after_seconds(outcome.headers.get("retry-after"))
            if asked is not None and asked > opts.retry_after_cap:
                break  # the site asks for a longer pause than we wait: report it as it stands
            delay = asked if asked is not None else opts.backoff * 2**attempt
            await asyncio.sleep(delay + random.uniform(0, opts.backoff / 4))
        return outcome

    async def _attempt(self, url: str) -> _Answer | _Failure:
        """One GET of ``url`` with its redirects, within the per-URL deadline."""
        chain: list[Redirect] = []
        reading_body = [False]
        try:
            async with asyncio.timeout(self.options.timeout):
                return await self._follow(url, chain, reading_body)
        except TimeoutError:
            return _Failure("body-timeout" if reading_body[0] else "timeout", chain=chain)
        except _TRANSPORT_ERRORS as exc:
            reason = _failure_reason(exc)
            if reason == "timeout" and reading_body[0]:
                reason = "body-timeout"
            if reason == "dns-failure" and chain:
                answer = self.dns.answers.get(dns_host(chain[-1].url) or "")
                if answer is not None and answer.status == "nxdomain":
                    return _Failure("dns-nxdomain", verdict="dead", chain=chain)
            return _Failure(reason, chain=chain)

    async def _follow(self, url: str, chain: list[Redirect], reading: list[bool]) -> _Answer:
        current = url
        while True:
            answer = await self._get(current, reading)
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                answer.chain = chain
                return answer
            current = urljoin(current, location.strip())
            chain.append(Redirect(answer.status, current))
            if len(chain) > self.options.max_redirects:
                raise _TooManyRedirects()

    async def _get(self, url: str, reading: list[bool]) -> _Answer:
        parsed = _parse(url)
        host = parsed.raw_host.decode("ascii")
        gate = self._gates.setdefault(
            host, _HostGate(self.options.per_host, self.options.host_interval)
        )
        pool = self._pools.pool(parsed.raw_scheme, parsed.raw_host, parsed.port)
        request = httpcore.Request(
            b"GET",
            httpcore.URL(
                scheme=parsed.raw_scheme,
                host=parsed.raw_host,
                port=parsed.port,
                target=parsed.raw_path,
            ),
            headers=[(b"Host", parsed.netloc), *self._headers],
            extensions={"timeout": self._timeouts},
        )
        async with gate, self._global:
            response = await pool.handle_async_request(request)
            try:
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers
                }
                body = b""
                if response.status not in REDIRECT_STATUSES:
                    reading[0] = True
                    body = await self._read_capped(response, headers.get("content-encoding", ""))
                    reading[0] = False
                return _Answer(url, response.status, headers, body)
            finally:
                await response.aclose()

    async def _read_capped(self, response: httpcore.Response, encoding: str) -> bytes:
        """At most ``max_body`` bytes of the body, decompressed; the rest is never read."""
        decoder = _decoder(encoding)
        chunks: list[bytes] = []
        size = 0
        stream = response.stream
        assert isinstance(stream, AsyncIterable)
        async for raw in stream:
            chunk = decoder(raw) if decoder else raw
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.options.max_body:
                break
        return b"".join(chunks)[: self.options.max_body]

    async def _judge(self, url: str, answer: _Answer) -> tuple[Verdict, str]:
        status, chain = answer.status, answer.chain
        if is_challenge(status, answer.headers, answer.body):
            return "blocked", "bot-challenge"
        if not is_login_wall(url) and (
            (chain and is_login_wall(answer.url))
            or (200 <= status < 300 and answer.is_html and asks_to_log_in(answer.body))
        ):
            return "blocked", "login-wall"
        if not 200 <= status < 300:
            return status_verdict(status)
        if chain and not is_trivial_redirect(url, answer.url):
            soft = soft_404_redirect(url, answer.url)
            if soft:
                return "dead", soft
        if answer.is_html and (says_not_found(answer.body) or await self._is_missing_page(answer)):
            return "dead", "soft-404:not-found-page"
        if not chain or is_trivial_redirect(url, answer.url):
            return "alive", f"http-{status}"
        return "redirected", f"http-{status}-after-{chain[0].status}"

    async def _is_missing_page(self, answer: _Answer) -> bool:
        """Whether the page is what this site answers for a URL that surely does not exist."""
        twin = missing_twin(answer.url)
        if twin is None:
            return False  # a site's home page is never its own not-found page
        if not self._resembles(answer, await self._probe(twin.key, twin.missing)):
            return False
        if twin.bare is None:
            return True
        # The query named the page only if leaving its identifiers out changes the answer:
        # a site that ignores ?ref=123 answers the same page for any value, and is not dead.
        bare = await self._probe(twin.key + "#bare", twin.bare)
        return not self._resembles(answer, bare)

    def _resembles(self, answer: _Answer, probe: _Answer | None) -> bool:
        if probe is None or not 200 <= probe.status < 300:
            return False
        if probe.body == answer.body:
            return True
        ignore = (probe.url, answer.url, *url_words(answer.url), *url_words(probe.url))
        return similarity(answer.body, probe.body, ignore) >= SOFT_404_SIMILARITY

    async def _probe(self, key: str, url: str) -> _Answer | None:
        task = self._probes.get(key)
        if task is None:
            task = asyncio.ensure_future(self._attempt(url))
            self._probes[key] = task
        outcome = await task
        return outcome if isinstance(outcome, _Answer) else None


# Query parameters that track a visit and never name what is shown.
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|igsh|_ga|_gl"
    r"|ref|ref_src|ref_url|referrer|source|src|share|s|si|feature|t|time_continue|__tn__|__cft__"
    r"|_hsenc|_hsmi|mkt_tok|spm|from)$",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"\d|^[\w-]{8,}$")


@dataclass(frozen=True)
class Twin:
    """URLs that look like a cited one but surely name nothing (for soft-404 detection)."""

    key: str  # one probe per key: a site section, or a path and its identifying parameters
    missing: str  # the look-alike that names nothing
    bare: str | None = None  # for query-named pages: the same URL without its identifiers


def _random_like(value: str) -> str:
    """A value of the same kind as ``value`` (digits stay digits) that surely names nothing."""
    if value.isdigit():
        return "".join(secrets.choice("0123456789") for _ in range(max(len(value), 12)))
    return "kzarchive" + secrets.token_hex(max(4, len(value) // 2))


def missing_twin(url: str) -> Twin | None:
    """How to ask this site for a page like ``url`` that does not exist; None for a home page.

    A page named by its path gets a random path in the same site section. A page named by its
    query string (``watch?v=``, ``permalink.php?story_fbid=``, ``Download.aspx?symbolno=``) gets
    the same path with random values for the parameters that look like identifiers (tracking
    parameters and short words such as ``lang=en`` are kept as they are).
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    ids = [
        i
        for i, (name, value) in enumerate(pairs)
        if not TRACKING.match(name) and _IDENTIFIER.search(value)
    ]
    if ids:
        names = ",".join(sorted({pairs[i][0] for i in ids}))
        key = f"{parts.scheme}://{parts.netloc}{parts.path}?{names}"
        randomised = [(n, _random_like(v) if i in ids else v) for i, (n, v) in enumerate(pairs)]
        kept = [pair for i, pair in enumerate(pairs) if i not in ids]
        return Twin(
            key,
            urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(randomised), "")),
            urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), "")),
        )
    path = parts.path.strip("/")
    if not path:
        return None
    section = path.split("/")[0] + "/" if "/" in path else ""
    key = f"{parts.scheme}://{parts.netloc}/{section}"
    return Twin(key, f"{key}kzarchive-{secrets.token_hex(8)}-missing")


def url_words(url: str) -> list[str]:
    """The parts of a URL a page may echo back (its path and query values)."""
    parts = urlsplit(url)
    return [parts.path, *(value for _, value in parse_qsl(parts.query))]


class _TooManyRedirects(Exception):
    pass


class InvalidURL(ValueError):
    """A URL no request can be made for."""


_TRANSPORT_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    InvalidURL,
    _TooManyRedirects,
    zlib.error,
)


def _parse(url: str) -> httpx.URL:
    """The URL as it goes on the wire (IDNA host, percent-encoded path)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InvalidURL(str(exc)) from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise InvalidURL(url)
    return parsed


def _decoder(encoding: str) -> Callable[[bytes], bytes] | None:
    """A streaming decompressor for the ``Content-Encoding`` asked for (gzip, deflate)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress
    if encoding == "deflate":
        inflater = zlib.decompressobj()
        return inflater.decompress
    return None


def worth_second_look(check: Check) -> bool:
    """Whether an ``error`` may clear up if asked again at the end of the run."""
    return check.verdict == "error" and check.reason not in ("offline", "invalid-url")


async def check_urls(
    urls: list[str],
    options: CheckOptions | None = None,
    observer: Observer = SILENT,
    resolver: Resolver | None = None,
) -> CheckRun:
    """Check every URL in ``urls``; the async entry point."""
    async with LinkChecker(options, observer, resolver) as checker:
        return await checker.check_all(urls)
