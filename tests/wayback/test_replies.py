"""Reading the Wayback Machine's answers: the recorded shapes, and anything else without a crash.

The bodies below are the shapes recorded from web.archive.org (edgi-govdata-archiving/wayback's
cassettes, 2023; the SPN2 doc; the parsers of pywaybackup, spn.sh and archiveorgbackups).
"""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzarchive.wayback.anonymous import link_mementos, read_anonymous_save
from kzarchive.wayback.replies import (
    JobStatus,
    SaveReply,
    WaybackError,
    exclusion,
    read_cdx,
    read_job_status,
    read_save_reply,
    read_user_status,
    trimmed,
)

BLOCKED = (
    "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
    "AdministrativeAccessControlException:\n Blocked Site Error\n"
)
CDX_JSON = (
    '[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],\n'
    '["gov,nasa)/", "19961231235847", "http://www.nasa.gov:80/", "text/html", "200", '
    '"MGIGF4GRGGF5GKV6VNCBAXOE3OR5BTZC", "1811"],\n'
    '["gov,nasa)/", "19970101000000", "https://nasa.gov/", "warc/revisit", "-", '
    '"MGIGF4GRGGF5GKV6VNCBAXOE3OR5BTZC", "560"],\n'
    '["gov,nasa)/", "19970102000000", "http://nasa.gov/", "text/html", "301", '
    '"3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "410"]]\n'
)


def test_cdx_json_rows_one_per_line() -> None:
    rows = read_cdx(200, {"content-type": "text/plain;charset=UTF-8"}, CDX_JSON)
    assert [(s.timestamp, s.status) for s in rows] == [
        ("19961231235847", 200),
        ("19970101000000", None),  # a revisit has no status of its own
        ("19970102000000", 301),
    ]
    # The capture's address uses the original as the index gives it back.
    assert rows[0].url == "https://web.archive.org/web/19961231235847/http://www.nasa.gov:80/"


@pytest.mark.parametrize("body", ["[]\n", "", "   \n"])
def test_cdx_without_captures(body: str) -> None:
    assert read_cdx(200, {}, body) == []


def test_cdx_blocked_site_as_recorded() -> None:
    headers = {"x-archive-wayback-runtime-error": BLOCKED.replace("\n", "")}
    with pytest.raises(WaybackError) as raised:
        read_cdx(403, headers, BLOCKED)
    assert raised.value.reason == "blocked-site"


@pytest.mark.parametrize("status", [200, 403])
def test_cdx_robots_exclusion_with_either_status(status: int) -> None:
    body = "org.archive.wayback.exception.RobotAccessControlException: Blocked By Robots"
    with pytest.raises(WaybackError) as raised:
        read_cdx(status, {}, body)
    assert raised.value.reason == "robots-excluded"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, "<html><body>Wayback Machine is down for maintenance</body></html>", "cdx-bad-reply"),
        (200, '{"error": "x"}', "cdx-bad-reply"),
        (404, "<html>Not Found</html>", "cdx-error"),
        (
            200,
            "gov,nasa)/ 19961231235847 http://www.nasa.gov:80/ text/html 200 X 1811",
            "cdx-bad-reply",
        ),
    ],
    ids=["html", "json-object", "404", "plain-text-rows"],
)
def test_cdx_answers_that_are_not_what_was_asked_for(status: int, body: str, reason: str) -> None:
    with pytest.raises(WaybackError) as raised:
        read_cdx(status, {}, body)
    assert raised.value.reason == reason
    assert trimmed(body)[:20] in raised.value.message  # the text received, trimmed


def test_save_reply_with_a_job() -> None:
    reply = read_save_reply(
        200, "application/json", '{"url": "https://a.org/", "job_id": "spn2-' + "a" * 40 + '"}'
    )
    assert reply.job_id == "spn2-" + "a" * 40 and not reply.recent_capture


