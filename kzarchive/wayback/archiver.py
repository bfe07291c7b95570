"""Making sure every link has a Wayback Machine snapshot, within the account's means.

For each link: look up the latest capture and the one that shows the page as cited (CDX); if the
latest is younger than ``max_snapshot_age`` that is enough; otherwise submit a Save Page Now 2 job
and poll it, keeping no more jobs in flight than the account has slots and no more submissions a
minute than the archive allows. A job still pending at the deadline is kept with its id so that the
next run polls it instead of submitting again.

The service's answers are taken for what they mean, as recorded
(``shared/reference/wayback-api.md``): ``too-many-daily-captures`` is about one URL (it was
captured today: find that capture), only the account's own cap stops submissions; "the same
snapshot had been made" means a capture exists; a 5xx to ``POST /save`` may hide a capture that
worked, so the index is asked before sending again; one 401 gets a second try after a pause. An
answer of an unknown shape is recorded with the text received and a warning, never taken for "no
snapshot".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kzarchive.check.dns import dns_host, needs_dns
from kzarchive.extract.urls import InvalidURL, validate
from kzarchive.models import ArchiveState, ArchiveStatus, Check, Snapshot, utc_now
from kzarchive.progress import SILENT, Observer
from kzarchive.retry import Pace
from kzarchive.scope import ArchiveGuard
from kzarchive.wayback.client import (
    WaybackClient,
    snapshot_age,
    timestamp_datetime,
)
from kzarchive.wayback.options import ArchiveOptions
from kzarchive.wayback.replies import SaveReply, WaybackError, snapshot_url

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
        "rate-limited",
    }
)
# Answers to POST /save after which the capture may have started all the same.
AMBIGUOUS = frozenset({"server-error", "timeout", "unreachable"})
# CDX answers that say the archive will not hold this site: no capture is worth submitting.
EXCLUDED = frozenset({"blocked-site", "robots-excluded"})
# CDX failures after which a link is not submitted: the index refused to say whether it holds the
# page, and a capture sent blind spends the account's quota on pages the archive may well hold.
NOT_LOOKED_UP = frozenset({"cdx-stopped", "rate-limited"})
NOT_WORTH_CAPTURING = "not-captured: the live page is gone (dead)"
# Beyond this the service has forgotten a job: "pending" then means nothing.
JOB_MEMORY = timedelta(hours=1)


def worth_submitting(check: Check) -> bool:
    """Whether a link whose live check found ``check`` is worth a Save Page Now capture.

    Every link that is not gone is: Save Page Now captures with its own browser from its own
    addresses, and often gets what a plain HTTP client was refused (a 403 to robots, a bot
    challenge, a Facebook login wall) or could not reach this time (an error); the capture is
    then judged like any other. A ``dead`` page would only be captured as its error page, and an
    ``excluded`` one was kept from the network on purpose.
    """
    return check.verdict not in ("dead", "excluded")


def submitted_despite(
    state: ArchiveState, previous: ArchiveState | None, check: Check
) -> ArchiveState:
    """``state`` with a note when this run submitted a link that our own check could not read
    (``blocked`` or ``error``): the reader learns why a copy exists of a page we did not see."""
    fresh = state.attempts > (previous.attempts if previous is not None else 0)
    if not fresh or check.verdict not in ("blocked", "error"):
        return state
    note = (
        f"submitted although the live check was {check.verdict} ({check.reason}): Save Page Now "
        "fetches with its own browser and addresses; its copy is judged on its own"
    )
    return replace(state, notes=(*state.notes, note))


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
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

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


def said(*parts: str | None) -> str:
    """``reason: message`` as a state's error or note: empty parts left out, so that a refusal
    without a message reads ``reason``, not ``reason: ``."""
    return ": ".join(text for part in parts if part and (text := part.strip(" :")))


def _newest(*snapshots: Snapshot | None) -> Snapshot | None:
    found = [s for s in snapshots if s is not None]
    return max(found, key=lambda s: s.timestamp) if found else None


def _reported_capture(url: str, reply: SaveReply) -> Snapshot:
    """The capture Save Page Now says it made recently, before the index shows it: the replay
    address of that moment (to the minute if the message says, else to the day), which the
    Wayback Machine resolves to the capture nearest it."""
    moment = _now() - timedelta(minutes=reply.minutes_ago or 0)
    stamp = (
        moment.strftime("%Y%m%d%H%M%S")
        if reply.minutes_ago is not None
        else moment.strftime("%Y%m%d")
    )
    return Snapshot(snapshot_url(stamp, url), stamp, None, "existing")


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
        self.pace = Pace(self.options.submit_interval)
        self.unreachable: str | None = None
        # The caller found (and said) that no name resolves: the archive is not even asked
        self.offline = False
        self.saving_stopped: str | None = None
        self._lookups = asyncio.Semaphore(self.options.lookups)
        self._preparing: asyncio.Future[None] | None = None
        self._warned: set[str] = set()
        # After a 401, one submission tries the keys again; the others wait for its answer.
        self._keys_probe: asyncio.Future[bool] | None = None
        # Which links may go to a public archive (replaced by the pipeline to share its DNS).
        self.guard = ArchiveGuard(client.dns, self.options.archive_private)
        # Told of every job as soon as it is submitted (and awaited), so that a crash cannot
        # lose its id.
        self.on_job: Callable[[str, ArchiveState], Awaitable[None]] = _nothing

    def warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            self.observer.warn(message)

    async def prepare(self, *, offline: bool = False) -> None:
        """Check the archive answers and read the account's capacity, once; every concurrent
        caller waits for that one preparation.

        ``offline`` says the caller already found (and said) that no name resolves.
        """
        if self._preparing is None:
            self._preparing = asyncio.ensure_future(self._prepare(offline))
        await asyncio.shield(self._preparing)

    async def _prepare(self, offline: bool) -> None:
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
        said = await self.client.system_status()
        if said is not None:
            self.warn_once("system", f"Save Page Now reports a problem: {said}; trying anyway")
        status = await self.client.user_status() or {}
        limit = status.get("available", 4)
        self.capacity = _Capacity(min(max(limit, 1), self.options.max_slots))
        done, cap = status.get("daily_captures"), status.get("daily_captures_limit")
        if done is not None and cap is not None and done >= cap:
            self._stop_saving(
                "account-daily-limit",
                f"the archive.org account has made {done} of its {cap} captures for today: no "
                "new captures this run (look-ups go on)",
            )

    async def archive(
        self,
        url: str,
        previous: ArchiveState | None = None,
        *,
        capture: bool | Callable[[], Awaitable[bool | str]] = True,
    ) -> ArchiveState:
        """The link's archive state after look-ups and, where needed, a capture.

        ``capture`` says whether a capture is worth making, asked only when one is needed: True,
        False, or why not (the state's error)."""
        prev = replace(previous or ArchiveState("pending"), notes=())
        try:
            validate(url)
        except InvalidURL as exc:  # never sent to the archive: it cannot be asked for
            return ArchiveState("skipped", error=f"invalid-url: {exc}", updated_at=utc_now())
        withheld = await self.guard.withheld(url)
        if withheld is not None:  # nothing about it is sent to the archive, not even a look-up
            return ArchiveState("skipped", error=withheld, updated_at=utc_now())
        await self.prepare(offline=self.offline)  # only now: something would be sent
        if self.unreachable:
            if prev.status == "pending" and prev.job_id:  # poll it next time
                return replace(prev, error=self.unreachable, updated_at=utc_now())
            return self._settled(prev, self.unreachable, unsettled="skipped")
        latest, cited, lookup_error = await self._look_up(url, prev)
        prev = replace(prev, snapshot=_newest(prev.snapshot, latest), cited_snapshot=cited)
        if lookup_error is not None:
            if lookup_error.reason in EXCLUDED:
                return self._settled(prev, f"{lookup_error.reason}: {lookup_error.message}")
            if lookup_error.reason in NOT_LOOKED_UP:
                return self._settled(
                    prev,
                    f"not looked up: {lookup_error.message or lookup_error.reason}; not "
                    "submitted either (run again later)",
                    unsettled="skipped",
                )
            prev = self._note(prev, f"look-up failed: {lookup_error}")
        snapshot = prev.snapshot
        job_id = prev.job_id if prev.status == "pending" and self._job_remembered(prev) else None
        if job_id is None:
            if (
                snapshot is not None
                and not self.options.refresh
                and snapshot_age(snapshot) < self.max_age
            ):
                return self._settled(prev, None)
            worth = capture if isinstance(capture, bool) else await capture()
            if worth is not True:
                why = worth if isinstance(worth, str) else NOT_WORTH_CAPTURING
                return self._settled(prev, why, unsettled="skipped")
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
    ) -> tuple[Snapshot | None, Snapshot | None, WaybackError | None]:
        """The latest capture and the as-cited one; the as-cited one is looked up anew each run
        (same inputs, same answer), and a remembered one is kept only if it still fits."""
        cited_on = self.options.cited_on
        remembered = (
            prev.cited_snapshot
            if prev.cited_snapshot and self._cited_fits(prev.cited_snapshot)
            else None
        )
        async with self._lookups:
            try:
                latest, cited = await self.client.look_up(url, cited_on)
                return latest, cited or remembered, None
            except WaybackError as exc:
                if exc.reason == "cdx-stopped":
                    self.warn_once(
                        "cdx:stopped",
                        f"{exc.message}: no more look-ups in its index this run; the links not "
                        "looked up say so in the manifest and are not submitted (run again later)",
                    )
                elif exc.reason not in EXCLUDED:
                    self.warn_once(
                        f"cdx:{exc.reason}",
                        f"the Wayback Machine's index (CDX) at {self.client.base} did not answer "
                        f"as expected ({exc}); the links concerned say so in the manifest",
                    )
                return None, remembered, exc

    def _cited_fits(self, snapshot: Snapshot) -> bool:
        """A remembered as-cited snapshot fits if it holds a page and is not after the date."""
        cited_on = self.options.cited_on
        if cited_on is None or (snapshot.status is not None and not 200 <= snapshot.status < 300):
            return False
        return timestamp_datetime(snapshot.timestamp).date() <= cited_on

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

    @staticmethod
    def _note(prev: ArchiveState, note: str) -> ArchiveState:
        return replace(prev, notes=(*prev.notes, note))

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
            notes=prev.notes,
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
        probing = False  # this submission is the one trying the keys again after a 401
        tries = self.options.submit_retries + 1
        spared = 0  # tries not counted: the keys' second try, and following it (at most 2)
        attempt = -1
        try:
            while (attempt := attempt + 1) < tries:
                if job_id is None:
                    await self.pace.wait()
                    # Saving may have stopped while this one waited
                    refusal = self._cannot_save()
                    if refusal:
                        return self._settled(prev, refusal)
                    prev = replace(prev, attempts=prev.attempts + 1)
                    sent_at = _now() - timedelta(seconds=5)
                    try:
                        reply = await self.client.submit(url, self.options.spn2_fields())
                    except WaybackError as exc:
                        if exc.reason == "unauthorized":
                            outcome = await self._unauthorized(prev, exc, probing)
                            probing = outcome == "probe"
                            if outcome in ("probe", "again") and spared < 2:
                                spared, tries = spared + 1, tries + 1
                        else:
                            outcome = await self._refused(url, prev, exc, sent_at, attempt)
                        if isinstance(outcome, ArchiveState):
                            return outcome
                        continue
                    if probing:  # the keys work: the 401 was sporadic
                        self._keys_answered(True)
                        probing = False
                    if reply.job_id is None:  # "the same snapshot had been made", no job to poll
                        return await self._recent_capture(url, prev, reply)
                    job_id = reply.job_id
                    submitted_at = utc_now()
                    self.observer.noted("archive", "submitted")
                    pending = self._state(prev, "pending", job_id=job_id, submitted_at=submitted_at)
                    recording = asyncio.ensure_future(self.on_job(url, pending))
                try:
                    outcome_ = await self._poll(job_id)  # the job id is written meanwhile
                finally:
                    if recording is not None:
                        await recording
                        recording = None
                if outcome_.status == "pending":
                    return self._state(
                        prev,
                        "pending",
                        error="job still pending",
                        job_id=job_id,
                        submitted_at=submitted_at,
                    )
                if outcome_.status == "success":
                    snapshot = outcome_.snapshot
                    if snapshot is not None and (outcome_.http_status or 200) < 400:
                        return self._state(replace(prev, snapshot=snapshot), "saved")
                    error = f"archived an error page (HTTP {outcome_.http_status})"
                    if snapshot is not None:
                        error += f": {snapshot.url}"
                    return self._settled(prev, error)
                code = outcome_.status_ext or "job-failed"
                if code in TRANSIENT and attempt < self.options.submit_retries:
                    job_id = None
                    await asyncio.sleep(self.options.slot_wait * (attempt + 1))
                    continue
                return self._settled(prev, said(code, outcome_.message))
            return self._settled(prev, "retries exhausted")
        finally:
            if probing:
                # The keys' second try ended without an answer about them (another failure, a
                # cancellation): the submissions waiting on it try for themselves.
                self._keys_answered(True)

    def _keys_answered(self, works: bool) -> None:
        """Tell the submissions waiting on the keys' second try what it showed (once)."""
        if self._keys_probe is not None and not self._keys_probe.done():
            self._keys_probe.set_result(works)
        self._keys_probe = None

    async def _unauthorized(
        self, prev: ArchiveState, exc: WaybackError, probing: bool
    ) -> ArchiveState | str:
        """A 401: the first one of the run pauses and tries once more (``"probe"``); the others
        wait for that try and follow it (``"again"``); a second 401 stops saving for the run."""
        failed = self._settled(prev, "unauthorized: Save Page Now refused the keys")
        if probing or self.saving_stopped:
            if self._keys_probe is not None and not self._keys_probe.done():
                self._keys_probe.set_result(False)
            self._stop_saving(
                "unauthorized", f"{exc.message}: no captures this run (look-ups go on)"
            )
            return failed
        if self._keys_probe is not None:
            keys_work = await asyncio.shield(self._keys_probe)
            return "again" if keys_work else failed
        self._keys_probe = asyncio.get_running_loop().create_future()
        # Sporadic 401s with valid keys are reported: one more try after a pause.
        await asyncio.sleep(self.options.auth_retry_pause)
        return "probe"

    async def _refused(
        self,
        url: str,
        prev: ArchiveState,
        exc: WaybackError,
        sent_at: datetime,
        attempt: int,
    ) -> ArchiveState | str:
        """What a refused or failed ``POST /save`` leads to: a final state, or ``"again"`` to
        submit once more."""
        last = attempt >= self.options.submit_retries
        if exc.reason == "too-many-daily-captures":
            # About this URL ("captured 10 times today"): today's capture is the snapshot.
            return await self._captured_today(url, prev, exc)
        if exc.reason == "account-daily-limit":
            self._stop_saving(
                "account-daily-limit",
                f"the archive.org account reached its daily capture limit ({exc.message}): no "
                "more captures this run (look-ups go on)",
            )
            return self._settled(prev, f"account-daily-limit: {exc.message}")
        if exc.reason in AMBIGUOUS:
            # The capture may have started all the same: look before sending the POST again.
            await asyncio.sleep(self.options.slot_wait * (attempt + 1))
            try:
                made = await self.client.since(url, sent_at)
            except WaybackError:
                made = None
            if made is not None:
                made = replace(made, source="saved")
                return self._state(
                    self._note(replace(prev, snapshot=made), f"POST /save answered {exc}"),
                    "saved",
                )
            if last:
                return self._settled(prev, said(exc.reason, exc.message))
            return "again"
        if exc.reason == "bad-reply":
            self.warn_once(
                "save:bad-reply", f"Save Page Now answered in a way kzarchive does not know: {exc}"
            )
            return self._settled(prev, str(exc))
        if exc.retry_after is not None and exc.retry_after > self.client.backoff.cap:
            # The archive asks for a longer pause than a run waits: say so, do not sleep on it.
            return self._settled(
                prev, f"{exc.reason}: the archive asks to wait {exc.retry_after:.0f} s"
            )
        if exc.reason in TRANSIENT and not last:
            if exc.reason == "user-session-limit":
                self.capacity.shrink()
            await asyncio.sleep(
                exc.retry_after
                if exc.retry_after is not None
                else self.options.slot_wait * (attempt + 1)
            )
            return "again"
        return self._settled(prev, said(exc.reason, exc.message))

    async def _captured_today(
        self, url: str, prev: ArchiveState, exc: WaybackError
    ) -> ArchiveState:
        today = _now().replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            # The last 24 hours, not since midnight: which clock the service's "today" follows
            # is not documented, and a capture made at 23:55 UTC still holds the page at 00:05.
            found = await self.client.since(url, _now() - timedelta(hours=24))
        except WaybackError:
            found = None
        note = said("too-many-daily-captures", exc.message)
        if found is None:
            found = Snapshot(
                snapshot_url(today.strftime("%Y%m%d"), url), today.strftime("%Y%m%d"), None
            )
            note += "; today's capture is not in the index yet"
        state = self._note(replace(prev, snapshot=_newest(prev.snapshot, found)), note)
        return self._state(state, "existing")

    async def _recent_capture(self, url: str, prev: ArchiveState, reply: SaveReply) -> ArchiveState:
        note = (
            f"Save Page Now: {reply.message}" if reply.message else "Save Page Now: recent capture"
        )
        since = _now() - timedelta(minutes=(reply.minutes_ago or 24 * 60) + 5)
        try:
            found = await self.client.since(url, since)
        except WaybackError:
            found = None
        if found is None:
            found = _reported_capture(url, reply)
            note += " (not in the index yet)"
        state = self._note(replace(prev, snapshot=_newest(prev.snapshot, found)), note)
        return self._state(state, "existing")

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
        """The legacy anonymous save, bounded by the job timeout."""
        await self.capacity.acquire()
        started = _now() - timedelta(seconds=5)
        try:
            await self.pace.wait()
            refusal = self._cannot_save()  # refused while this one waited for a slot
            if refusal:
                return self._settled(prev, refusal)
            prev = replace(prev, attempts=prev.attempts + 1)
            saved = await self.client.anonymous_save(url, self.options.job_timeout)
            snapshot = (
                Snapshot(saved.url, saved.timestamp, None, "saved")
                if saved.url and saved.timestamp
                else None
            )
            if snapshot is None:  # the answer did not say which capture: ask the index
                found = await self.client.since(url, started)
                snapshot = replace(found, source="saved") if found else None
        except WaybackError as exc:
            if exc.reason == "unauthorized":  # every later one would be refused the same way
                self._stop_saving("no-keys: Save Page Now needs archive.org keys", exc.message)
                return self._settled(prev, self.saving_stopped)
            return self._settled(prev, said("anonymous-save", exc.reason, exc.message))
        finally:
            await self.capacity.release()
        if snapshot is None:
            return self._settled(prev, "anonymous-save: the answer named no capture")
        return self._state(replace(prev, snapshot=snapshot), "saved")


@dataclass(frozen=True)
class _PollOutcome:
    status: str
    snapshot: Snapshot | None = None
    http_status: int | None = None
    status_ext: str | None = None
    message: str | None = None


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
