"""Perma.cc: a second custodian that courts and law journals accept, through its API.

With an API key (``PERMA_API_KEY``, from https://perma.cc/settings/tools), each link is submitted
into a folder (``--perma-folder``), its capture job polled until done, and the Perma link
(``https://perma.cc/XXXX-XXXX``) recorded with its capture time in the manifest, where it is
remembered: a link Perma already holds for this document is never submitted again (each link
counts against the account's quota), and a job still running is polled on the next run. When the
quota is spent, submissions stop for the run with one warning. The copy is judged like any other,
from its raw payload: the primary capture's response in the link's WARC.

The API as Perma's own code and tests have it (harvard-lil/perma, ``perma_web/api/``):

- ``POST /v1/archives/`` with ``{"url", "folder"}`` and ``Authorization: ApiKey <key>``
  (``api/authentication.py``: DRF's TokenAuthentication with the keyword ``ApiKey``) answers 201
  with the link: ``guid``, ``creation_timestamp``, ``url``, ``title``, ``captures`` (each with
  ``role``, ``status``...), ``capture_time``... (``api/serializers.py``, ``LinkSerializer``;
  ``api/tests/test_link_resource.py`` posts ``{"url", "folder"}`` and reads ``guid``).
- A refusal is 400 with ``{"error": ["Perma can't create this link. <error> <resolution>"]}``
  (``api/views/links.py``, ``raise_invalid_capture_job``), the quota's words being "You've reached
  your usage limit." or "... account needs attention"; a bad URL is ``{"url": ["Couldn't resolve
  domain."]}`` (``api/serializers.py``).
- A bad key is 401 ``{"detail": "Invalid token."}`` (DRF's TokenAuthentication).
- ``GET /v1/capture_jobs/<guid>/`` answers ``{"guid", "status", "attempt", "step_count",
  "step_description", "capture_start_time", "capture_end_time", "queue_position"}`` with status
  ``pending``, ``in_progress``, ``completed`` or ``failed`` (``CaptureJobSerializer``).
- ``GET /v1/archives/<guid>/download`` answers the link's WARC.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx

from kzarchive.models import ArchiveState, Judgement, Snapshot, utc_now
from kzarchive.progress import SILENT, Observer
from kzarchive.wayback.options import PERMA_API

PERMA_LINKS = "https://perma.cc"
ARCHIVE = "perma.cc"
MAX_WARC = 32 * 1024 * 1024
KEY_HELP = "get one at https://perma.cc/settings/tools and set PERMA_API_KEY"
# Perma's words when the account may make no more links (api/views/links.py)
QUOTA_WORDS = ("usage limit", "needs attention", "links remaining", "no more links")


class PermaError(Exception):
    """A Perma.cc call that failed: ``reason`` is short and stable."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PermaOptions:
    """Whether and where to make Perma links."""

    key: str | None = None
    folder: int | None = None
    enabled: bool = True  # --no-perma turns it off even with a key
    api: str = PERMA_API
    job_timeout: float = 180.0
    poll_interval: float = 2.0
    timeout: float = 30.0

    @property
    def active(self) -> bool:
        return bool(self.key) and self.enabled


def _said(data: Any) -> str:
    """Perma's error words, from DRF's shapes (``{"error": [...]}``, ``{"url": [...]}``,
    ``{"detail": "..."}``)."""
    if isinstance(data, dict):
        parts: list[str] = []
        for value in data.values():
            items = value if isinstance(value, list) else [value]
            parts.extend(str(item) for item in items)
        return " ".join(parts)
    return str(data)


