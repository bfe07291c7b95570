"""A forward HTTP proxy on 127.0.0.1 that records what it is asked and relays it to one upstream.

Clients configured with ``HTTP_PROXY`` send ``GET http://host/path HTTP/1.1`` to it. It records the
absolute URL and relays the request to ``upstream`` (a test server), whatever host was named, so a
test can cite hosts that do not exist and still get the upstream's answers, proving that the name
was left to the proxy.
"""

from __future__ import annotations

import http.client
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.servers.base import RunningServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "transfer-encoding",
    "te",
}


class ProxyState:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.seen: list[str] = []  # "METHOD absolute-url"
        self.authorizations: list[str] = []  # Proxy-Authorization headers received


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        state: ProxyState = self.server.state
        state.seen.append(f"{self.command} {self.path}")
        state.authorizations.append(self.headers.get("Proxy-Authorization", ""))
        parts = urlsplit(self.path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(*state.upstream, timeout=10)
        try:
            upstream.request(self.command, target or "/", body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _relay


def forward_proxy(upstream: RunningServer) -> tuple[RunningServer, ProxyState]:
    state = ProxyState(("127.0.0.1", upstream.port))
    return RunningServer(ProxyHandler, state), state
