"""What real servers send, byte for byte, through the whole checker: a verdict, never a crash.

Each answer below is sent exactly as scripted by a raw socket server on 127.0.0.1. The regression
cases are the defects found in the hand-written client this replaced (issue 11): non-ASCII digits in
numeric headers, a UTF-8 ``Location``, stray bytes after an answer, raw deflate bodies.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzarchive.check import CheckOptions
from kzarchive.check.checker import CheckRun, check_urls
from kzarchive.check.dns import StaticResolver
from kzarchive.check.session import MAX_HEAD_LINE
from tests.servers.raw import Answer, RawServer
from tests.strategies import mutate

OPTIONS = CheckOptions(timeout=3.0, retries=1, backoff=0.01, second_look=False, per_host=1)
PAGE = b"<html><head><title>A report</title></head><body>" + b"words " * 400 + b"</body></html>"


def ok(body: bytes = PAGE, *headers: str) -> bytes:
    lines = "".join(f"{h}\r\n" for h in headers)
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n{lines}\r\n"
    ).encode() + body


def run(server: RawServer, paths: list[str], options: CheckOptions = OPTIONS) -> CheckRun:
    urls = [server.url(p) for p in paths]
    return asyncio.run(check_urls(urls, options, resolver=StaticResolver({})))


def verdicts(server: RawServer, paths: list[str]) -> list[tuple[str, str]]:
    checks = run(server, paths).checks
    return [(checks[server.url(p)].verdict, checks[server.url(p)].reason) for p in paths]


# -- the defects of the hand-written client ----------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Max-Age=\xb2\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 429 Too Many\r\nRetry-After: \xb2\r\nContent-Length: 2\r\n\r\nno",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: \xb2\r\n\r\n"
        b"2\r\nok\r\n0\r\n\r\n",
    ],
    ids=["content-length", "cookie-max-age", "retry-after", "length-beside-chunked"],
)
def test_non_ascii_digits_in_numeric_headers_never_crash(data: bytes) -> None:
    # 0xB2 is "²" in latin-1, which str.isdigit() accepts and int() refuses.
    answers = {f"/good{n}": Answer(ok()) for n in range(50)}
    answers["/bad"] = Answer(data, close=True)
    with RawServer(answers) as server:
        found = run(server, [*answers], CheckOptions(timeout=3.0, retries=0, second_look=False))
        checks = {url.rsplit("/", 1)[1]: check for url, check in found.checks.items()}
    assert len(checks) == 51
    assert all(checks[f"good{n}"].verdict == "alive" for n in range(50))
    assert checks["bad"].verdict in ("alive", "error", "blocked")


def test_a_utf8_location_is_followed_as_browsers_follow_it() -> None:
    answers = {
        "/cafe": Answer(
            "HTTP/1.1 301 Moved\r\nLocation: /café\r\nContent-Length: 0\r\n\r\n".encode()
        ),
        "/caf%C3%A9": Answer(ok()),
    }
    with RawServer(answers) as server:
        check = run(server, ["/cafe"]).checks[server.url("/cafe")]
        assert (check.verdict, check.reason) == ("redirected", "http-200-after-301")
        assert check.final_url == server.url("/caf%C3%A9")
        assert server.requests[:2] == ["/cafe", "/caf%C3%A9"]


@pytest.mark.parametrize(
    "first",
    [
        ok(b"a") + b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\nstray body bytes",
    ],
    ids=["second-answer", "204-with-body"],
)
def test_stray_bytes_are_never_blamed_on_the_next_link(first: bytes) -> None:
    answers = {"/first": Answer(first), "/next": Answer(ok())}
    with RawServer(answers) as server:
        found = verdicts(server, ["/first", "/next"])
    assert found[1] == ("alive", "http-200")


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, no zlib wrapper (old IIS)
        ("deflate", zlib.compress(PAGE)),
        ("gzip", gzip.compress(PAGE)),
    ],
    ids=["raw-deflate", "zlib-deflate", "gzip"],
)
def test_compressed_bodies_are_decoded(encoding: str, body: bytes) -> None:
    with RawServer({"/c": Answer(ok(body, f"Content-Encoding: {encoding}"))}) as server:
        check = run(server, ["/c"]).checks[server.url("/c")]
    assert (check.verdict, check.reason) == ("alive", "http-200")
    assert check.sha256 == hashlib.sha256(PAGE).hexdigest()


def test_a_gzip_bomb_costs_max_body() -> None:
    bomb = gzip.compress(bytes(64 << 20))  # 64 MiB of zeros in ~64 KiB
    options = CheckOptions(timeout=5.0, max_body=1 << 20, second_look=False)
    with RawServer({"/bomb": Answer(ok(bomb, "Content-Encoding: gzip"))}) as server:
        check = run(server, ["/bomb"], options).checks[server.url("/bomb")]
    assert check.verdict == "alive"
    assert check.sha256 == hashlib.sha256(bytes(1 << 20)).hexdigest()


def test_every_address_of_a_name_is_tried() -> None:
    # The name resolves to ::1 first; the server listens on 127.0.0.1 only.
    with RawServer({"/ok": Answer(ok())}) as server:
        url = f"http://dual.test:{server.port}/ok"
        resolver = StaticResolver({"dual.test": ("::1", "127.0.0.1")})
        found = asyncio.run(check_urls([url], OPTIONS, resolver=resolver))
    assert (found.checks[url].verdict, found.checks[url].reason) == ("alive", "http-200")


def test_kept_alive_connections_are_reused() -> None:
    answers = {f"/p{n}": Answer(ok()) for n in range(10)}
    with RawServer(answers) as server:
        assert {v for v, _ in verdicts(server, [*answers])} == {"alive"}
        # One connection for the ten links, one for the soft-404 probe that runs beside them.
        assert server.connections <= 2


def test_a_stale_kept_alive_connection_is_not_an_error() -> None:
    # The server hangs up on the second request of a connection without answering, as when its
    # keep-alive timeout crosses our request.
    answers = {"/a": Answer(ok(), drop_next=True), "/b": Answer(ok())}
    with RawServer(answers) as server:
        assert verdicts(server, ["/a", "/b"]) == [("alive", "http-200")] * 2


# -- answers browsers accept ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\nContent-Length: 5\nX-A: b\n\nhello",
        b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\n\r\nhello",
        b"HTTP/1.0 200 OK\r\n\r\nhello",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a="
        + b"x" * 20_000
        + b"\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a="
        + b"x" * 200_000
        + b"\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\n"
        + b"".join(b"X-H%d: v\r\n" % n for n in range(1000))
        + b"Content-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
    ],
    ids=[
        "bare-lf",
        "blank-line-first",
        "no-reason-phrase",
        "no-headers",
        "http-1.0-close-delimited",
        "1xx-before-the-answer",
        "20KB-set-cookie",
        "200KB-set-cookie",
        "1000-headers",
        "chunked-with-extension-and-trailer",
    ],
)
def test_answers_browsers_accept_are_alive(data: bytes) -> None:
    with RawServer({"/l": Answer(data, close=True)}) as server:
        check = run(server, ["/l"]).checks[server.url("/l")]
    assert (check.verdict, check.reason) == ("alive", "http-200")
    assert check.sha256 == hashlib.sha256(b"hello").hexdigest()


# -- malformed answers: an error with a reason ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "connection-reset"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "protocol-error"),
        (b"\x00\x01\x02 garbage status line\r\n\r\n", "protocol-error"),
        (b"<html>an HTTP/0.9-style body</html>", "protocol-error"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "protocol-error"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
            b"2\r\nok\r\n0\r\n\r\n",
            "protocol-error",
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", "connection-reset"),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEAD_LINE + 10), "protocol-error"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 4", "connection-reset"),
    ],
    ids=[
        "closed-at-once",
        "not-http",
        "garbage-status-line",
        "http-0.9",
        "bad-status",
        "header-without-colon",
        "nul-byte",
        "two-lengths",
        "negative-length",
        "chunked-and-length",
        "bad-chunk",
        "short-body",
        "head-over-the-limit",
        "cut-inside-the-head",
    ],
)
def test_malformed_answers_are_errors_with_a_reason(data: bytes, reason: str) -> None:
    with RawServer({"/m": Answer(data, close=True)}) as server:
        assert verdicts(server, ["/m"]) == [("error", reason)]


def test_a_reset_in_the_middle_of_the_head() -> None:
    with RawServer({"/r": Answer(b"HTTP/1.1 200 OK\r\nContent-Ty", reset=True)}) as server:
        assert verdicts(server, ["/r"]) == [("error", "connection-reset")]


def test_connection_refused() -> None:
    with RawServer({}) as server:
        url = server.url("/gone")
    found = asyncio.run(check_urls([url], OPTIONS, resolver=StaticResolver({})))
    assert (found.checks[url].verdict, found.checks[url].reason) == ("error", "connection-refused")


# -- property: whatever a server sends, a verdict -------------------------------------------

_SEEDS = [
    ok(),
    ok(gzip.compress(PAGE), "Content-Encoding: gzip"),
    b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 429 Slow down\r\nRetry-After: 0\r\nSet-Cookie: a=b; Max-Age=3\r\n\r\n",
]


@st.composite
def mutated_answers(draw: st.DrawFn) -> bytes:
    """A real answer with bytes flipped, cut, inserted or repeated."""
    return mutate(
        draw(st.sampled_from(_SEEDS)),
        draw,
        max_edits=6,
        max_cut=None,
        inserts=st.binary(min_size=1, max_size=16),
        max_repeat=40,
    )


@pytest.fixture(scope="module")
def mutable_server() -> Iterator[RawServer]:
    with RawServer({"/elsewhere": Answer(ok())}) as server:
        yield server


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(answer=mutated_answers())
def test_any_mutated_answer_gets_a_verdict(mutable_server: RawServer, answer: bytes) -> None:
    options = CheckOptions(timeout=1.0, retries=0, second_look=False, max_redirects=2)
    path = f"/x{len(mutable_server.answers)}"
    mutable_server.answers[path] = Answer(answer, close=True)
    check = run(mutable_server, [path], options).checks[mutable_server.url(path)]
    assert check.verdict in ("alive", "redirected", "dead", "blocked", "error")
    assert check.reason