def perma_stamp(value: str | None) -> str | None:
    """``2019-02-20T08:30:00.123456Z`` as ``20190220083000``."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.strftime("%Y%m%d%H%M%S")


class PermaClient:
    """Perma.cc's API for one run; every call bounded."""

    def __init__(self, options: PermaOptions, http: httpx.AsyncClient) -> None:
        self.options = options
        self.api = options.api.rstrip("/")
        self.http = http

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.options.key}", "Accept": "application/json"}

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with asyncio.timeout(self.options.timeout):
                response = await self.http.request(
                    method,
                    f"{self.api}{path}",
                    headers=self._headers(),
                    timeout=self.options.timeout,
                    follow_redirects=True,
                    **kwargs,
                )
        except (TimeoutError, httpx.TimeoutException):
            raise PermaError("timeout", f"no answer within {self.options.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise PermaError("unreachable", type(exc).__name__) from None
        if response.status_code in (401, 403):
            raise PermaError(
                "bad-key",
                f"Perma.cc refused the API key (HTTP {response.status_code}: "
                f"{_said(_json(response))}); {KEY_HELP}",
            )
        return response

    async def create(self, url: str) -> dict[str, Any]:
        """Submit ``url``: the new link's record (its ``guid``)."""
        body: dict[str, Any] = {"url": url}
        if self.options.folder is not None:
            body["folder"] = self.options.folder
        response = await self._call("POST", "/v1/archives/", json=body)
        data = _json(response)
        if response.status_code == 400:
            words = _said(data)
            if any(w in words.lower() for w in QUOTA_WORDS):
                raise PermaError("quota", words)
            raise PermaError("refused", words)
        if response.status_code not in (200, 201) or not isinstance(data, dict):
            raise PermaError("bad-reply", f"HTTP {response.status_code}: {response.text[:200]}")
        if not isinstance(data.get("guid"), str):
            raise PermaError("bad-reply", "no guid in the answer")
        return data

    async def job(self, guid: str) -> dict[str, Any]:
        response = await self._call("GET", f"/v1/capture_jobs/{guid}/")
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise PermaError("bad-reply", f"capture job HTTP {response.status_code}")
        return data

    async def link(self, guid: str) -> dict[str, Any]:
        response = await self._call("GET", f"/v1/archives/{guid}/")
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise PermaError("bad-reply", f"archive HTTP {response.status_code}")
        return data

    async def warc(self, guid: str) -> bytes:
        """The link's WARC, up to :data:`MAX_WARC` bytes."""
        try:
            async with (
                asyncio.timeout(self.options.timeout * 2),
                self.http.stream(
                    "GET",
                    f"{self.api}/v1/archives/{guid}/download",
                    headers=self._headers(),
                    follow_redirects=True,
                ) as response,
            ):
                if response.status_code != 200:
                    raise PermaError("bad-reply", f"download HTTP {response.status_code}")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_WARC:
                        break
                return b"".join(chunks)
        except (TimeoutError, httpx.HTTPError) as exc:
            raise PermaError("unreachable", type(exc).__name__) from None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def judge_warc(data: bytes, original: str) -> Judgement:
    """Whether a Perma link's WARC holds the page: its first response record, by the checker's
    rules (warcio reads the WARC)."""
    from warcio.archiveiterator import ArchiveIterator

    from kzarchive.wayback.judge import verdict_of

    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        status = int(record.http_headers.get_statuscode() or 0)
        headers = {k.lower(): v for k, v in record.http_headers.headers}
        body = record.content_stream().read(2 * 1024 * 1024)
        target = record.rec_headers.get_header("WARC-Target-URI") or original
        verdict, why = verdict_of(original, status, headers, body, target)
        digest = hashlib.sha256(body).hexdigest()
        return Judgement(verdict, why, utc_now(), status, digest, len(body))
    return Judgement("unavailable", "the Perma link's WARC holds no response", utc_now())


def carried(state: ArchiveState, previous: ArchiveState | None) -> ArchiveState:
    """``state`` with the Perma link, job and error of ``previous`` (a run without Perma keeps
    what earlier runs made)."""
    if previous is None:
        return state
    return replace(
        state,
        perma=previous.perma,
        perma_job=previous.perma_job,
        perma_error=previous.perma_error,
    )


class PermaArchiver:
    """Makes (or finds again) the Perma link of each link of one document."""

    def __init__(
        self, client: PermaClient, options: PermaOptions, observer: Observer = SILENT
    ) -> None:
        self.client = client
        self.options = options
        self.observer = observer
        self.stopped: str | None = None
        self.submitted = 0
        self._slots = asyncio.Semaphore(4)

    def _stop(self, reason: str, message: str) -> None:
        if self.stopped is None:
            self.stopped = reason
            self.observer.warn(message)

    async def preserve(
        self, url: str, state: ArchiveState, previous: ArchiveState | None, wanted: bool = True
    ) -> ArchiveState:
        """``state`` with the link's Perma copy: the one remembered, the job remembered
        polled, or (when ``wanted`` and the quota allows) a new one."""
        before = previous or ArchiveState("pending")
        state = replace(state, perma=before.perma, perma_job=before.perma_job, perma_error=None)
        if state.perma is not None:  # Perma holds it for this document: never again
            return state
        if state.perma_job is None:
            if not wanted:
                return state
            if self.stopped:
                return replace(state, perma_error=f"not submitted: {self.stopped}")
            async with self._slots:
                try:
                    made = await self.client.create(url)
                except PermaError as exc:
                    return self._refused(state, exc)
            self.submitted += 1
            state = replace(state, perma_job=str(made["guid"]))
        assert state.perma_job is not None
        return await self._finish(state, state.perma_job)

    def _refused(self, state: ArchiveState, exc: PermaError) -> ArchiveState:
        if exc.reason == "quota":
            self._stop(
                "quota",
                f"Perma.cc: {exc.message} No more Perma links this run (the Wayback Machine "
                "goes on).",
            )
        elif exc.reason == "bad-key":
            self._stop("bad-key", f"{exc.message}: no Perma links this run")
        return replace(state, perma_error=str(exc))

    async def _finish(self, state: ArchiveState, guid: str) -> ArchiveState:
        deadline = time.monotonic() + self.options.job_timeout
        while True:
            try:
                job = await self.client.job(guid)
            except PermaError as exc:
                return replace(state, perma_error=f"capture job {guid}: {exc}")
            status = str(job.get("status") or "")
            if status == "completed":
                break
            if status in ("failed", "invalid"):
                said = job.get("message") or job.get("step_description") or status
                return replace(state, perma_job=None, perma_error=f"capture failed: {said}")
            if time.monotonic() + self.options.poll_interval > deadline:
                return replace(state, perma_error=f"capture job {guid} still {status or 'pending'}")
            await asyncio.sleep(self.options.poll_interval)
        try:
            link = await self.client.link(guid)
        except PermaError as exc:
            return replace(state, perma_error=f"capture job {guid} done, {exc}")
        stamp = perma_stamp(str(link.get("creation_timestamp") or "")) or time.strftime(
            "%Y%m%d%H%M%S", time.gmtime()
        )
        copy = Snapshot(f"{PERMA_LINKS}/{guid}", stamp, None, "saved", archive=ARCHIVE)
        return replace(state, perma=copy, perma_job=None, perma_error=None)

    async def judge(self, copy: Snapshot, original: str) -> Judgement | None:
        """The copy judged from its WARC; None when the WARC cannot be had."""
        guid = copy.url.rstrip("/").rsplit("/", 1)[-1]
        try:
            data = await self.client.warc(guid)
        except PermaError:
            return None
        try:
            return judge_warc(data, original)
        except Exception:  # warcio raises many kinds on a damaged WARC
            return None
