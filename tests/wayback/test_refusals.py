"""Save Page Now's refusals as recorded: the HTML daily-limit page, a 401 to a keyless save."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kzarchive.check.dns import StaticResolver
from kzarchive.wayback.archiver import archive_urls
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.credentials import Credentials
from kzarchive.wayback.options import ArchiveOptions
from kzarchive.wayback.replies import WaybackError, read_save_reply
from tests.observers import Recorder
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, fake_wayback

# Recorded pages are read from the team's shared folder, never copied into the project.
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "wayback"
TOO_MANY_TODAY = SHARED / "pgark-nytimes-too-many-today-submit.html"
needs_recording = pytest.mark.skipif(
    not TOO_MANY_TODAY.exists(), reason=f"{TOO_MANY_TODAY} is not here"
)
URL = "https://www.nytimes.com/"
FAST = ArchiveOptions(job_timeout=5, poll_interval=0.05, captures_per_minute=0, slot_wait=0.01)


@pytest.fixture
def fake() -> Iterator[tuple[RunningServer, FakeState]]:
    server, state = fake_wayback()
    with server:
        yield server, state


def _archive(
    server: RunningServer,
    urls: list[str],
    options: ArchiveOptions = FAST,
    keys: Credentials | None = None,
    observer: Recorder | None = None,
) -> dict[str, object]:
    async def go() -> dict[str, object]:
        async with WaybackClient(
            server.base, keys, timeout=2, resolver=StaticResolver({})
        ) as client:
            return dict(await archive_urls(urls, client, options, observer or Recorder()))

    return asyncio.run(go())


@needs_recording
def test_the_html_daily_limit_page_is_read_as_captured_today() -> None:
    with pytest.raises(WaybackError) as caught:
        read_save_reply(200, "text/html", TOO_MANY_TODAY.read_text(encoding="utf-8"))
    assert caught.value.reason == "too-many-daily-captures"
    assert caught.value.message == "This URL has been already captured 10 times today."


@needs_recording
def test_a_url_captured_ten_times_today_is_existing_with_todays_capture(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    today = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() - 60))
    state.add_capture(URL, "20190101000000")
    state.add_capture(URL, today)
    state.faults["save"] = [f"page:{TOO_MANY_TODAY}"]
    states = _archive(
        server,
        [URL],
        ArchiveOptions(job_timeout=5, captures_per_minute=0, max_snapshot_age="0s"),
        Credentials("test-access", "test-secret"),
    )
    result = states[URL]
    assert result.status == "existing"  # type: ignore[attr-defined]
    assert result.snapshot.timestamp == today  # type: ignore[attr-defined]
    assert result.error is None  # type: ignore[attr-defined]
    assert result.notes[-1] == (  # type: ignore[attr-defined]
        "too-many-daily-captures: This URL has been already captured 10 times today."
    )


def test_a_401_to_a_save_without_keys_says_keys_are_needed_and_where(
    fake: tuple[RunningServer, FakeState],
) -> None:
    server, state = fake
    state.anonymous_shape = "401"
    observer = Recorder()
    urls = ["https://example.org/a", "https://example.org/b", "https://example.org/c"]
    states = _archive(
        server, urls, FAST.__class__(**{**FAST.__dict__, "anonymous": True}), None, observer
    )
    anonymous = [r for r in state.requests if r.path.startswith("/save/http")]
    assert len(anonymous) <= 2  # the first refusal stops the others (two may be under way)
    for url in urls:
        assert states[url].status == "failed"  # type: ignore[attr-defined]
        assert states[url].error == "no-keys: Save Page Now needs archive.org keys"  # type: ignore[attr-defined]
    said = [w for w in observer.warnings if "401" in w]
    assert said == [
        "Save Page Now answered 401: it no longer saves without archive.org keys. Get a pair "
        "(free, with an archive.org account) at https://archive.org/account/s3.php and set "
        "IA_ACCESS_KEY and IA_SECRET_KEY, or run 'ia configure'"
    ]
