"""Reading what the Wayback Machine answers, in every shape it has been recorded answering.

The service has answered the same request in different shapes over the years (JSON or an HTML
page, a job id or ``null``, a status code or none), and its error answers are often HTTP 200. Each
reader here takes what came back and returns a typed record, or raises :class:`WaybackError` with a
stable reason and the service's own words; an answer of a shape nobody has seen is never taken for
"nothing there": it becomes ``bad-reply`` with the text received, trimmed.

Where each shape was seen is noted beside the code that reads it (see also
``shared/reference/wayback-api.md`` and the fake in ``tests/servers/fake_wayback.py``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from kzarchive.models import Snapshot

CANONICAL = "https://web.archive.org"
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
TRIM = 200

# CDX exclusions, in the body and in X-Archive-Wayback-Runtime-Error (edgi-govdata-archiving/wayback
# cassette test_search_raises_for_blocked_urls, 2023: 403, text/plain, both places).
_EXCLUSIONS = {
    "AdministrativeAccessControlException": (
        "blocked-site",
        "the Wayback Machine excludes this site",
    ),
    "RobotAccessControlException": (
        "robots-excluded",
        "the site's robots.txt excludes it from the Wayback Machine",
    ),
}
# SPN2's HTML answer to POST /save (pywaybackup, spn.sh, archiveorgbackups; 2019-2024):
# <script>spn.watchJob("spn2-<hex>", "/_static/",6000);</script>
_WATCH_JOB = re.compile(r"spn\.watchJob\(\s*[\"']([^\"']+)[\"']")
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# "The same snapshot had been made 2 minutes ago. You can make new capture of this URL after 45
# minutes." (SPN2 doc 2025; JSON with the earlier job id or "job_id": null, or an HTML <p>)
SAME_SNAPSHOT = re.compile(
    r"same snapshot had been made\s+(?:(\d+)\s+(second|minute|hour)s?)?", re.I
)
# The URL's daily limit in the HTML answer to POST /save without Accept: application/json
# (dannguyen/pgark, examples/ debug dump of its nytimes-too-many-today case): "<h2>Sorry</h2>
# <p>This URL has been already captured 10 times today. Please email us at ..."; the JSON form
# says "This URL has been captured 10 times today" (SPN2 doc).
URL_DAILY_LIMIT = re.compile(r"has been (?:already )?captured\s+\d+\s+times today\.?", re.I)
# The account's own daily cap: "You cannot make more than (100,000) captures per day."
ACCOUNT_DAILY_CAP = re.compile(r"cannot make more than\s*\(?([\d,]+)\)?\s*captures per day", re.I)


# What a 401 to a save without keys means (reported in 2026, MKRWW/wortlaut #108: "You need to be
# logged in to use Save Page Now."), said so that the user knows what to do.
KEYS_NEEDED = (
    "Save Page Now answered 401: it no longer saves without archive.org keys. Get a pair (free, "
    "with an archive.org account) at https://archive.org/account/s3.php and set IA_ACCESS_KEY "
    "and IA_SECRET_KEY, or run 'ia configure'"
)


class WaybackError(Exception):
    """A Wayback call that failed; ``reason`` is short and stable, the message says more."""

    def __init__(self, reason: str, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message
        self.retry_after = retry_after


def trimmed(text: str, limit: int = TRIM) -> str:
    """``text`` on one line, at most ``limit`` characters: what a log or a manifest can hold."""
    flat = " ".join(_TAG.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def snapshot_url(timestamp: str, original: str) -> str:
    """The canonical address of a capture, whatever base URL the calls went to."""
    return f"{CANONICAL}/web/{timestamp}/{original}"


# -- CDX ------------------------------------------------------------------------------------------


def exclusion(status: int, headers: dict[str, str], text: str) -> WaybackError | None:
    """The exclusion a CDX or replay answer reports (blocked site, robots), if any."""
    said = headers.get("x-archive-wayback-runtime-error", "") + " " + text[:4000]
    for name, (reason, message) in _EXCLUSIONS.items():
        if name in said:
            return WaybackError(reason, message)
    return None


def read_cdx(status: int, headers: dict[str, str], text: str) -> list[Snapshot]:
    """Captures in a CDX answer to ``output=json``.

    Real answers are ``text/plain;charset=UTF-8`` with one JSON row per line, the first naming the
    fields (edgi cassettes, 2023; the CDX server README): ``[["urlkey",...],\\n["com,example)/",
    "2019...", "http://www.example.com:80/", "text/html", "200", "<sha1>", "1811"],\\n...]``; ``[]``
    or an empty body when there are none. ``warc/revisit`` rows have status ``-``.
    """
    excluded = exclusion(status, headers, text)
    if excluded is not None:
        raise excluded
    if status != 200:
        raise WaybackError("cdx-error", f"HTTP {status}: {trimmed(text)}")
    if not text.strip():
        return []
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:
        raise WaybackError("cdx-bad-reply", f"not the JSON asked for: {trimmed(text)}") from None
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise WaybackError("cdx-bad-reply", f"not CDX rows: {trimmed(text)}")
    if not rows:
        return []
    from waybackpy.cdx_snapshot import CDXSnapshot  # waybackpy pulls in requests: load late

    header, *records = rows
    snapshots = []
    for record in records:
        fields = dict(zip(header, record, strict=False))
        fields.update({k: fields.get(k, "-") for k in CDX_FIELDS if k not in fields})
        try:
            capture = CDXSnapshot(fields)
        except (ValueError, KeyError, TypeError):
            continue
        code = str(capture.statuscode)
        snapshots.append(
            Snapshot(
                snapshot_url(capture.timestamp, capture.original),
                capture.timestamp,
                int(code) if code.isascii() and code.isdigit() else None,
                "existing",
            )
        )
    return snapshots


# -- Save Page Now 2 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveReply:
    """What ``POST /save`` said: a job to poll, or why there is none."""

    job_id: str | None
    message: str | None = None
    # A recent capture exists (the "same snapshot" answer); minutes ago when the message says
    recent_capture: bool = False
    minutes_ago: float | None = None


def _same_snapshot(message: str) -> tuple[bool, float | None]:
    match = SAME_SNAPSHOT.search(message)
    if not match:
        return False, None
    if match.group(1) is None:
        return True, None
    scale = {"second": 1 / 60, "minute": 1, "hour": 60}[match.group(2).lower()]
    return True, int(match.group(1)) * scale


def _refusal(status_ext: str, message: str) -> WaybackError:
    if ACCOUNT_DAILY_CAP.search(message):
        return WaybackError("account-daily-limit", message)
    return WaybackError(status_ext or "unknown", message)


def read_save_reply(status: int, content_type: str, text: str) -> SaveReply:
    """What an HTTP 200 answer to ``POST /save`` means.

    Shapes: ``{"url", "job_id"}`` (doc); the same with a "same snapshot" ``message`` and the
    earlier job's id or ``"job_id": null`` (both recorded); a refusal ``{"status": "error",
    "status_ext": "error:...", "message"}`` (doc); an HTML page with ``spn.watchJob("spn2-...")``
    and a message in ``<p>`` (older deployments, recorded by several clients).
    """
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or "json" in content_type:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise WaybackError("bad-reply", f"HTTP {status}: {trimmed(text)}") from None
        if not isinstance(data, dict):
            raise WaybackError("bad-reply", f"HTTP {status}: {trimmed(text)}")
        message = str(data.get("message") or "")
        job_id = data.get("job_id")
        recent, minutes = _same_snapshot(message)
        if isinstance(job_id, str) and job_id:
            return SaveReply(job_id, message or None, recent, minutes)
        if recent:
            return SaveReply(None, message, True, minutes)
        if data.get("status") == "error" or data.get("status_ext"):
            ext = str(data.get("status_ext") or "").removeprefix("error:")
            raise _refusal(ext, message or str(data.get("exception") or ""))
        raise WaybackError("bad-reply", f"no job id: {trimmed(text)}")
    words = [trimmed(html.unescape(p)) for p in _PARAGRAPH.findall(text)]
    message = " ".join(w for w in words if w) or trimmed(html.unescape(text))
    job = _WATCH_JOB.search(text)
    if job:
        return SaveReply(job.group(1), message or None)
    recent, minutes = _same_snapshot(message)
    if recent:
        return SaveReply(None, message, True, minutes)
    if ACCOUNT_DAILY_CAP.search(message):
        raise WaybackError("account-daily-limit", message)
    daily = URL_DAILY_LIMIT.search(text)
    if daily:
        start = max(text.rfind(">", 0, daily.start()), text.rfind(".", 0, daily.start())) + 1
        sentence = html.unescape(text[start : daily.end()])
        raise WaybackError("too-many-daily-captures", " ".join(sentence.split()))
    raise WaybackError("bad-reply", f"HTTP {status} page without a job: {trimmed(message)}")


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


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value) if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


def read_job_status(job_id: str, text: str) -> JobStatus:
    """A job's status. Success may lack ``http_status`` (2020) and carry ``first_archive``,
    ``counters``, ``delay_wb_availability``, ``screenshot``, ``outlinks`` as a list or a dict;
    pending lists ``resources``; errors may carry ``exception``; ids were UUIDs before 2021."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise WaybackError("bad-reply", f"job status not JSON: {trimmed(text)}") from None
    if isinstance(data, list) and len(data) == 1:  # POST /save/status with job_ids= answers a list
        data = data[0]
    if not isinstance(data, dict):
        raise WaybackError("bad-reply", f"unexpected job status: {trimmed(text)}")
    status = str(data.get("status") or "pending")
    if status not in ("pending", "success", "error"):
        raise WaybackError("bad-reply", f"unknown job status {status!r}: {trimmed(text)}")
    timestamp = data.get("timestamp")
    original = data.get("original_url")
    ext = data.get("status_ext")
    message = data.get("message") or data.get("exception")
    return JobStatus(
        status=status,
        job_id=job_id,
        timestamp=str(timestamp) if isinstance(timestamp, str | int) else None,
        original_url=str(original) if isinstance(original, str) else None,
        http_status=_int_or_none(data.get("http_status")),
        status_ext=str(ext).removeprefix("error:") if ext else None,
        message=str(message) if message else None,
    )


def read_user_status(text: str) -> dict[str, int] | None:
    """``{"available": 8, "processing": 3, "daily_captures": 10199, "daily_captures_limit":
    100000}`` (doc); None for anything else."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or "available" not in data:
        return None
    numbers = {k: _int_or_none(v) for k, v in data.items()}
    return {k: v for k, v in numbers.items() if v is not None}
