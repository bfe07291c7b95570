"""A fake Wayback Machine that speaks SPN2, job status, account status and CDX as the real one does.

Every shape it answers was seen from web.archive.org; the comment beside each says where:
"doc" is the SPN2 public API doc (copy of 2025-10-22) and the CDX server README; "edgi" the test
cassettes recorded by edgi-govdata-archiving/wayback (2023); "clients" the parsers of other
projects that met the shape (pywaybackup, spn.sh, archiveorgbackups); "reference" our own
``shared/reference/wayback-api.md``, corrected against those recordings. Faults are scripted per
endpoint; the clock is injectable; every request is recorded so that tests can assert what was sent.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from tests.servers.base import RunningServer

# edgi cassette test_search_raises_for_blocked_urls (2023): 403, text/plain, the same words in the
# body and in X-Archive-Wayback-Runtime-Error.
BLOCKED = (
    "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
    "AdministrativeAccessControlException: Blocked Site Error"
)
# reference: robots exclusions, reported with 403 and with 200.
ROBOTS = "org.archive.wayback.exception.RobotAccessControlException: Blocked By Robots"
ARTICLE = (
    b"<html><head><title>Kazakhstan: the final report</title></head><body><h1>The final report"
    b"</h1><p>The Aktau City Court acquitted the activist on 6 February 2019. Observers from the "
    b"mission attended every hearing and published their notes on the trial and the appeal.</p>"
    b"</body></html>"
)
CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
SAME_SNAPSHOT = (
    "The same snapshot had been made 2 minutes ago. You can make new capture of this URL after "
    "45 minutes."
)


def surt(url: str) -> str:
    """The CDX urlkey of ``url``: host reversed, ``www.`` and port dropped (edgi: gov,nasa)/)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").removeprefix("www.")
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    return key + (f"?{parts.query}" if parts.query else "")


