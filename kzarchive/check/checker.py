"""The link checker's I/O: every unique URL fetched once, politely, within bounds.

Every unique URL is checked with a global concurrency limit and a per-host gate (a few requests
and a minimum interval per host), so that one slow or hostile site never holds up the others.
Each host is resolved once (:mod:`.dns`); requests go through aiohttp (:mod:`.session`);
redirects are followed here so that each hop is recorded and gated; 429/5xx are retried with
backoff that honours ``Retry-After`` (:mod:`kzarchive.retry`); answers are judged by the pure rules
of :mod:`.rules`; what was still an ``error`` gets a second look at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from yarl import URL

from kzarchive.check.aio import aiohttp
from kzarchive.check.dns import DnsCache, Resolver, SystemResolver, dns_host, needs_dns, uses_proxy
from kzarchive.check.exchange import Exchange, Tap, read_captured, spooled
from kzarchive.check.options import CheckOptions
from kzarchive.check.platforms import (
    PlatformAnswer,
    oembed_address,
    oembed_answer,
    youtube_answer,
)
from kzarchive.check.reasons import FINAL_ERRORS, Reason, http_reason
from kzarchive.check.requisites import page_requisites
from kzarchive.check.rules import (
    RETRY_STATUSES,
    asks_to_log_in,
    content_words,
    is_challenge,
    is_login_wall,
    is_trivial_redirect,
    says_not_found,
    similarity,
    soft_404_redirect,
    status_verdict,
)
from kzarchive.check.session import (
    CookieChain,
    Proxies,
    content_length,
    failure_reason,
    header_dict,
    new_session,
    read_capped,
    redirect_target,
)
from kzarchive.check.soft404 import SOFT_404_SIMILARITY, missing_twin, url_words
from kzarchive.extract.urls import usable_url
from kzarchive.models import Check, Redirect, Verdict, utc_now
from kzarchive.privacy import is_private_name, resolves_private
from kzarchive.progress import SILENT, Observer
from kzarchive.retry import Backoff, retry_after_seconds
from kzarchive.tls import ssl_context

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
REDIRECT_BODY = 64 * 1024


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


@dataclass
class _Trip:
    """One attempt at a URL: its cookies, deadline, and whether (and for whom) it is recorded."""

    cookies: CookieChain = field(default_factory=CookieChain)
    reading_body: bool = False
    deadline: float | None = None
    cited: str | None = None  # record the exchanges for this cited URL (None: not recorded)
    budget: _Budget | None = None  # a page requisite's: the bytes its page may still take


@dataclass
class _Budget:
    left: int


@dataclass(frozen=True)
class CaptureLimits:
    """How much evidence a check keeps: each body up to ``body`` bytes; for an HTML page, up to
    ``requisites`` of the images, stylesheets, scripts and frames it names, ``requisite_bytes``
    in all."""

    body: int = 50 * 1024 * 1024
    requisites: int = 40
    requisite_bytes: int = 10 * 1024 * 1024


class _TooManyRedirects(Exception):
    pass


class _PrivateAddress(Exception):
    pass


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


class LinkChecker:
    """Checks a list of URLs; one instance per run, used as an async context manager."""

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
        self.backoff = Backoff(
            self.options.retries, self.options.backoff, self.options.retry_after_cap
        )
        self._gates: dict[str, _HostGate] = {}
        self._global = asyncio.Semaphore(self.options.concurrency)
        self._probes: dict[str, asyncio.Task[_Answer | _Failure]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._proxies = Proxies()
        # The content words of each page that answered (for drift), when asked for
        self.keep_words = False
        self.words: dict[str, frozenset[str]] = {}
        # Where the exchanges of each check go as evidence, when asked for (see capture())
        self.tap: Tap | None = None
        self.limits = CaptureLimits()
        self._capturing: set[asyncio.Task[None]] = set()

    def capture(self, tap: Tap, limits: CaptureLimits | None = None) -> None:
        """Hand every exchange of every check (and an HTML page's requisites) to ``tap``."""
        self.tap = tap
        self.limits = limits or CaptureLimits()

    async def captures_done(self) -> None:
        """Wait for the page requisites still being fetched."""
        while self._capturing:
            await asyncio.gather(*self._capturing)

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = new_session(
                self.dns, self.options.user_agent, min(self.options.timeout, 10.0)
            )
        return self._session

    async def prepare(self, urls: Iterable[str], *, offline_also: str = "") -> None:
        """Resolve every host once; decide whether this machine is offline.

        Hosts reached through a proxy are not resolved here: the proxy does that.
        ``offline_also`` is added to the one warning an offline machine gets.
        """
        named = [
            h
            for u in urls
            if (h := dns_host(u)) is not None
            and needs_dns(h)
            and not uses_proxy(u)
            and usable_url(u)  # never asked for: its host says nothing about this machine
        ]
        await self.dns.resolve_all(named)
        if named and not await self.dns.resolution_works(named):
            self.offline = True
            self.observer.warn(
                "this machine looks offline (no host name resolves, not even well-known "
                f"ones): links are reported as error:offline, not dead{offline_also}"
            )

    async def check_all(
        self, urls: list[str], finished: dict[str, Check] | None = None
    ) -> CheckRun:
        """Check every URL (each once), then give the ones still in error a second look.

        ``finished`` is filled as links are judged (a second look replacing the first), so
        that an interrupted run still has what it finished."""
        unique = list(dict.fromkeys(urls))
        await self.prepare(unique)
        self.observer.phase_started("check", len(unique))
        found: dict[str, Check] = {} if finished is None else finished
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
                results[url] = found[url] = check
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
        if self.keep_words and verdict in ("alive", "redirected") and outcome.is_html:
            self.words[look.url] = content_words(outcome.body)
        length = content_length(outcome.headers)
        return Check(
            verdict=verdict,
            reason=reason,
            checked_at=look.checked_at,
            http_status=outcome.status,
            final_url=outcome.url,
            redirects=tuple(outcome.chain),
            content_type=outcome.headers.get("content-type"),
            content_length=length if length is not None else len(outcome.body),
            sha256=hashlib.sha256(outcome.body).hexdigest(),
            elapsed_ms=look.elapsed_ms,
        )

    async def _outcome(self, url: str) -> _Answer | _Failure:
        host = dns_host(url)
        if host is None or not usable_url(url):
            return _Failure(Reason.INVALID_URL)
        # Names that do not resolve are found on connecting, for the cited host and for every
        # host a redirect leads to alike.
        if self.offline and needs_dns(host) and not uses_proxy(url):
            return _Failure(Reason.OFFLINE)
        outcome: _Answer | _Failure = _Failure(Reason.NOT_CHECKED)
        cited = url if self.tap is not None else None
        for attempt in range(self.options.retries + 1):
            outcome = await self._attempt(url, cited)
            if not isinstance(outcome, _Answer) or outcome.status not in RETRY_STATUSES:
                if isinstance(outcome, _Answer) and cited is not None and outcome.is_html:
                    self._fetch_requisites(cited, outcome)
                return outcome
            delay = self.backoff.delay(
                attempt, retry_after_seconds(outcome.headers.get("retry-after"))
            )
            if delay is None:
                break
            await asyncio.sleep(delay)
        return outcome

    async def _attempt(
        self, url: str, cited: str | None = None, budget: _Budget | None = None
    ) -> _Answer | _Failure:
        """One GET of ``url`` with its redirects, within the per-URL deadline; each hop is
        recorded for ``cited`` when that is given.

        Whatever a server answers ends here as an answer or a failure with a reason: nothing a
        server sends can raise out of this method.
        """
        chain: list[Redirect] = []
        trip = _Trip(cited=cited, budget=budget)
        try:
            async with asyncio.timeout(self.options.timeout) as deadline:
                # A capture reading on past the check stops a little before the check's own
                # deadline, so that it never turns an answer into a timeout.
                when = deadline.when()
                if when is not None:
                    trip.deadline = when - min(0.5, self.options.timeout / 10)
                return await self._follow(url, chain, trip)
        except TimeoutError:
            reason = Reason.BODY_TIMEOUT if trip.reading_body else Reason.TIMEOUT
            return _Failure(reason, chain=chain)
        except _TooManyRedirects:
            return _Failure(Reason.TOO_MANY_REDIRECTS, chain=chain)
        except _PrivateAddress:
            return _Failure(Reason.PRIVATE_ADDRESS, verdict="excluded", chain=chain)
        except (aiohttp.ClientError, OSError, ValueError, LookupError) as exc:
            # ValueError and LookupError: yarl and the codecs on URLs and headers no browser
            # would send; OSError: sockets and TLS outside aiohttp's wrapping.
            reason = failure_reason(exc)
            if reason == Reason.TIMEOUT and trip.reading_body:
                reason = Reason.BODY_TIMEOUT
            verdict: Verdict = "dead" if reason == Reason.DNS_NXDOMAIN else "error"
            return _Failure(reason, verdict=verdict, chain=chain)

    async def _follow(self, url: str, chain: list[Redirect], trip: _Trip) -> _Answer:
        current = URL(url.strip())
        while True:
            answer, location = await self._get(current, trip)
            if answer.status not in REDIRECT_STATUSES or not location:
                answer.chain = chain
                return answer
            current = redirect_target(current, location)
            chain.append(Redirect(answer.status, str(current)))
            if len(chain) > self.options.max_redirects:
                raise _TooManyRedirects

    async def _get(self, url: URL, trip: _Trip) -> tuple[_Answer, str | None]:
        host = url.raw_host or ""
        if self.options.exclude_private and await self._private(host):
            raise _PrivateAddress(host)
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.options.per_host, self.options.host_interval)
        proxy, proxy_headers = self._proxies(url)
        headers = trip.cookies.header(url)
        if proxy_headers and url.scheme == "http":
            # A plain-HTTP request goes to the proxy itself, which consumes Proxy-Authorization;
            # aiohttp sends proxy_headers only on the CONNECT of an https tunnel.
            headers = {**headers, **proxy_headers}
        async with gate, self._global:
            started = datetime.now(UTC)
            async with self.session.get(
                url,
                allow_redirects=False,
                headers=headers,
                ssl=ssl_context() if url.scheme == "https" else True,
                proxy=proxy,
                proxy_headers=proxy_headers,
            ) as response:
                trip.cookies.take(response)
                headers = header_dict(response.headers)
                if trip.cited is not None and self.tap is not None:
                    return await self._get_recorded(url, response, headers, trip, self.tap, started)
                if response.status in REDIRECT_STATUSES:
                    # Read a redirect's (small) body only so that its connection can be reused.
                    await read_capped(response, REDIRECT_BODY)
                    return _Answer(str(url), response.status, headers), headers.get("location")
                trip.reading_body = True
                body = await read_capped(response, self.options.max_body)
                trip.reading_body = False
                return _Answer(str(url), response.status, headers, body), None

    async def _get_recorded(
        self,
        url: URL,
        response: aiohttp.ClientResponse,
        headers: dict[str, str],
        trip: _Trip,
        tap: Tap,
        started: datetime,
    ) -> tuple[_Answer, str | None]:
        """The same reading as :meth:`_get`'s, with the body also kept for the evidence
        (``started``: when the request was sent, the record's WARC-Date)."""
        address = _peer_address(response)
        redirect = response.status in REDIRECT_STATUSES
        trip.reading_body = not redirect
        if redirect:
            captured = spooled(await read_capped(response, REDIRECT_BODY))
        elif trip.budget is not None:
            # A requisite is not judged: all of it is evidence, cut short (and kept) if it
            # stalls past the page's deadline.
            captured = await read_captured(response, 0, max(trip.budget.left, 0), trip.deadline)
        else:
            limit = self.limits.body
            captured = await read_captured(response, self.options.max_body, limit, trip.deadline)
        if trip.budget is not None:
            trip.budget.left -= captured.size
        trip.reading_body = False
        assert trip.cited is not None
        tap.record(
            Exchange(
                cited=trip.cited,
                url=str(url),
                requisite=trip.budget is not None,
                started_at=started.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                request_headers=tuple(response.request_info.headers.items()),
                version=f"{response.version.major}.{response.version.minor}"
                if response.version
                else "1.1",
                status=response.status,
                reason=response.reason or "",
                headers=tuple(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers
                ),
                body=captured.spool,
                size=captured.size,
                sha256=captured.sha256,
                truncated=captured.truncated,
                remote_ip=str(address[0]) if isinstance(address, tuple) and address else None,
            )
        )
        answer = _Answer(str(url), response.status, headers, b"" if redirect else captured.head)
        return answer, headers.get("location") if redirect else None

    def _fetch_requisites(self, cited: str, page: _Answer) -> None:
        """Fetch (in the background) what an HTML page needs to be seen as it was."""
        wanted = page_requisites(page.body, page.url)[: self.limits.requisites]
        if not wanted:
            return

        async def fetch() -> None:
            budget = _Budget(self.limits.requisite_bytes)
            # One page's requisites take at most twice one link's time, however many hang.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2 * self.options.timeout):
                    for url in wanted:
                        if budget.left <= 0:
                            break
                        await self._attempt(url, cited, budget)

        task = asyncio.ensure_future(fetch())
        self._capturing.add(task)
        task.add_done_callback(self._capturing.discard)

    async def private_host(self, host: str) -> bool:
        """Whether ``host`` is on a private network (``--exclude-private``'s rule, for the
        browser's requests too)."""
        return await self._private(host)

    async def _private(self, host: str) -> bool:
        """Whether ``host`` is on a private network: by name, literal, or what it resolves to
        (checked before any connection, for every hop)."""
        if is_private_name(host):
            return True
        if not needs_dns(host):
            return False
        answer = await self.dns.resolve(host)
        return answer.status == "ok" and resolves_private(answer.addresses)

    async def _judge(self, url: str, answer: _Answer) -> tuple[Verdict, str]:
        status, chain = answer.status, answer.chain
        if is_challenge(status, answer.headers, answer.body):
            return "blocked", Reason.BOT_CHALLENGE
        platform = await self._platform(url, answer)
        if platform is not None and platform.verdict != "alive":
            return platform.verdict, platform.reason
        if not is_login_wall(url) and (
            (chain and is_login_wall(answer.url))
            or (200 <= status < 300 and answer.is_html and asks_to_log_in(answer.body))
        ):
            return "blocked", Reason.LOGIN_WALL
        if not 200 <= status < 300:
            return status_verdict(status)
        if chain and not is_trivial_redirect(url, answer.url):
            soft = soft_404_redirect(url, answer.url)
            if soft:
                return "dead", soft
        if (
            platform is None
            and answer.is_html
            and (says_not_found(answer.body) or await self._is_missing_page(answer))
        ):
            return "dead", Reason.SOFT_404_PAGE
        if not chain or is_trivial_redirect(url, answer.url):
            return "alive", http_reason(status)
        return "redirected", http_reason(status, chain[0].status)

    async def _platform(self, url: str, answer: _Answer) -> PlatformAnswer | None:
        """What the video platform itself says about the video (see :mod:`.platforms`); a bot
        wall in front of a YouTube video is a wall, so the oEmbed endpoint is asked whether the
        video is still there (only its "removed" or "private" changes the verdict)."""
        if not (200 <= answer.status < 300 and answer.is_html):
            return None
        found = youtube_answer(url, answer.url, answer.body)
        if found is None or found.reason != Reason.BOT_CHALLENGE:
            return found
        address = oembed_address(answer.url)
        outcome = await self._attempt(address) if address is not None else None
        if isinstance(outcome, _Answer):
            said = oembed_answer(outcome.status, outcome.body)
            if said is not None and said.verdict == "dead":
                return said
        return found

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


def _peer_address(response: aiohttp.ClientResponse) -> object:
    """The (host, port) the answer came from. A small answer read whole with its head has
    already handed its connection back to the pool (``response.connection`` is None), so the
    protocol that read it is asked instead; None when the socket is already closed."""
    if response.connection is not None and response.connection.transport is not None:
        return response.connection.transport.get_extra_info("peername")
    protocol = response._protocol  # aiohttp keeps no public handle on it once released
    transport = protocol.transport if protocol is not None else None
    return transport.get_extra_info("peername") if transport is not None else None


def worth_second_look(check: Check) -> bool:
    """Whether an ``error`` may clear up if asked again at the end of the run."""
    return check.verdict == "error" and check.reason not in FINAL_ERRORS


async def check_urls(
    urls: list[str],
    options: CheckOptions | None = None,
    observer: Observer = SILENT,
    resolver: Resolver | None = None,
) -> CheckRun:
    """Check every URL in ``urls``; the async entry point."""
    async with LinkChecker(options, observer, resolver) as checker:
        return await checker.check_all(urls)
