"""Link checking: does each cited URL still resolve, and if not, why not.

Every unique URL is checked with a global concurrency limit and a per-host gate (a few connections
and a minimum interval per host), so that one slow or hostile site never holds up the others.
Answers are judged by :mod:`kzarchive.verdicts`; requests go through the lean client in
:mod:`kzarchive.http1`; this module does the rest of the I/O: DNS once per host, redirects followed
by hand and recorded, bodies capped, 429/5xx retried with backoff that honours ``Retry-After``,
and a second look at what was still an ``error``.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from kzarchive import __version__
from kzarchive.http1 import CookieJar, Pools, Target, TransportError, open_stream, wire_target
from kzarchive.models import Check, Redirect, Verdict, utc_now
from kzarchive.net import DnsCache, Resolver, SystemResolver, dns_host, needs_dns, tls_context
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
REDIRECT_BODY = 64 * 1024
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


@dataclass(frozen=True)
class _Look:
    """What one URL answered, before judgement."""

    url: str
    checked_at: str
    elapsed_ms: int
    outcome: _Answer | _Failure


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
    import email.utils  # rarely needed: most sites give seconds, if anything

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


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
        self._pools = Pools(self._connect)
        self._headers = (
            f"User-Agent: {self.options.user_agent}\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            "Accept-Language: en;q=0.9,*;q=0.5\r\n"
            "Accept-Encoding: gzip, deflate\r\n"
        ).encode("latin-1", "replace")

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._pools.close()

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
        judging: set[asyncio.Task[None]] = set()

        async def judge(look: _Look) -> None:
            check = found[look.url] = await self._conclude(look)
            if not (self.options.second_look and worth_second_look(check)):
                self.observer.advanced("check", look.url, check.verdict)

        async def work(queue: deque[str]) -> None:
            while queue:
                # A verdict may wait for a probe of the site's not-found page: that waits in
                # a task of its own while this worker goes on to the host's next link.
                task = asyncio.ensure_future(judge(await self._look(queue.popleft())))
                judging.add(task)
                task.add_done_callback(judging.discard)

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
        await asyncio.gather(*judging)
        results = {url: found[url] for url in unique}
        if self.options.second_look:
            again = [u for u, c in results.items() if worth_second_look(c)]
            for url, check in zip(
                again, await asyncio.gather(*map(self.check, again)), strict=True
            ):
                results[url] = check
                self.observer.advanced("check", url, check.verdict)
        return CheckRun(results, self.offline)

    async def check(self, url: str) -> Check:
        """Check one URL and return its verdict."""
        return await self._conclude(await self._look(url))

    async def _look(self, url: str) -> _Look:
        """Ask for ``url`` (following redirects, retrying); what it answered, not yet judged."""
        started = time.monotonic()
        checked_at = utc_now()
        outcome = await self._outcome(url)
        elapsed = int((time.monotonic() - started) * 1000)
        return _Look(url, checked_at, elapsed, outcome)

    async def _conclude(self, look: _Look) -> Check:
        """The verdict on what a URL answered."""
        outcome = look.outcome
        if isinstance(outcome, _Failure):
            return Check(
                verdict=outcome.verdict,
                reason=outcome.reason,
                checked_at=look.checked_at,
                http_status=outcome.status,
                final_url=outcome.chain[-1].url if outcome.chain else None,
                redirects=tuple(outcome.chain),
                elapsed_ms=look.elapsed_ms,
            )
        verdict, reason = await self._judge(look.url, outcome)
        length = outcome.headers.get("content-length")
        return Check(
            verdict=verdict,
            reason=reason,
            checked_at=look.checked_at,
            http_status=outcome.status,
            final_url=outcome.url,
            redirects=tuple(outcome.chain),
            content_type=outcome.headers.get("content-type"),
            content_length=int(length) if length and length.isdigit() else len(outcome.body),
            sha256=hashlib.sha256(outcome.body).hexdigest(),
            elapsed_ms=look.elapsed_ms,
        )

    async def _outcome(self, url: str) -> _Answer | _Failure:
        # Names that do not resolve are found on connecting (see _connect), for the cited host
        # and for every host a redirect leads to alike.
        host = dns_host(url)
        if self.offline and host is not None and needs_dns(host):
            return _Failure("offline")
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
        except TransportError as exc:
            reason = exc.reason
            if reason == "timeout" and reading_body[0]:
                reason = "body-timeout"
            verdict: Verdict = "dead" if reason == "dns-nxdomain" else "error"
            return _Failure(reason, verdict=verdict, chain=chain)

    async def _follow(self, url: str, chain: list[Redirect], reading: list[bool]) -> _Answer:
        current = url
        cookies = CookieJar()
        while True:
            answer = await self._get(current, reading, cookies)
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                answer.chain = chain
                return answer
            current = urljoin(current, location.strip())
            chain.append(Redirect(answer.status, current))
            if len(chain) > self.options.max_redirects:
                raise TransportError("too-many-redirects")

    async def _get(self, url: str, reading: list[bool], cookies: CookieJar) -> _Answer:
        target = wire_target(url)
        gate = self._gates.get(target.host)
        if gate is None:
            gate = self._gates[target.host] = _HostGate(
                self.options.per_host, self.options.host_interval
            )
        async with gate, self._global:
            headers = self._headers + cookies.header(target.host)
            response = await self._pools.get(target, headers)
            cookies.take(target.host, response.headers)
            try:
                if response.status in REDIRECT_STATUSES:
                    # Read a redirect's (small) body only so that its connection can be reused.
                    await response.read(REDIRECT_BODY)
                    return _Answer(url, response.status, response.headers)
                reading[0] = True
                body = await response.read(self.options.max_body)
                reading[0] = False
                return _Answer(url, response.status, response.headers, body)
            finally:
                response.release()

    async def _connect(self, target: Target) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to ``target``'s origin, at the address the DNS cache found for it."""
        answer = await self.dns.resolve(target.host)
        if answer.status == "nxdomain":
            raise TransportError("dns-nxdomain", target.host)
        if answer.status != "ok" or answer.address is None:
            raise TransportError(f"dns-{answer.status}", target.host)
        tls = tls_context() if target.scheme == "https" else None
        return await open_stream(answer.address, target, tls, min(self.options.timeout, 10.0))

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
