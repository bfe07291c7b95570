"""A lean HTTP/1.1 client for the link checker.

Checking a link needs one GET, the status line, the headers and the first megabytes of the body,
over a few kept-alive connections per site. httpx and httpcore do that through h11's event machine
and a general-purpose pool at about 0.8 ms of CPU a request, which made a check of a thousand
links over twenty sites wait on the CPU, not on the network. This client does only what a check
needs, at a fraction of that: GET over TCP or TLS on asyncio streams; answers framed by
``Content-Length``, chunked coding or the end of the connection (RFC 9112, section 6); interim 1xx
answers skipped; bodies read only as far as asked and decompressed within that bound; idle
connections kept per origin and reused, with one fresh retry when a kept-alive connection turns out
to have been closed by the server. Every failure is a :class:`TransportError` whose ``reason`` is
in the checker's ``error`` vocabulary. The caller bounds each attempt as a whole with
``asyncio.timeout``; connecting also has a bound of its own here.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
import ssl
import time
import zlib
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

MAX_HEAD = 256 * 1024  # status line and headers; Facebook's cookies alone can be tens of KiB
KEEPALIVE_EXPIRY = 5.0
READ_SIZE = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

# What WHATWG percent-encodes in a path and in a query (besides controls, space and non-ASCII).
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>?`{}')
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>')
_PLAIN_PATH = re.compile(f"[{re.escape(_PATH_SAFE)}]*")
_PLAIN_QUERY = re.compile(f"[{re.escape(_QUERY_SAFE)}]*")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


class TransportError(Exception):
    """A request that got no usable answer; ``reason`` names why, as the checker reports it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A URL as it goes on the wire."""

    scheme: str  # http or https
    host: str  # as DNS knows it: IDNA, lower case; an IPv6 literal without brackets
    port: int
    path: str  # the request target: percent-encoded path and query, no fragment
    authority: str  # the Host header

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


def wire_host(host: str) -> str:
    """``host`` as DNS knows it (IDNA for international names); ValueError if it cannot be."""
    host = host.lower()
    if not host.isascii():
        import idna  # only for international names: its tables take a while to load

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"not a valid international host name: {host}") from exc
    if not _HOST.fullmatch(host):
        raise ValueError(f"not a valid host name: {host}")
    return host


def wire_target(url: str) -> Target:
    """Where and what to ask for ``url``; ``TransportError("invalid-url")`` if nothing can be."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        raw_host = parts.hostname
        port = parts.port
        if scheme not in DEFAULT_PORTS or not raw_host:
            raise ValueError("not an http(s) URL with a host")
        if ":" in raw_host:  # IPv6 literal: urlsplit has checked the brackets
            host = raw_host
            shown = f"[{host}]"
        else:
            host = shown = wire_host(raw_host)
    except ValueError as exc:
        raise TransportError("invalid-url", str(exc)) from None
    if port is None:
        port = DEFAULT_PORTS[scheme]
    path = parts.path or "/"
    if not _PLAIN_PATH.fullmatch(path):
        path = quote(path, safe=_PATH_SAFE)
    if parts.query:
        query = parts.query
        if not _PLAIN_QUERY.fullmatch(query):
            query = quote(query, safe=_QUERY_SAFE)
        path = f"{path}?{query}"
    authority = shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return Target(scheme, host, port, path, authority)


class _Inflater:
    """A streaming decompressor with bounded output: what does not fit waits for the next call."""

    def __init__(self, wbits: int) -> None:
        self._z = zlib.decompressobj(wbits)

    def feed(self, data: bytes, room: int) -> bytes:
        return self._z.decompress(self._z.unconsumed_tail + data, room)

    @property
    def pending(self) -> bool:
        return bool(self._z.unconsumed_tail)


