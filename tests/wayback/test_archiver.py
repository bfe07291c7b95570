"""Archiving against the fake Wayback Machine: look-ups, SPN2 jobs, capacity and every fault."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kzarchive.check.dns import StaticResolver
from kzarchive.models import ArchiveState, Snapshot
from kzarchive.wayback.archiver import (
    Archiver,
    _Capacity,
    _reported_capture,
    archive_urls,
    said,
)
from kzarchive.wayback.client import WaybackClient, snapshot_url
from kzarchive.wayback.credentials import Credentials
from kzarchive.wayback.options import ArchiveOptions, parse_age
from kzarchive.wayback.replies import SaveReply
from tests.observers import Recorder
from tests.servers.base import RunningServer, closed_port
from tests.servers.fake_wayback import SAME_SNAPSHOT, FakeState, fake_wayback

KEYS = Credentials("test-access", "test-secret")
FAST = ArchiveOptions(
    poll_interval=0.02,
    poll_max_interval=0.1,
    job_timeout=2.0,
    slot_wait=0.05,
    captures_per_minute=0,
    auth_retry_pause=0.05,
)


@pytest.fixture
def fake() -> Iterator[tuple[RunningServer, FakeState]]:
    server, state = fake_wayback()
    with server:
        yield server, state


def client(server: RunningServer, keys: Credentials | None = KEYS, **kw: Any) -> WaybackClient:
    settings: dict[str, Any] = {"timeout": 1.0, "retries": 3, "backoff": 0.02, "retry_after_cap": 2}
    settings.update(kw)
    return WaybackClient(server.base, keys, resolver=StaticResolver({}), **settings)


def archive(
    server: RunningServer,
    urls: list[str],
    options: ArchiveOptions = FAST,
    keys: Credentials | None = KEYS,
    previous: dict[str, ArchiveState] | None = None,
    observer: Recorder | None = None,
) -> dict[str, ArchiveState]:
    async def go() -> dict[str, ArchiveState]:
        async with client(server, keys) as wb:
            return await archive_urls(urls, wb, options, observer or Recorder(), previous)

    return asyncio.run(go())


def stamp(days_ago: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() - days_ago * 86400))


URL = "https://fidu.it/en/report/"


def test_capture_with_spn2(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    recorder = Recorder()
    result = archive(server, [URL], observer=recorder)[URL]
    assert recorder.events == [
        ("started", "archive", 1),
        ("noted", "archive", "submitted"),
        ("advanced", "archive", URL, "saved"),
    ]
    assert result.status == "saved"
    assert result.attempts == 1
    assert result.snapshot is not None
    assert result.snapshot.url == f"https://web.archive.org/web/{result.snapshot.timestamp}/{URL}"
    assert result.snapshot.source == "saved"
    (save,) = state.saves()
    assert save.form == {"url": URL, "if_not_archived_within": "30d", "skip_first_archive": "1"}
    assert save.headers["Authorization"] == "LOW test-access:test-secret"
    assert save.headers["Accept"] == "application/json"


def test_switches_reach_the_form(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    options = ArchiveOptions(
        **{
            **FAST.__dict__,
            "capture_outlinks": True,
            "capture_screenshot": True,
            "max_snapshot_age": "3d 5h",
        }
    )
    archive(server, [URL], options)
    form = state.saves()[0].form
    assert form["capture_outlinks"] == "1" and form["capture_screenshot"] == "1"
    assert form["if_not_archived_within"] == "3d 5h"


def test_young_snapshot_is_enough(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=3))
    result = archive(server, [URL])[URL]
    assert result.status == "existing"
    assert (
        result.snapshot is not None
        and result.snapshot.timestamp == stamp(3)[:8] + result.snapshot.timestamp[8:]
    )
    assert state.saves() == []


def test_old_snapshot_gets_a_fresh_capture(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=400))
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and len(state.saves()) == 1


def test_cited_snapshot_prefers_before_the_date(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    for ts in ("20181201120000", "20190301120000", "20200101120000", "20190225000000"):
        state.add_capture(URL, ts)
    state.add_capture(URL, "20190221000000", status=404)
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options)[URL]
    assert result.cited_snapshot is not None
    assert result.cited_snapshot.timestamp == "20181201120000"
    assert result.cited_snapshot.url == f"https://web.archive.org/web/20181201120000/{URL}"


def test_cited_snapshot_after_the_date_when_none_before(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.add_capture(URL, "20190301120000")
    state.add_capture(URL, "20210101120000")
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options)[URL]
    assert result.cited_snapshot is not None and result.cited_snapshot.timestamp == "20190301120000"


def test_as_cited_holds_the_page_and_is_not_long_after(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Recorded CDX rows: redirects and revisits (status "-") are common; neither holds the page.
    server, state = fake
    state.add_capture(URL, "20190101000000", status=301)
    state.add_capture(URL, "20190110000000", status="-")
    state.add_capture(URL, "20181101000000", status=200)
    state.add_capture(URL, "20190601000000", status=200)  # months after: not as cited
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options)[URL]
    assert result.cited_snapshot is not None
    assert result.cited_snapshot.timestamp == "20181101000000"


def test_no_as_cited_copy_when_every_capture_is_long_after(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.add_capture(URL, "20260101000000")
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options)[URL]
    assert result.snapshot is not None and result.cited_snapshot is None


def test_a_remembered_as_cited_copy_after_the_date_is_replaced(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Same inputs, same answer, whatever ran before: an earlier run's wrong pick is not kept.
    server, state = fake
    state.add_capture(URL, "20181101000000")
    wrong = Snapshot(f"https://web.archive.org/web/20260101000000/{URL}", "20260101000000", 200)
    previous = {URL: ArchiveState("existing", wrong, wrong)}
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options, previous=previous)[URL]
    assert result.cited_snapshot is not None
    assert result.cited_snapshot.timestamp == "20181101000000"


def test_an_unknown_answer_to_post_save_is_recorded_and_said(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["save"] = ["cdx-html"]  # an HTML page with no job and no known message
    recorder = Recorder()
    result = archive(server, [URL], observer=recorder)[URL]
    assert result.status == "failed"
    assert "Wayback Machine" in (result.error or "") and "Maintenance" in (result.error or "")
    assert len(recorder.warnings) == 1 and "does not know" in recorder.warnings[0]


def test_pending_for_some_polls_then_success(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.pending_polls = 4
    result = archive(server, [URL])[URL]
    assert result.status == "saved"
    polls = [r for r in state.requests if r.path.startswith("/save/status/spn2-")]
    assert len(polls) == 4


def test_expired_job_is_pending_then_polled_not_resubmitted(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.forget_jobs = True
    options = ArchiveOptions(**{**FAST.__dict__, "job_timeout": 0.3})
    started = time.monotonic()
    first = archive(server, [URL], options)[URL]
    assert time.monotonic() - started < 3
    assert first.status == "pending" and first.job_id and first.job_id.startswith("spn2-")
    assert first.submitted_at is not None and first.error == "job still pending"
    state.forget_jobs = False
    second = archive(server, [URL], options, previous={URL: first})[URL]
    assert second.status == "saved"
    assert len(state.saves()) == 1


@pytest.mark.parametrize(
    "code",
    [
        "blocked-url",
        "not-found",
        "invalid-host-resolution",
        "blocked",
        "filesize-limit",
        "something-new",
    ],
)
def test_final_job_errors_are_recorded(fake: tuple[RunningServer, FakeState], code: str) -> None:
    server, state = fake
    state.outcomes[URL] = (f"error:{code}", 0)
    result = archive(server, [URL])[URL]
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith(f"{code}:")
    assert "Capture failed" in result.error
    assert len(state.saves()) == 1


def test_a_url_captured_too_often_finds_yesterdays_late_capture(
    fake: tuple[RunningServer, FakeState], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ten minutes after midnight UTC, the capture made at 23:55 still holds the page: the
    # service's "today" follows a clock it does not name, so the last 24 hours are looked at.
    server, state = fake
    crowded = "https://crowded.org/page"
    state.add_capture(crowded, "20261205235500")
    monkeypatch.setattr(
        "kzarchive.wayback.archiver._now", lambda: datetime(2026, 12, 6, 0, 5, tzinfo=UTC)
    )
    state.faults["save"] = ["refuse:too-many-daily-captures"]
    options = ArchiveOptions(**{**FAST.__dict__, "refresh": True})
    result = archive(server, [crowded], options)[crowded]
    assert result.status == "existing"
    assert result.snapshot is not None and result.snapshot.timestamp == "20261205235500"
    assert not any("not in the index yet" in note for note in result.notes)


def test_refusal_as_http_200_without_job_id(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["save"] = ["refuse:blocked-url"]
    result = archive(server, [URL])[URL]
    assert result.status == "failed" and result.error == "blocked-url: blocked-url."


def test_error_page_capture_is_not_a_good_snapshot(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.outcomes[URL] = ("success", 404)
    result = archive(server, [URL])[URL]
    assert result.status == "failed" and result.snapshot is None
    assert result.error is not None
    assert re.fullmatch(
        rf"archived an error page \(HTTP 404\): https://web\.archive\.org/web/\d{{14}}/{URL}",
        result.error,
    )


@pytest.mark.parametrize(("status", "saved"), [(399, True), (400, False)])
def test_a_capture_of_an_error_status_is_not_saved(
    fake: tuple[RunningServer, FakeState], status: int, saved: bool
) -> None:
    server, state = fake
    state.outcomes[URL] = ("success", status)
    result = archive(server, [URL])[URL]
    assert (result.status == "saved") is saved


def test_a_jobs_id_is_recorded_while_it_is_polled(fake: tuple[RunningServer, FakeState]) -> None:
    # A run stopped while a job is polled resumes it: the job id is written as soon as it is known.
    server, state = fake
    recorded: list[tuple[str, ArchiveState]] = []

    async def on_job(url: str, pending: ArchiveState) -> None:
        recorded.append((url, pending))

    async def go() -> ArchiveState:
        async with client(server) as wb:
            archiver = Archiver(wb, FAST, Recorder())
            archiver.on_job = on_job
            return await archiver.archive(URL, ArchiveState("missing"))

    result = asyncio.run(go())
    assert result.status == "saved"
    [(url, pending)] = recorded
    assert url == URL and pending.status == "pending" and pending.attempts == 1
    assert pending.job_id is not None and pending.job_id in state.jobs
    assert pending.submitted_at is not None


@pytest.mark.parametrize("faults", [["429", "429-bare"], ["502"], ["503", "502"], ["hang"]])
def test_transient_faults_on_save_are_retried(
    fake: tuple[RunningServer, FakeState], faults: list[str]
) -> None:
    server, state = fake
    state.faults["save"] = list(faults)
    result = archive(server, [URL])[URL]
    assert result.status == "saved"
    assert len(state.saves()) == len(faults) + 1


def test_malformed_and_failing_status_replies_are_survived(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["status"] = ["malformed", "503"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved"


def test_too_many_daily_captures_is_about_one_url(fake: tuple[RunningServer, FakeState]) -> None:
    # The doc: "This URL has been captured 10 times today": that URL has a capture from today,
    # and the other links go on being captured.
    server, state = fake
    crowded = "https://crowded.org/page"
    now = state.now()
    midnight = now - now % 86400  # the fake counts a URL's captures by its UTC day, as "today"
    stamps = [state.stamp(max(midnight, now - 60 * (n + 1))) for n in range(10)]
    for stamp_ in stamps:
        state.add_capture(crowded, stamp_)
    options = ArchiveOptions(**{**FAST.__dict__, "refresh": True})
    urls = [crowded, "https://site1.org/page", "https://site2.org/page"]
    recorder = Recorder()
    results = archive(server, urls, options, observer=recorder)
    assert results[crowded].status == "existing"
    assert results[crowded].snapshot is not None
    # The newest of today's captures, as the index has it (not a guess at today's date).
    newest = max(stamps)
    assert results[crowded].snapshot.timestamp == newest
    assert newest in results[crowded].snapshot.url
    assert any("captured 10 times today" in note for note in results[crowded].notes)
    assert not any("not in the index yet" in note for note in results[crowded].notes)
    assert [results[u].status for u in urls[1:]] == ["saved", "saved"]
    assert recorder.warnings == []


def test_too_many_daily_captures_before_the_index_shows_them(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Refused for today's captures that the index does not list yet: the copy is the one of
    # today's date, which the Wayback Machine resolves to the nearest capture.
    server, state = fake
    state.url_daily_limit = 0
    url = "https://fresh.org/page"
    options = ArchiveOptions(**{**FAST.__dict__, "refresh": True})
    result = archive(server, [url], options)[url]
    today = state.stamp()[:8]
    assert result.status == "existing"
    assert result.snapshot is not None
    assert (result.snapshot.timestamp, result.snapshot.url) == (today, snapshot_url(today, url))
    assert [n for n in result.notes if n.startswith("too-many-daily-captures")] == [
        "too-many-daily-captures: This URL has been captured 0 times today. Please try again "
        "tomorrow.; today's capture is not in the index yet"
    ]


@pytest.mark.parametrize("shape", ["json", "html"])
def test_the_account_daily_cap_stops_submissions_not_lookups(
    fake: tuple[RunningServer, FakeState], shape: str
) -> None:
    server, state = fake
    if shape == "json":  # the first capture uses the account's last one of the day
        state.daily_limit, state.daily_count = 3, 2
    else:
        state.faults["save"] = ["account-cap-html"]
    urls = [f"https://site{n}.org/page" for n in range(5)]
    state.add_capture(urls[0], stamp(days_ago=1))
    recorder = Recorder()
    options = ArchiveOptions(**{**FAST.__dict__, "captures_per_minute": 1200})
    results = archive(server, urls, options, observer=recorder)
    assert results[urls[0]].status == "existing"
    statuses = sorted(results[u].status for u in urls[1:])
    assert statuses == (["failed"] * 3 + ["saved"] if shape == "json" else ["failed"] * 4)
    refused = [u for u in urls if results[u].status == "failed"]
    assert all((results[u].error or "").startswith("account-daily-limit") for u in refused)
    assert len([w for w in recorder.warnings if "daily capture limit" in w]) == 1
    # json: one made, one refused, then no more; html: the first refused, then no more
    assert len(state.saves()) == (2 if shape == "json" else 1)
    cdx = {r.query["url"][0] for r in state.requests if r.path == "/cdx/search/cdx"}
    assert cdx == set(urls)


def test_the_account_cap_read_from_user_status_is_said_before_any_submission(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # /save/status/user: daily_captures >= daily_captures_limit while "available" still reads 6.
    server, state = fake
    state.daily_count = state.daily_limit = 50
    recorder = Recorder()
    results = archive(server, [URL, "https://other.org/"], observer=recorder)
    assert {(r.status, r.error, r.attempts) for r in results.values()} == {
        ("failed", "account-daily-limit", 0)
    }
    assert state.saves() == []
    assert recorder.warnings == [
        "the archive.org account has made 50 of its 50 captures for today: no new captures this "
        "run (look-ups go on)"
    ]


def test_same_snapshot_with_null_job_id_is_an_existing_capture(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["save"] = ["same-snapshot-null"]
    result = archive(server, [URL])[URL]
    assert result.status == "existing"
    assert result.snapshot is not None and result.snapshot.status == 200
    assert result.snapshot.timestamp == state.captures[URL][-1][0]  # the one made 2 minutes ago
    assert f"Save Page Now: {SAME_SNAPSHOT}" in result.notes
    assert len(state.saves()) == 1 and result.attempts == 1


def test_same_snapshot_not_yet_in_the_index_points_at_that_moment(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.index_delay = 3600
    state.faults["save"] = ["same-snapshot-null"]
    # The capture the message speaks of is not visible in the index yet.
    state.captures[URL] = []
    before = time.time()
    result = archive(server, [URL])[URL]
    after = time.time()
    assert result.status == "existing" and result.snapshot is not None
    # "made 2 minutes ago": the replay address of that minute, which the archive resolves
    moments = {time.strftime("%Y%m%d%H%M", time.gmtime(t - 120)) for t in (before, after)}
    assert result.snapshot.timestamp[:12] in moments
    assert result.snapshot.url == snapshot_url(result.snapshot.timestamp, URL)
    assert (result.snapshot.source, result.snapshot.status) == ("existing", None)
    assert f"Save Page Now: {SAME_SNAPSHOT} (not in the index yet)" in result.notes


@pytest.mark.parametrize(
    "fault", ["robots-403", "robots-200"], ids=["robots-as-403", "robots-as-200"]
)
def test_robots_exclusion_is_recorded_and_nothing_is_submitted(
    fake: tuple[RunningServer, FakeState], fault: str
) -> None:
    server, state = fake
    state.faults["cdx"] = [fault]
    result = archive(server, [URL])[URL]
    assert result.status == "failed"
    assert (result.error or "").startswith("robots-excluded")
    assert state.saves() == []


@pytest.mark.parametrize("fault", ["cdx-html", "404", "malformed"])
def test_a_cdx_answer_that_is_not_json_is_a_warning_and_a_note(
    fake: tuple[RunningServer, FakeState], fault: str
) -> None:
    server, state = fake
    state.faults["cdx"] = [fault] * 2
    recorder = Recorder()
    result = archive(server, [URL], observer=recorder)[URL]
    assert len(recorder.warnings) == 1 and "CDX" in recorder.warnings[0]
    assert result.notes and result.notes[0].startswith("look-up failed: cdx-")
    # The capture is still made: it does not depend on the index.
    assert result.status == "saved"


def test_cdx_5xx_is_retried_within_bounds_then_recorded(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["cdx"] = ["503"] * 20
    recorder = Recorder()
    started = time.monotonic()
    result = archive(server, [URL], observer=recorder)[URL]
    assert time.monotonic() - started < 5
    cdx = [r for r in state.requests if r.path == "/cdx/search/cdx"]
    assert len(cdx) == 4  # one try and three retries (the client's retries)
    assert any("server-error" in note for note in result.notes)
    assert len(recorder.warnings) == 1


def test_a_5xx_to_post_save_looks_for_the_capture_before_sending_again(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["save"] = ["accepted-then-523"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and result.snapshot is not None
    assert result.snapshot.source == "saved" and result.attempts == 1
    assert len(state.saves()) == 1  # found in the index: not submitted twice
    assert any(
        note.startswith("POST /save answered server-error: HTTP 523") for note in result.notes
    )


def test_a_sporadic_401_is_tried_once_more(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["save"] = ["401"]
    recorder = Recorder()
    result = archive(server, [URL, "https://other.org/"], observer=recorder)
    assert {r.status for r in result.values()} == {"saved"}
    assert recorder.warnings == []
    assert len(state.saves()) == 3


def test_an_html_answer_to_post_save_gives_its_job(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["save"] = ["html-job"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and result.snapshot is not None
    assert len(state.saves()) == 1
    polled = [r.path for r in state.requests if r.path.startswith("/save/status/spn2-")]
    assert polled


@pytest.mark.parametrize("variant", ["2020", "uuid", "rich"])
def test_recorded_success_variants(fake: tuple[RunningServer, FakeState], variant: str) -> None:
    server, state = fake
    state.status_variant = variant
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and result.snapshot is not None
    assert result.snapshot.status == (None if variant == "2020" else 200)


@pytest.mark.parametrize("system", ["overloaded", "502"])
def test_save_page_now_troubles_are_said_once(
    fake: tuple[RunningServer, FakeState], system: str
) -> None:
    server, state = fake
    state.system = system
    recorder = Recorder()
    result = archive(server, [URL, "https://other.org/"], observer=recorder)
    assert len(recorder.warnings) == 1 and "Save Page Now reports" in recorder.warnings[0]
    assert {r.status for r in result.values()} == {"saved"}


def test_captures_are_paced(fake: tuple[RunningServer, FakeState]) -> None:
    server, _state = fake
    options = ArchiveOptions(**{**FAST.__dict__, "captures_per_minute": 600})  # one per 0.1 s
    urls = [f"https://site{n}.org/page" for n in range(5)]
    started = time.monotonic()
    results = archive(server, urls, options)
    assert all(r.status == "saved" for r in results.values())
    assert time.monotonic() - started >= 0.4


def test_user_session_limit_is_slow_down_and_retry(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["save"] = ["refuse:user-session-limit"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and len(state.saves()) == 2
    assert result.attempts == 2


def test_refusals_wait_longer_each_time(
    fake: tuple[RunningServer, FakeState], sleeps: list[float]
) -> None:
    server, state = fake
    state.faults["save"] = ["refuse:user-session-limit", "refuse:user-session-limit"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and result.attempts == 3
    waits = [p for p in sleeps if p in (0.05, 0.1, 0.15, 0.025)]
    assert waits == [FAST.slot_wait, 2 * FAST.slot_wait]


def test_an_ambiguous_failure_waits_before_it_looks_for_the_capture(
    fake: tuple[RunningServer, FakeState], sleeps: list[float]
) -> None:
    server, state = fake
    state.faults["save"] = ["502", "502"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved" and len(state.saves()) == 3
    waits = [p for p in sleeps if p in (0.05, 0.1, 0.15, 0.025)]
    assert waits == [FAST.slot_wait, 2 * FAST.slot_wait]


def test_the_last_ambiguous_failure_is_the_error(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["save"] = ["502"] * 10
    options = ArchiveOptions(**{**FAST.__dict__, "submit_retries": 1})
    result = archive(server, [URL], options)[URL]
    assert result.status == "failed" and len(state.saves()) == 2
    assert result.error == "server-error: HTTP 502: Bad Gateway"


def test_a_retry_after_at_the_cap_is_waited_for(
    fake: tuple[RunningServer, FakeState], sleeps: list[float]
) -> None:
    # The client gives up at once (no retries of its own); the archiver waits as asked.
    server, state = fake
    state.faults["save"] = ["429"]  # Retry-After: 1

    async def go() -> ArchiveState:
        async with client(server, retries=0, retry_after_cap=1) as wb:
            return (await archive_urls([URL], wb, FAST, Recorder()))[URL]

    result = asyncio.run(go())
    assert result.status == "saved" and len(state.saves()) == 2
    assert 1.0 in sleeps


def test_never_more_in_flight_than_available(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.user_limit = 3
    state.capture_seconds = 0.2
    urls = [f"https://site{n}.org/page" for n in range(9)]
    started = time.monotonic()
    results = archive(server, urls)
    elapsed = time.monotonic() - started
    assert all(r.status == "saved" for r in results.values())
    assert state.session_limit_refusals == 0
    assert state.peak_active == 3
    assert elapsed < 9 * 0.2  # concurrent, not one after another


def test_cdx_blocked_site(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.blocked_hosts.add("fidu.it")
    result = archive(server, [URL])[URL]
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith("blocked-site")
    assert state.saves() == []


def test_fresh_capture_missing_from_cdx_is_kept(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.index_delay = 3600
    first = archive(server, [URL])[URL]
    assert first.status == "saved"
    second = archive(server, [URL], previous={URL: first})[URL]
    assert second.status == "saved"
    assert second.snapshot == first.snapshot
    assert len(state.saves()) == 1


def test_wrong_keys_401_stops_saving_after_one_more_try(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    recorder = Recorder()
    urls = [f"https://site{n}.org/" for n in range(3)]
    results = archive(server, urls, keys=Credentials("bad", "keys"), observer=recorder)
    assert [(r.status, r.error) for r in results.values()] == [
        ("failed", "unauthorized: Save Page Now refused the keys")
    ] * len(urls)

    assert recorder.warnings == [
        "Save Page Now refused the keys (HTTP 401): check IA_ACCESS_KEY/IA_SECRET_KEY: no "
        "captures this run (look-ups go on)"
    ]
    # The three submissions in flight are refused; one of them tries the keys once more.
    assert len(state.saves()) == len(urls) + 1
    # A link that comes after saving stopped is refused for the reason it stopped.
    options = ArchiveOptions(**{**FAST.__dict__, "max_slots": 1})
    late = archive(server, [*urls, "https://late.org/"], options, keys=Credentials("bad", "keys"))
    assert late["https://late.org/"].error == "unauthorized"


def test_no_keys_says_so_once_and_still_looks_up(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=100))
    recorder = Recorder()
    other = "https://other.org/"
    results = archive(server, [URL, other], keys=None, observer=recorder)
    assert results[URL].status == "existing" and results[URL].snapshot is not None
    assert results[other].status == "failed" and (results[other].error or "").startswith("no-keys")
    assert len(recorder.warnings) == 1 and "IA_ACCESS_KEY" in recorder.warnings[0]
    assert state.saves() == []


@pytest.mark.parametrize("shape", ["content-location", "memento-link", "timegate-link"])
def test_anonymous_save_in_every_recorded_shape(
    fake: tuple[RunningServer, FakeState], shape: str
) -> None:
    server, state = fake
    state.anonymous_shape = shape
    options = ArchiveOptions(**{**FAST.__dict__, "anonymous": True})
    result = archive(server, [URL], options, keys=None)[URL]
    assert result.status == "saved"
    assert result.attempts == 1
    assert result.snapshot is not None
    assert result.snapshot.source == "saved"
    assert result.snapshot.timestamp == state.captures[URL][-1][0]
    assert result.snapshot.url == f"https://web.archive.org/web/{result.snapshot.timestamp}/{URL}"
    assert any(r.path == f"/save/{URL}" for r in state.requests)


def test_a_keyless_save_that_names_no_capture_says_so(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # The 2025 answer names only the timegate; when the index does not show the capture yet,
    # there is nothing to point at.
    server, state = fake
    state.anonymous_shape, state.anonymous_indexed = "timegate-link", False
    options = ArchiveOptions(**{**FAST.__dict__, "anonymous": True})
    result = archive(server, [URL], options, keys=None)[URL]
    assert (result.status, result.error) == (
        "failed",
        "anonymous-save: the answer named no capture",
    )
    assert result.attempts == 1 and result.snapshot is None


@pytest.mark.parametrize(
    ("shape", "error"),
    [
        ("429", "anonymous-save: rate-limited: anonymous Save Page Now refused: too many requests"),
        (
            "404",
            "anonymous-save: not-available: anonymous Save Page Now answered 404 (not offered)",
        ),
    ],
)
def test_anonymous_save_refusals_say_why(
    fake: tuple[RunningServer, FakeState], shape: str, error: str
) -> None:
    server, state = fake
    state.anonymous_shape = shape
    options = ArchiveOptions(**{**FAST.__dict__, "anonymous": True})
    result = archive(server, [URL], options, keys=None)[URL]
    assert (result.status, result.error, result.attempts) == ("failed", error, 1)


def test_unreachable_archive_fails_fast() -> None:
    port = closed_port()

    recorder = Recorder()

    async def go() -> dict[str, ArchiveState]:
        async with WaybackClient(f"http://127.0.0.1:{port}", KEYS, timeout=1.0) as wb:
            return await archive_urls([URL, "https://b.org/"], wb, FAST, recorder)

    started = time.monotonic()
    results = asyncio.run(go())
    assert time.monotonic() - started < 5
    assert {(r.status, r.error) for r in results.values()} == {("skipped", "unreachable")}
    assert recorder.warnings == [
        f"the Wayback Machine at http://127.0.0.1:{port} does not answer: no look-ups or "
        "captures this run"
    ]


def test_offline_archive_fails_fast() -> None:
    async def go() -> dict[str, ArchiveState]:
        async with WaybackClient(
            "https://web.archive.org", KEYS, timeout=1.0, resolver=StaticResolver({})
        ) as wb:
            return await archive_urls([URL], wb, FAST)

    started = time.monotonic()
    results = asyncio.run(go())
    assert time.monotonic() - started < 3
    assert results[URL].status == "skipped" and results[URL].error == "offline"


@pytest.mark.parametrize("known", [False, True])
def test_an_offline_machine_is_said_once_by_whoever_finds_it(known: bool) -> None:
    # The checker says it when it found out first (offline=True); else the archiver does.
    recorder = Recorder()

    async def go() -> ArchiveState:
        async with WaybackClient(
            "https://web.archive.org", KEYS, timeout=1.0, resolver=StaticResolver({})
        ) as wb:
            archiver = Archiver(wb, FAST, recorder)
            await archiver.prepare(offline=known)
            return await archiver.archive(URL)

    result = asyncio.run(go())
    assert (result.status, result.error) == ("skipped", "offline")
    assert recorder.warnings == (
        []
        if known
        else [
            "this machine looks offline (no host name resolves): no Wayback look-ups or "
            "captures this run"
        ]
    )


def pending_job(server: RunningServer, state: FakeState) -> ArchiveState:
    """A submission whose job is still pending when the run ends (the job status forgotten)."""
    state.forget_jobs = True
    first = archive(server, [URL], ArchiveOptions(**{**FAST.__dict__, "job_timeout": 0.2}))[URL]
    state.forget_jobs = False
    assert first.status == "pending" and first.job_id is not None
    return first


@pytest.mark.parametrize(("minutes", "resubmitted"), [(30, False), (61, True)])
def test_a_pending_job_is_polled_for_an_hour_then_submitted_again(
    fake: tuple[RunningServer, FakeState], minutes: int, resubmitted: bool
) -> None:
    server, state = fake
    first = pending_job(server, state)
    submitted = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - minutes * 60))
    pending = ArchiveState("pending", job_id=first.job_id, submitted_at=submitted)
    again = archive(server, [URL], previous={URL: pending})[URL]
    assert again.status == "saved"
    assert len(state.saves()) == (2 if resubmitted else 1)


def test_a_pending_job_without_a_time_is_polled_and_a_bad_time_forgotten(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    first = pending_job(server, state)
    untimed = ArchiveState("pending", job_id=first.job_id)
    assert archive(server, [URL], previous={URL: untimed})[URL].status == "saved"
    assert len(state.saves()) == 1
    # A job time that cannot be read: the job is forgotten, and the look-up finds its capture.
    garbled = ArchiveState("pending", job_id=first.job_id, submitted_at="yesterday")
    assert archive(server, [URL], previous={URL: garbled})[URL].status == "existing"
    assert len(state.saves()) == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30d", 30 * 86400), ("3d 5h 20m", 3 * 86400 + 5 * 3600 + 20 * 60), ("45m", 2700), ("90", 90)],
)
def test_parse_age(text: str, seconds: int) -> None:
    assert parse_age(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "soon", "3 weeks", "-1d"])
def test_parse_age_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_age(text)


def test_archiver_without_prepare_prepares_itself(fake: tuple[RunningServer, FakeState]) -> None:
    server, _ = fake

    async def go() -> ArchiveState:
        async with client(server) as wb:
            return await Archiver(wb, FAST).archive(URL)

    assert asyncio.run(go()).status == "saved"


def test_unreachable_archive_keeps_what_earlier_runs_found() -> None:
    port = closed_port()
    saved = Snapshot(
        f"https://web.archive.org/web/20261101000000/{URL}", "20261101000000", 200, "saved"
    )
    previous = {
        URL: ArchiveState("saved", saved),
        "https://b.org/": ArchiveState(
            "pending", job_id="spn2-" + "c" * 40, submitted_at="2026-11-26T10:00:00Z"
        ),
    }

    async def go() -> dict[str, ArchiveState]:
        async with WaybackClient(f"http://127.0.0.1:{port}", KEYS, timeout=1.0) as wb:
            return await archive_urls(list(previous), wb, FAST, previous=previous)

    results = asyncio.run(go())
    assert (results[URL].status, results[URL].snapshot, results[URL].error) == (
        "saved",
        saved,
        "unreachable",
    )
    assert (results["https://b.org/"].status, results["https://b.org/"].job_id) == (
        "pending",
        "spn2-" + "c" * 40,
    )
    # the pending job says why it was not polled, and when that was decided
    assert results["https://b.org/"].error == "unreachable"
    assert all(r.updated_at is not None for r in results.values())


def test_a_500_from_cdx_is_retried(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=1))
    state.faults["cdx"] = ["500"]
    result = archive(server, [URL])[URL]
    assert result.status == "existing" and result.notes == ()
    assert len([r for r in state.requests if r.path == "/cdx/search/cdx"]) >= 2


def test_a_403_from_save_means_the_keys(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["save"] = ["403", "403"]
    result = archive(server, [URL])[URL]
    assert result.status == "failed" and (result.error or "").startswith("unauthorized")


def test_a_retry_after_beyond_the_cap_is_not_slept_on(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["save"] = ["429-hour"]
    started = time.monotonic()
    result = archive(server, [URL])[URL]
    assert time.monotonic() - started < 5
    assert result.status == "failed"
    assert result.error == "rate-limited: the archive asks to wait 3600 s"
    assert len(state.saves()) == 1


def test_capacity_shrinks_below_what_is_in_flight() -> None:
    capacity = _Capacity(6)
    capacity.in_flight = 4
    capacity.shrink()
    assert capacity.limit == 3
    capacity.in_flight = 1
    capacity.shrink()
    assert capacity.limit == 1  # never below one


def test_max_slots_below_the_accounts(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.user_limit = 6
    state.capture_seconds = 0.2
    options = ArchiveOptions(**{**FAST.__dict__, "max_slots": 2})
    urls = [f"https://site{n}.org/page" for n in range(6)]
    results = archive(server, urls, options)
    assert all(r.status == "saved" for r in results.values())
    assert state.peak_active == 2


def test_the_newer_of_the_remembered_and_the_looked_up_snapshot(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    newer, old = stamp(days_ago=2), stamp(days_ago=9)  # once: a second may tick in between
    state.add_capture(URL, newer)
    older = Snapshot(f"https://web.archive.org/web/{old}/{URL}", old)
    result = archive(server, [URL], previous={URL: ArchiveState("existing", older)})[URL]
    assert result.snapshot is not None and result.snapshot.timestamp == newer


@pytest.mark.parametrize(
    ("remembered", "kept"),
    [
        ("20190101000000", True),  # before the citation: still the copy as cited
        ("20190222235959", True),  # on the day of the citation
        ("20190223000000", False),  # after it
    ],
)
def test_a_remembered_as_cited_copy_is_kept_only_if_it_fits(
    fake: tuple[RunningServer, FakeState], remembered: str, kept: bool
) -> None:
    # The index has nothing around the date (the capture was excluded since, or lost): what an
    # earlier run found is kept if it still fits the citation date.
    server, state = fake
    state.add_capture(URL, stamp(days_ago=1))
    copy = Snapshot(f"https://web.archive.org/web/{remembered}/{URL}", remembered, 200)
    previous = {URL: ArchiveState("existing", copy, copy)}
    options = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], options, previous=previous)[URL]
    assert result.cited_snapshot == (copy if kept else None)


@pytest.mark.parametrize("status", [301, 404, None])
def test_a_remembered_as_cited_copy_must_hold_the_page(
    fake: tuple[RunningServer, FakeState], status: int | None
) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=1))
    copy = Snapshot(f"https://web.archive.org/web/20190101000000/{URL}", "20190101000000", status)
    previous = {URL: ArchiveState("existing", copy, copy)}
    dated = ArchiveOptions(**{**FAST.__dict__, "cited_on": date(2019, 2, 22)})
    result = archive(server, [URL], dated, previous=previous)[URL]
    assert result.cited_snapshot == (copy if status is None else None)
    # Without a citation date there is no copy "as cited" at all.
    undated = archive(server, [URL], FAST, previous=previous)[URL]
    assert undated.cited_snapshot is None


def test_a_status_that_fails_three_times_is_asked_again(
    fake: tuple[RunningServer, FakeState], sleeps: list[float]
) -> None:
    server, state = fake
    state.faults["status"] = ["404", "404", "404"]
    result = archive(server, [URL])[URL]
    assert result.status == "saved"
    # Polled at a growing interval: 0.02 s, then a quarter more each time, up to 0.1 s.
    assert sleeps == pytest.approx([0.02, 0.025, 0.03125])


def test_a_status_that_fails_four_times_leaves_the_job_pending(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.faults["status"] = ["404", "404", "404", "404"]
    result = archive(server, [URL])[URL]
    assert result.status == "pending" and result.job_id is not None


def test_a_status_that_answers_between_failures_resets_the_count(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.pending_polls = 2  # the answer between the failures says "pending"
    state.faults["status"] = ["404", "404", "404", None, "404", "404", "404"]  # type: ignore[list-item]
    result = archive(server, [URL])[URL]
    assert result.status == "saved"


def test_sporadic_401s_to_submissions_in_flight_follow_the_one_retry(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Three submissions in flight are refused with 401 at once; one of them tries the keys once
    # more, succeeds, and the two that waited for it go on.
    server, state = fake
    state.faults["save"] = ["401", "401", "401"]
    recorder = Recorder()
    urls = [f"https://site{n}.org/" for n in range(3)]
    results = archive(server, urls, observer=recorder)
    assert [r.status for r in results.values()] == ["saved"] * 3
    assert recorder.warnings == []
    assert len(state.saves()) == 6


# -- whole states of the paths the tests above check in part ---------------------------------------


def test_a_401_on_a_submissions_last_try_still_gets_the_keys_second_try(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Without retries, the 401 comes on each submission's only try: the keys' second try is
    # still made (it is not one of the retries) and the submission that waited on it follows
    # it, instead of waiting for ever.
    server, state = fake
    state.faults["save"] = ["401", "401"]
    options = ArchiveOptions(**{**FAST.__dict__, "submit_retries": 0})

    async def go() -> dict[str, ArchiveState]:
        async with client(server) as wb:
            run = archive_urls([URL, "https://other.org/"], wb, options, Recorder())
            return await asyncio.wait_for(run, 10)

    results = asyncio.run(go())
    assert [(r.status, r.attempts) for r in results.values()] == [("saved", 2), ("saved", 2)]
    assert len(state.saves()) == 4


def test_a_transient_job_failure_is_submitted_again_then_recorded(
    fake: tuple[RunningServer, FakeState], sleeps: list[float]
) -> None:
    server, state = fake
    state.outcomes[URL] = ("error:no-browsers-available", 0)
    options = ArchiveOptions(**{**FAST.__dict__, "submit_retries": 2})
    result = archive(server, [URL], options)[URL]
    assert (result.status, result.error, result.attempts, result.snapshot) == (
        "failed",
        "no-browsers-available: Capture failed: error:no-browsers-available",
        3,
        None,
    )
    assert result.updated_at is not None and result.job_id is None
    assert len(state.saves()) == 3
    assert [s for s in sleeps if s in (0.05, 0.1, 0.15)] == [0.05, 0.1]  # longer each time


def test_a_private_address_is_not_sent_to_the_archive_unless_allowed(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # The URL is only named to the fake archive on 127.0.0.1; nothing connects to it.
    server, state = fake
    private = "http://192.168.1.10/admin"
    result = archive(server, [private])[private]
    assert (result.status, result.error, result.attempts) == ("skipped", "private-address", 0)
    assert result.updated_at is not None
    assert not any(private in str(r.query) + str(r.form) for r in state.requests)

    allowed = ArchiveOptions(**{**FAST.__dict__, "archive_private": True})
    result = archive(server, [private], allowed)[private]
    assert result.status == "saved" and len(state.saves()) == 1


def test_capacity_is_never_below_one_slot(fake: tuple[RunningServer, FakeState]) -> None:
    assert (_Capacity(0).limit, _Capacity(1).limit, _Capacity(5).limit) == (1, 1, 5)
    server, state = fake
    state.user_limit = 1
    state.capture_seconds = 0.05
    results = archive(server, [f"https://site{n}.org/" for n in range(3)])
    assert {r.status for r in results.values()} == {"saved"}
    assert state.peak_active == 1
    assert state.session_limit_refusals == 0  # never asked for a second slot


@pytest.mark.parametrize("worth", [False, True])
def test_whether_a_capture_is_worth_it_is_asked_only_when_one_is_needed(
    fake: tuple[RunningServer, FakeState], worth: bool
) -> None:
    server, state = fake
    asked: list[str] = []

    async def worth_capturing() -> bool:
        asked.append(URL)
        return worth

    async def go() -> ArchiveState:
        async with client(server) as wb:
            archiver = Archiver(wb, FAST, Recorder())
            return await archiver.archive(URL, capture=worth_capturing)

    result = asyncio.run(go())
    assert asked == [URL]
    if worth:
        assert result.status == "saved" and len(state.saves()) == 1
    else:
        assert (result.status, result.error, result.attempts) == (
            "skipped",
            "not-captured: the live page is gone (dead)",
            0,
        )
        assert state.saves() == []


def test_an_earlier_runs_notes_are_not_carried_over(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.add_capture(URL, stamp(days_ago=1))
    previous = {URL: ArchiveState("existing", notes=("look-up failed: cdx:timeout",))}
    result = archive(server, [URL], previous=previous)[URL]
    assert (result.status, result.notes, result.error) == ("existing", (), None)
    assert result.updated_at is not None


@pytest.mark.parametrize("shape", ["content-location", "memento-link"])
def test_a_keyless_save_that_names_its_capture_needs_no_index(
    fake: tuple[RunningServer, FakeState], shape: str
) -> None:
    server, state = fake
    state.anonymous_shape, state.anonymous_indexed = shape, False
    options = ArchiveOptions(**{**FAST.__dict__, "anonymous": True})
    result = archive(server, [URL], options, keys=None)[URL]
    assert result.status == "saved" and result.snapshot is not None
    assert result.snapshot.source == "saved"
    assert re.fullmatch(rf"https://web\.archive\.org/web/\d{{14}}/{URL}", result.snapshot.url)


def test_each_kind_of_index_failure_is_said_once(fake: tuple[RunningServer, FakeState]) -> None:
    server, state = fake
    state.faults["cdx"] = ["cdx-html"] + ["503"] * 20
    recorder = Recorder()
    results = archive(server, [URL, "https://other.org/", "https://third.org/"], observer=recorder)
    said = [re.sub(r"expected \(.*\);", "expected (…);", w) for w in recorder.warnings]
    assert len(said) == 2
    assert "cdx-bad-reply: not the JSON asked for" in recorder.warnings[0]
    assert "server-error: HTTP 503" in recorder.warnings[1]
    assert said[0] == (
        f"the Wayback Machine's index (CDX) at {server.base} did not answer as expected (…); "
        "the links concerned say so in the manifest"
    )
    assert sorted(n for r in results.values() for n in r.notes)[0].startswith("look-up failed: ")


def test_a_job_still_pending_keeps_when_it_was_submitted(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    first = pending_job(server, state)
    state.forget_jobs = True
    short = ArchiveOptions(**{**FAST.__dict__, "job_timeout": 0.2})
    again = archive(server, [URL], short, previous={URL: first})[URL]
    assert (again.status, again.job_id, again.submitted_at, again.error) == (
        "pending",
        first.job_id,
        first.submitted_at,
        "job still pending",
    )
    assert len(state.saves()) == 1


def test_a_capture_said_recent_without_a_time_points_at_its_day() -> None:
    said = "The same snapshot had been made recently."
    days = {time.strftime("%Y%m%d", time.gmtime())}
    snapshot = _reported_capture(URL, SaveReply(None, said, True, None))
    days.add(time.strftime("%Y%m%d", time.gmtime()))
    assert snapshot.timestamp in days  # to the day: the archive resolves it to that day's capture
    assert snapshot == Snapshot(snapshot_url(snapshot.timestamp, URL), snapshot.timestamp)
    assert (snapshot.status, snapshot.source) == (None, "existing")


def test_without_keys_the_reason_is_said_in_full(fake: tuple[RunningServer, FakeState]) -> None:
    server, _ = fake
    result = archive(server, [URL], keys=None)[URL]
    assert (result.status, result.error) == (
        "failed",
        "no-keys: Save Page Now needs archive.org keys",
    )


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (("blocked-url", "blocked-url."), "blocked-url: blocked-url."),
        (("rate-limited", ""), "rate-limited"),
        (("job-failed", None), "job-failed"),
        (("anonymous-save", "timeout", " "), "anonymous-save: timeout"),
        (("server-error", "HTTP 502: "), "server-error: HTTP 502"),
    ],
)
def test_a_reason_without_a_message_reads_as_the_reason(
    parts: tuple[str | None, ...], text: str
) -> None:
    assert said(*parts) == text


def test_a_keys_retry_that_ends_otherwise_releases_the_submissions_waiting_on_it(
    fake: tuple[RunningServer, FakeState],
) -> None:
    # Two submissions get a 401; one tries the keys again and is refused for another reason:
    # the keys were not refused again, so the other one tries for itself instead of waiting.
    server, state = fake
    state.faults["save"] = ["401", "401", "refuse:blocked-url"]

    async def go() -> dict[str, ArchiveState]:
        async with client(server) as wb:
            run = archive_urls([URL, "https://other.org/"], wb, FAST, Recorder())
            return await asyncio.wait_for(run, 10)

    results = asyncio.run(go())
    assert sorted((r.status, r.error) for r in results.values()) == [
        ("failed", "blocked-url: blocked-url."),
        ("saved", None),
    ]
    assert len(state.saves()) == 4
