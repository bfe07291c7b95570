"""Making sure every link has a Wayback Machine snapshot, within the account's means.

For each link: look up the latest good capture and the one closest to the document's date (CDX);
if the latest is younger than ``max_snapshot_age`` that is enough; otherwise submit a Save Page Now
2 job and poll it, keeping no more jobs in flight than the account has slots. A job still pending at
the deadline is kept with its id so that the next run polls it instead of submitting again.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kzarchive.check.dns import dns_host, needs_dns
from kzarchive.models import ArchiveState, ArchiveStatus, Snapshot, utc_now
from kzarchive.options import ArchiveOptions
from kzarchive.progress import SILENT, Observer
from kzarchive.wayback import WaybackClient, WaybackError, snapshot_age, timestamp_datetime

# Job and refusal codes after which the same capture may well work a little later.
TRANSIENT = frozenset(
    {
        "user-session-limit",
        "no-browsers-available",
        "celery",
        "internal-server-error",
        "service-unavailable",
        "bad-gateway",
        "gateway-timeout",
        "proxy-error",
        "soft-time-limit-exceeded",
    }
)
# Beyond this the service has forgotten a job: "pending" then means nothing.
JOB_MEMORY = timedelta(hours=1)
NO_KEYS_MESSAGE = (
    "no archive.org keys: Save Page Now now requires them, so no new captures are made "
    "(existing snapshots are still looked up). Set IA_ACCESS_KEY and IA_SECRET_KEY (from "
    "https://archive.org/account/s3.php) or run 'ia configure'; --anonymous tries the legacy "
    "anonymous save"
)


class _Capacity:
    """Capture slots: at most ``limit`` jobs in flight; the limit shrinks when SPN2 says so."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.in_flight = 0
        self.peak = 0
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    async def release(self) -> None:
        async with self._changed:
            self.in_flight -= 1
            self._changed.notify_all()

    def shrink(self) -> None:
        self.limit = max(1, min(self.limit, self.in_flight - 1))


def _now() -> datetime:
    return datetime.now(UTC)


async def _nothing(url: str, state: ArchiveState) -> None:
    pass


def _newest(*snapshots: Snapshot | None) -> Snapshot | None:
    found = [s for s in snapshots if s is not None]
    return max(found, key=lambda s: s.timestamp) if found else None


