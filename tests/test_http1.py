"""The link checker's HTTP/1.1 client against a server that sends exactly the bytes scripted."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ssl
import zlib

import httpx
import pytest

from kzarchive.http1 import (
    MAX_HEAD,
    CookieJar,
    Pool,
    Pools,
    Target,
    TransportError,
    open_stream,
    wire_target,
)
from tests.conftest import FIXTURES
from tests.servers.raw import Answer, RawServer

TLS = FIXTURES / "tls"

Result = tuple[int, dict[str, str], bytes] | str


async def _connect(target: Target) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await open_stream("127.0.0.1", target, None, 5.0)


def fetch(server: RawServer, paths: list[str], limit: int = 1 << 20) -> list[Result]:
    """GET each path in turn through one pool: (status, headers, body), or the error reason."""

    async def go() -> list[Result]:
        first = wire_target(server.url(paths[0]))
        pool = Pool(_connect, first)
        results: list[Result] = []
        try:
            async with asyncio.timeout(10):
                for path in paths:
                    target = wire_target(server.url(path))
                    try:
                        response = await pool.get(target, b"User-Agent: test\r\n")
                        try:
                            body = await response.read(limit)
                        finally:
                            response.release()
                    except TransportError as exc:
                        results.append(exc.reason)
                        continue
                    results.append((response.status, response.headers, body))
        finally:
            pool.close()
        return results

    return asyncio.run(go())


def bodies(results: list[Result]) -> list[bytes | str]:
    return [r if isinstance(r, str) else r[2] for r in results]


def ok(body: bytes, *headers: str) -> bytes:
    lines = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{lines}\r\n".encode() + body


def test_kept_alive_connection_is_reused() -> None:
    answers = {"/a": Answer(ok(b"first")), "/b": Answer(ok(b"second"))}
    with RawServer(answers) as server:
        results = fetch(server, ["/a", "/b", "/a"])
        assert bodies(results) == [b"first", b"second", b"first"]
        assert server.connections == 1


def test_chunked_body_with_extensions_and_trailers() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    with RawServer({"/c": Answer(chunked), "/d": Answer(ok(b"next"))}) as server:
        results = fetch(server, ["/c", "/d"])
        assert bodies(results) == [b"hello, world", b"next"]
        assert server.connections == 1  # the chunked body ended cleanly: connection reused


def test_body_delimited_by_close_and_http_1_0_are_not_reused() -> None:
    answers = {
        "/close": Answer(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", close=True),
        "/old": Answer(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold", close=True),
        "/said": Answer(ok(b"bye", "Connection: close"), close=True),
    }
    with RawServer(answers) as server:
        results = fetch(server, ["/close", "/old", "/said"])
        assert bodies(results) == [b"until the end", b"old", b"bye"]
        assert server.connections == 3


def test_interim_answers_are_skipped() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + ok(
        b"real"
    )
    with RawServer({"/x": Answer(data)}) as server:
        [result] = fetch(server, ["/x"])
        assert not isinstance(result, str)
        assert (result[0], result[2]) == (200, b"real")


def test_no_body_answers_keep_the_connection() -> None:
    answers = {
        "/nc": Answer(b"HTTP/1.1 204 No Content\r\n\r\n"),
        "/nm": Answer(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"),
        "/ok": Answer(ok(b"ok")),
    }
    with RawServer(answers) as server:
        results = fetch(server, ["/nc", "/nm", "/ok"])
        assert [(r[0], r[2]) for r in results if not isinstance(r, str)] == [
            (204, b""),
            (304, b""),
            (200, b"ok"),
        ]
        assert server.connections == 1


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\nok",
        b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\n\r\nok",
    ],
    ids=["bare-lf", "blank-line-first", "no-reason-phrase", "no-headers"],
)
def test_lenient_answers_browsers_accept(data: bytes) -> None:
    with RawServer({"/l": Answer(data, close=True)}) as server:
        [result] = fetch(server, ["/l"])
        assert not isinstance(result, str)
        assert (result[0], result[2]) == (200, b"ok")


def test_headers_repeated_folded_and_cased() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nVary: Accept\r\nvary: Cookie\r\nX-Long: one\r\n  two\r\n"
        b"Set-Cookie: a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT\r\nset-cookie: b=2\r\n"
        b"Content-Type: text/html; charset=utf-8\r\nContent-Length: 0\r\n\r\n"
    )
    with RawServer({"/h": Answer(data)}) as server:
        [result] = fetch(server, ["/h"])
        assert not isinstance(result, str)
        headers = result[1]
        assert headers["vary"] == "Accept, Cookie"
        assert headers["set-cookie"] == "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT\nb=2"
        assert headers["x-long"] == "one two"
        assert headers["content-type"] == "text/html; charset=utf-8"


def test_body_is_read_only_up_to_the_limit() -> None:
    big = b"x" * (4 << 20)
    with RawServer({"/big": Answer(ok(big)), "/small": Answer(ok(b"s"))}) as server:
        results = fetch(server, ["/big", "/small"], limit=1000)
        assert [len(b) for b in bodies(results)] == [1000, 1]
        assert server.connections == 2  # the unread rest made the first connection useless


def test_gzip_is_decoded_and_a_gzip_bomb_stays_bounded() -> None:
    page = b"<html><body>" + b"hello " * 1000 + b"</body></html>"
    bomb = gzip.compress(bytes(32 << 20))  # 32 MiB of zeros in ~32 KiB
    deflated = zlib.compress(page)
    answers = {
        "/gz": Answer(ok(gzip.compress(page), "Content-Encoding: gzip")),
        "/deflate": Answer(ok(deflated, "Content-Encoding: deflate")),
        "/bomb": Answer(ok(bomb, "Content-Encoding: gzip")),
    }
    with RawServer(answers) as server:
        gz, deflate, exploded = fetch(server, ["/gz", "/deflate", "/bomb"], limit=1 << 20)
        assert not isinstance(gz, str) and gz[2] == page
        assert not isinstance(deflate, str) and deflate[2] == page
        assert not isinstance(exploded, str) and len(exploded[2]) == 1 << 20


def test_stale_kept_alive_connection_is_retried_once_on_a_fresh_one() -> None:
    # The server hangs up on the second request of the first connection without answering,
    # as when its keep-alive timeout crosses our request: the client must not call that an error.
    answers = {"/a": Answer(ok(b"a"), drop_next=True), "/b": Answer(ok(b"b"))}
    with RawServer(answers) as server:
        results = fetch(server, ["/a", "/b"])
        assert bodies(results) == [b"a", b"b"]
        assert server.connections == 2
        assert server.requests == ["/a", "/b", "/b"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "connection-reset"),  # a fresh connection closed without any answer
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", "connection-reset"),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEAD + 10), "protocol-error"),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 4", "protocol-error"),  # cut inside the head
    ],
    ids=[
        "closed",
        "not-http",
        "bad-status",
        "bad-header",
        "two-lengths",
        "negative-length",
        "bad-chunk",
        "negative-chunk",
        "short-body",
        "huge-head",
        "switch",
        "cut-head",
    ],
)
def test_malformed_answers(data: bytes, reason: str) -> None:
    with RawServer({"/m": Answer(data, close=True)}) as server:
        assert fetch(server, ["/m"]) == [reason]


def test_connection_refused() -> None:
    with RawServer({}) as server:
        port = server.port
    with pytest.raises(TransportError) as raised:
        asyncio.run(_connect(wire_target(f"http://127.0.0.1:{port}/")))
    assert raised.value.reason == "connection-refused"


@pytest.mark.parametrize(
    ("url", "host", "port", "path", "authority"),
    [
        ("http://example.org", "example.org", 80, "/", "example.org"),
        ("HTTPS://Example.ORG:443/A?b=C#frag", "example.org", 443, "/A?b=C", "example.org"),
        ("http://example.org:8080/a b", "example.org", 8080, "/a%20b", "example.org:8080"),
        (
            "http://пример.рф/путь?q=да",
            "xn--e1afmkfd.xn--p1ai",
            80,
            "/%D0%BF%D1%83%D1%82%D1%8C?q=%D0%B4%D0%B0",
            "xn--e1afmkfd.xn--p1ai",
        ),
        ("http://[::1]:8080/x", "::1", 8080, "/x", "[::1]:8080"),
        ("http://user:secret@example.org/p", "example.org", 80, "/p", "example.org"),
        ("http://example.org/a%20b%zz", "example.org", 80, "/a%20b%zz", "example.org"),
        ('http://example.org/{"x"}?q=<1>', "example.org", 80, "/%7B%22x%22%7D?q=%3C1%3E", None),
        ("http://example.org/p?story_fbid=1&id=2", "example.org", 80, "/p?story_fbid=1&id=2", None),
    ],
)
def test_wire_target(url: str, host: str, port: int, path: str, authority: str | None) -> None:
    target = wire_target(url)
    assert (target.host, target.port, target.path) == (host, port, path)
    if authority is not None:
        assert target.authority == authority
    # What goes on the wire is what httpx would send for the same URL.
    expected = httpx.URL(url)
    assert target.path == expected.raw_path.decode("ascii")
    assert target.host == expected.raw_host.decode("ascii").strip("[]")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "http://",
        "http:///path",
        "http://exa mple.org/",
        "http://example.org:99999/",
        "http://exa%mple.org/",
        "mailto:someone@example.org",
    ],
)
def test_wire_target_rejects(url: str) -> None:
    with pytest.raises(TransportError) as raised:
        wire_target(url)
    assert raised.value.reason == "invalid-url"


def test_idle_connections_are_capped_over_all_origins() -> None:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(RawServer({"/": Answer(ok(b"hi"))})) for _ in range(4)]

        async def go() -> None:
            pools = Pools(_connect, max_idle=2)
            try:
                for server in [*servers, servers[3], servers[0]]:
                    response = await pools.get(wire_target(server.url("/")), b"")
                    assert await response.read(100) == b"hi"
                    response.release()
            finally:
                pools.close()

        asyncio.run(go())
        # Four sites kept alive with room for two: the oldest (the first) was closed and its
        # next request needed a new connection; the latest (the fourth) was reused.
        assert [s.connections for s in servers] == [2, 1, 1, 1]


def test_tls_body_delimited_by_an_abrupt_close() -> None:
    # Many HTTPS servers end a close-delimited body by closing the TCP connection without a TLS
    # close_notify: the body is complete, not an error.
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    client_context = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    page = b"<html>" + b"x" * 100_000 + b"</html>"
    answers = {"/p": Answer(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + page, close=True)}
    with RawServer(answers, tls=server_context) as server:

        async def go() -> bytes:
            target = wire_target(server.url("/p"))
            pool = Pool(lambda t: open_stream("127.0.0.1", t, client_context, 5.0), target)
            response = await pool.get(target, b"")
            try:
                return await response.read(1 << 20)
            finally:
                response.release()
                pool.close()

        assert asyncio.run(go()) == page


def test_body_read_in_steps_continues_where_it_stopped() -> None:
    page = b"<html>" + b"step " * 5000 + b"</html>"
    answers = {"/gz": Answer(ok(gzip.compress(page), "Content-Encoding: gzip"))}
    with RawServer(answers) as server:

        async def go() -> list[bytes]:
            target = wire_target(server.url("/gz"))
            pool = Pool(_connect, target)
            response = await pool.get(target, b"")
            try:
                return [await response.read(10), await response.read(1 << 20)]
            finally:
                response.release()
                pool.close()

        first, rest = asyncio.run(go())
        assert (first, first + rest) == (page[:10], page)


def test_cookie_jar_sends_cookies_where_they_belong() -> None:
    jar = CookieJar()
    jar.take(
        "www.example.org",
        {
            "set-cookie": "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT\n"
            "b=2; Domain=.example.org; HttpOnly\n"
            "c=3; Domain=other.net\n"  # a domain the host is not in: kept for the host only
            "broken\n"
            "gone=x; Max-Age=0"
        },
    )
    assert jar.header("www.example.org") == b"Cookie: a=1; b=2; c=3\r\n"
    assert jar.header("cdn.example.org") == b"Cookie: b=2\r\n"
    assert jar.header("other.net") == b""
    jar.take("www.example.org", {"set-cookie": "a=; Max-Age=0"})
    assert jar.header("www.example.org") == b"Cookie: b=2; c=3\r\n"
    assert CookieJar().header("example.org") == b""
