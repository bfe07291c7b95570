"""The Wayback client's calls, one by one: what it asks the archive (paths, parameters, headers)
and what it makes of each answer, retries and failures included.

The answers are scripted in-process with ``httpx.MockTransport`` (the end-to-end behaviour against
the fake archive on 127.0.0.1 is in ``test_archiver.py``); their shapes are the recorded ones of
``tests/servers/fake_wayback.py``: CDX as JSON rows, ``/save/status/system`` as
``{"status": "ok"}`` or an overload message, ``POST /save`` refusing bad keys with 401.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from kzarchive.check.dns import DnsAnswer, StaticResolver
from kzarchive.models import Snapshot
from kzarchive.wayback.client import (
    WaybackClient,
    WaybackError,
    snapshot_age,
    timestamp_datetime,
)
from kzarchive.wayback.credentials import Credentials

BASE = "http://127.0.0.1:9"
KEYS = Credentials("access-key", "secret-key")
Handler = Callable[[httpx.Request], httpx.Response]
CDX_HEAD = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def cdx_rows(*stamps: str) -> httpx.Response:
    """A CDX answer as the service sends it with output=json (header row first)."""
    rows = [CDX_HEAD] + [
        ["org,example)/", stamp, "https://example.org/", "text/html", "200", "D" * 32, "900"]
        for stamp in stamps
    ]
    return httpx.Response(200, text=json.dumps(rows), headers={"content-type": "text/plain"})


class Script:
    """Answers requests in turn from a list (the last one repeats); keeps every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)


def run(
    script: Handler, call: Callable[[WaybackClient], Coroutine[Any, Any, Any]], **settings: Any
) -> Any:
    async def go() -> Any:
        settings.setdefault("backoff", 0.0)
        async with WaybackClient(
            settings.pop("base", BASE),
            settings.pop("credentials", KEYS),
            resolver=settings.pop("resolver", StaticResolver({})),
            transport=httpx.MockTransport(script),
            **settings,
        ) as client:
            return await call(client)

    return asyncio.run(go())


# -- timestamps -------------------------------------------------------------------------------


def test_timestamps_of_any_precision_are_read_as_utc_moments() -> None:
    assert timestamp_datetime("20190222131415") == datetime(2019, 2, 22, 13, 14, 15, tzinfo=UTC)
    assert timestamp_datetime("2019") == datetime(2019, 1, 1, tzinfo=UTC)
    assert timestamp_datetime("201902") == datetime(2019, 2, 1, tzinfo=UTC)
    assert timestamp_datetime("2019022213") == datetime(2019, 2, 22, 13, tzinfo=UTC)


def test_a_snapshots_age_counts_from_its_timestamp() -> None:
    snapshot = Snapshot("https://web.archive.org/web/20240101000000/x", "20240101000000")
    now = datetime(2024, 1, 3, 12, tzinfo=UTC)
    assert snapshot_age(snapshot, now) == timedelta(days=2, hours=12)
    assert snapshot_age(snapshot) > timedelta(days=365)


# -- the client's settings --------------------------------------------------------------------


def test_every_request_names_the_client_and_asks_for_json() -> None:
    script = Script(cdx_rows())
    run(script, lambda c: c.cdx("https://example.org/"), base=BASE + "/", user_agent="kz/1.0")
    request = script.requests[0]
    assert str(request.url).startswith(f"{BASE}/cdx/search/cdx?")
    assert request.headers["user-agent"] == "kz/1.0"
    assert request.headers["accept"] == "application/json"


def test_the_call_deadline_defaults_to_every_try_plus_half_a_minute() -> None:
    async def deadlines() -> tuple[float, float]:
        async with (
            WaybackClient(BASE, timeout=5.0, retries=2) as default,
            WaybackClient(BASE, timeout=5.0, call_deadline=7.0) as given,
        ):
            return default.call_deadline, given.call_deadline

    assert asyncio.run(deadlines()) == (45.0, 7.0)


