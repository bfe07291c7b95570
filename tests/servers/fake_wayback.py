"""A fake Wayback Machine that speaks SPN2, job status, account status and CDX as the real one does.

Behaviour follows ``shared/reference/wayback-api.md``: refusals come as HTTP 200 with no job id,
unknown or expired jobs stay ``pending`` forever, excluded sites answer CDX with 403. Faults are
scripted per endpoint; the clock is injectable; every request is recorded so that tests can assert
what was sent.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from tests.servers.base import RunningServer

BLOCKED = (
    "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
    "AdministrativeAccessControlException: Blocked Site Error"
)


@dataclass
class Job:
    job_id: str
    url: str
    submitted: float
    polls_needed: int
    duration: float
    outcome: str = "success"  # or an error status_ext such as "error:blocked-url"
    http_status: int = 200
    polls: int = 0
    timestamp: str | None = None
    message: str | None = None

    def done(self, now: float) -> bool:
        return self.polls >= self.polls_needed and now >= self.submitted + self.duration


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeState:
    keys: dict[str, str] = field(default_factory=lambda: {"test-access": "test-secret"})
    offset: float = 0.0
    clock: Callable[[], float] = time.time
    captures: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)
    index_delay: float = 0.0
    blocked_hosts: set[str] = field(default_factory=set)
    user_limit: int = 6
    daily_limit: int = 100_000
    daily_count: int = 0
    capture_seconds: float = 0.0
    pending_polls: int = 0
    outcomes: dict[str, tuple[str, int]] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    forget_jobs: bool = False
    jobs: dict[str, Job] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    peak_active: int = 0
    session_limit_refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return self.clock() + self.offset

    def stamp(self, moment: float | None = None) -> str:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(self.now() if moment is None else moment))

    def add_capture(self, url: str, timestamp: str, status: int = 200) -> None:
        self.captures.setdefault(url, []).append((timestamp, status, 0.0))
        self.captures[url].sort()

    def active(self) -> int:
        now = self.now()
        return sum(1 for job in self.jobs.values() if not job.done(now) and job.outcome)

    def fault(self, endpoint: str) -> str | None:
        queue = self.faults.get(endpoint)
        return queue.pop(0) if queue else None

    def saves(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/save"]


def _age_seconds(text: str) -> float:
    total = 0.0
    for number, unit in re.findall(r"(\d+)\s*([dhms]?)", text):
        total += int(number) * {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


class FakeWaybackHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as real web servers do: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: object) -> None:
        pass

    @property
    def state(self) -> FakeState:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        match = re.fullmatch(r"LOW ([^:]+):(.+)", header)
        return bool(match and self.state.keys.get(match.group(1)) == match.group(2))

    def scripted(self, endpoint: str) -> bool:
        """Play the next scripted fault for ``endpoint``; True when it answered."""
        fault = self.state.fault(endpoint)
        if fault is None:
            return False
        if fault == "hang":
            self.server.stopping.wait(60)  # type: ignore[attr-defined]
            return True
        if fault == "429":
            self.reply(429, {"message": "Too many requests"}, {"Retry-After": "1"})
        elif fault == "429-bare":
            self.reply(429, b"<html>Too Many Requests</html>")
        elif fault.isdigit():
            self.reply(int(fault), b"<html>Bad Gateway</html>")
        elif fault == "malformed":
            self.reply(200, b"{not json")
        elif fault.startswith("refuse:"):
            ext = fault.removeprefix("refuse:")
            self.reply(200, {"status": "error", "status_ext": f"error:{ext}", "message": f"{ext}."})
        return True

    def record(self, form: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self.state.lock:
            self.state.requests.append(
                Recorded(self.command, parts.path, query, form, dict(self.headers.items()))
            )
        return parts.path, query

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        path, _ = self.record(form)
        if path == "/save":
            self.save(form)
        elif path == "/save/status":
            self.job_status(form.get("job_id", ""))
        else:
            self.reply(404, {"message": "not found"})

    def do_GET(self) -> None:
        path, query = self.record({})
        if path == "/save/status/system":
            self.reply(200, {"status": "ok"})
        elif path == "/save/status/user":
            if not self.authorised():
                self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
                return
            active = self.state.active()
            self.reply(
                200,
                {
                    "available": max(0, self.state.user_limit - active),
                    "processing": active,
                    "daily_captures": self.state.daily_count,
                    "daily_captures_limit": self.state.daily_limit,
                },
            )
        elif path.startswith("/save/status/"):
            self.job_status(path.removeprefix("/save/status/"))
        elif path == "/cdx/search/cdx":
            self.cdx(query)
        elif path.startswith("/save/"):
            self.anonymous_save(unquote(self.path.removeprefix("/save/")))
        elif path.startswith("/web/"):
            self.reply(200, b"<html>memento</html>", {"Memento-Datetime": "x"})
        else:
            self.reply(404, {"message": "not found"})

    # -- SPN2 -------------------------------------------------------------------------------------

    def save(self, form: dict[str, str]) -> None:
        state = self.state
        if self.scripted("save"):
            return
        if not self.authorised():
            self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
            return
        url = form.get("url", "")
        with state.lock:
            if state.daily_count >= state.daily_limit:
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": "error:too-many-daily-captures",
                        "message": "You have already reached the limit of daily captures.",
                    },
                )
                return
            if state.active() >= state.user_limit:
                state.session_limit_refusals += 1
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": "error:user-session-limit",
                        "message": "You have already reached the limit of active sessions.",
                    },
                )
                return
            window = _age_seconds(form.get("if_not_archived_within", "45m"))
            # SPN2 answers a URL captured (or being captured) within the window with that job.
            recent = [
                j
                for j in state.jobs.values()
                if j.url == url and j.outcome == "success" and state.now() - j.submitted < window
            ]
            if recent and window:
                job = recent[-1]
                self.reply(
                    200,
                    {
                        "url": url,
                        "job_id": job.job_id,
                        "message": "The same snapshot had been made 2 minutes ago.",
                    },
                )
                return
            outcome, http_status = state.outcomes.get(url, ("success", 200))
            job = Job(
                job_id=f"spn2-{secrets.token_hex(20)}",
                url=url,
                submitted=state.now(),
                polls_needed=state.pending_polls,
                duration=state.capture_seconds,
                outcome=outcome,
                http_status=http_status,
            )
            state.jobs[job.job_id] = job
            state.daily_count += 1
            state.peak_active = max(state.peak_active, state.active())
        self.reply(200, {"url": url, "job_id": job.job_id})

    def job_status(self, job_id: str) -> None:
        state = self.state
        if self.scripted("status"):
            return
        with state.lock:
            job = None if state.forget_jobs else state.jobs.get(job_id)
            if job is None:
                self.reply(200, {"job_id": job_id, "resources": [], "status": "pending"})
                return
            job.polls += 1
            if not job.done(state.now()):
                self.reply(200, {"status": "pending", "job_id": job_id, "resources": ["a", "b"]})
                return
            if job.outcome != "success":
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": job.outcome,
                        "job_id": job_id,
                        "message": f"Capture failed: {job.outcome}",
                        "resources": [],
                    },
                )
                return
            if job.timestamp is None:
                job.timestamp = state.stamp(job.submitted + job.duration)
                visible = state.now() + state.index_delay
                state.captures.setdefault(job.url, []).append(
                    (job.timestamp, job.http_status, visible)
                )
                state.captures[job.url].sort()
        self.reply(
            200,
            {
                "status": "success",
                "job_id": job_id,
                "original_url": job.url,
                "timestamp": job.timestamp,
                "duration_sec": job.duration,
                "http_status": job.http_status,
                "resources": [],
                "outlinks": [],
            },
        )

    def anonymous_save(self, url: str) -> None:
        if self.scripted("anonymous"):
            return
        stamp = self.state.stamp()
        self.state.captures.setdefault(url, []).append((stamp, 200, 0.0))
        memento = f"https://web.archive.org/web/{stamp}/{url}"
        link = (
            f'<{url}>; rel="original", <https://web.archive.org/web/timemap/link/{url}>; '
            f'rel="timemap"; type="application/link-format", <{memento}>; rel="memento"; '
            f'datetime="x", <{memento}>; rel="last memento"; datetime="x"'
        )
        self.send_response(200)
        self.send_header("Content-Location", f"/web/{stamp}/{url}")
        self.send_header("Link", link)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- CDX --------------------------------------------------------------------------------------

    def cdx(self, query: dict[str, list[str]]) -> None:
        state = self.state
        if self.scripted("cdx"):
            return
        url = query.get("url", [""])[0]
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        if host in state.blocked_hosts:
            self.send_response(403)
            body = BLOCKED.encode()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        now = state.now()
        rows = [
            {
                "urlkey": url,
                "timestamp": ts,
                "original": url,
                "mimetype": "text/html",
                "statuscode": str(status),
                "digest": "SHA1DIGEST",
                "length": "1000",
            }
            for ts, status, visible_at in state.captures.get(url, [])
            if visible_at <= now
        ]
        for flt in query.get("filter", []):
            negate = flt.startswith("!")
            name, _, pattern = flt.lstrip("!").partition(":")
            rows = [r for r in rows if bool(re.fullmatch(pattern, r.get(name, ""))) != negate]
        if "from" in query:
            low = query["from"][0].ljust(14, "0")
            rows = [r for r in rows if r["timestamp"] >= low]
        if "to" in query:
            high = query["to"][0].ljust(14, "9")
            rows = [r for r in rows if r["timestamp"] <= high]
        if query.get("sort", [""])[0] == "closest" and "closest" in query:
            target = int(query["closest"][0].ljust(14, "0"))
            rows.sort(key=lambda r: abs(int(r["timestamp"]) - target))
        if "limit" in query:
            limit = int(query["limit"][0])
            rows = rows[limit:] if limit < 0 else rows[:limit]
        fields = query.get(
            "fl",
            [
                ",".join(
                    [
                        "urlkey",
                        "timestamp",
                        "original",
                        "mimetype",
                        "statuscode",
                        "digest",
                        "length",
                    ]
                )
            ],
        )[0].split(",")
        if query.get("output", [""])[0] != "json":
            text = "".join(" ".join(r[f] for f in fields) + "\n" for r in rows)
            self.reply(200, text.encode())
            return
        self.reply(200, [fields, *[[r[f] for f in fields] for r in rows]] if rows else [])


def fake_wayback(**settings: Any) -> tuple[RunningServer, FakeState]:
    state = FakeState(**settings)
    return RunningServer(FakeWaybackHandler, state), state