def _inflater(encoding: str) -> _Inflater | None:
    """The decompressor for ``Content-Encoding`` gzip or deflate; None for anything else."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _Inflater(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Inflater(zlib.MAX_WBITS)
    return None


class _Connection:
    """One TCP (or TLS) connection to an origin."""

    __slots__ = ("idle_since", "reader", "reused", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0
        self.reused = False

    def fit_for_reuse(self, now: float) -> bool:
        # A server that closed an idle connection has sent EOF (or will have by the time the
        # request reaches it: then Pool.get tries once more on a fresh connection).
        return (
            now - self.idle_since < KEEPALIVE_EXPIRY
            and not self.writer.is_closing()
            and not self.reader.at_eof()
        )

    def close(self) -> None:
        self.writer.close()


class Response:
    """An answer whose head has been read. Read the body with :meth:`read`, then :meth:`release`."""

    def __init__(
        self,
        pool: Pool,
        conn: _Connection,
        status: int,
        headers: dict[str, str],
        framing: str,
        length: int,
        keep_alive: bool,
    ) -> None:
        self.status = status
        self.headers = headers
        self._pool = pool
        self._conn: _Connection | None = conn
        self._framing = framing  # "none", "length", "chunked" or "close"
        self._left = length  # bytes left in the body ("length") or in the current chunk
        self._keep_alive = keep_alive
        self._done = framing == "none"
        self._inflater = _inflater(headers.get("content-encoding", ""))

    async def read(self, limit: int) -> bytes:
        """Up to ``limit`` more bytes of the body, decompressed; what lies beyond is not read."""
        conn = self._conn
        if conn is None:
            return b""
        inflater = self._inflater
        reader = conn.reader
        parts: list[bytes] = []
        size = 0
        try:
            while size < limit:
                if inflater is not None and inflater.pending:
                    data = inflater.feed(b"", limit - size)
                    if not data:
                        break  # no progress: never spin without yielding to the event loop
                elif self._done:
                    break
                else:
                    data = await self._next(reader)
                    if inflater is not None:
                        data = inflater.feed(data, limit - size)
                parts.append(data)
                size += len(data)
        except asyncio.IncompleteReadError:
            raise TransportError("connection-reset", "closed in the middle of the body") from None
        except asyncio.LimitOverrunError:
            raise TransportError("protocol-error", "malformed chunked body") from None
        except OSError as exc:
            raise _os_error(exc, "connection-reset") from None
        except zlib.error as exc:
            raise TransportError("protocol-error", f"undecodable body: {exc}") from None
        body = b"".join(parts)
        return body[:limit]

    async def _next(self, reader: asyncio.StreamReader) -> bytes:
        """The next piece of the body as sent (before decompression); b"" when there is none."""
        if self._framing == "length":
            data = await reader.read(min(self._left, READ_SIZE))
            if not data:
                raise asyncio.IncompleteReadError(b"", self._left)
            self._left -= len(data)
            self._done = self._left == 0
            return data
        if self._framing == "close":
            data = await reader.read(READ_SIZE)
            self._done = not data
            return data
        if self._left == 0:  # chunked: at the start of a chunk
            size = (await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size):
                raise TransportError("protocol-error", f"malformed chunk size: {size[:20]!r}")
            self._left = int(size, 16)
            if self._left == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers: read and ignored
                self._done = True
                return b""
        data = await reader.read(min(self._left, READ_SIZE))
        if not data:
            raise asyncio.IncompleteReadError(b"", self._left)
        self._left -= len(data)
        if self._left == 0 and await reader.readexactly(2) != b"\r\n":
            raise TransportError("protocol-error", "malformed chunked body")
        return data

    def release(self) -> None:
        """Give the connection back for reuse if the answer ended cleanly, else close it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._done and self._keep_alive:
            self._pool.put_back(conn)
        else:
            conn.close()