def test_the_defaults_bound_a_call_to_three_minutes() -> None:
    async def defaults() -> WaybackClient:
        async with WaybackClient(BASE) as client:
            return client

    client = asyncio.run(defaults())
    assert (client.timeout, client.retries, client.call_deadline) == (30.0, 4, 180.0)
    assert (client.backoff.retries, client.backoff.base, client.backoff.cap) == (4, 2.0, 60.0)


def test_the_http_client_is_the_one_the_calls_use() -> None:
    script = Script(httpx.Response(200, text="raw page"))

    async def fetch(client: WaybackClient) -> str:
        return (await client.http.get(f"{BASE}/web/2019id_/https://example.org/")).text

    assert run(script, fetch) == "raw page"
    assert len(script.requests) == 1


# -- reachability -----------------------------------------------------------------------------


def test_an_archive_that_answers_is_reachable_and_its_status_is_read_once() -> None:
    script = Script(httpx.Response(200, json={"status": "ok"}))

    async def both(client: WaybackClient) -> tuple[str | None, str | None]:
        return await client.unreachable(), await client.system_status()

    assert run(script, both) == (None, None)
    assert [r.url.path for r in script.requests] == ["/save/status/system"]
    # Asked within 10 s at most, whatever the timeout of the other calls
    assert script.requests[0].extensions["timeout"]["read"] == 10.0
    script = Script(httpx.Response(200, json={"status": "ok"}))
    run(script, lambda c: c.system_status(), timeout=3.0)
    assert script.requests[0].extensions["timeout"]["read"] == 3.0


def test_the_status_is_fetched_when_reachability_was_not_asked() -> None:
    script = Script(httpx.Response(200, json={"status": "ok"}))
    assert run(script, lambda c: c.system_status()) is None
    assert len(script.requests) == 1


def test_an_archive_url_without_a_host_is_unreachable() -> None:
    script = Script(httpx.Response(200, json={"status": "ok"}))
    assert run(script, lambda c: c.unreachable(), base="http://") == "unreachable"
    assert script.requests == []


def test_an_archive_name_that_does_not_resolve_is_unreachable_when_others_do() -> None:
    resolver = StaticResolver({"web.archive.org": "127.0.0.1", "example.com": "127.0.0.1"})
    script = Script(httpx.Response(200, json={"status": "ok"}))
    found = run(script, lambda c: c.unreachable(), base="http://archive.invalid", resolver=resolver)
    assert found == "unreachable"
    assert script.requests == []


def test_an_archive_name_that_does_not_resolve_when_nothing_does_means_offline() -> None:
    script = Script(httpx.Response(200, json={"status": "ok"}))
    found = run(script, lambda c: c.unreachable(), base="http://archive.invalid")
    assert found == "offline"
    assert script.requests == []


def test_a_resolving_archive_name_is_asked_for_its_status() -> None:
    async def lookup(host: str) -> DnsAnswer:
        return DnsAnswer("ok", ("127.0.0.1",))

    script = Script(httpx.Response(200, json={"status": "ok"}))
    assert (
        run(script, lambda c: c.unreachable(), base="http://archive.test", resolver=lookup) is None
    )
    assert str(script.requests[0].url) == "http://archive.test/save/status/system"


def test_an_archive_that_refuses_connections_is_unreachable() -> None:
    script = Script(httpx.ConnectError("refused"))
    assert run(script, lambda c: c.unreachable()) == "unreachable"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        # /save/status/system when Save Page Now is overloaded (seen in 2023 cassettes)
        (
            httpx.Response(200, json={"status": "error", "message": "SPN2 is overloaded"}),
            "SPN2 is overloaded",
        ),
        (httpx.Response(200, json={"status": "degraded"}), "degraded"),
        (httpx.Response(200, text='{"status": ""}'), '{"status": ""}'),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), "HTTP 502"),
        (httpx.Response(200, text="<html>maintenance</html>"), "unexpected answer: maintenance"),
        (httpx.Response(200, json=["ok"]), 'unexpected answer: ["ok"]'),
    ],
)
def test_what_save_page_now_says_about_itself(answer: httpx.Response, said: str) -> None:
    assert run(Script(answer), lambda c: c.system_status()) == said