@pytest.mark.parametrize("job", ['"spn2-' + "b" * 40 + '"', "null"])
def test_save_reply_same_snapshot(job: str) -> None:
    body = (
        '{"url": "https://a.org/", "job_id": ' + job + ', "message": "The same snapshot had '
        'been made 2 minutes ago. You can make new capture of this URL after 45 minutes."}'
    )
    reply = read_save_reply(200, "application/json", body)
    assert reply.recent_capture and reply.minutes_ago == 2
    assert (reply.job_id is None) == (job == "null")


def test_save_reply_html_page_with_its_job_and_message() -> None:
    page = (
        "<html><body><p>The same snapshot had been made 5 minutes ago. You can make new capture "
        'of this URL after 1 hour.</p><script>spn.watchJob("spn2-' + "c" * 40 + '", '
        '"/_static/",6000);</script></body></html>'
    )
    reply = read_save_reply(200, "text/html", page)
    assert reply.job_id == "spn2-" + "c" * 40
    assert reply.message is not None and reply.message.startswith("The same snapshot")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '{"status": "error", "status_ext": "error:too-many-daily-captures", "message": '
            '"This URL has been captured 10 times today. Please try again tomorrow."}',
            "too-many-daily-captures",
        ),
        (
            '{"status": "error", "status_ext": "error:too-many-daily-captures", "message": '
            '"You cannot make more than 100,000 captures per day."}',
            "account-daily-limit",
        ),
        (
            "<html><p>You cannot make more than (4,000) captures per day.</p></html>",
            "account-daily-limit",
        ),
        ('{"status": "error", "status_ext": "error:blocked-url", "message": "x"}', "blocked-url"),
        ("<html><body>Something else entirely</body></html>", "bad-reply"),
        ('{"url": "https://a.org/"}', "bad-reply"),
        ("[1, 2]", "bad-reply"),
    ],
    ids=["url-cap", "account-cap-json", "account-cap-html", "refusal", "html", "no-job", "list"],
)
def test_save_refusals(body: str, reason: str) -> None:
    with pytest.raises(WaybackError) as raised:
        read_save_reply(200, "", body)
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    "body",
    [
        # doc
        '{"status": "success", "job_id": "j", "original_url": "https://a.org/", '
        '"timestamp": "20180326070330", "duration_sec": 6.2, "resources": [], "outlinks": [], '
        '"http_status": 200}',
        # 2020: no http_status
        '{"status": "success", "job_id": "j", "original_url": "https://a.org/", '
        '"timestamp": "20200326070330", "resources": []}',
        # first_archive, counters, outlinks as a dict
        '{"status": "success", "job_id": "j", "original_url": "https://a.org/", '
        '"timestamp": "20230326070330", "first_archive": true, "counters": {"embeds": 3}, '
        '"outlinks": {"https://b.org/": "spn2-x"}, "screenshot": "x", '
        '"delay_wb_availability": true, "http_status": "200"}',
    ],
    ids=["doc", "2020", "rich"],
)
def test_job_success_variants(body: str) -> None:
    status = read_job_status("j", body)
    snapshot = status.snapshot()
    assert status.status == "success" and snapshot is not None
    assert snapshot.url == f"https://web.archive.org/web/{status.timestamp}/https://a.org/"


def test_job_error_with_exception_only() -> None:
    status = read_job_status(
        "j", '{"status": "error", "status_ext": "error:proxy-error", "exception": "ProxyError"}'
    )
    assert (status.status_ext, status.message) == ("proxy-error", "ProxyError")


@pytest.mark.parametrize("body", ["<html>oops</html>", '{"status": "weird"}', '"text"'])
def test_job_status_of_an_unknown_shape(body: str) -> None:
    with pytest.raises(WaybackError) as raised:
        read_job_status("j", body)
    assert raised.value.reason == "bad-reply"


def test_user_status() -> None:
    text = (
        '{"available": 8, "processing": 3, "daily_captures": 10199, "daily_captures_limit": 100000}'
    )
    assert read_user_status(text) == {
        "available": 8,
        "processing": 3,
        "daily_captures": 10199,
        "daily_captures_limit": 100000,
    }
    assert read_user_status("<html/>") is None


