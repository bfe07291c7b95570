"""The Wayback Machine's HTTP calls: CDX look-ups, Save Page Now 2 jobs, account and system status.

Every call is bounded: a per-request timeout, a bounded number of retries on 429/5xx and transport
failures (:class:`kzarchive.retry.Backoff`, honouring ``Retry-After`` up to a cap) and a total time
per call. ``POST /save`` is never re-sent here: a 5xx or a lost answer may come after the capture
started (users have seen 523 while the job ran), so the archiver looks for the capture first.
Answers are read by :mod:`.replies`. Requests go through httpx because waybackpy has no timeouts,
no SPN2, no keys and no async.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from kzarchive.check.dns import DnsCache, Resolver, SystemResolver, dns_host, needs_dns, uses_proxy
from kzarchive.check.options import DEFAULT_USER_AGENT
from kzarchive.models import Snapshot
from kzarchive.retry import Backoff, retry_after_seconds
from kzarchive.tls import ssl_context
from kzarchive.wayback.anonymous import AnonymousSave, read_anonymous_save
from kzarchive.wayback.credentials import Credentials
from kzarchive.wayback.pacing import GateClosed, Pacing
from kzarchive.wayback.replies import (
    CANONICAL,
    KEYS_NEEDED,
    JobStatus,
    SaveReply,
    WaybackError,
    read_cdx,
    read_job_status,
    read_save_reply,
    read_user_status,
    snapshot_url,
    trimmed,
)

__all__ = ["CANONICAL", "JobStatus", "WaybackClient", "WaybackError", "snapshot_url"]

# A capture that holds the page: 2xx, not a redirect, not a revisit (status "-").
HOLDS_PAGE = "statuscode:2.."
# What counts as a capture at all for "the latest": pages and redirects, not errors or revisits.
ANY_CAPTURE = "statuscode:[23].."
# A capture this soon after the citation date still shows the page as cited (reports are often
# dated a few days after their sources were read, and captured a few days after publication).
AS_CITED_GRACE = timedelta(days=7)
# Captures asked for in the first look-up of a link: the latest, and often the as-cited one and
# good older ones among them, so that most links cost one CDX request.
RECENT = 25
# Captures before the citation date asked for when the recent ones do not reach back to it.
BEFORE = 5
# Statuses after which asking again may help.
_AGAIN = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def timestamp_datetime(timestamp: str) -> datetime:
    padded = (timestamp + "00000101000000"[len(timestamp) :])[:14]
    return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def snapshot_age(snapshot: Snapshot, now: datetime | None = None) -> timedelta:
    return (now or datetime.now(UTC)) - timestamp_datetime(snapshot.timestamp)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}


class WaybackClient:
    """One client per run; use as an async context manager."""

    def __init__(
        self,
        base_url: str = CANONICAL,
        credentials: Credentials | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 2.0,
        retry_after_cap: float = 60.0,
        call_deadline: float | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        pacing: Pacing | None = None,
    ) -> None:
        """``transport`` replaces httpx's network transport (and with it proxies and TLS
        settings): for tests that script the archive's answers in-process. ``pacing`` holds the
        gates CDX look-ups and memento fetches go through (:mod:`.pacing`; the service's limits
        by default)."""
        self.base = base_url.rstrip("/")
        self.pacing = pacing or Pacing.default()
        # CDX answers of this run, by query: no question is asked twice
        self._cdx_answers: dict[tuple[tuple[str, str], ...], asyncio.Future[list[Snapshot]]] = {}
        # Every capture of a URL the index named this run, by timestamp
        self._captures: dict[str, dict[str, Snapshot]] = {}
        self.cdx_requests = 0
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = Backoff(retries, backoff, retry_after_cap)
        # A call with its retries never takes longer than this, whatever the server does.
        self.call_deadline = call_deadline or timeout * (retries + 1) + 30.0
        self.dns = DnsCache(resolver or SystemResolver())
        self._system: httpx.Response | None = None  # kept by unreachable() for system_status()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
            limits=httpx.Limits(max_connections=32),
            # Proxies from the environment (HTTPS_PROXY, NO_PROXY), the system's CAs.
            trust_env=True,
            verify=ssl_context(),
            transport=transport,
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The HTTP client, for the calls of this run that are not the Wayback API's own
        (raw payloads of snapshots, other archives): same proxies, CAs and timeouts."""
        return self._client

    async def __aenter__(self) -> WaybackClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    # -- reachability ---------------------------------------------------------------------------

    async def unreachable(self) -> str | None:
        """None when the archive answers, else ``offline`` or ``unreachable``, known in seconds."""
        host = dns_host(self.base)
        if host is None:
            return "unreachable"
        if needs_dns(host) and not uses_proxy(self.base):
            answer = await self.dns.resolve(host)
            if answer.status != "ok":
                return "unreachable" if await self.dns.resolution_works([host]) else "offline"
        try:
            self._system = await self._get_system()
        except httpx.HTTPError:
            return "unreachable"
        return None

    async def _get_system(self) -> httpx.Response:
        return await self._client.get(
            f"{self.base}/save/status/system", timeout=min(self.timeout, 10.0)
        )

    async def system_status(self) -> str | None:
        """None when Save Page Now says it is fine; else what it says (``overloaded``, a 502).
        Reads the answer :meth:`unreachable` already fetched, when it did."""
        response, self._system = self._system, None
        if response is None:
            try:
                response = await self._get_system()
            except httpx.HTTPError as exc:
                return f"no answer ({type(exc).__name__})"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        try:
            data = response.json()
        except ValueError:
            return f"unexpected answer: {trimmed(response.text)}"
        if isinstance(data, dict) and data.get("status") == "ok":
            return None
        if isinstance(data, dict):
            return str(data.get("message") or data.get("status") or trimmed(response.text))
        return f"unexpected answer: {trimmed(response.text)}"

    # -- plumbing -------------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        return {"Authorization": self.credentials.authorization} if self.credentials else {}

    async def _request(
        self, method: str, path: str, *, again: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """A request with bounded retries on 429, 5xx and transport failures (``again=False``:
        only 429, which the service sends before doing anything)."""
        try:
            async with asyncio.timeout(self.call_deadline):
                return await self._attempts(method, path, again, **kwargs)
        except TimeoutError:
            raise WaybackError(
                "timeout", f"no usable answer from the archive within {self.call_deadline:g} s"
            ) from None

    async def _attempts(self, method: str, path: str, again: bool, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._client.request(method, f"{self.base}{path}", **kwargs)
            except httpx.TimeoutException:
                failure = WaybackError(
                    "timeout", f"no answer from the archive within {self.timeout:g} s"
                )
                if not again:
                    raise failure from None
            except httpx.HTTPError as exc:
                failure = WaybackError("unreachable", type(exc).__name__)
                if not again:
                    raise failure from None
            else:
                if response.status_code not in _AGAIN:
                    return response
                asked = retry_after_seconds(response.headers.get("retry-after"))
                if response.status_code == 429:
                    failure = WaybackError("rate-limited", "HTTP 429", asked)
                else:
                    failure = WaybackError(
                        "server-error",
                        f"HTTP {response.status_code}: {trimmed(response.text, 120)}",
                        asked,
                    )
                    if not again:
                        raise failure
            delay = self.backoff.delay(attempt, failure.retry_after)
            if delay is None:
                raise failure
            await asyncio.sleep(delay)
            attempt += 1

    # -- CDX ------------------------------------------------------------------------------------

    async def cdx(self, url: str, *, good: str = ANY_CAPTURE, **params: str) -> list[Snapshot]:
        """Captures of ``url`` matching ``params``. Raises ``blocked-site``/``robots-excluded``
        for excluded sites, ``cdx-error``/``cdx-bad-reply`` for an answer that is not the
        JSON asked for (never an empty list for an answer nobody understood) and
        ``cdx-stopped`` once the index has refused this run's look-ups. An answer is asked for
        once a run (see :meth:`_cdx` to ask again)."""
        return await self._cdx({"url": url, "output": "json", "filter": good, **params})

    async def _cdx(self, query: dict[str, str], fresh: bool = False) -> list[Snapshot]:
        """The answer to ``query``, asked once a run unless ``fresh`` (for captures made since
        it was last asked)."""
        url = query["url"]
        key = tuple(sorted(query.items()))
        known = None if fresh else self._cdx_answers.get(key)
        if known is None:
            known = asyncio.ensure_future(self._cdx_answer(query))
            self._cdx_answers[key] = known
        try:
            found = await asyncio.shield(known)
        except WaybackError as exc:
            if exc.reason not in ("blocked-site", "robots-excluded"):
                self._cdx_answers.pop(key, None)  # a failure is not an answer: ask again later
            raise
        self._captures.setdefault(url, {}).update((s.timestamp, s) for s in found)
        return found

    def known_captures(self, url: str) -> list[Snapshot]:
        """Every capture of ``url`` the index named this run, oldest first."""
        return sorted(self._captures.get(url, {}).values(), key=lambda s: s.timestamp)

    async def _cdx_answer(self, query: dict[str, str]) -> list[Snapshot]:
        response = await self._cdx_get(query)
        return read_cdx(response.status_code, _headers(response), response.text)

    async def _cdx_get(self, query: dict[str, str]) -> httpx.Response:
        """One CDX answer through the CDX gate: 5xx and lost answers retried (bounded), a 429
        pauses every look-up, a second one stops them for the run. The call deadline counts the
        time spent asking and backing off, not the time waiting for the gate."""
        gate = self.pacing.cdx
        loop = asyncio.get_running_loop()
        spent = 0.0
        attempt = 0
        while True:
            try:
                sent_at = await gate.wait()
            except GateClosed as exc:
                raise WaybackError("cdx-stopped", exc.reason) from None
            self.cdx_requests += 1
            started = loop.time()
            try:
                async with asyncio.timeout(max(0.0, self.call_deadline - spent)):
                    response = await self._client.get(f"{self.base}/cdx/search/cdx", params=query)
            except TimeoutError:
                raise WaybackError(
                    "timeout", f"no usable answer from the archive within {self.call_deadline:g} s"
                ) from None
            except httpx.TimeoutException:
                failure = WaybackError(
                    "timeout", f"no answer from the archive within {self.timeout:g} s"
                )
            except httpx.HTTPError as exc:
                failure = WaybackError("unreachable", type(exc).__name__)
            else:
                asked = retry_after_seconds(response.headers.get("retry-after"))
                if response.status_code == 429:
                    if gate.refuse(asked, sent_at) is None:
                        raise WaybackError("cdx-stopped", gate.closed or "HTTP 429")
                    continue  # the gate waits out the pause
                if response.status_code not in _AGAIN:
                    return response
                failure = WaybackError(
                    "server-error",
                    f"HTTP {response.status_code}: {trimmed(response.text, 120)}",
                    asked,
                )
            delay = self.backoff.delay(attempt, failure.retry_after)
            if delay is None:
                raise failure
            spent += loop.time() - started + delay
            if spent >= self.call_deadline:
                raise failure
            await asyncio.sleep(delay)
            attempt += 1

    async def latest(self, url: str) -> Snapshot | None:
        found = await self.cdx(url, limit="-1")
        return found[-1] if found else None

    async def since(self, url: str, moment: datetime) -> Snapshot | None:
        """The newest capture of ``url`` made at or after ``moment`` (a capture we caused)."""
        stamp = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        query = {"url": url, "output": "json", "filter": ANY_CAPTURE, "limit": "-1", "from": stamp}
        found = await self._cdx(query, fresh=True)
        return found[-1] if found else None

    async def look_up(
        self, url: str, cited_on: date | None, grace: timedelta = AS_CITED_GRACE
    ) -> tuple[Snapshot | None, Snapshot | None]:
        """The latest capture and the as-cited one (see :meth:`closest`), in as few requests as
        the index allows: the recent captures first, which often reach back to the citation
        date; the captures around that date only when they do not (three requests at most)."""
        recent = await self.cdx(url, limit=f"-{RECENT}")
        latest = recent[-1] if recent else None
        if cited_on is None:
            return latest, None
        end_of_day = datetime.combine(cited_on, datetime.max.time(), UTC)
        holding = [s for s in recent if s.status is not None and 200 <= s.status < 300]
        before = [s for s in holding if timestamp_datetime(s.timestamp) <= end_of_day]
        if before:
            return latest, before[-1]
        if len(recent) < RECENT:  # every capture there is: none before the date
            after = [
                s
                for s in holding
                if end_of_day < timestamp_datetime(s.timestamp) <= end_of_day + grace
            ]
            return latest, (after[0] if after and grace > timedelta(0) else None)
        return latest, await self.closest(url, cited_on, grace)

    async def closest(
        self, url: str, day: date, grace: timedelta = AS_CITED_GRACE
    ) -> Snapshot | None:
        """The capture that shows the page as cited on ``day``: the last 2xx capture on or before
        it, else the first within ``grace`` after it; never a redirect or a revisit; None if
        there is none. (A few captures before it are asked for: good older copies, for when
        the as-cited one turns out not to hold the page.)"""
        end_of_day = datetime.combine(day, datetime.max.time(), UTC)
        before = await self.cdx(
            url, good=HOLDS_PAGE, to=end_of_day.strftime("%Y%m%d%H%M%S"), limit=f"-{BEFORE}"
        )
        if before:
            return before[-1]
        if grace <= timedelta(0):
            return None
        after = await self.cdx(
            url,
            good=HOLDS_PAGE,
            limit="1",
            **{
                "from": (end_of_day + timedelta(seconds=1)).strftime("%Y%m%d%H%M%S"),
                "to": (end_of_day + grace).strftime("%Y%m%d%H%M%S"),
            },
        )
        return after[0] if after else None

    # -- Save Page Now 2 ------------------------------------------------------------------------

    async def user_status(self) -> dict[str, int] | None:
        """The account's capacity (``available``, ``processing``, ``daily_captures``...)."""
        try:
            response = await self._request(
                "GET",
                "/save/status/user",
                params={"_t": secrets.token_hex(4)},
                headers=self._auth(),
            )
        except WaybackError:
            return None
        return read_user_status(response.text) if response.status_code == 200 else None

    async def submit(self, url: str, options: dict[str, str]) -> SaveReply:
        """POST /save once (a 429 excepted); raises WaybackError with the service's reason."""
        response = await self._request(
            "POST", "/save", again=False, data={"url": url, **options}, headers=self._auth()
        )
        if response.status_code in (401, 403) and self.credentials is None:
            raise WaybackError("unauthorized", KEYS_NEEDED)
        if response.status_code in (401, 403):
            raise WaybackError(
                "unauthorized",
                f"Save Page Now refused the keys (HTTP {response.status_code}): check "
                "IA_ACCESS_KEY/IA_SECRET_KEY",
            )
        if response.status_code != 200:
            raise WaybackError(
                "bad-reply", f"HTTP {response.status_code}: {trimmed(response.text)}"
            )
        return read_save_reply(
            response.status_code, response.headers.get("content-type", ""), response.text
        )

    async def job(self, job_id: str) -> JobStatus:
        response = await self._request("GET", f"/save/status/{job_id}", headers=self._auth())
        if response.status_code != 200:
            raise WaybackError(
                "bad-reply", f"job status HTTP {response.status_code}: {trimmed(response.text)}"
            )
        return read_job_status(job_id, response.text)

    async def anonymous_save(self, url: str, timeout: float) -> AnonymousSave:
        """The legacy keyless ``GET /save/<url>``, bounded by ``timeout`` (it captures while the
        caller waits)."""
        try:
            response = await self._client.get(
                f"{self.base}/save/{url}",
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                headers={"Accept": "text/html,*/*"},
            )
        except httpx.TimeoutException:
            raise WaybackError("timeout", f"no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise WaybackError("unreachable", type(exc).__name__) from None
        return read_anonymous_save(response.status_code, _headers(response), str(response.url))