def test_a_status_that_cannot_be_fetched_says_why() -> None:
    found = run(Script(httpx.ReadError("reset")), lambda c: c.system_status())
    assert found == "no answer (ReadError)"


# -- retries ----------------------------------------------------------------------------------


def test_a_server_error_is_asked_again_after_a_growing_pause(sleeps: list[float]) -> None:
    script = Script(
        httpx.Response(500, text="boom"),
        httpx.Response(503, text="busy"),
        cdx_rows("20190101000000"),
    )
    found = run(script, lambda c: c.cdx("https://example.org/"), backoff=1.0, retries=3)
    assert [s.timestamp for s in found] == ["20190101000000"]
    assert len(script.requests) == 3
    assert 1.0 <= sleeps[0] <= 1.25 and 2.0 <= sleeps[1] <= 2.25


def test_retry_after_is_honoured_on_a_503(sleeps: list[float]) -> None:
    script = Script(httpx.Response(503, headers={"retry-after": "7"}), cdx_rows())
    run(script, lambda c: c.cdx("https://example.org/"), backoff=1.0)
    assert 7.0 <= sleeps[0] <= 7.25


def test_a_server_errors_page_is_said_in_120_characters() -> None:
    script = Script(httpx.Response(502, text="x" * 500))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.cdx("https://example.org/"), retries=0)
    assert caught.value.message == "HTTP 502: " + "x" * 119 + "…"


def test_retry_after_is_honoured_on_a_429(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"retry-after": "7"}), cdx_rows())
    found = run(script, lambda c: c.cdx("https://example.org/"), backoff=1.0)
    assert len(sleeps) == 1 and 6.9 <= sleeps[0] <= 7.0
    assert found == [] and len(script.requests) == 2


def test_a_429_asking_for_longer_than_a_run_waits_stops_look_ups_at_once(
    sleeps: list[float],
) -> None:
    script = Script(httpx.Response(429, headers={"retry-after": "3600"}))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.cdx("https://example.org/"), retry_after_cap=60.0)
    assert caught.value.reason == "cdx-stopped"
    assert "HTTP 429 (asking to wait 3600 s)" in caught.value.message
    assert sleeps == [] and len(script.requests) == 1


def test_retries_are_bounded_and_the_last_failure_is_reported(sleeps: list[float]) -> None:
    script = Script(httpx.Response(502, text="<h1>Bad gateway</h1>"))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.cdx("https://example.org/"), retries=2)
    assert len(script.requests) == 3 and len(sleeps) == 2
    assert caught.value.reason == "server-error"
    assert caught.value.message == "HTTP 502: Bad gateway"


@pytest.mark.parametrize(
    ("failure", "reason", "message"),
    [
        (httpx.ReadTimeout("slow"), "timeout", "no answer from the archive within 3 s"),
        (httpx.ConnectError("refused"), "unreachable", "ConnectError"),
    ],
)
def test_transport_failures_are_retried_then_reported(
    sleeps: list[float], failure: Exception, reason: str, message: str
) -> None:
    script = Script(failure)
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.cdx("https://example.org/"), retries=1, timeout=3.0)
    assert (caught.value.reason, caught.value.message) == (reason, message)
    assert len(script.requests) == 2


def test_a_transport_failure_then_an_answer_is_an_answer(sleeps: list[float]) -> None:
    script = Script(httpx.ConnectError("refused"), cdx_rows("20200101000000"))
    found = run(script, lambda c: c.cdx("https://example.org/"))
    assert [s.timestamp for s in found] == ["20200101000000"]


def test_a_call_never_outlasts_its_deadline() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    async def go() -> WaybackError:
        async with WaybackClient(
            BASE, transport=httpx.MockTransport(hang), call_deadline=0.2
        ) as client:
            with pytest.raises(WaybackError) as caught:
                await client.cdx("https://example.org/")
            return caught.value

    failure = asyncio.run(go())
    assert failure.reason == "timeout"
    assert failure.message == "no usable answer from the archive within 0.2 s"


