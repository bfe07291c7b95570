"""A fake Memento aggregator (the TimeTravel JSON API) and a fake pywb-style archive behind it.

``GET /api/json/<ts>/<url>`` answers as timetravel.mementoweb.org/guide/api (section 2) documents:
``{"original_uri", "timegate_uri", "timemap_uri", "mementos": {"closest": {"datetime", "uri": [..]},
"first", "last", ...}}``, or 404 when no archive holds the URL. The mementos it names live on
this same server under ``/other/<ts>/<url>`` and serve their raw payload at ``/other/<ts>id_/<url>``
with ``Memento-Datetime``, as pywb-based national archives do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.servers.base import RunningServer


@dataclass
class MementoState:
    # url -> [(timestamp, body)] of the copies the other archive holds
    copies: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


class MementoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state: MementoState = self.server.state
        base = f"http://{self.headers.get('Host')}"
        api = re.match(r"/api/json/(\d{4,14})/(.+)$", self.path)
        if api:
            url = unquote(api.group(2))
            state.asked.append(url)
            copies = state.copies.get(url)
            if not copies:
                self.send(404, b"", {"Content-Type": "text/plain"})
                return
            entries = [
                {"datetime": _iso(ts), "uri": [f"{base}/other/{ts}/{url}"]} for ts, _ in copies
            ]
            body = {
                "original_uri": url,
                "timegate_uri": f"{base}/timegate/{url}",
                "timemap_uri": {"json_format": f"{base}/timemap/json/{url}"},
                "mementos": {"closest": entries[0], "first": entries[0], "last": entries[-1]},
            }
            self.send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
            return
        memento = re.match(r"/other/(\d{14})id_/(.+)$", self.path)
        if memento:
            url = unquote(memento.group(2))
            state.fetched.append(url)
            for ts, payload in state.copies.get(url, []):
                if ts == memento.group(1):
                    headers = {
                        "Content-Type": "text/html",
                        "Memento-Datetime": "Wed, 20 Feb 2019 08:30:00 GMT",
                    }
                    self.send(200, payload, headers)
                    return
        self.send(404, b"not here", {"Content-Type": "text/plain"})


def _iso(ts: str) -> str:
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"


def fake_memento() -> tuple[RunningServer, MementoState]:
    state = MementoState()
    return RunningServer(MementoHandler, state), state
