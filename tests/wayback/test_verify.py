"""Is the snapshot any good? Copies judged from their raw payloads, other archives, drift."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.check.dns import StaticResolver
from kzarchive.cli import main
from kzarchive.models import ArchiveState, Judgement, Snapshot
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.judge import raw_address
from kzarchive.wayback.memento import read_timemap
from kzarchive.wayback.verify import Verifier, VerifyOptions
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_timemaps import TimeMapState, fake_timemaps
from tests.servers.fake_wayback import FakeState, cli_env

TS = "20190220083000"
LOGIN = (
    b"<html><head><title>Log into Facebook</title></head><body><form id='login_form'>"
    b"<input name='email'><input name='pass' type='password'></form></body></html>"
)
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body>cf-challenge</body></html>"
NOT_FOUND = b"<html><head><title>Page not found</title></head><body>Sorry.</body></html>"
PAYLOADS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "https://www.facebook.com/video/1": (200, {}, LOGIN),
    "https://blocked.example.org/a": (403, {"Server": "cloudflare"}, CHALLENGE),
    "https://challenge.example.org/a": (200, {}, CHALLENGE),
    "https://gone.example.org/a": (404, {}, NOT_FOUND),
    "https://soft.example.org/a": (200, {}, NOT_FOUND),
    "https://moved.example.org/a": (301, {"Location": "https://moved.example.org/b"}, b""),
}
EXPECTED = {
    "https://fidu.it/en/report/": "content",
    "https://www.facebook.com/video/1": "login-wall",
    "https://blocked.example.org/a": "error-page",
    "https://challenge.example.org/a": "bot-challenge",
    "https://gone.example.org/a": "error-page",
    "https://soft.example.org/a": "soft-404",
    "https://moved.example.org/a": "redirect",
}


@pytest.fixture
def elsewhere() -> Iterator[tuple[RunningServer, TimeMapState]]:
    server, state = fake_timemaps()
    with server:
        yield server, state


def snapshot(url: str, ts: str = TS) -> Snapshot:
    return Snapshot(f"https://web.archive.org/web/{ts}/{url}", ts, 200)


def verify(
    server: RunningServer,
    states: dict[str, ArchiveState],
    memento: str | None = None,
    previous: dict[str, ArchiveState] | None = None,
) -> tuple[dict[str, ArchiveState], int]:
    options = VerifyOptions(
        other_archives=memento is not None, memento_url=memento or "http://127.0.0.1:9"
    )

    async def go() -> tuple[dict[str, ArchiveState], int]:
        async with WaybackClient(server.base, timeout=5.0, resolver=StaticResolver({})) as wb:
            verifier = Verifier(wb, options)
            found = {
                url: await verifier.verify(url, state, (previous or {}).get(url))
                for url, state in states.items()
            }
            return found, verifier.judge.fetched

    return asyncio.run(go())


def test_every_kind_of_copy_is_judged(wayback: tuple[RunningServer, FakeState]) -> None:
    server, state = wayback
    state.payloads.update(PAYLOADS)
    for url in EXPECTED:
        state.add_capture(url, TS)
    states = {url: ArchiveState("existing", snapshot(url)) for url in EXPECTED}
    found, fetched = verify(server, states)
    verdicts = {
        url: s.snapshot.judgement.verdict
        for url, s in found.items()
        if s.snapshot and s.snapshot.judgement
    }
    assert verdicts == EXPECTED
    assert fetched == len(EXPECTED)
    good = found["https://fidu.it/en/report/"].snapshot
    assert good is not None and good.judgement is not None
    assert good.judgement.sha256 is not None and good.judgement.size and good.judgement.size > 100
    # Only copies that hold the page count as preserved.
    assert {url for url, s in found.items() if s.preserved} == {"https://fidu.it/en/report/"}


def judge_redirect(wayback: tuple[RunningServer, FakeState], target_timestamp: str) -> Judgement:
    """The judgement of a captured redirect whose target was captured at ``target_timestamp``."""
    server, state = wayback
    state.payloads.update(PAYLOADS)
    state.add_capture("https://moved.example.org/a", TS)
    state.add_capture("https://moved.example.org/b", target_timestamp)
    found, _ = verify(
        server,
        {
            "https://moved.example.org/a": ArchiveState(
                "existing", snapshot("https://moved.example.org/a")
            )
        },
    )
    judged = found["https://moved.example.org/a"].snapshot
    assert judged is not None and judged.judgement is not None
    return judged.judgement


def test_a_redirect_whose_target_was_captured_holds_the_page(
    wayback: tuple[RunningServer, FakeState],
) -> None:
    judgement = judge_redirect(wayback, TS)
    assert judgement.verdict == "content"
    assert "redirect" in judgement.reason


def test_a_redirect_whose_target_was_captured_seconds_later_holds_the_page(
    wayback: tuple[RunningServer, FakeState],
) -> None:
    # As recorded at web.archive.org: epa.gov's 301 captured at 02:37:57, its target at 02:44:05;
    # the replay of the target at the first timestamp is a 302 to the second.
    assert judge_redirect(wayback, "20190220084405").verdict == "content"


def test_an_older_good_capture_is_pointed_to(wayback: tuple[RunningServer, FakeState]) -> None:
    server, state = wayback
    url = "https://www.facebook.com/video/1"
    state.add_capture(url, "20170101000000")  # before the site walled it off
    state.add_capture(url, "20180101000000")
    state.add_capture(url, TS)
    state.payloads[f"{TS}/{url}"] = (200, {}, LOGIN)
    state.payloads[f"20180101000000/{url}"] = (200, {}, CHALLENGE)
    found, _ = verify(server, {url: ArchiveState("existing", snapshot(url))})
    good = found[url].good_snapshot
    assert good is not None and good.timestamp == "20170101000000"
    assert good.judgement is not None and good.judgement.verdict == "content"
    assert found[url].preserved and found[url].best_copy() == good


def test_no_good_copy_anywhere_is_not_preserved(wayback: tuple[RunningServer, FakeState]) -> None:
    server, state = wayback
    url = "https://www.facebook.com/video/1"
    state.add_capture(url, "20170101000000")
    state.add_capture(url, TS)
    state.payloads[url] = (200, {}, LOGIN)
    found, _ = verify(server, {url: ArchiveState("existing", snapshot(url))})
    assert found[url].good_snapshot is None and not found[url].preserved
    assert found[url].best_copy() is None


def test_judgements_are_kept_and_not_fetched_again(
    wayback: tuple[RunningServer, FakeState],
) -> None:
    server, state = wayback
    url = "https://fidu.it/en/report/"
    state.add_capture(url, TS)
    first, fetched = verify(server, {url: ArchiveState("existing", snapshot(url))})
    assert fetched == 1
    # A re-run looks the capture up afresh (no judgement on it): the manifest's is reused.
    again, fetched_again = verify(
        server, {url: ArchiveState("existing", snapshot(url))}, previous=first
    )
    assert fetched_again == 0
    assert again[url].snapshot == first[url].snapshot


def test_other_archives_when_the_wayback_machine_has_no_good_copy(
    wayback: tuple[RunningServer, FakeState], elsewhere: tuple[RunningServer, TimeMapState]
) -> None:
    server, state = wayback
    memento, copies = elsewhere
    url = "https://www.facebook.com/video/1"
    state.add_capture(url, TS)
    state.payloads[url] = (200, {}, LOGIN)
    copies.add(
        "ukwa",
        url,
        "20190221000000",
        b"<html><body>The video page, " + b"words " * 50 + b"</body></html>",
    )
    found, _ = verify(server, {url: ArchiveState("existing", snapshot(url))}, memento.base)
    copy = found[url].elsewhere
    assert len(copy) == 1 and copy[0].archive == "127.0.0.1"
    assert copy[0].url == f"{memento.base}/ukwa/20190221000000/{url}"
    assert copy[0].judgement is not None and copy[0].judgement.verdict == "content"
    assert found[url].preserved and found[url].best_copy() == copy[0]
    assert copies.asked == [("memgator", url)] and copies.fetched == [url]


def test_other_archives_are_not_asked_when_the_copy_is_good(
    wayback: tuple[RunningServer, FakeState], elsewhere: tuple[RunningServer, TimeMapState]
) -> None:
    server, state = wayback
    memento, copies = elsewhere
    url = "https://fidu.it/en/report/"
    state.add_capture(url, TS)
    verify(server, {url: ArchiveState("existing", snapshot(url))}, memento.base)
    assert copies.asked == []


def test_an_aggregators_timemap_names_other_archives_copies() -> None:
    # A MemGator TimeMap lists the Wayback Machine's mementos too: those are left out (its own
    # index is asked for them).
    timemap = (
        '<http://cnn.com/>; rel="original",\n'
        '<http://arquivo.pt/wayback/20130115102033/http://cnn.com/>; rel="memento"; '
        'datetime="Tue, 15 Jan 2013 10:20:33 GMT",\n'
        '<http://web.archive.org/web/20130115102033/http://cnn.com/>; rel="memento"; '
        'datetime="Tue, 15 Jan 2013 10:20:33 GMT",\n'
        '<http://archive.today/19980101000000/http://cnn.com/>; rel="first memento"; '
        'datetime="Thu, 01 Jan 1998 00:00:00 GMT"\n'
    )
    found = read_timemap(timemap, "")
    assert [(s.archive, s.timestamp) for s in found] == [
        ("archive.today", "19980101000000"),
        ("arquivo.pt", "20130115102033"),
    ]
    assert (
        raw_address(found[1].url) == "http://arquivo.pt/wayback/20130115102033id_/http://cnn.com/"
    )
    assert raw_address(found[0].url) is None  # archive.today serves no raw payloads


def test_run_counts_only_copies_that_hold_the_page(
    site: RunningServer,
    wayback: tuple[RunningServer, FakeState],
    elsewhere: tuple[RunningServer, TimeMapState],
    tmp_path: Path,
) -> None:
    server, state = wayback
    memento, _ = elsewhere
    ok, walled = f"{site.base}/ok", f"{site.base}/fb-post"
    state.add_capture(ok, "20260101000000")
    state.add_capture(walled, "20260101000000")
    state.payloads[walled] = (200, {}, LOGIN)
    doc = footnoted_report(tmp_path / "report.md", [ok, walled])
    out = tmp_path / "archive"
    env = cli_env(server, KZARCHIVE_MEMENTO_URL=memento.base, KZARCHIVE_MAX_SNAPSHOT_AGE="3650d")
    result = CliRunner().invoke(main, ["run", str(doc), "--out", str(out)], env=env)
    manifest = json.loads((out / "manifest.json").read_text())
    by_url = {link["url"]: link for link in manifest["links"]}
    assert by_url[walled]["archive"]["snapshot"]["judgement"]["verdict"] == "login-wall"
    assert (manifest["summary"]["archived"], manifest["summary"]["not_holding"]) == (1, 1)
    assert manifest["summary"]["missing_snapshots"] == 1
    assert result.exit_code == 1  # a link not preserved is a finding
    # The walled page (blocked live) was not submitted again.
    assert all(r.form.get("url") != walled for r in state.saves())
    markdown = (out / "citations.md").read_text()
    assert ", a login wall](" in markdown and "not preserved: no copy holds the page" in markdown
    assert ", holds the page](" in markdown and "; preserved in the Wayback Machine" in markdown
    page = (out / "report.html").read_text()  # run writes the reading view beside it
    assert "a login wall</a>" in page and "not preserved: no copy holds the page" in page
    rows = (out / "manifest.csv").read_text("utf-8-sig").splitlines()
    assert "preserved,best_copy_url,best_copy_archive,best_copy_holds_page,drift," in rows[0]
    # A second run fetches no payload again.
    state.replays.clear()
    CliRunner().invoke(main, ["run", str(doc), "--out", str(out)], env=env)
    assert state.replays == []


def test_diff_and_reports_show_a_wall_and_a_drift(tmp_path: Path) -> None:
    from kzarchive.diff import diff
    from kzarchive.manifest import LinkRecord, Manifest
    from kzarchive.models import Citation, Judgement
    from kzarchive.render import RENDERERS

    url = "https://www.facebook.com/video/1"
    plain = snapshot(url)
    walled = Snapshot(plain.url, plain.timestamp, 200, judgement=Judgement("login-wall", "x", "t"))
    cited = [Citation("1", url, 1)]
    old = Manifest(
        {"path": "r.md"},
        tuple(cited),
        (LinkRecord(url, ("1",), archive=ArchiveState("existing", plain, drift=0.1)),),
    )
    new = Manifest(
        {"path": "r.md"},
        tuple(cited),
        (LinkRecord(url, ("1",), archive=ArchiveState("existing", walled, drift=0.8)),),
    )
    kinds = {c.kind: c for c in diff(old, new)}
    assert kinds["copy-not-holding"].new == "login-wall"
    assert kinds["not-preserved"].url == url
    assert (kinds["drifted"].old, kinds["drifted"].new) == ("10%", "80%")
    html = RENDERERS["html"].render(new)
    assert "not preserved: no copy holds the page" in html and "a login wall" in html
    assert "data-versionurl" not in html  # Robust Links never point at a login wall


def test_an_aggregator_that_does_not_answer_is_said_once(
    wayback: tuple[RunningServer, FakeState],
) -> None:
    # Two links ask it at the same time (two slots); both answers fail: one warning
    import time
    from http.server import BaseHTTPRequestHandler

    from kzarchive.wayback.verify import Verifier
    from tests.observers import Recorder

    class Failing(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(0.2)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server, _ = wayback
    urls = [f"https://example.org/{n}" for n in range(4)]
    with RunningServer(Failing, None) as aggregator:
        options = VerifyOptions(other_archives=True, memento_url=aggregator.base)

        async def go() -> Recorder:
            recorder = Recorder()
            async with WaybackClient(server.base, timeout=5.0, resolver=StaticResolver({})) as wb:
                verifier = Verifier(wb, options, recorder)
                await asyncio.gather(
                    *(verifier._elsewhere(url, ArchiveState("failed")) for url in urls)
                )
            return recorder

        recorder = asyncio.run(go())
    assert len(recorder.warnings) == 1, recorder.warnings


def test_the_archive_table_tells_one_state_and_gives_the_snapshot_to_copy(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = wayback
    good, walled = f"{site.base}/ok", f"{site.base}/fb-post"
    for url in (good, walled):
        state.add_capture(url, "20260101000000")
    state.payloads[walled] = (200, {}, LOGIN)
    doc = footnoted_report(tmp_path / "report.md", [good, walled])
    env = cli_env(server, KZARCHIVE_MAX_SNAPSHOT_AGE="3650d", KZARCHIVE_OTHER_ARCHIVES="0")
    result = CliRunner().invoke(main, ["archive", str(doc)], env=env)
    assert result.exit_code == 1  # a link is not preserved
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows[good][2] == "existing"
    assert rows[good][3] == f"https://web.archive.org/web/20260101000000/{good}"
    assert rows[walled][2:4] == ["not", "holding"]  # never "saved" or "existing"
    assert rows[walled][4] == f"https://web.archive.org/web/20260101000000/{walled}"
    assert "no copy holds the page (login-wall:" in result.stdout
    # The summary counts the table's words, and says what the exit code says
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("1 existing, 1 not holding; 1 not preserved; ")
    )