# -- CDX ----------------------------------------------------------------------------------------


def test_a_cdx_query_asks_for_json_rows_of_captures() -> None:
    script = Script(cdx_rows("20190101000000", "20200101000000"))
    found = run(script, lambda c: c.latest("https://example.org/"))
    assert found is not None and found.timestamp == "20200101000000"
    assert script.params() == {
        "url": "https://example.org/",
        "output": "json",
        "filter": "statuscode:[23]..",
        "limit": "-1",
    }


def test_no_capture_is_none() -> None:
    script = Script(cdx_rows())
    assert run(script, lambda c: c.latest("https://example.org/")) is None
    assert (
        run(Script(cdx_rows()), lambda c: c.since("https://example.org/", datetime.now(UTC)))
        is None
    )


def test_since_asks_in_utc_whatever_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Almaty")
    time.tzset()
    try:
        script = Script(cdx_rows())
        moment = datetime(2024, 3, 1, 15, 30, 5, tzinfo=UTC)
        run(script, lambda c: c.since("https://example.org/", moment))
        assert script.params()["from"] == "20240301153005"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_grace_of_hours_still_looks_after_the_day() -> None:
    script = Script(cdx_rows(), cdx_rows("20190223060000"))
    found = run(
        script,
        lambda c: c.closest("https://example.org/", date(2019, 2, 22), timedelta(hours=12)),
    )
    assert found is not None and found.timestamp == "20190223060000"
    assert script.params(1)["to"] == "20190223115959"


def test_since_asks_for_captures_from_that_moment_in_utc() -> None:
    script = Script(cdx_rows("20240301100000", "20240301110000"))
    moment = datetime(2024, 3, 1, 15, 30, 5, tzinfo=UTC).astimezone(
        datetime.now().astimezone().tzinfo
    )
    found = run(script, lambda c: c.since("https://example.org/", moment))
    assert found is not None and found.timestamp == "20240301110000"
    assert script.params()["from"] == "20240301153005"
    assert script.params()["limit"] == "-1"


def test_as_cited_is_the_last_good_capture_on_or_before_the_day() -> None:
    script = Script(cdx_rows("20190101000000", "20190222090000"))
    found = run(script, lambda c: c.closest("https://example.org/", date(2019, 2, 22)))
    assert found is not None and found.timestamp == "20190222090000"
    assert len(script.requests) == 1
    assert script.params() == {
        "url": "https://example.org/",
        "output": "json",
        "filter": "statuscode:2..",
        "to": "20190222235959",
        "limit": "-5",
    }


def test_else_as_cited_is_the_first_good_capture_within_a_week_after() -> None:
    script = Script(cdx_rows(), cdx_rows("20190225000000", "20190226000000"))
    found = run(script, lambda c: c.closest("https://example.org/", date(2019, 2, 22)))
    assert found is not None and found.timestamp == "20190225000000"
    assert script.params(1) == {
        "url": "https://example.org/",
        "output": "json",
        "filter": "statuscode:2..",
        "from": "20190223000000",
        "to": "20190301235959",
        "limit": "1",
    }


def test_without_grace_nothing_after_the_day_is_as_cited() -> None:
    script = Script(cdx_rows())
    found = run(
        script, lambda c: c.closest("https://example.org/", date(2019, 2, 22), timedelta(0))
    )
    assert found is None and len(script.requests) == 1
    assert (
        run(Script(cdx_rows()), lambda c: c.closest("https://example.org/", date(2019, 2, 22)))
        is None
    )


# -- Save Page Now 2 --------------------------------------------------------------------------


def test_the_accounts_status_is_asked_with_the_keys_and_past_any_cache() -> None:
    script = Script(httpx.Response(200, json={"available": 6, "processing": 2}))
    found = run(script, lambda c: c.user_status())
    assert found is not None and found["available"] == 6 and found["processing"] == 2
    request = script.requests[0]
    assert request.url.path == "/save/status/user"
    assert request.headers["authorization"] == "LOW access-key:secret-key"
    token = script.params()["_t"]
    assert len(token) == 8 and int(token, 16) >= 0


