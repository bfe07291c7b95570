"""A fake Perma.cc API, built from Perma's own code and tests (harvard-lil/perma, perma_web/api/).

Where each shape was seen:
- create: ``POST /v1/archives/`` with ``{"url", "folder"}`` answers 201 with the link as
  ``LinkSerializer``/``AuthenticatedLinkSerializer`` write it (``api/serializers.py``):
  ``guid``, ``creation_timestamp``, ``url``, ``title``, ``description``, ``warc_size``,
  ``captures`` (``role``, ``status``, ``url``, ``record_type``, ``content_type``,
  ``user_upload``), ``queue_time``, ``capture_time``, ``notes``, ``is_private``...;
  ``api/tests/test_link_resource.py`` posts ``{"url", "folder"}`` and reads ``guid``.
- in progress / done / failed: ``GET /v1/capture_jobs/<guid>/`` answers ``CaptureJobSerializer``'s
  fields (``guid``, ``status``, ``attempt``, ``step_count``, ``step_description``,
  ``capture_start_time``, ``capture_end_time``, ``queue_position``); statuses ``pending``,
  ``in_progress``, ``completed``, ``failed`` (the model's choices; ``api/views/links.py`` reports
  ``pending``/``in_progress`` while a job runs).
- quota spent: 400 ``{"error": ["Perma can't create this link. You've reached your usage limit.
  Visit your Usage Plan page for information and plan options."]}`` (``api/views/links.py``,
  ``raise_invalid_capture_job``; the API's non-field errors key is ``error``).
- a URL Perma cannot load: 400 ``{"url": ["Couldn't resolve domain."]}`` (``api/serializers.py``).
- bad key: 401 ``{"detail": "Invalid token."}`` (``api/authentication.py``: DRF's
  TokenAuthentication with the keyword ``ApiKey``).
- ``GET /v1/archives/<guid>/download``: the link's WARC (``api/tests/test_link_resource.py``
  checks the primary capture's response record in it); written here with warcio.
"""

from __future__ import annotations

import io
import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.servers.base import RunningServer

KEY = "perma-test-key-0123456789"
PAGE = (
    b"<html><head><title>Cited</title></head><body><p>"
    + b"The cited words. " * 40
    + b"</p></body></html>"
)
QUOTA = (
    "Perma can't create this link. You've reached your usage limit. Visit your Usage Plan page "
    "for information and plan options."
)


@dataclass
class PermaLinkState:
    guid: str
    url: str
    folder: int | None
    created: str
    polls_needed: int
    outcome: str = "completed"  # or "failed"
    polls: int = 0


@dataclass
class PermaState:
    key: str = KEY
    quota: int | None = None  # links the account may still make (None: no limit)
    polls_needed: int = 2  # job polls answered pending/in_progress before it ends
    failing: set[str] = field(default_factory=set)  # URLs whose capture fails
    unresolvable: set[str] = field(default_factory=set)  # URLs Perma refuses at once
    pages: dict[str, bytes] = field(default_factory=dict)  # what each capture holds
    links: dict[str, PermaLinkState] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def creates(self) -> list[dict[str, Any]]:
        return [body for method, path, body in self.requests if method == "POST"]


def _guid() -> str:
    alphabet = string.ascii_uppercase + string.digits
    part = lambda: "".join(secrets.choice(alphabet) for _ in range(4))  # noqa: E731
    return f"{part()}-{part()}"


class PermaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: object) -> None:
        pass

    @property
    def state(self) -> PermaState:
        return self.server.state  # type: ignore[no-any-return]

    def send(self, status: int, body: Any, kind: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", "ApiKey")
        self.end_headers()
        self.wfile.write(data)

    def authorised(self) -> bool:
        if self.headers.get("Authorization") == f"ApiKey {self.state.key}":
            return True
        self.send(401, {"detail": "Invalid token."})
        return False

    def link_json(self, link: PermaLinkState) -> dict[str, Any]:
        done = link.polls > link.polls_needed
        status = "pending" if not done else ("success" if link.outcome == "completed" else "failed")
        return {
            "guid": link.guid,
            "creation_timestamp": link.created,
            "url": link.url,
            "title": "Cited",
            "description": None,
            "warc_size": 7400 if done else None,
            "captures": [
                {
                    "role": "primary",
                    "status": status,
                    "url": link.url,
                    "record_type": "response",
                    "content_type": "text/html" if done else None,
                    "user_upload": False,
                },
                {
                    "role": "screenshot",
                    "status": status,
                    "url": "file:///" + link.guid + "/cap.png",
                    "record_type": "resource",
                    "content_type": "image/png" if done else None,
                    "user_upload": False,
                },
            ],
            "queue_time": 1,
            "capture_time": 6 if done else None,
            "notes": "",
            "is_private": False,
            "private_reason": None,
            "archive_timestamp": link.created,
        }

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        with self.state.lock:
            self.state.requests.append(("POST", self.path, body))
        if not self.authorised():
            return
        if self.path.rstrip("/") != "/v1/archives":
            self.send(404, {"detail": "Not found."})
            return
        state = self.state
        url = str(body.get("url") or "")
        with state.lock:
            if state.quota is not None and state.quota <= 0:
                self.send(400, {"error": [QUOTA]})
                return
            if url in state.unresolvable:
                self.send(400, {"url": ["Couldn't resolve domain."]})
                return
            if state.quota is not None:
                state.quota -= 1
            link = PermaLinkState(
                _guid(),
                url,
                body.get("folder"),
                time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
                state.polls_needed,
                "failed" if url in state.failing else "completed",
            )
            state.links[link.guid] = link
        self.send(201, self.link_json(link))

    def do_GET(self) -> None:
        with self.state.lock:
            self.state.requests.append(("GET", self.path, {}))
        if not self.authorised():
            return
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        link = self.state.links.get(parts[2]) if len(parts) >= 3 else None
        if link is None:
            self.send(404, {"detail": "Not found."})
            return
        if parts[1] == "capture_jobs":
            with self.state.lock:
                link.polls += 1
                polls = link.polls
            done = polls > link.polls_needed
            status = ("pending" if polls <= 1 else "in_progress") if not done else link.outcome
            self.send(
                200,
                {
                    "guid": link.guid,
                    "status": status,
                    "attempt": 1,
                    "step_count": 5.0 if done else float(polls),
                    "step_description": "Saving web archive file" if done else "Fetching page",
                    "capture_start_time": link.created,
                    "capture_end_time": link.created if done else None,
                    "queue_position": 0,
                },
            )
        elif len(parts) == 4 and parts[3] == "download":
            self.send(200, self.warc(link), "application/warc")
        else:
            self.send(200, self.link_json(link))

    def warc(self, link: PermaLinkState) -> bytes:
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=True)
        body = self.state.pages.get(link.url, PAGE)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            link.url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
        return out.getvalue()


def fake_perma() -> tuple[RunningServer, PermaState]:
    state = PermaState()
    return RunningServer(PermaHandler, state), state