URL = "https://fidu.it/en/report/"
MEMENTO = f"https://web.archive.org/web/20210101000000/{URL}"


@pytest.mark.parametrize(
    ("headers", "final_url", "timestamp"),
    [
        ({"content-location": f"/web/20200101000000/{URL}"}, URL, "20200101000000"),
        (
            {
                "link": f'<{URL}>; rel="original", <{MEMENTO}>; rel="memento"; datetime="x", '
                f'<https://web.archive.org/web/20190101000000/{URL}>; rel="first memento"'
            },
            URL,
            "20210101000000",
        ),
        (
            {
                "link": f'<{URL}>; rel="original", '
                f'<https://web.archive.org/web/{URL}>; rel="timegate"'
            },
            URL,
            None,
        ),
        ({}, f"https://web.archive.org/web/20220101000000/{URL}", "20220101000000"),
    ],
    ids=["content-location-2020", "memento-link-2021", "timegate-only-2025", "redirect"],
)
def test_anonymous_save_shapes(
    headers: dict[str, str], final_url: str, timestamp: str | None
) -> None:
    saved = read_anonymous_save(200, headers, final_url)
    assert saved.timestamp == timestamp
    if timestamp:
        assert saved.url == f"https://web.archive.org/web/{timestamp}/{URL}"


def test_link_mementos_prefer_the_memento() -> None:
    header = (
        f'<{URL}>; rel="original", <https://w/web/1/{URL}>; rel="first memento", '
        f'<https://w/web/3/{URL}>; rel="last memento", <https://w/web/2/{URL}>; rel="memento"'
    )
    assert link_mementos(header)[0] == f"https://w/web/2/{URL}"


@settings(max_examples=200, deadline=None)
@given(
    status=st.sampled_from([200, 403, 404, 500]),
    text=st.one_of(
        st.text(max_size=300),
        st.sampled_from(
            [CDX_JSON, BLOCKED, '{"job_id": null}', "[[1],[2,3]]", '{"status": 5}']
        ).flatmap(lambda seed: st.integers(0, len(seed)).map(lambda cut: seed[:cut])),
    ),
)
def test_no_answer_raises_anything_but_a_wayback_error(status: int, text: str) -> None:
    for read in (
        lambda: read_cdx(status, {}, text),
        lambda: read_save_reply(status, "", text),
        lambda: read_job_status("j", text),
        lambda: read_user_status(text),
        lambda: read_anonymous_save(status, {"link": text, "content-location": text}, text),
    ):
        with contextlib.suppress(WaybackError):
            read()


def test_trimmed_text() -> None:
    assert trimmed("<p>a   b</p>\n c") == "a b c"
    assert trimmed("x" * 10, limit=10) == "x" * 10
    assert trimmed("x" * 11, limit=10) == "x" * 9 + "…"


def test_errors_say_the_reason_and_the_message() -> None:
    assert str(WaybackError("timeout")) == "timeout"
    assert str(WaybackError("timeout", "no answer")) == "timeout: no answer"


def test_refusals_keep_the_services_words() -> None:
    with pytest.raises(WaybackError) as raised:
        read_save_reply(
            200,
            "",
            '{"status": "error", "message": "You cannot make more than 9 captures per day."}',
        )
    assert raised.value.message == "You cannot make more than 9 captures per day."
    with pytest.raises(WaybackError) as unknown:
        read_save_reply(200, "", '{"status": "error", "message": "No."}')
    assert (unknown.value.reason, unknown.value.message) == ("unknown", "No.")


def test_job_status_in_its_list_form_and_with_string_numbers() -> None:
    listed = read_job_status(
        "j",
        '[{"status": "success", "job_id": "j", "original_url": "https://a.org/", '
        '"timestamp": "20200101000000", "http_status": "404"}]',
    )
    assert (listed.status, listed.http_status) == ("success", 404)
    with pytest.raises(WaybackError) as two:
        read_job_status("j", '[{"status": "pending"}, {"status": "pending"}]')
    assert "unexpected job status" in two.value.message
    with pytest.raises(WaybackError) as broken:
        read_job_status("j", "<html>busy</html>")
    assert broken.value.message == "job status not JSON: busy"