def test_an_accounts_status_that_cannot_be_had_is_none(sleeps: list[float]) -> None:
    assert run(Script(httpx.Response(404, text="nope")), lambda c: c.user_status()) is None
    refused = httpx.Response(403, json={"available": 5})  # a body that reads, from a refusal
    assert run(Script(refused), lambda c: c.user_status()) is None
    assert run(Script(httpx.ConnectError("x")), lambda c: c.user_status(), retries=0) is None


def test_without_keys_no_authorization_is_sent() -> None:
    script = Script(httpx.Response(200, json={"available": 1}))
    run(script, lambda c: c.user_status(), credentials=None)
    assert "authorization" not in script.requests[0].headers


def test_a_submission_posts_the_url_and_options_with_the_keys() -> None:
    script = Script(httpx.Response(200, json={"url": "https://example.org/", "job_id": "spn2-abc"}))
    reply = run(script, lambda c: c.submit("https://example.org/", {"capture_all": "1"}))
    assert reply.job_id == "spn2-abc"
    request = script.requests[0]
    assert (request.method, request.url.path) == ("POST", "/save")
    assert request.headers["authorization"] == "LOW access-key:secret-key"
    assert dict(httpx.QueryParams(request.content.decode())) == {
        "url": "https://example.org/",
        "capture_all": "1",
    }


@pytest.mark.parametrize("status", [401, 403])
def test_a_submission_refused_for_its_keys_says_so(status: int) -> None:
    script = Script(httpx.Response(status, json={"message": "You need to be logged in"}))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.submit("https://example.org/", {}))
    assert caught.value.reason == "unauthorized"
    assert caught.value.message == (
        f"Save Page Now refused the keys (HTTP {status}): check IA_ACCESS_KEY/IA_SECRET_KEY"
    )


def test_a_submission_is_never_sent_twice_after_a_server_error(sleeps: list[float]) -> None:
    script = Script(httpx.Response(523, text="<html>Origin unreachable</html>"))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.submit("https://example.org/", {}))
    assert len(script.requests) == 1 and sleeps == []
    assert (caught.value.reason, caught.value.message) == (
        "server-error",
        "HTTP 523: Origin unreachable",
    )


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("closed")]
)
def test_a_lost_submission_is_never_sent_again(sleeps: list[float], failure: Exception) -> None:
    script = Script(failure)
    with pytest.raises(WaybackError):
        run(script, lambda c: c.submit("https://example.org/", {}))
    assert len(script.requests) == 1


def test_a_rate_limited_submission_is_sent_again(sleeps: list[float]) -> None:
    script = Script(
        httpx.Response(429, text="Too Many Requests"),
        httpx.Response(200, json={"url": "https://example.org/", "job_id": "spn2-1"}),
    )
    assert run(script, lambda c: c.submit("https://example.org/", {})).job_id == "spn2-1"
    assert len(script.requests) == 2


def test_a_submission_answered_with_another_status_is_a_bad_reply() -> None:
    script = Script(httpx.Response(404, text="<p>Not   found</p>"))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.submit("https://example.org/", {}))
    assert (caught.value.reason, caught.value.message) == ("bad-reply", "HTTP 404: Not found")


def test_a_jobs_status_is_asked_by_its_id() -> None:
    # Early job statuses (the 2020 shape) carry no job_id of their own
    script = Script(httpx.Response(200, json={"status": "pending", "resources": []}))
    status = run(script, lambda c: c.job("spn2-abc"))
    assert (status.status, status.job_id) == ("pending", "spn2-abc")
    assert script.requests[0].url.path == "/save/status/spn2-abc"
    assert script.requests[0].headers["authorization"] == "LOW access-key:secret-key"


