"""Other web archives asked directly, each its TimeMap, at once and each on its own."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kzarchive.check.dns import StaticResolver
from kzarchive.models import ArchiveState, Snapshot
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.memento import (
    ArchiveListError,
    OtherArchives,
    default_archives,
    load_archive_list,
    nearest,
    read_archive_list,
    read_timemap,
)
from kzarchive.wayback.verify import Verifier, VerifyOptions
from tests.observers import Recorder
from tests.servers.base import RunningServer
from tests.servers.fake_timemaps import TimeMapState, fake_archive_list, fake_timemaps
from tests.servers.fake_wayback import FakeState

URL = "https://bureau.kz/novosti/x/"
LOGIN = (
    b"<html><head><title>Log into Facebook</title></head><body><form id='login_form'>"
    b"<input name='email'><input name='pass' type='password'></form></body></html>"
)


@pytest.fixture
def archives() -> Iterator[tuple[RunningServer, TimeMapState]]:
    server, state = fake_timemaps()
    state.slow_seconds = 3.0
    with server:
        yield server, state


def test_the_shipped_list_names_the_public_archives_and_their_sources() -> None:
    listed = {a.id: a for a in default_archives()}
    for wanted in (
        "archive.today",
        "arquivo.pt",
        "webarchive.loc.gov",
        "webarchive.org.uk",
        "wayback.archive-it.org",
        "swap.stanford.edu",
        "wayback.vefsafn.is",
        "perma.cc",
    ):
        assert wanted in listed
        assert listed[wanted].source.startswith("oduwsdl/MemGator")
        assert listed[wanted].timemap.startswith(("https://", "http://"))
    assert "web.archive.org" not in listed  # its own index is asked
    assert not listed["archive.today"].raw and listed["arquivo.pt"].raw


def test_memgators_own_list_is_read_as_it_is(tmp_path: Path) -> None:
    # oduwsdl/MemGator's archives.json: a list of {id, name, timemap, timegate}, "ignore": true
    path = tmp_path / "archives.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "arquivo.pt",
                    "name": "Portuguese Web Archive",
                    "timemap": "https://arquivo.pt/wayback/timemap/link/",
                    "timegate": "https://arquivo.pt/wayback/",
                },
                {
                    "id": "pastpages.org",
                    "name": "PastPages Web Archive",
                    "timemap": "http://www.pastpages.org/timemap/link/",
                    "ignore": True,
                },
            ]
        )
    )
    [arquivo] = load_archive_list(path)
    assert (arquivo.id, arquivo.name, arquivo.raw) == ("arquivo.pt", "Portuguese Web Archive", True)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "not JSON"),
        ('{"archives": [{"id": "x"}]}', 'entry 1 has no "timemap"'),
        ('[{"timemap": "ftp://x/"}]', "is not an http(s) address"),
        ('{"a": 1}', "not a list of archives"),
    ],
)
def test_a_bad_list_says_what_is_wrong(text: str, said: str) -> None:
    with pytest.raises(ArchiveListError, match=re.escape(said)):
        read_archive_list(text, "list.json")


def test_a_missing_list_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveListError, match="cannot read it"):
        load_archive_list(tmp_path / "none.json")


def test_the_nearest_copy_is_the_last_before_else_the_first_after() -> None:
    copies = [Snapshot(f"https://a.org/{ts}/x", ts) for ts in ("20180101", "20190301", "20200101")]
    assert nearest(copies, "20190222000000") == copies[0]
    assert nearest(copies[1:], "20190222000000") == copies[1]
    assert nearest([], "20190222000000") is None


def test_a_single_memento_and_odd_spacing_are_read() -> None:
    found = read_timemap(
        '\n    <https://arquivo.pt/wayback/20190220083000/https://x.org/>;rel="first last memento";'
        'datetime="Wed, 20 Feb 2019 08:30:00 GMT" ,\n<https://x.org/>; rel="original"\n',
        "arquivo.pt",
    )
    assert [(s.timestamp, s.archive) for s in found] == [("20190220083000", "arquivo.pt")]
    assert read_timemap("", "x") == [] and read_timemap("garbage", "x") == []


def _near(
    base: str, url: str, timeout: float = 1.0, rounds: int = 1
) -> tuple[list[list[Snapshot]], OtherArchives, float]:
    async def go() -> tuple[list[list[Snapshot]], OtherArchives, float]:
        async with httpx.AsyncClient() as http:
            others = OtherArchives(fake_archive_list(base), http, timeout)
            started = time.monotonic()
            found = [await others.near(url, "20190222000000") for _ in range(rounds)]
            return found, others, time.monotonic() - started

    return asyncio.run(go())


def test_every_archive_is_asked_at_once_each_within_its_own_time(
    archives: tuple[RunningServer, TimeMapState],
) -> None:
    server, state = archives
    state.add("ukwa", URL, "20190101000000")
    state.add("ukwa", URL, "20190301000000")
    state.add("arquivo", URL, "20190215120000")
    state.add("today", URL, "20190220000000")
    state.add("today", URL, "20210101000000")
    [found], others, elapsed = _near(server.base, URL, timeout=1.0)
    assert elapsed < 2.5  # the slow one (3 s) did not hold up the others
    assert [(s.archive, s.timestamp) for s in found] == [
        ("archive.today", "20190220000000"),
        ("arquivo.pt", "20190215120000"),
        ("webarchive.org.uk", "20190101000000"),
    ]
    assert others.failures == {
        "webarchive.org.uk": [],
        "arquivo.pt": [],
        "archive.today": [],
        "slow.example": ["no answer within 1 s"],
        "broken.example": ["HTTP 500"],
        "html.example": ["not a TimeMap (text/html; charset=utf-8)"],
    }


def test_archives_that_fail_twice_are_not_asked_again(
    archives: tuple[RunningServer, TimeMapState],
) -> None:
    server, state = archives
    state.slow_seconds = 0.5
    found, others, _ = _near(server.base, URL, timeout=0.2, rounds=3)
    assert found == [[], [], []]  # archive.today's 404 "TimeMap does not exists" is no failure
    assert {a.id for a in others.active()} == {"webarchive.org.uk", "arquivo.pt", "archive.today"}
    assert len(state.asked_of("broken")) == 2 and len(state.asked_of("today")) == 3


def test_a_copy_elsewhere_is_judged_and_preserves_the_link(
    wayback: tuple[RunningServer, FakeState], archives: tuple[RunningServer, TimeMapState]
) -> None:
    server, state = wayback
    other, copies = archives
    copies.slow_seconds = 0.5
    url = "https://www.facebook.com/video/1"
    state.add_capture(url, "20190220083000")
    state.payloads[url] = (200, {}, LOGIN)  # the Wayback Machine holds a login wall
    copies.add("ukwa", url, "20190221000000")
    copies.add("today", url, "20190219000000")
    copies.add("ukwa", "https://other.org/", "20190221000000", LOGIN)
    observer = Recorder()
    options = VerifyOptions(archives=fake_archive_list(other.base), timemap_timeout=0.2)

    async def go() -> tuple[ArchiveState, ArchiveState]:
        async with WaybackClient(server.base, timeout=5.0, resolver=StaticResolver({})) as wb:
            verifier = Verifier(wb, options, observer)
            snapshot = Snapshot(
                f"https://web.archive.org/web/20190220083000/{url}", "20190220083000", 200
            )
            first = await verifier.verify(url, ArchiveState("existing", snapshot))
            walled = Snapshot(
                "https://web.archive.org/web/20190220083000/https://other.org/",
                "20190220083000",
                200,
            )
            state.add_capture("https://other.org/", "20190220083000")
            state.payloads["https://other.org/"] = (200, {}, LOGIN)
            second = await verifier.verify("https://other.org/", ArchiveState("existing", walled))
            return first, second

    first, second = asyncio.run(go())
    assert first.snapshot is not None and first.snapshot.holds_page is False
    by_archive = {s.archive: s for s in first.elsewhere}
    assert set(by_archive) == {"webarchive.org.uk", "archive.today"}
    assert by_archive["webarchive.org.uk"].holds_page is True  # judged from its raw payload
    assert by_archive["archive.today"].judgement is None  # no raw form: not judged
    assert first.preserved and first.best_copy() == by_archive["webarchive.org.uk"]
    assert copies.fetched == [url, "https://other.org/"]
    # the other link's copy elsewhere is a login wall too: not preserved
    assert not second.preserved
    # the three failing archives are named once, when left alone
    dropped = [w for w in observer.warnings if w.startswith("not asked again this run")]
    assert len(dropped) == 1
    for name in ("a slow archive", "a broken archive (HTTP 500)", "an archive answering HTML"):
        assert name in dropped[0]


def _list_file(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "archives.json"
    path.write_text(
        json.dumps({"archives": [a.to_json() for a in fake_archive_list(base)[:3]]}),
        encoding="utf-8",
    )
    return path


def test_config_shows_the_list_in_force(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kzarchive.cli import main

    shipped = CliRunner().invoke(main, ["config"], env={"KZARCHIVE_ARCHIVE_LIST": ""})
    assert shipped.exit_code == 0
    assert "other web archives asked: 12 (built in: kzarchive/wayback/archives.json)" in (
        shipped.stdout
    )
    assert "  arquivo.pt" in shipped.stdout
    path = _list_file(tmp_path, "http://127.0.0.1:9")
    given = CliRunner().invoke(
        main, ["config", "--format", "json"], env={"KZARCHIVE_ARCHIVE_LIST": str(path)}
    )
    data = json.loads(given.stdout)["other_archives"]
    assert data["source"] == f"--archive-list {path}"
    assert [a["id"] for a in data["archives"]] == [
        "webarchive.org.uk",
        "arquivo.pt",
        "archive.today",
    ]
    off = CliRunner().invoke(main, ["config"], env={"KZARCHIVE_OTHER_ARCHIVES": "0"})
    assert "other web archives asked: 0 (off: --no-other-archives)" in off.stdout


def test_a_bad_archive_list_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kzarchive.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text("[{}]")
    result = CliRunner().invoke(main, ["run", "--archive-list", str(bad)])
    assert result.exit_code == 2
    assert 'entry 1 has no "timemap" address' in result.stderr


def test_a_run_asks_the_archives_of_the_list_given(
    wayback: tuple[RunningServer, FakeState],
    archives: tuple[RunningServer, TimeMapState],
    site: RunningServer,
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from kzarchive.cli import main
    from tests.servers.documents import footnoted_report
    from tests.servers.fake_wayback import cli_env

    server, state = wayback
    other, copies = archives
    walled = f"{site.base}/fb-post"
    state.add_capture(walled, "20200101000000")
    state.payloads[walled] = (200, {}, LOGIN)
    copies.add("ukwa", walled, "20200102000000")
    doc = footnoted_report(tmp_path / "report.md", [walled])
    out = tmp_path / "archive"
    path = _list_file(tmp_path, other.base)
    env = cli_env(server, KZARCHIVE_MAX_SNAPSHOT_AGE="3650d")
    result = CliRunner().invoke(
        main, ["run", str(doc), "--out", str(out), "--archive-list", str(path)], env=env
    )
    assert result.exit_code == 0, result.stderr
    [link] = json.loads((out / "manifest.json").read_text())["links"]
    [copy] = link["archive"]["elsewhere"]
    assert copy["archive"] == "webarchive.org.uk" and copy["judgement"]["verdict"] == "content"
    assert "[webarchive.org.uk: 2020-01-02, holds the page](<" in (out / "citations.md").read_text()
    # each archive of the list asked once, in parallel (so in no set order)
    assert sorted(name for name, _ in copies.asked) == ["arquivo", "today", "ukwa"]