def test_a_success_without_a_timestamp_or_url_has_no_snapshot() -> None:
    no_url = read_job_status("j", '{"status": "success", "timestamp": "20200101000000"}')
    no_time = read_job_status("j", '{"status": "success", "original_url": "https://a.org/"}')
    pending = read_job_status(
        "j",
        '{"status": "pending", "timestamp": "20200101000000", "original_url": "https://a.org/"}',
    )
    assert (no_url.snapshot(), no_time.snapshot(), pending.snapshot()) == (None, None, None)


# -- every field of every reply, exactly (the shapes are those above; values made to tell the
#    branches apart) ------------------------------------------------------------------------------

SAME = (
    "The same snapshot had been made {} ago. You can make new capture of this URL after 45 minutes."
)


@pytest.mark.parametrize(
    ("said", "minutes"),
    [("30 seconds", 0.5), ("2 minutes", 2.0), ("1 hour", 60.0), ("5 Hours", 300.0)],
)
def test_the_same_snapshot_says_how_long_ago(said: str, minutes: float) -> None:
    message = SAME.format(said)
    job = json.dumps({"url": "https://a.org/", "job_id": "spn2-abc", "message": message})
    assert read_save_reply(200, "application/json", job) == SaveReply(
        "spn2-abc", message, True, minutes
    )
    null = json.dumps({"url": "https://a.org/", "job_id": None, "message": message})
    assert read_save_reply(200, "application/json", null) == SaveReply(None, message, True, minutes)
    page = f"<html><body><p>{message}</p></body></html>"
    assert read_save_reply(200, "text/html", page) == SaveReply(None, message, True, minutes)


def test_a_job_without_a_message_is_just_a_job() -> None:
    reply = read_save_reply(200, "application/json", '{"url": "u", "job_id": "spn2-x"}')
    assert reply == SaveReply("spn2-x", None, False, None)
    same = read_save_reply(
        200,
        "application/json",
        '{"job_id": null, "message": "The same snapshot had been made recently"}',
    )
    assert same == SaveReply(None, "The same snapshot had been made recently", True, None)


@pytest.mark.parametrize(
    ("content_type", "text", "message"),
    [
        ("text/html", '  \n {"job_id": 5}', 'no job id: {"job_id": 5}'),
        ("text/html", "[1, 2]", "HTTP 200: [1, 2]"),
        ("application/json", "null", "HTTP 200: null"),
        ("application/json", "{not json", "HTTP 200: {not json"),
    ],
)
def test_json_is_known_by_its_first_character_or_its_type(
    content_type: str, text: str, message: str
) -> None:
    with pytest.raises(WaybackError) as raised:
        read_save_reply(200, content_type, text)
    assert (raised.value.reason, raised.value.message) == ("bad-reply", message)


def test_refusals_carry_their_reason_and_words() -> None:
    def refused(data: dict[str, object]) -> tuple[str, str]:
        with pytest.raises(WaybackError) as raised:
            read_save_reply(200, "application/json", json.dumps(data))
        return raised.value.reason, raised.value.message

    assert refused({"status": "error", "status_ext": "error:bad-request", "exception": "Boom"}) == (
        "bad-request",
        "Boom",
    )
    assert refused({"status_ext": "error:blocked-url", "message": "Blocked"}) == (
        "blocked-url",
        "Blocked",
    )
    assert refused({"status": "error"}) == ("unknown", "")
    cap = "You cannot make more than (100,000) captures per day."
    assert refused(
        {"status": "error", "status_ext": "error:too-many-captures", "message": cap}
    ) == ("account-daily-limit", cap)