Connector = Callable[[Target], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class Pools:
    """A pool per origin, and at most ``max_idle`` idle connections in all, oldest closed first.

    A report may cite a thousand sites: kept-alive connections to each would run out of file
    descriptors long before the run ends. Callers limit how many requests run at once.
    """

    def __init__(self, connect: Connector, max_idle: int = 128) -> None:
        self._connect = connect
        self._max_idle = max_idle
        self._pools: dict[tuple[str, str, int], Pool] = {}
        self._idle: OrderedDict[_Connection, None] = OrderedDict()

    async def get(self, target: Target, headers: bytes) -> Response:
        """Send ``GET target`` with ``headers`` (CRLF-ended lines) and read the answer's head."""
        pool = self._pools.get(target.origin)
        if pool is None:
            pool = self._pools[target.origin] = Pool(self._connect, target, self)
        return await pool.get(target, headers)

    def idle(self, conn: _Connection) -> None:
        self._idle[conn] = None
        while len(self._idle) > self._max_idle:
            self._idle.popitem(last=False)[0].close()  # its pool will find it closed

    def busy(self, conn: _Connection) -> None:
        self._idle.pop(conn, None)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        self._idle.clear()


class Pool:
    """Kept-alive connections to one origin."""

    def __init__(self, connect: Connector, target: Target, pools: Pools | None = None) -> None:
        self._connect = connect
        self._target = target
        self._pools = pools
        self._idle: deque[_Connection] = deque()

    async def get(self, target: Target, headers: bytes) -> Response:
        """Send ``GET target`` with ``headers`` (CRLF-ended lines) and read the answer's head."""
        request = (
            f"GET {target.path} HTTP/1.1\r\nHost: {target.authority}\r\n".encode("ascii")
            + headers
            + b"\r\n"
        )
        while True:
            conn = self._take_idle()
            fresh = conn is None
            if conn is None:
                conn = await self._open()
            try:
                return await self._exchange(conn, request)
            except _ClosedWhileIdle:
                conn.close()
                if fresh:
                    raise TransportError("connection-reset", "closed without an answer") from None
                # A kept-alive connection the server had already closed: try a fresh one.
            except BaseException:
                conn.close()
                raise

    def _take_idle(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if self._pools is not None:
                self._pools.busy(conn)
            if conn.fit_for_reuse(now):
                conn.reused = True
                return conn
            conn.close()
        return None

    def put_back(self, conn: _Connection) -> None:
        conn.idle_since = time.monotonic()
        self._idle.append(conn)
        if self._pools is not None:
            self._pools.idle(conn)

    async def _open(self) -> _Connection:
        reader, writer = await self._connect(self._target)
        return _Connection(reader, writer)

    async def _exchange(self, conn: _Connection, request: bytes) -> Response:
        reader, writer = conn.reader, conn.writer
        try:
            writer.write(request)
            await writer.drain()
            while True:
                status, headers, version = _parse_head(await _read_head(reader))
                if status >= 200:
                    break
                if status == 101:
                    raise TransportError("protocol-error", "unasked-for protocol switch")
                # 100 Continue, 103 Early Hints...: the real answer follows.
        except asyncio.LimitOverrunError:
            raise TransportError("protocol-error", "answer head too large") from None
        except OSError as exc:
            if conn.reused and isinstance(exc, ConnectionResetError | BrokenPipeError):
                raise _ClosedWhileIdle() from None
            raise _os_error(exc, "connection-reset") from None
        framing, length = _framing(status, headers)
        keep_alive = (
            version == b"HTTP/1.1"
            and "close" not in headers.get("connection", "").lower()
            and framing != "close"
        )
        return Response(self, conn, status, headers, framing, length, keep_alive)

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


class _ClosedWhileIdle(Exception):
    """The server closed the connection before answering (a stale kept-alive connection)."""


async def _read_head(reader: asyncio.StreamReader) -> list[bytes]:
    """The lines of an answer's head, up to the blank line after them.

    Lines may end in a bare LF, and blank lines before the status line are skipped, as browsers
    (and RFC 9112, section 2.2) allow: a server that does so is still answering.
    """
    lines: list[bytes] = []
    size = 0
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            if not (lines or exc.partial.strip()):
                raise _ClosedWhileIdle() from None
            raise TransportError("protocol-error", "answer cut short") from None
        size += len(line)
        if size > MAX_HEAD:
            raise TransportError("protocol-error", "answer head too large")
        line = line.rstrip(b"\r\n")
        if line:
            lines.append(line)
        elif lines:
            return lines


def _parse_head(lines: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names; repeats joined by commas) and version of an answer."""
    status_line = lines[0].split(None, 2)
    if (
        len(status_line) < 2
        or not status_line[0].startswith(b"HTTP/1.")
        or not status_line[1].isdigit()
        or len(status_line[1]) != 3
    ):
        raise TransportError("protocol-error", f"not an HTTP/1 answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    name = ""
    for raw in lines[1:]:
        line = raw.decode("latin-1")
        if line[:1] in (" ", "\t") and name:  # obsolete line folding
            headers[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep or not key or key != key.strip():
            raise TransportError("protocol-error", f"malformed header line: {line[:80]!r}")
        name = key.lower()
        value = value.strip()
        # Set-Cookie values hold commas (in dates): they are kept one a line instead.
        joiner = "\n" if name == "set-cookie" else ", "
        headers[name] = f"{headers[name]}{joiner}{value}" if name in headers else value
    return int(status_line[1]), headers, status_line[0]


def _framing(status: int, headers: dict[str, str]) -> tuple[str, int]:
    """How the body of an answer to a GET is delimited (RFC 9112, section 6.3)."""
    if status in (204, 304):
        return "none", 0
    if "transfer-encoding" in headers:
        codings = headers["transfer-encoding"].lower()
        return ("chunked", 0) if codings.rsplit(",", 1)[-1].strip() == "chunked" else ("close", 0)
    if "content-length" in headers:
        values = {v.strip() for v in headers["content-length"].split(",")}
        if len(values) != 1 or not (value := values.pop()).isdigit():
            raise TransportError("protocol-error", "invalid Content-Length")
        length = int(value)
        return ("length", length) if length else ("none", 0)
    return "close", 0


def _os_error(exc: OSError, otherwise: str) -> TransportError:
    """The checker's reason for a socket or TLS failure; ``otherwise`` when nothing says more."""
    if isinstance(exc, ssl.SSLError):
        return TransportError("tls", str(exc))
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("connection-refused", str(exc))
    if isinstance(exc, ConnectionResetError | BrokenPipeError) or exc.errno == errno.ECONNRESET:
        return TransportError("connection-reset", str(exc))
    return TransportError(otherwise, str(exc))


async def open_stream(
    address: str,
    target: Target,
    tls: ssl.SSLContext | None,
    timeout: float,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to ``address`` for ``target``'s origin (TLS for https), within ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                address,
                target.port,
                ssl=tls if target.scheme == "https" else None,
                server_hostname=target.host if target.scheme == "https" else None,
                limit=MAX_HEAD,
            )
    except TimeoutError:
        raise TransportError("timeout", f"connecting to {target.host} timed out") from None
    except OSError as exc:  # ssl's errors, certificate ones included, are OSErrors too
        raise _os_error(exc, "connection-failed") from None
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


class CookieJar:
    """The cookies one check collects along its redirects, sent back where they belong.

    Some sites answer a first visit with a redirect that sets a cookie and leads back to the
    same page; without the cookie that is an endless loop, and the page looks broken when it is
    not. The jar lives for one URL's redirect chain only: nothing is carried from one link to
    the next. Domain scoping is kept; paths, expiry dates and the Secure flag are not needed
    within one chain and are ignored (Max-Age=0 deletes, as it should).
    """

    MAX_COOKIES = 50

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], str] = {}  # (domain, name) -> value

    def take(self, host: str, headers: dict[str, str]) -> None:
        """Keep the cookies an answer from ``host`` sets."""
        for line in headers.get("set-cookie", "").split("\n"):
            pair, *attributes = line.split(";")
            name, sep, value = pair.partition("=")
            name, value = name.strip(), value.strip()
            if not sep or not name or len(value) > 4096:
                continue
            domain = host
            expired = False
            for attribute in attributes:
                key, _, argument = attribute.partition("=")
                key, argument = key.strip().lower(), argument.strip()
                if key == "domain" and argument:
                    wanted = argument.lstrip(".").lower()
                    if _domain_match(host, wanted):
                        domain = wanted
                elif key == "max-age" and argument.lstrip("-").isdigit():
                    expired = int(argument) <= 0
            if expired:
                self._cookies.pop((domain, name), None)
            elif len(self._cookies) < self.MAX_COOKIES or (domain, name) in self._cookies:
                self._cookies[(domain, name)] = value

    def header(self, host: str) -> bytes:
        """The ``Cookie`` header line for a request to ``host`` (empty when there is none)."""
        pairs = [
            f"{name}={value}"
            for (domain, name), value in self._cookies.items()
            if _domain_match(host, domain)
        ]
        if not pairs:
            return b""
        return f"Cookie: {'; '.join(pairs)}\r\n".encode("latin-1", "replace")


def _domain_match(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)
