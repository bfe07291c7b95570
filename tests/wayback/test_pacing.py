"""Pacing requests to the Wayback Machine: the CDX limit per IP, 429s, and what a run costs."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.extract import extract
from kzarchive.models import Snapshot
from kzarchive.pipeline import run_pipeline
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.credentials import Credentials
from kzarchive.wayback.judge import SnapshotJudge
from kzarchive.wayback.options import ArchiveOptions
from kzarchive.wayback.pacing import Gate, GateClosed, Limit, Pacing
from kzarchive.wayback.replies import snapshot_url
from kzarchive.wayback.verify import VerifyOptions
from tests.observers import Recorder
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import fake_wayback
from tests.servers.scenario import scenario_server

URL = "https://example.org/page"


class Clock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


def test_a_gate_lets_a_window_go_at_once_then_waits_for_the_oldest_to_leave_it() -> None:
    clock = Clock()
    gate = Gate("CDX", Limit(3, 60.0), clock=clock, sleep=clock.sleep)

    async def go() -> None:
        for _ in range(7):
            await gate.wait()

    asyncio.run(go())
    assert clock.slept == [60.0, 60.0]
    assert gate.sent == 7
    # no window of 60 s holds more than 3 starts
    starts = list(gate.started)
    assert all(b - a >= 60.0 for a, b in zip(starts, starts[3:], strict=False))


def test_the_default_limits_are_80_percent_of_the_services() -> None:
    pacing = Pacing.default()
    assert pacing.cdx.limit == Limit(48, 60.0)
    assert pacing.memento.limit == Limit(480, 60.0)
    assert Pacing.unlimited().cdx.limit.requests == 0


def test_a_429_pauses_the_gate_and_a_second_closes_it() -> None:
    clock = Clock()
    gate = Gate("CDX", Limit(0), pause=60.0, clock=clock, sleep=clock.sleep)

    async def go() -> None:
        await gate.wait()
        assert gate.refuse(None) == 60.0
        await gate.wait()
        assert clock.slept == [60.0]
        assert gate.refuse(5.0) is None
        with pytest.raises(GateClosed):
            await gate.wait()

    asyncio.run(go())
    assert gate.closed is not None and "HTTP 429" in gate.closed


def test_429s_to_requests_already_under_way_are_one_refusal() -> None:
    clock = Clock()
    gate = Gate("CDX", Limit(0), pause=30.0, clock=clock, sleep=clock.sleep)

    async def go() -> None:
        first, second = await gate.wait(), await gate.wait()
        assert gate.refuse(None, first) == 30.0
        clock.now += 1
        assert gate.refuse(None, second) == 29.0  # sent before the first 429 came
        assert gate.closed is None and gate.refused == 1
        later = await gate.wait()
        assert gate.refuse(None, later) is None

    asyncio.run(go())


def test_a_429_asking_for_an_hour_closes_the_gate_at_once() -> None:
    gate = Gate("CDX", Limit(0))
    assert gate.refuse(3600.0) is None
    assert gate.closed is not None and "3600 s" in gate.closed


def _paced(window: float, limit: int, pause: float = 0.05) -> Pacing:
    return Pacing(
        Gate("CDX", Limit(limit, window), pause=pause),
        Gate("memento", Limit(0)),
    )


def _run(
    tmp_path: Path,
    wayback: RunningServer,
    web: RunningServer,
    urls: list[str],
    pacing: Pacing,
    observer: Recorder | None = None,
    lookups: int = 8,
) -> tuple[dict[str, dict[str, object]], int]:
    doc = footnoted_report(tmp_path / "report.md", urls, "Almaty, 1 June 2020")

    async def go() -> tuple[dict[str, dict[str, object]], int]:
        async with WaybackClient(
            wayback.base, Credentials("test-access", "test-secret"), timeout=5, pacing=pacing
        ) as client:
            result = await run_pipeline(
                extract(doc),
                tmp_path / "out",
                client,
                archive_options=ArchiveOptions(
                    captures_per_minute=0,
                    job_timeout=5,
                    archive_private=True,
                    cited_on=date(2020, 6, 1),
                    lookups=lookups,
                ),
                verify_options=VerifyOptions(interval=0),
                **({"observer": observer} if observer is not None else {}),
            )
            return {r.url: r.archive.to_json() for r in result.manifest.links}, (
                result.cdx_requests
            )

    return asyncio.run(go())


def test_sixty_links_never_meet_a_429_and_every_snapshot_is_found(tmp_path: Path) -> None:
    """The fake index allows 60 requests in any window (shrunk here to 1 s), then refuses every
    request as a blocked address; the client keeps to 48 in any window."""
    wayback, state = fake_wayback(cdx_limit=60, cdx_window=1.0)
    with scenario_server() as web, wayback:
        urls = [f"{web.base}/page/{n}" for n in range(1, 61)]
        today = time.strftime("%Y%m%d000001", time.gmtime())
        for url in urls:
            state.add_capture(url, "20200115000000")  # as cited (before 1 June 2020)
            state.add_capture(url, today)  # young enough: nothing to submit
        started = time.monotonic()
        links, requests = _run(tmp_path, wayback, web, urls, _paced(1.0, 48))
        elapsed = time.monotonic() - started
    assert state.cdx_refused == 0
    assert requests == len(state.cdx_requests()) == 60  # one look-up a link
    assert elapsed >= 1.0  # the 49th request waited for the window
    for url in urls:
        archive = links[url]
        assert archive["status"] == "existing"
        assert archive["snapshot"]["timestamp"] == today  # type: ignore[index]
        assert archive["cited_snapshot"]["timestamp"] == "20200115000000"  # type: ignore[index]
    assert state.saves() == []


def test_a_second_429_stops_look_ups_and_nothing_is_submitted_blind(tmp_path: Path) -> None:
    wayback, state = fake_wayback(cdx_limit=3, cdx_window=60.0)
    observer = Recorder()
    with scenario_server() as web, wayback:
        urls = [f"{web.base}/page/{n}" for n in range(1, 9)]
        links, requests = _run(
            tmp_path, wayback, web, urls, _paced(60.0, 0, pause=0.05), observer, lookups=1
        )
    # 3 answered, one 429 (paused), one more 429 (stopped): never a third
    assert state.cdx_refused == 2
    assert requests == 5
    skipped = [a for a in links.values() if a["status"] == "skipped"]
    assert len(skipped) == 5
    for archive in skipped:
        assert str(archive["error"]).startswith("not looked up: the Wayback Machine refused CDX")
        assert str(archive["error"]).endswith("not submitted either (run again later)")
    assert len(state.saves()) == 3  # only the links it looked up (and found no capture of)
    warnings = [w for w in observer.warnings if "HTTP 429" in w]
    assert len(warnings) == 1, observer.warnings


def test_the_seed_costs_at_most_three_cdx_requests_a_link(tmp_path: Path) -> None:
    from tests.test_run import ACCESS, SCENARIOS, SECRET, env_for, local_report

    wayback, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with scenario_server() as web, wayback:
        doc, mapping = local_report(tmp_path, web.base)
        # Captures of every kind: some before the citation date, a login wall, many recent ones
        for n, url in enumerate(mapping.values()):
            for year in range(2012, 2012 + n):
                state.add_capture(url, f"{year}0301000000")
            state.add_capture(url, "20190225000000", 302 if n % 3 else 200)
            if n % 4 == 0:  # more recent captures than the first look-up asks for
                for month in range(30):
                    state.add_capture(url, f"{2021 + month // 12}{month % 12 + 1:02d}01000000")
        result = CliRunner().invoke(
            main, ["run", str(doc), "--out", str(tmp_path / "out")], env=env_for(wayback)
        )
    assert result.exit_code in (0, 1, 4), result.stderr  # 4: the dead links are dying
    asked = len(state.cdx_requests())
    assert asked <= 3 * len(SCENARIOS), asked
    per_link = Counter(r.query["url"][0] for r in state.cdx_requests())
    assert max(per_link.values()) <= 3 and len(per_link) == len(SCENARIOS)
    assert asked > len(SCENARIOS)  # some links needed the captures around the citation date
    said = re.search(r"Wayback index \(CDX\) requests\D+(\d+)", result.stderr)
    assert said is not None and int(said.group(1)) == asked  # the run summary says how many
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert len(manifest["links"]) == 21


def test_payload_fetches_from_the_wayback_go_through_its_memento_gate() -> None:
    answers = iter([429, 429, 200])
    asked: list[str] = []

    def archive(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(next(answers), text="<html>Too Many Requests</html>")

    gate = Gate("memento", Limit(0), pause=0.01)

    async def go() -> list[Snapshot | None]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(archive)) as http:
            judge = SnapshotJudge("https://web.archive.org", http, interval=0, gate=gate)
            return [
                await judge.judged(Snapshot(snapshot_url(f"2019010{n}000000", URL), "x"))
                for n in range(1, 5)
            ]

    judged = asyncio.run(go())
    assert all(s is not None and s.judgement is None for s in judged)  # none could be judged
    assert len(asked) == 2 and gate.closed is not None  # two 429s: no more fetches this run
