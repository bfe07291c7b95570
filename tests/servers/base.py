"""A threaded HTTP server on 127.0.0.1 with a large backlog, started and stopped by tests."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], state: Any, host: str = "127.0.0.1"
    ) -> None:
        super().__init__((host, 0), handler)
        self.state = state
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-answer is part of the scenarios


class RunningServer:
    """Context manager: serve in a thread, and on exit wake sleeping handlers and close."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], state: Any, host: str = "127.0.0.1"
    ) -> None:
        self.server = QuietServer(handler, state, host)
        self.scheme = "http"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.server.server_address[0]}:{self.port}"

    def __enter__(self) -> RunningServer:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