class Archiver:
    """Archives links for one run; call :meth:`prepare` once, then :meth:`archive` per link."""

    def __init__(
        self,
        client: WaybackClient,
        options: ArchiveOptions | None = None,
        observer: Observer = SILENT,
    ) -> None:
        self.client = client
        self.options = options or ArchiveOptions()
        self.observer = observer
        self.max_age = self.options.max_age
        self.capacity = _Capacity(1)
        self.unreachable: str | None = None
        self.saving_stopped: str | None = None
        self._lookups = asyncio.Semaphore(self.options.lookups)
        self._prepared = False
        # Told of every job as soon as it is submitted (and awaited), so that a crash cannot
        # lose its id.
        self.on_job: Callable[[str, ArchiveState], Awaitable[None]] = _nothing

    async def prepare(self, *, offline: bool = False) -> None:
        """Check the archive answers and read the account's capacity, once.

        ``offline`` says the caller already found (and said) that no name resolves.
        """
        if self._prepared:
            return
        self._prepared = True
        host = dns_host(self.client.base)
        if offline and host is not None and needs_dns(host):
            self.unreachable = "offline"
            return
        self.unreachable = await self.client.unreachable()
        if self.unreachable == "offline":
            self.observer.warn(
                "this machine looks offline (no host name resolves): no Wayback look-ups or "
                "captures this run"
            )
            return
        if self.unreachable:
            self.observer.warn(
                f"the Wayback Machine at {self.client.base} does not answer: no look-ups or "
                "captures this run"
            )
            return
        if self.client.credentials is None:
            if not self.options.anonymous:
                self.observer.warn(NO_KEYS_MESSAGE)
            self.capacity = _Capacity(2)
            return
        status = await self.client.user_status()
        available = status.get("available") if status else None
        limit = (
            int(available)
            if isinstance(available, int | float | str) and str(available).isdigit()
            else 4
        )
        self.capacity = _Capacity(min(max(limit, 1), self.options.max_slots))

    async def archive(
        self,
        url: str,
        previous: ArchiveState | None = None,
        *,
        capture: bool | Callable[[], Awaitable[bool]] = True,
    ) -> ArchiveState:
        """The link's archive state after look-ups and, where needed, a capture."""
        await self.prepare()
        prev = previous or ArchiveState("pending")
        if self.unreachable:
            if prev.status == "pending" and prev.job_id:  # poll it next time
                return replace(prev, error=self.unreachable, updated_at=utc_now())
            return self._settled(prev, self.unreachable)
        latest, cited, lookup_error = await self._look_up(url, prev)
        snapshot = _newest(prev.snapshot, latest)
        prev = replace(prev, snapshot=snapshot, cited_snapshot=cited)
        if lookup_error == "blocked-site":
            return self._settled(prev, "blocked-site: the Wayback Machine excludes this site")
        job_id = prev.job_id if prev.status == "pending" and self._job_remembered(prev) else None
        if job_id is None:
            if (
                snapshot is not None
                and not self.options.refresh
                and snapshot_age(snapshot) < self.max_age
            ):
                return self._settled(prev, None)
            if not (capture if isinstance(capture, bool) else await capture()):
                return self._settled(prev, None, unsettled="skipped")
            refusal = self._cannot_save()
            if refusal:
                return self._settled(prev, refusal)
        if self.client.credentials is None:
            return await self._anonymous(url, prev)
        await self.capacity.acquire()
        try:
            return await self._capture(url, prev, job_id)
        finally:
            await self.capacity.release()

    # -- look-ups -------------------------------------------------------------------------------

    async def _look_up(
        self, url: str, prev: ArchiveState
    ) -> tuple[Snapshot | None, Snapshot | None, str | None]:
        cited_on = self.options.cited_on
        async with self._lookups:
            try:
                latest = await self.client.latest(url)
                cited = prev.cited_snapshot
                if cited_on is not None and (cited is None or not self._cited_fits(cited)):
                    cited = await self.client.closest(url, cited_on) or cited
                return latest, cited, None
            except WaybackError as exc:
                return None, prev.cited_snapshot, exc.reason

    def _cited_fits(self, snapshot: Snapshot) -> bool:
        """A remembered as-cited snapshot still fits if it is on or before the citation date."""
        cited_on = self.options.cited_on
        return cited_on is not None and timestamp_datetime(snapshot.timestamp).date() <= cited_on

    # -- decisions ------------------------------------------------------------------------------

    def _cannot_save(self) -> str | None:
        if self.saving_stopped:
            return self.saving_stopped
        if self.client.credentials is None and not self.options.anonymous:
            return "no-keys: Save Page Now needs archive.org keys"
        return None

    def _job_remembered(self, prev: ArchiveState) -> bool:
        if not prev.job_id or not prev.submitted_at:
            return bool(prev.job_id)
        try:
            submitted = datetime.strptime(prev.submitted_at, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return False
        return _now() - submitted < JOB_MEMORY

    def _state(
        self,
        prev: ArchiveState,
        status: ArchiveStatus,
        *,
        error: str | None = None,
        job_id: str | None = None,
        submitted_at: str | None = None,
    ) -> ArchiveState:
        return ArchiveState(
            status=status,
            snapshot=prev.snapshot,
            cited_snapshot=prev.cited_snapshot,
            job_id=job_id,
            error=error,
            attempts=prev.attempts,
            updated_at=utc_now(),
            submitted_at=submitted_at,
        )

    def _settled(
        self, prev: ArchiveState, error: str | None, unsettled: ArchiveStatus = "failed"
    ) -> ArchiveState:
        """The state when no capture is made now: what we have, or ``unsettled`` if nothing."""
        snapshot = prev.snapshot
        if snapshot is None:
            return self._state(prev, unsettled, error=error)
        return self._state(prev, "saved" if snapshot.source == "saved" else "existing", error=error)

    def _stop_saving(self, reason: str, message: str) -> None:
        if self.saving_stopped is None:
            self.saving_stopped = reason
            self.observer.warn(message)

    # -- capture --------------------------------------------------------------------------------

    async def _capture(self, url: str, prev: ArchiveState, job_id: str | None) -> ArchiveState:
        submitted_at = prev.submitted_at
        recording: asyncio.Future[None] | None = None
        for attempt in range(self.options.submit_retries + 1):
            if job_id is None:
                refusal = self._cannot_save()
                if refusal:
                    return self._settled(prev, refusal)
                prev = replace(prev, attempts=prev.attempts + 1)
                try:
                    job_id = (await self.client.submit(url, self.options.spn2_fields())).job_id
                    submitted_at = utc_now()
                    self.observer.noted("archive", "submitted")
                    pending = self._state(prev, "pending", job_id=job_id, submitted_at=submitted_at)
                    recording = asyncio.ensure_future(self.on_job(url, pending))
                except WaybackError as exc:
                    if exc.reason == "too-many-daily-captures":
                        self._stop_saving(
                            "too-many-daily-captures",
                            "the archive.org account reached its daily capture limit: no more "
                            "captures this run (look-ups go on)",
                        )
                        return self._settled(prev, f"too-many-daily-captures: {exc.message}")
                    if exc.reason == "unauthorized":
                        self._stop_saving("unauthorized", f"Save Page Now: {exc.message}")
                        return self._settled(prev, "unauthorized: Save Page Now refused the keys")
                    if exc.reason in TRANSIENT and attempt < self.options.submit_retries:
                        if exc.reason == "user-session-limit":
                            self.capacity.shrink()
                        await asyncio.sleep(self.options.slot_wait * (attempt + 1))
                        continue
                    return self._settled(prev, f"{exc.reason}: {exc.message}".rstrip(": "))
            try:
                outcome = await self._poll(job_id)  # the job id is written meanwhile
            finally:
                if recording is not None:
                    await recording
                    recording = None
            if outcome.status == "pending":
                return self._state(
                    prev,
                    "pending",
                    error="job still pending",
                    job_id=job_id,
                    submitted_at=submitted_at,
                )
            if outcome.status == "success":
                snapshot = outcome.snapshot
                if snapshot is not None and (outcome.http_status or 200) < 400:
                    return self._state(replace(prev, snapshot=snapshot), "saved")
                error = f"archived an error page (HTTP {outcome.http_status})"
                if snapshot is not None:
                    error += f": {snapshot.url}"
                return self._settled(prev, error)
            code = outcome.status_ext or "job-failed"
            if code in TRANSIENT and attempt < self.options.submit_retries:
                job_id = None
                await asyncio.sleep(self.options.slot_wait * (attempt + 1))
                continue
            return self._settled(prev, f"{code}: {outcome.message or ''}".rstrip(": "))
        return self._settled(prev, "retries exhausted")

    async def _poll(self, job_id: str) -> _PollOutcome:
        deadline = time.monotonic() + self.options.job_timeout
        interval = self.options.poll_interval
        failures = 0
        while True:
            try:
                status = await self.client.job(job_id)
                failures = 0
                if status.status in ("success", "error"):
                    return _PollOutcome(
                        status.status,
                        status.snapshot(),
                        status.http_status,
                        status.status_ext,
                        status.message,
                    )
            except WaybackError:
                failures += 1
                if failures > 3:
                    return _PollOutcome("pending")
            if time.monotonic() + interval > deadline:
                return _PollOutcome("pending")
            await asyncio.sleep(interval)
            interval = min(interval * 1.25, self.options.poll_max_interval)

    async def _anonymous(self, url: str, prev: ArchiveState) -> ArchiveState:
        """The legacy anonymous save, through waybackpy, bounded by the job timeout."""
        await self.capacity.acquire()
        try:
            archive_url = await _in_daemon_thread(
                lambda: _legacy_save(self.client.base, url), self.options.job_timeout
            )
        except TimeoutError:
            return self._settled(prev, "anonymous-save: no answer in time")
        except Exception as exc:  # waybackpy raises many kinds; each is a failed save here
            return self._settled(prev, f"anonymous-save: {type(exc).__name__}")
        finally:
            await self.capacity.release()
        match = re.search(r"/web/(\d{14})/(.+)$", archive_url or "")
        if not match:
            return self._settled(prev, "anonymous-save: no snapshot in the reply")
        snapshot = Snapshot(
            f"https://web.archive.org/web/{match.group(1)}/{match.group(2)}",
            match.group(1),
            None,
            "saved",
        )
        return self._state(replace(prev, snapshot=snapshot, attempts=prev.attempts + 1), "saved")


@dataclass(frozen=True)
class _PollOutcome:
    status: str
    snapshot: Snapshot | None = None
    http_status: int | None = None
    status_ext: str | None = None
    message: str | None = None


def _legacy_save(base: str, url: str) -> str:
    from waybackpy import WaybackMachineSaveAPI

    api = WaybackMachineSaveAPI(url, max_tries=1)
    api.request_url = f"{base}/save/{api.url}"
    return str(api.save())


async def _in_daemon_thread(work: Callable[[], str], timeout: float) -> str:
    """Run blocking ``work`` (waybackpy has no timeouts) in a thread we can walk away from."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def deliver(result: str | BaseException) -> None:
        if future.done():
            return
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result: str | BaseException = work()
        except BaseException as exc:
            result = exc
        loop.call_soon_threadsafe(deliver, result)

    threading.Thread(target=run, name="waybackpy", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


async def archive_urls(
    urls: list[str],
    client: WaybackClient,
    options: ArchiveOptions | None = None,
    observer: Observer = SILENT,
    previous: dict[str, ArchiveState] | None = None,
) -> dict[str, ArchiveState]:
    """Archive every URL concurrently (captures bounded by the account's slots)."""
    archiver = Archiver(client, options, observer)
    await archiver.prepare()
    observer.phase_started("archive", len(urls))
    previous = previous or {}

    async def one(url: str) -> ArchiveState:
        state = await archiver.archive(url, previous.get(url))
        observer.advanced("archive", url, state.status)
        return state

    states = await asyncio.gather(*map(one, urls))
    return dict(zip(urls, states, strict=True))
