"""A TCP server on 127.0.0.1 that answers each request with scripted bytes, well-formed or not.

For the link checker's tests of what real servers send: framing, interim answers, kept-alive and
stale connections, malformed answers, resets. Each path maps to an :class:`Answer` (the map may be
changed while the server runs); the server counts connections.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True)
class Answer:
    data: bytes  # sent as is
    close: bool = False  # hang up after sending
    # Keep the connection open but hang up, without answering, when the next request comes:
    # what a server does when its keep-alive timeout and a client's new request cross.
    drop_next: bool = False
    # Hang up with a TCP reset (SO_LINGER 0) right after sending, as a crashing server does.
    reset: bool = False


class RawServer:
    """Context manager: serve scripted answers in threads; on exit, close every socket."""

    def __init__(self, answers: dict[str, Answer], tls: ssl.SSLContext | None = None) -> None:
        self.answers = answers
        self.tls = tls
        self.connections = 0
        self.requests: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url(self, path: str) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._sockets.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        conn.settimeout(5)
        drop = False
        try:
            if self.tls is not None:
                # Closed later without a TLS close_notify, as many servers do.
                conn = self.tls.wrap_socket(conn, server_side=True)
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1].decode("ascii")
                with self._lock:
                    self.requests.append(path)
                if drop:
                    return
                answer = self.answers.get(path, Answer(b"HTTP/1.1 404 Not Found\r\n\r\n", True))
                conn.sendall(answer.data)
                if answer.reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if answer.close:
                    return
                drop = answer.drop_next
        except OSError:
            return
        finally:
            conn.close()

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)
        with self._lock:
            for conn in self._sockets:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