def test_an_html_answer_is_read_for_its_words() -> None:
    page = (
        "<html><p>First &amp; foremost</p><p> </p><p>second</p>"
        '<script>spn.watchJob("spn2-0123456789abcdef")</script></html>'
    )
    assert read_save_reply(200, "text/html", page) == SaveReply(
        "spn2-0123456789abcdef", "First & foremost second"
    )
    cap = "<p>You cannot make more than 4,000 captures per day.</p>"
    with pytest.raises(WaybackError) as raised:
        read_save_reply(200, "text/html", cap)
    assert raised.value.reason == "account-daily-limit"
    assert raised.value.message == "You cannot make more than 4,000 captures per day."
    with pytest.raises(WaybackError) as raised:
        read_save_reply(200, "text/html", "<html>Sorry</html>")
    assert raised.value.message == "HTTP 200 page without a job: Sorry"


def test_exclusions_are_read_from_the_header_and_the_first_4000_characters() -> None:
    header = {"x-archive-wayback-runtime-error": "RobotAccessControlException: Blocked By Robots"}
    found = exclusion(403, header, "")
    assert found is not None and found.reason == "robots-excluded"
    name = "AdministrativeAccessControlException"
    late = "x" * (4001 - len(name)) + name
    assert exclusion(200, {}, late) is None
    found = exclusion(200, {}, late[1:])
    assert found is not None and found.reason == "blocked-site"


def test_short_cdx_rows_are_filled_and_long_ones_cut() -> None:
    text = (
        '[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],\n'
        '["org,a)/", "20190220083000", "https://a.org/"],\n'
        '["org,a)/", "20190221083000", "https://a.org/", "text/html", "200", "D", "1", "extra"]]'
    )
    found = read_cdx(200, {}, text)
    assert [(s.timestamp, s.status) for s in found] == [
        ("20190220083000", None),
        ("20190221083000", 200),
    ]


def test_a_job_status_without_status_is_pending_and_errors_keep_their_words() -> None:
    assert read_job_status("j", '{"job_id": "j"}') == JobStatus("pending", "j")
    error = read_job_status("j", '{"status": "error", "exception": "boom"}')
    assert (error.status, error.status_ext, error.message) == ("error", None, "boom")
    done = read_job_status(
        "j",
        json.dumps(
            {
                "status": "success",
                "timestamp": 20190220083000,
                "original_url": "u",
                "http_status": "200",
                "status_ext": "error:x",
            }
        ),
    )
    assert (done.timestamp, done.http_status, done.status_ext) == ("20190220083000", 200, "x")
    for odd in ('"２００"', "true", "3.5", "null", '"abc"'):
        assert (
            read_job_status("j", f'{{"status": "success", "http_status": {odd}}}').http_status
            is None
        )


def test_exclusions_say_what_they_are() -> None:
    found = exclusion(200, {}, "AdministrativeAccessControlException: Blocked Site Error")
    assert found is not None and found.message == "the Wayback Machine excludes this site"


def test_cdx_rows_that_are_not_rows_are_refused() -> None:
    with pytest.raises(WaybackError) as raised:
        read_cdx(200, {}, '[["urlkey", "timestamp"], "not a row"]')
    assert raised.value.reason == "cdx-bad-reply"


def test_a_bad_cdx_row_is_skipped_and_the_next_read() -> None:
    text = (
        '[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],\n'
        '["org,a)/", "2019", "https://a.org/", "text/html", "200", "D", "1"],\n'
        '["org,a)/", "20190221083000", "https://a.org/", "text/html", "200", "D", "1"]]'
    )
    found = read_cdx(200, {}, text)
    assert [(s.timestamp, s.source) for s in found] == [("20190221083000", "existing")]


def test_an_unknown_job_status_is_named() -> None:
    with pytest.raises(WaybackError) as raised:
        read_job_status("j", '{"status": "queued"}')
    assert raised.value.message == 'unknown job status \'queued\': {"status": "queued"}'


def test_user_status_needs_an_object_with_available() -> None:
    assert read_user_status('{"available": 8, "daily_captures": "10"}') == {
        "available": 8,
        "daily_captures": 10,
    }
    assert read_user_status('[{"available": 8}]') is None
    assert read_user_status('{"processing": 3}') is None