def variant(url: str, n: int) -> str:
    """The ``original`` the CDX gives back: http/https, ``www.`` and ``:80`` variants (edgi:
    ``http://www.nasa.gov:80/`` for nasa.gov)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    choices = [url, f"http://{host}:80{rest}", f"https://www.{host.removeprefix('www.')}{rest}"]
    return choices[n % len(choices)]


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
    # url -> [(timestamp, status ("-" for a revisit), visible_at)]
    captures: dict[str, list[tuple[str, int | str, float]]] = field(default_factory=dict)
    index_delay: float = 0.0
    blocked_hosts: set[str] = field(default_factory=set)
    user_limit: int = 6
    daily_limit: int = 100_000
    daily_count: int = 0
    url_daily_limit: int = 10  # doc: "This URL has been captured 10 times today"
    # job status variants (reference): "doc", "2020" (no http_status), "uuid" (ids before 2021),
    # "rich" (first_archive, counters, delay_wb_availability, screenshot, outlinks as a dict)
    status_variant: str = "doc"
    system: str = "ok"  # /save/status/system: "ok", "overloaded" or "502" (reference)
    # the anonymous save's answer (reference): "content-location" (2020), "memento-link" (2021),
    # "timegate-link" (2025), "429", "404" or "401" (2026)
    anonymous_shape: str = "memento-link"
    # Whether a keyless capture shows in the index at once (reference: SPN2's
    # delay_wb_availability; captures can take hours to reach the CDX index)
    anonymous_indexed: bool = True
    # What each capture of a URL holds, as served raw at /web/<ts>id_/<url>: (status, headers,
    # body), keyed "<ts>/<url>" for one capture or "<url>" for all; a page of words by default.
    # ("Location" in headers: a capture of a redirect.)
    payloads: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    replays: list[str] = field(default_factory=list)
    capture_seconds: float = 0.0
    pending_polls: int = 0
    outcomes: dict[str, tuple[str, int]] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    forget_jobs: bool = False
    jobs: dict[str, Job] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    peak_active: int = 0
    session_limit_refusals: int = 0
    # The CDX index's limit per IP (edgi-govdata-archiving/wayback #137, #153: 60 a minute; an
    # address that goes on is blocked for an hour): at most cdx_limit requests in any
    # cdx_window seconds (0: no limit), then 429 to every CDX request for the rest of the test.
    cdx_limit: int = 0
    cdx_window: float = 60.0
    cdx_times: list[float] = field(default_factory=list)
    cdx_blocked: bool = False
    cdx_refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return self.clock() + self.offset

    def stamp(self, moment: float | None = None) -> str:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(self.now() if moment is None else moment))

    def add_capture(self, url: str, timestamp: str, status: int | str = 200) -> None:
        """A capture in the index; ``status`` "-" makes it a warc/revisit row."""
        self.captures.setdefault(url, []).append((timestamp, status, 0.0))
        self.captures[url].sort(key=lambda c: c[0])

    def captured_today(self, url: str) -> int:
        today = self.stamp()[:8]
        return sum(1 for ts, _, _ in self.captures.get(url, []) if ts.startswith(today))

    def active(self) -> int:
        now = self.now()
        return sum(1 for job in self.jobs.values() if not job.done(now) and job.outcome)

    def fault(self, endpoint: str) -> str | None:
        queue = self.faults.get(endpoint)
        return queue.pop(0) if queue else None

    def saves(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/save"]

    def cdx_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/cdx/search/cdx"]

    def over_cdx_limit(self) -> bool:
        """Count a CDX request against the limit; True when it is refused (and from then on)."""
        if not self.cdx_limit:
            return False
        with self.lock:
            now = time.monotonic()
            self.cdx_times = [t for t in self.cdx_times if t > now - self.cdx_window]
            self.cdx_blocked = self.cdx_blocked or len(self.cdx_times) >= self.cdx_limit
            self.cdx_times.append(now)
            self.cdx_refused += self.cdx_blocked
            return self.cdx_blocked


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

    def reply(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def page(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        self.reply(status, body.encode(), headers, "text/html; charset=utf-8")

    def authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        match = re.fullmatch(r"LOW ([^:]+):(.+)", header)
        return bool(match and self.state.keys.get(match.group(1)) == match.group(2))

    def scripted(self, endpoint: str, form: dict[str, str] | None = None) -> bool:
        """Play the next scripted fault for ``endpoint``; True when it answered."""
        fault = self.state.fault(endpoint)
        if fault is None:
            return False
        if fault == "hang":
            self.server.stopping.wait(60)  # type: ignore[attr-defined]
            return True
        if fault == "429":
            self.reply(429, {"message": "Too many requests"}, {"Retry-After": "1"})
        elif fault == "429-hour":
            self.reply(429, {"message": "Too many requests"}, {"Retry-After": "3600"})
        elif fault == "429-bare":
            # reference: a 429 is an HTML page, usually without Retry-After
            self.page(429, "<html><head><title>429 Too Many Requests</title></head></html>")
        elif fault == "401":
            # reference: sporadic 401s with valid keys
            self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
        elif fault.isdigit():
            self.page(int(fault), "<html><body><h1>Bad Gateway</h1></body></html>")
        elif fault == "malformed":
            self.reply(200, b"{not json")
        elif fault == "cdx-html":
            self.page(200, "<html><body><h1>Wayback Machine</h1>Maintenance.</body></html>")
        elif fault in ("robots-403", "robots-200"):
            # reference: robots exclusions with 403 and with 200, as a text body
            status = 403 if fault == "robots-403" else 200
            headers = {"X-Archive-Wayback-Runtime-Error": ROBOTS} if status == 403 else {}
            self.reply(status, ROBOTS.encode(), headers, "text/plain;charset=UTF-8")
        elif fault.startswith("refuse:"):
            ext = fault.removeprefix("refuse:")
            self.reply(200, {"status": "error", "status_ext": f"error:{ext}", "message": f"{ext}."})
        elif fault == "same-snapshot-null":
            # reference: the "same snapshot" answer with "job_id": null
            url = (form or {}).get("url", "")
            moment = self.state.now() - 120
            visible = self.state.now() + self.state.index_delay
            self.state.captures.setdefault(url, []).append((self.state.stamp(moment), 200, visible))
            self.reply(200, {"url": url, "job_id": None, "message": SAME_SNAPSHOT})
        elif fault == "html-job":
            # clients: an HTML page with status 200 that carries the job id
            job = self.new_job((form or {}).get("url", ""))
            self.page(
                200,
                "<html><body><p>Saving page now: the capture will be ready soon.</p>"
                f'<script>spn.watchJob("{job.job_id}", "/_static/",6000);</script></body></html>',
            )
        elif fault == "accepted-then-523":
            # reference: users report a 523 while the job ran and the capture succeeded
            job = self.new_job((form or {}).get("url", ""))
            job.polls_needed = 0
            self.finish_job(job)
            self.page(523, "<html><body>Origin is unreachable</body></html>")
        elif fault.startswith("page:"):
            # a recorded answer, read from the file named (../shared/fixtures/wayback/)
            self.page(200, Path(fault.removeprefix("page:")).read_text(encoding="utf-8"))
        elif fault == "account-cap-html":
            # clients: "You cannot make more than (N) captures per day." in an HTML page
            self.page(
                200,
                "<html><body><p>You cannot make more than (100,000) captures per day.</p>"
                "</body></html>",
            )
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
            # doc: {"status": "ok"}; reference: a message when overloaded, 502 when broken
            if self.state.system == "502":
                self.page(502, "<html><body>502 Bad Gateway</body></html>")
            elif self.state.system == "overloaded":
                self.reply(200, {"status": "overloaded", "message": "Save Page Now is overloaded"})
            else:
                self.reply(200, {"status": "ok"})
        elif path == "/save/status/user":
            if not self.authorised():
                self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
                return
            active = self.state.active()
            # doc: available can still read 8 past the daily cap
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
            self.replay(self.path.removeprefix("/web/"))
        else:
            self.reply(404, {"message": "not found"})

    # -- SPN2 -------------------------------------------------------------------------------------

    def job_id(self) -> str:
        if self.state.status_variant == "uuid":
            return str(uuid.uuid4())  # reference: job ids were UUIDs before 2021
        return f"spn2-{secrets.token_hex(20)}"

    def new_job(self, url: str) -> Job:
        state = self.state
        outcome, http_status = state.outcomes.get(url, ("success", 200))
        job = Job(
            job_id=self.job_id(),
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
        return job

    def finish_job(self, job: Job) -> None:
        """Put a successful job's capture into the index (once)."""
        state = self.state
        if job.timestamp is None:
            job.timestamp = state.stamp(job.submitted + job.duration)
            visible = state.now() + state.index_delay
            state.captures.setdefault(job.url, []).append((job.timestamp, job.http_status, visible))
            state.captures[job.url].sort(key=lambda c: c[0])

    def save(self, form: dict[str, str]) -> None:
        state = self.state
        if self.scripted("save", form):
            return
        if not self.authorised():
            # reference: without keys, 401 "You need to be logged in to use Save Page Now."
            self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
            return
        url = form.get("url", "")
        with state.lock:
            if state.daily_count >= state.daily_limit:
                # clients: the account's cap is said in these words
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": "error:too-many-daily-captures",
                        "message": f"You cannot make more than {state.daily_limit:,} captures "
                        "per day.",
                    },
                )
                return
            if state.captured_today(url) >= state.url_daily_limit:
                # doc: too-many-daily-captures is about the URL
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": "error:too-many-daily-captures",
                        "message": f"This URL has been captured {state.url_daily_limit} times "
                        "today. Please try again tomorrow.",
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
            # doc: SPN2 answers a URL captured (or being captured) within the window with that job.
            recent = [
                j
                for j in state.jobs.values()
                if j.url == url and j.outcome == "success" and state.now() - j.submitted < window
            ]
            if recent and window:
                job = recent[-1]
                self.reply(200, {"url": url, "job_id": job.job_id, "message": SAME_SNAPSHOT})
                return
            job = self.new_job(url)
        self.reply(200, {"url": url, "job_id": job.job_id})

    def job_status(self, job_id: str) -> None:
        state = self.state
        if self.scripted("status"):
            return
        with state.lock:
            job = None if state.forget_jobs else state.jobs.get(job_id)
            if job is None:
                # doc: unknown or expired jobs stay pending forever
                self.reply(200, {"job_id": job_id, "resources": [], "status": "pending"})
                return
            job.polls += 1
            if not job.done(state.now()):
                # doc: pending statuses list the resources fetched so far
                self.reply(
                    200,
                    {
                        "status": "pending",
                        "job_id": job_id,
                        "resources": [job.url, f"{job.url.rstrip('/')}/style.css"],
                    },
                )
                return
            if job.outcome != "success":
                # doc: errors carry status_ext, message and sometimes exception
                self.reply(
                    200,
                    {
                        "status": "error",
                        "status_ext": job.outcome,
                        "exception": "ProxyError",
                        "job_id": job_id,
                        "message": f"Capture failed: {job.outcome}",
                        "resources": [],
                    },
                )
                return
            self.finish_job(job)
        body: dict[str, Any] = {
            "status": "success",
            "job_id": job_id,
            "original_url": job.url,
            "timestamp": job.timestamp,
            "duration_sec": job.duration,
            "http_status": job.http_status,
            "resources": [job.url],
            "outlinks": [],
        }
        if state.status_variant == "2020":
            del body["http_status"]  # reference: success without http_status (2020)
        elif state.status_variant == "rich":
            body.update(
                {
                    "first_archive": True,
                    "counters": {"embeds": 3, "outlinks": 2},
                    "delay_wb_availability": True,
                    "screenshot": f"http://web.archive.org/screenshot/{job.url}",
                    "outlinks": {"https://example.org/a": "spn2-aaa"},
                }
            )
        self.reply(200, body)

    def anonymous_save(self, url: str) -> None:
        state = self.state
        if self.scripted("anonymous"):
            return
        shape = state.anonymous_shape
        if shape == "401":
            # reference (2026, MKRWW/wortlaut #108): saving without keys is refused
            self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
            return
        if shape == "429":
            self.page(429, "<html><body>Too Many Requests</body></html>")
            return
        if shape == "404":
            self.page(404, "<html><body>Not Found</body></html>")
            return
        stamp = state.stamp()
        if state.anonymous_indexed:
            state.captures.setdefault(url, []).append((stamp, 200, 0.0))
        memento = f"https://web.archive.org/web/{stamp}/{url}"
        headers = {}
        if shape == "content-location":  # 2020: Content-Location alone
            headers["Content-Location"] = f"/web/{stamp}/{url}"
        elif shape == "memento-link":  # 2021: a Memento Link with rel="memento"
            headers["Link"] = (
                f'<{url}>; rel="original", <https://web.archive.org/web/timemap/link/{url}>; '
                f'rel="timemap"; type="application/link-format", <{memento}>; rel="memento"; '
                f'datetime="x", <{memento}>; rel="last memento"; datetime="x"'
            )
        else:  # 2025: the original and the timegate only
            headers["Link"] = (
                f'<{url}>; rel="original", <https://web.archive.org/web/{url}>; rel="timegate"'
            )
        self.page(200, "<html><body>Saved.</body></html>", headers)

    # -- replay ---------------------------------------------------------------------------------

    def replay(self, rest: str) -> None:
        """``<ts>id_/<url>``: the payload as captured. reference: mementos carry
        Memento-Datetime; a capture of a redirect answers the redirect with its Location
        rewritten into the archive; a URL never captured is a 404 of the archive's own."""
        state = self.state
        match = re.match(r"(\d{8,14})(?:[a-z]{2}_)?/(.+)$", rest)
        if not match:
            self.page(404, "<html>Not a memento</html>")
            return
        stamp, url = match.group(1), unquote(match.group(2))
        state.replays.append(url)
        captured = [ts for ts, _, _ in state.captures.get(url, []) if ts.startswith(stamp[:8])]
        if not captured:
            self.page(
                404, "<html><body>Hrm. The Wayback Machine has not archived that URL.</body></html>"
            )
            return
        base = f"http://{self.headers.get('Host')}"
        if stamp not in captured:
            # Recorded (edgi-govdata-archiving/wayback, cassette
            # test_get_memento_follows_historical_redirects): a timestamp with no capture of its
            # own is a bodiless 302 FOUND to the nearest one, without Memento-Datetime.
            self.reply(
                302,
                b"",
                {
                    "Location": f"{base}/web/{captured[0]}id_/{url}",
                    "x-archive-redirect-reason": f"found capture at {captured[0]}",
                },
                "text/plain; charset=utf-8",
            )
            return
        status, headers, body = state.payloads.get(
            f"{stamp}/{url}", state.payloads.get(url, (200, {}, ARTICLE))
        )
        # Same cassette: a captured redirect keeps its status, carries Memento-Datetime and has
        # its Location rewritten to the same timestamp's id_ replay of the target.
        memento = {"Memento-Datetime": "Wed, 20 Feb 2019 08:30:00 GMT", **headers}
        if "Location" in headers:
            memento["Location"] = f"{base}/web/{stamp}id_/{headers['Location']}"
        self.reply(status, body, memento, headers.get("Content-Type", "text/html; charset=utf-8"))

    # -- CDX --------------------------------------------------------------------------------------

    def cdx(self, query: dict[str, list[str]]) -> None:
        state = self.state
        if state.over_cdx_limit():
            # reference: a 429 is an HTML page, usually without Retry-After
            self.page(429, "<html><head><title>429 Too Many Requests</title></head></html>")
            return
        if self.scripted("cdx"):
            return
        url = query.get("url", [""])[0]
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        if host in state.blocked_hosts:
            self.reply(
                403,
                BLOCKED.encode(),
                {"X-Archive-Wayback-Runtime-Error": BLOCKED},
                "text/plain;charset=UTF-8",
            )
            return
        now = state.now()
        rows = [
            {
                "urlkey": surt(url),
                "timestamp": ts,
                "original": variant(url, n),
                "mimetype": "warc/revisit" if status == "-" else "text/html",
                "statuscode": str(status),
                "digest": f"{n:032X}"[:32],
                "length": str(900 + 37 * n),
            }
            for n, (ts, status, visible_at) in enumerate(state.captures.get(url, []))
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
        fields = query.get("fl", [",".join(CDX_FIELDS)])[0].split(",")
        if query.get("output", [""])[0] != "json":
            text = "".join(" ".join(r[f] for f in fields) + "\n" for r in rows)
            self.reply(200, text.encode(), content_type="text/plain;charset=UTF-8")
            return
        # edgi/reference: text/plain, one JSON row per line; [] when there are none
        lines = [json.dumps(fields), *(json.dumps([r[f] for f in fields]) for r in rows)]
        body = "[" + ",\n".join(lines) + "]\n" if rows else "[]\n"
        self.reply(200, body.encode(), content_type="text/plain;charset=UTF-8")


def fake_wayback(**settings: Any) -> tuple[RunningServer, FakeState]:
    state = FakeState(**settings)
    return RunningServer(FakeWaybackHandler, state), state


def cli_env(server: RunningServer, **more: str) -> dict[str, str]:
    """The environment a CLI test runs kzarchive in against this fake: its address, test keys,
    no pacing, short job waits, and the cited pages on 127.0.0.1 archived (a private archive)."""
    return {
        "KZARCHIVE_WAYBACK_URL": server.base,
        "KZARCHIVE_CAPTURES_PER_MINUTE": "0",
        "KZARCHIVE_ARCHIVE_PRIVATE": "1",
        "KZARCHIVE_JOB_TIMEOUT": "5",
        "IA_ACCESS_KEY": "test-access",
        "IA_SECRET_KEY": "test-secret",
        # Never ask the public timestamp authorities (tests/servers/tsa.py is a local one)
        "KZARCHIVE_TIMESTAMP": "0",
        **more,
    }
