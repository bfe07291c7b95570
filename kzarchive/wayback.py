"""The Wayback Machine's protocols: CDX look-ups, Save Page Now 2 jobs, account status.

Every call is bounded: a per-request timeout, a bounded number of retries on 429/5xx and broken
replies (honouring ``Retry-After`` up to a cap), and errors turned into :class:`WaybackError` with a
short ``reason`` and the service's own message. Requests go through httpx because waybackpy has no
timeouts, no SPN2 and no async; waybackpy's ``CDXSnapshot`` is used to read CDX records, and its
``WaybackMachineSaveAPI`` for the legacy anonymous save (see :mod:`kzarchive.archive`).
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from kzarchive.check.dns import DnsCache, Resolver, SystemResolver, dns_host, needs_dns, uses_proxy
from kzarchive.check.options import DEFAULT_USER_AGENT
from kzarchive.credentials import Credentials
from kzarchive.models import Snapshot
from kzarchive.retry import retry_after_seconds
from kzarchive.tls import ssl_context

CANONICAL = "https://web.archive.org"
CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
GOOD_CAPTURE = "statuscode:[23].."
BLOCKED_SITE = "AdministrativeAccessControlException"


class WaybackError(Exception):
    """A Wayback call that failed; ``reason`` is short and stable, the message says more."""

    def __init__(self, reason: str, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class JobStatus:
    status: str  # pending | success | error
    job_id: str
    timestamp: str | None = None
    original_url: str | None = None
    http_status: int | None = None
    status_ext: str | None = None
    message: str | None = None

    def snapshot(self) -> Snapshot | None:
        if self.status != "success" or not self.timestamp or not self.original_url:
            return None
        return Snapshot(
            url=snapshot_url(self.timestamp, self.original_url),
            timestamp=self.timestamp,
            status=self.http_status,
            source="saved",
        )


@dataclass(frozen=True)
class Submission:
    job_id: str
    message: str | None = None


def snapshot_url(timestamp: str, original: str) -> str:
    """The canonical address of a capture, whatever base URL the calls went to."""
    return f"{CANONICAL}/web/{timestamp}/{original}"


def timestamp_datetime(timestamp: str) -> datetime:
    padded = (timestamp + "00000101000000"[len(timestamp) :])[:14]
    return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def snapshot_age(snapshot: Snapshot, now: datetime | None = None) -> timedelta:
    return (now or datetime.now(UTC)) - timestamp_datetime(snapshot.timestamp)


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
        user_agent: str = DEFAULT_USER_AGENT,
        resolver: Resolver | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.retry_after_cap = retry_after_cap
        self.dns = DnsCache(resolver or SystemResolver())
        self._client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=32),
            # Proxies from the environment (HTTPS_PROXY, NO_PROXY), the system's CAs.
            trust_env=True,
            verify=ssl_context(),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )

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
            await self._client.get(
                f"{self.base}/save/status/system", timeout=min(self.timeout, 10.0)
            )
        except httpx.HTTPError:
            return "unreachable"
        return None

    # -- plumbing -------------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        return {"Authorization": self.credentials.authorization} if self.credentials else {}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request with bounded retries on 429, 5xx and transport failures."""
        last: WaybackError = WaybackError("unreachable")
        for attempt in range(self.retries + 1):
            try:
                response = await self._client.request(method, f"{self.base}{path}", **kwargs)
            except httpx.TimeoutException:
                last = WaybackError(
                    "timeout", f"no answer from the archive within {self.timeout:g} s"
                )
            except httpx.HTTPError as exc:
                last = WaybackError("unreachable", type(exc).__name__)
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    asked = retry_after_seconds(response.headers.get("retry-after"))
                    reason = "rate-limited" if response.status_code == 429 else "server-error"
                    last = WaybackError(reason, f"HTTP {response.status_code}", asked)
                    if asked is not None and asked > self.retry_after_cap:
                        raise last
                else:
                    return response
            if attempt < self.retries:
                delay = (
                    last.retry_after if last.retry_after is not None else self.backoff * 2**attempt
                )
                await asyncio.sleep(delay + random.uniform(0, self.backoff / 4))
        raise last

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise WaybackError("bad-reply", f"HTTP {response.status_code}, not JSON") from None

    # -- CDX ------------------------------------------------------------------------------------

    async def cdx(self, url: str, **params: str) -> list[Snapshot]:
        """Captures of ``url`` matching ``params``; raises ``blocked-site`` for excluded sites."""
        query = {"url": url, "output": "json", "filter": GOOD_CAPTURE, **params}
        response = await self._request("GET", "/cdx/search/cdx", params=query)
        if response.status_code == 403 or BLOCKED_SITE in response.text[:2000]:
            raise WaybackError("blocked-site", "the Wayback Machine excludes this site")
        if response.status_code != 200:
            raise WaybackError("cdx-error", f"HTTP {response.status_code}")
        if not response.text.strip():
            return []
        rows = self._json(response)
        if not isinstance(rows, list) or not rows:
            return []
        from waybackpy.cdx_snapshot import CDXSnapshot  # waybackpy pulls in requests: load late

        header, *records = rows
        snapshots = []
        for record in records:
            fields = dict(zip(header, record, strict=False))
            fields.update({k: fields.get(k, "-") for k in CDX_FIELDS if k not in fields})
            try:
                capture = CDXSnapshot(fields)
            except (ValueError, KeyError):
                continue
            status = int(capture.statuscode) if capture.statuscode.isdigit() else None
            snapshots.append(Snapshot(capture.archive_url, capture.timestamp, status, "existing"))
        return snapshots

    async def latest(self, url: str) -> Snapshot | None:
        found = await self.cdx(url, limit="-1")
        return found[-1] if found else None

    async def closest(self, url: str, day: date) -> Snapshot | None:
        """The capture closest to ``day``: the last one on or before it, else the first after."""
        stamp = day.strftime("%Y%m%d")
        before = await self.cdx(url, to=f"{stamp}235959", limit="-1")
        if before:
            return before[-1]
        after = await self.cdx(url, **{"from": stamp, "limit": "1"})
        return after[0] if after else None

    # -- Save Page Now 2 ------------------------------------------------------------------------

    async def user_status(self) -> dict[str, Any] | None:
        """The account's capture capacity (``available``, ``processing``...), None if unknown."""
        try:
            response = await self._request(
                "GET",
                "/save/status/user",
                params={"_t": secrets.token_hex(4)},
                headers=self._auth(),
            )
            data = self._json(response)
        except WaybackError:
            return None
        return data if isinstance(data, dict) and "available" in data else None

    async def submit(self, url: str, options: dict[str, str]) -> Submission:
        """POST /save; raises WaybackError with the service's ``status_ext`` when refused."""
        response = await self._request(
            "POST", "/save", data={"url": url, **options}, headers=self._auth()
        )
        if response.status_code in (401, 403):
            raise WaybackError(
                "unauthorized",
                "Save Page Now refused the request: check IA_ACCESS_KEY/IA_SECRET_KEY",
            )
        data = self._json(response)
        if not isinstance(data, dict):
            raise WaybackError("bad-reply", "unexpected reply to /save")
        job_id = data.get("job_id")
        if isinstance(job_id, str) and job_id:
            return Submission(job_id, data.get("message"))
        status_ext = str(data.get("status_ext") or "error:unknown").removeprefix("error:")
        raise WaybackError(status_ext, str(data.get("message") or ""))

    async def job(self, job_id: str) -> JobStatus:
        response = await self._request("GET", f"/save/status/{job_id}", headers=self._auth())
        data = self._json(response)
        if not isinstance(data, dict):
            raise WaybackError("bad-reply", "unexpected job status")
        http_status = data.get("http_status")
        return JobStatus(
            status=str(data.get("status", "pending")),
            job_id=job_id,
            timestamp=data.get("timestamp"),
            original_url=data.get("original_url"),
            http_status=int(http_status)
            if isinstance(http_status, int | str) and str(http_status).isdigit()
            else None,
            status_ext=str(data["status_ext"]).removeprefix("error:")
            if data.get("status_ext")
            else None,
            message=data.get("message"),
        )
