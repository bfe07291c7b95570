"""Perma.cc through its API: create, in progress, done, failed capture, quota spent, bad key."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.models import ArchiveState, Snapshot
from kzarchive.wayback.perma import PermaArchiver, PermaClient, PermaOptions, perma_stamp
from tests.observers import Recorder
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_perma import KEY, QUOTA, PermaState, fake_perma
from tests.servers.fake_wayback import cli_env, fake_wayback
from tests.servers.scenario import scenario_server

LOGIN = (
    b"<html><head><title>Log into Facebook</title></head><body><form id='login_form'>"
    b"<input name='email'><input name='pass' type='password'></form></body></html>"
)


@pytest.fixture
def perma() -> Iterator[tuple[RunningServer, PermaState]]:
    server, state = fake_perma()
    with server:
        yield server, state


def _options(server: RunningServer, **more: object) -> PermaOptions:
    settings: dict[str, object] = {
        "key": KEY,
        "folder": 42,
        "api": server.base,
        "poll_interval": 0.01,
        "job_timeout": 5.0,
        "timeout": 5.0,
    }
    settings.update(more)
    return PermaOptions(**settings)  # type: ignore[arg-type]


def _preserve(
    server: RunningServer,
    urls: list[str],
    options: PermaOptions | None = None,
    previous: dict[str, ArchiveState] | None = None,
    observer: Recorder | None = None,
    judge: bool = False,
) -> dict[str, ArchiveState]:
    options = options or _options(server)

    async def go() -> dict[str, ArchiveState]:
        async with httpx.AsyncClient() as http:
            archiver = PermaArchiver(PermaClient(options, http), options, observer or Recorder())
            found = {}
            for url in urls:  # in order: the quota is spent by the first ones
                state = await archiver.preserve(
                    url, ArchiveState("existing"), (previous or {}).get(url)
                )
                if judge and state.perma is not None:
                    judgement = await archiver.judge(state.perma, url)
                    from dataclasses import replace

                    state = replace(state, perma=replace(state.perma, judgement=judgement))
                found[url] = state
            return found

    return asyncio.run(go())


def test_a_link_is_created_polled_until_done_and_judged(
    perma: tuple[RunningServer, PermaState],
) -> None:
    server, state = perma
    url = "https://bureau.kz/novosti/x/"
    [result] = _preserve(server, [url], judge=True).values()
    assert state.creates() == [{"url": url, "folder": 42}]
    copy = result.perma
    assert copy is not None and copy.archive == "perma.cc" and copy.source == "saved"
    [guid] = state.links
    assert copy.url == f"https://perma.cc/{guid}"
    assert copy.timestamp == perma_stamp(state.links[guid].created)
    assert copy.judgement is not None and copy.judgement.verdict == "content"
    assert result.perma_job is None and result.perma_error is None
    polls = [p for m, p, _ in state.requests if "/capture_jobs/" in p]
    assert len(polls) == 3  # pending, in progress, completed
    assert result.preserved


def test_a_login_wall_in_the_warc_is_not_preserved(perma: tuple[RunningServer, PermaState]) -> None:
    server, state = perma
    url = "https://www.facebook.com/video/1"
    state.pages[url] = LOGIN
    [result] = _preserve(server, [url], judge=True).values()
    assert result.perma is not None and result.perma.holds_page is False
    assert not result.preserved


def test_a_failed_capture_says_so(perma: tuple[RunningServer, PermaState]) -> None:
    server, state = perma
    state.failing.add("https://gone.example.org/")
    [result] = _preserve(server, ["https://gone.example.org/"]).values()
    assert result.perma is None and result.perma_job is None
    assert result.perma_error == "capture failed: Saving web archive file"


def test_a_job_still_running_is_kept_and_polled_next_time_not_resubmitted(
    perma: tuple[RunningServer, PermaState],
) -> None:
    server, state = perma
    state.polls_needed = 1000
    url = "https://slow.example.org/"
    [first] = _preserve(server, [url], _options(server, job_timeout=0.05)).values()
    assert first.perma is None and first.perma_job in state.links
    assert re.fullmatch(r"capture job \S+ still (pending|in_progress)", first.perma_error or "")
    state.links[first.perma_job].polls_needed = 0  # type: ignore[index]
    [second] = _preserve(server, [url], previous={url: first}).values()
    assert second.perma is not None and len(state.creates()) == 1


def test_a_link_perma_holds_for_the_document_is_never_submitted_again(
    perma: tuple[RunningServer, PermaState],
) -> None:
    server, state = perma
    url = "https://bureau.kz/novosti/x/"
    held = Snapshot(
        "https://perma.cc/AB12-CD34", "20261201000000", None, "saved", archive="perma.cc"
    )
    [result] = _preserve(
        server, [url], previous={url: ArchiveState("existing", perma=held)}
    ).values()
    assert result.perma == held and state.requests == []


def test_a_spent_quota_stops_submissions_with_one_warning(
    perma: tuple[RunningServer, PermaState],
) -> None:
    server, state = perma
    state.quota = 1
    observer = Recorder()
    urls = [f"https://example.org/{n}" for n in range(4)]
    results = _preserve(server, urls, observer=observer)
    assert results[urls[0]].perma is not None
    assert results[urls[1]].perma_error == f"quota: {QUOTA}"
    for url in urls[2:]:
        assert results[url].perma_error == "not submitted: quota"
    assert len(state.creates()) == 2  # never a third try
    assert observer.warnings == [
        f"Perma.cc: {QUOTA} No more Perma links this run (the Wayback Machine goes on)."
    ]


def test_a_bad_key_says_how_to_get_one_once(perma: tuple[RunningServer, PermaState]) -> None:
    server, state = perma
    observer = Recorder()
    urls = ["https://example.org/a", "https://example.org/b"]
    results = _preserve(server, urls, _options(server, key="wrong"), observer=observer)
    assert len(state.creates()) == 1
    assert results[urls[1]].perma_error == "not submitted: bad-key"
    [said] = observer.warnings
    assert "Perma.cc refused the API key (HTTP 401: Invalid token.)" in said
    assert "https://perma.cc/settings/tools" in said and "PERMA_API_KEY" in said


def test_a_url_perma_cannot_load_is_refused_alone(perma: tuple[RunningServer, PermaState]) -> None:
    server, state = perma
    state.unresolvable.add("https://nowhere.invalid/")
    results = _preserve(server, ["https://nowhere.invalid/", "https://example.org/"])
    assert results["https://nowhere.invalid/"].perma_error == "refused: Couldn't resolve domain."
    assert results["https://example.org/"].perma is not None


def test_run_makes_perma_links_once_and_the_reports_name_them(
    perma: tuple[RunningServer, PermaState], tmp_path: Path
) -> None:
    server, state = perma
    wayback, _ = fake_wayback()
    with scenario_server() as web, wayback:
        urls = [f"{web.base}/page/1", f"{web.base}/gone404"]
        doc = footnoted_report(tmp_path / "report.md", urls)
        out = tmp_path / "archive"
        env = cli_env(
            wayback,
            PERMA_API_KEY=KEY,
            KZARCHIVE_PERMA_URL=server.base,
            KZARCHIVE_PERMA_FOLDER="7",
            KZARCHIVE_OTHER_ARCHIVES="0",
        )
        first = CliRunner().invoke(main, ["run", str(doc), "--out", str(out)], env=env)
        assert first.exit_code == 1, first.stderr  # the dead link
        # only the page that answers goes to Perma, into the folder asked for
        assert state.creates() == [{"url": urls[0], "folder": 7}]
        manifest = json.loads((out / "manifest.json").read_text())
        link = manifest["links"][0]["archive"]
        assert link["perma"]["url"].startswith("https://perma.cc/")
        assert link["perma"]["judgement"]["verdict"] == "content"
        assert KEY not in (out / "manifest.json").read_text()
        markdown = (out / "citations.md").read_text()
        day = Snapshot.from_json(link["perma"]).date
        assert f"[Perma.cc: {day}, holds the page](<{link['perma']['url']}>)" in markdown
        page = (out / "report.html").read_text()
        assert f'href="{link["perma"]["url"]}"' in page
        rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8-sig"))))
        assert rows[0]["perma_url"] == link["perma"]["url"] and rows[0]["perma_holds_page"] == "yes"
        assert "Wayback index (CDX) requests" in first.stderr
        # a second run submits nothing again; --no-perma keeps what was made
        CliRunner().invoke(main, ["run", str(doc), "--out", str(out)], env=env)
        assert len(state.creates()) == 1
        CliRunner().invoke(main, ["run", str(doc), "--out", str(out), "--no-perma"], env=env)
        again = json.loads((out / "manifest.json").read_text())
        assert again["links"][0]["archive"]["perma"]["url"] == link["perma"]["url"]