def test_a_job_status_answered_with_an_error_is_a_bad_reply() -> None:
    script = Script(httpx.Response(404, text="<html>no such job</html>"))
    with pytest.raises(WaybackError) as caught:
        run(script, lambda c: c.job("spn2-abc"))
    assert (caught.value.reason, caught.value.message) == (
        "bad-reply",
        "job status HTTP 404: no such job",
    )


# -- the keyless save ---------------------------------------------------------------------------


def test_a_keyless_save_asks_for_the_page_like_a_browser() -> None:
    script = Script(
        httpx.Response(
            200,
            headers={"content-location": "/web/20240301120000/https://example.org/"},
            text="<html>saved</html>",
        )
    )
    saved = run(script, lambda c: c.anonymous_save("https://example.org/", 5.0))
    assert saved.timestamp == "20240301120000"
    request = script.requests[0]
    assert str(request.url) == f"{BASE}/save/https://example.org/"
    assert request.headers["accept"] == "text/html,*/*"
    assert request.extensions["timeout"]["read"] == 5.0
    assert request.extensions["timeout"]["connect"] == 5.0


def test_a_keyless_save_that_redirects_to_its_capture_is_read_where_it_ends() -> None:
    # Some answers are a redirect to the new capture itself (clients' parsers, 2019)
    capture = f"{BASE}/web/20240301120000/https://example.org/"
    script = Script(
        httpx.Response(302, headers={"location": capture}),
        httpx.Response(200, text="<html>the capture</html>"),
    )
    saved = run(script, lambda c: c.anonymous_save("https://example.org/", 5.0))
    assert saved.timestamp == "20240301120000"
    assert [str(r.url) for r in script.requests][-1] == capture


def test_a_keyless_save_connects_within_ten_seconds_at_most() -> None:
    script = Script(httpx.Response(200, text="<html>saved</html>"))
    run(script, lambda c: c.anonymous_save("https://example.org/", 60.0))
    assert script.requests[0].extensions["timeout"]["connect"] == 10.0


@pytest.mark.parametrize(
    ("failure", "reason", "message"),
    [
        (httpx.ReadTimeout("slow"), "timeout", "no answer within 5 s"),
        (httpx.ConnectError("refused"), "unreachable", "ConnectError"),
    ],
)
def test_a_keyless_save_that_fails_says_how(failure: Exception, reason: str, message: str) -> None:
    with pytest.raises(WaybackError) as caught:
        run(Script(failure), lambda c: c.anonymous_save("https://example.org/", 5.0))
    assert (caught.value.reason, caught.value.message) == (reason, message)


# -- answers without the usual headers ------------------------------------------------------------


def test_a_save_answer_without_a_content_type_is_still_read() -> None:
    page = b'<html><script>spn.watchJob("spn2-0a1b", "/_static/", 6000);</script></html>'
    reply = run(Script(httpx.Response(200, content=page)), lambda c: c.submit("https://e.org/", {}))
    assert reply.job_id == "spn2-0a1b"


def test_a_save_answer_typed_json_that_is_no_object_is_a_bad_reply() -> None:
    answer = httpx.Response(200, content=b'"queued"', headers={"content-type": "application/json"})
    with pytest.raises(WaybackError) as caught:
        run(Script(answer), lambda c: c.submit("https://e.org/", {}))
    assert (caught.value.reason, caught.value.message) == ("bad-reply", 'HTTP 200: "queued"')


def test_the_timeout_given_bounds_a_silent_archive() -> None:
    # A real socket that accepts and never answers (MockTransport knows no timeouts).
    with socket.create_server(("127.0.0.1", 0)) as silent:
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"

        async def ask() -> tuple[str, float]:
            async with WaybackClient(
                base, timeout=0.3, retries=0, resolver=StaticResolver({})
            ) as client:
                started = time.monotonic()
                with pytest.raises(WaybackError) as caught:
                    await client.cdx("https://example.org/")
                return caught.value.reason, time.monotonic() - started

        reason, took = asyncio.run(ask())
    assert reason == "timeout"
    assert took < 2.0  # httpx's own default would wait 5 s
