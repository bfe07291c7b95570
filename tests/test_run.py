"""``kzarchive run`` end to end: the seed report pointed at the scenario server and fake archive."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kzarchive.check import dns as net
from kzarchive.cli import main
from kzarchive.extract import extract
from kzarchive.lock import FolderLock
from tests.conftest import ROOT
from tests.interrupt import interrupt_when
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, fake_wayback
from tests.servers.platforms import HOSTS as PLATFORM_HOSTS
from tests.servers.platforms import LATE_PRIVATE, WATCH, recorded
from tests.servers.scenario import LOGIN, scenario_server

ACCESS, SECRET = "RUNACCESSKEY42", "RUNSECRETKEY42"
# Where each of the seed's 21 links goes on the scenario server, in order of first citation.
SCENARIOS = [
    "/page/1",
    "/gone404",
    "/page/3",
    "/page/4",
    "/fb-video?n=5",
    "/page/6",
    "/page/7",
    "/forbidden",
    "/page/9",
    "/page/10",
    "/moved",
    "/page/12",
    "/page/13",
    "/gone410",
    "/page/15",
    "/page/16",
    "/page/17",
    "/page/18",
    "/linkedin",
    "/page/20",
    "/page/21",
]
# The seed's links that are not dead: all of them are submitted to Save Page Now, the blocked
# ones included (it captures with its own browser from its own addresses).
SUBMITTED = 19
EXPECTED = {
    "/gone404": "dead",
    "/gone410": "dead",
    "/fb-video?n=5": "blocked",
    "/forbidden": "blocked",
    "/linkedin": "blocked",
    "/moved": "redirected",
}


def local_report(tmp_path: Path, base: str) -> tuple[Path, dict[str, str]]:
    """A copy of sources.txt whose URLs point at ``base``, escapes and all."""
    text = (ROOT / "sources.txt").read_text(encoding="utf-8")
    mapping = {}
    for link, path in zip(extract(ROOT / "sources.txt").links, SCENARIOS, strict=True):
        mapping[link.url] = f"{base}{path}"
    for original in sorted(mapping, key=len, reverse=True):
        text = text.replace(original.replace("_", "\\\\_"), mapping[original])
        text = text.replace(original, mapping[original])
    doc = tmp_path / "sources.txt"
    doc.write_text(text, encoding="utf-8")
    return doc, mapping


@pytest.fixture
def servers() -> Iterator[tuple[RunningServer, RunningServer, FakeState]]:
    wayback, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with scenario_server() as web, wayback:
        yield web, wayback, state


def env_for(wayback: RunningServer) -> dict[str, str]:
    return {
        "KZARCHIVE_WAYBACK_URL": wayback.base,
        "IA_ACCESS_KEY": ACCESS,
        "IA_SECRET_KEY": SECRET,
        "KZARCHIVE_JOB_TIMEOUT": "10",
        "KZARCHIVE_CAPTURES_PER_MINUTE": "0",
        # The cited pages are on 127.0.0.1: a private address, archived only when asked.
        "KZARCHIVE_ARCHIVE_PRIVATE": "1",
        "KZARCHIVE_TIMEOUT": "5",
    }


def invoke(wayback: RunningServer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env_for(wayback))
    return result.exit_code, result.stdout, result.stderr


def test_run_end_to_end(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    doc, mapping = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    state.add_capture(
        mapping["https://fidu.it/en/kazakhstan-the-final-report-of-fidus-april-mission/"],
        "20180601000000",
    )
    code, stdout, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1, stderr  # two links failed (dying after one look), one has no copy
    assert stdout == ""
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_version"] == 2
    assert manifest["document"]["cited_on"] == "2019-02-22"
    assert len(manifest["citations"]) == 23 and len(manifest["links"]) == 21
    verdicts = {
        link["url"].removeprefix(web.base): link["check"]["verdict"] for link in manifest["links"]
    }
    assert verdicts == {path: EXPECTED.get(path, "alive") for path in SCENARIOS}
    # Every page that is not dead is captured, the blocked ones too; dead ones are not submitted.
    for link in manifest["links"]:
        submitted = link["check"]["verdict"] != "dead"
        assert link["archive"]["status"] == ("saved" if submitted else "skipped"), link
    assert all(len(link["history"]) == 1 for link in manifest["links"])
    april = manifest["links"][2]["archive"]["cited_snapshot"]
    assert april["timestamp"] == "20180601000000"
    summary = manifest["summary"]
    assert (summary["citations"], summary["links"], summary["dying"], summary["archived"]) == (
        23,
        21,
        2,
        SUBMITTED,
    )
    # One failed look is not a death (issue 25): nothing is dead, no footnote lost yet
    assert (summary["dead"], summary["dead_footnotes"]) == (0, [])
    # The CSV and the Markdown beside it say the same.
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8-sig"))))
    assert len(rows) == 23
    by_url = {link["url"]: link for link in manifest["links"]}
    for row in rows:
        link = by_url[row["url"]]
        told = "dying" if link["check"]["verdict"] == "dead" else link["check"]["verdict"]
        assert row["verdict"] == told
        snapshot = link["archive"]["snapshot"]
        assert row["snapshot_url"] == (snapshot["url"] if snapshot else "")
    markdown = (out / "citations.md").read_text()
    assert markdown.count("**dying**") == 3 and "**dead**" not in markdown  # notes 2, 11, 19
    assert "## Footnote 19" in markdown
    # And the reading view: titled by the document, never by the folder it was read from.
    page = (out / "report.html").read_text()
    assert "<title>Sources of KAZAKHSTAN ILLEGALLY EXPELLED FIDU" in page
    assert str(tmp_path) not in page and page.count('class="citation"') == 23
    kept = sum(1 for link in manifest["links"] if (link.get("evidence") or {}).get("record_id"))
    assert kept and page.count("evidence/warc/kzarchive-") >= kept  # each own copy, linked
    assert "dying links by footnote" in stderr and "wrote" in stderr and "report.html" in stderr
    assert len(state.saves()) == SUBMITTED


def test_every_link_that_is_not_dead_is_submitted(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    paths = ["/browsers-only", "/gone404", "/fb-video", "/ok"]
    doc = footnoted_report(tmp_path / "r.md", [web.base + p for p in paths])
    out = tmp_path / "archive"
    # Save Page Now got the page behind the 403, and only a login wall of the Facebook video.
    state.payloads[web.base + "/fb-video"] = (200, {}, LOGIN.encode())
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1, stderr  # /gone404 is dead, /fb-video is not preserved
    links = {
        link["url"].removeprefix(web.base): link
        for link in json.loads((out / "manifest.json").read_text())["links"]
    }
    checks = {
        path: (link["check"]["verdict"], link["check"]["reason"]) for path, link in links.items()
    }
    assert checks == {
        "/browsers-only": ("blocked", "http-403"),
        "/gone404": ("dead", "http-404"),
        "/fb-video": ("blocked", "login-wall"),
        "/ok": ("alive", "http-200"),
    }
    # Refused to us (a 403 to robots, a login wall) is no reason to keep it from Save Page Now,
    # which fetches with its own browser; only the page that is gone is not submitted.
    submitted = sorted(r.form["url"].removeprefix(web.base) for r in state.saves())
    assert submitted == ["/browsers-only", "/fb-video", "/ok"]
    assert links["/gone404"]["archive"]["status"] == "skipped"
    assert links["/gone404"]["archive"]["error"] == "not-captured: the live page is gone (http-404)"
    for path in ("/browsers-only", "/fb-video"):
        archive = links[path]["archive"]
        assert archive["status"] == "saved" and archive["snapshot"], archive
        verdict, reason = checks[path]
        assert archive["notes"] == [
            f"submitted although the live check was {verdict} ({reason}): Save Page Now "
            "fetches with its own browser and addresses; its copy is judged on its own"
        ]
    assert links["/ok"]["archive"]["notes"] == []
    # Each capture is then judged as any other: the one of the login wall preserves nothing.
    judged = {
        path: links[path]["archive"]["snapshot"]["judgement"]["verdict"]
        for path in ("/browsers-only", "/fb-video", "/ok")
    }
    assert judged == {"/browsers-only": "content", "/fb-video": "login-wall", "/ok": "content"}


def test_what_the_platform_says_decides_what_is_submitted(
    servers: tuple[RunningServer, RunningServer, FakeState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # YouTube's recorded watch pages, served under YouTube's name (tests/servers/platforms.py)
    web, wayback, state = servers
    monkeypatch.setattr(
        net,
        "_lookup",
        lambda host: (
            net.DnsAnswer("ok", ("127.0.0.1",))
            if host in PLATFORM_HOSTS
            else net.DnsAnswer("nxdomain")
        ),
    )
    videos = {
        "2lAe1cqCOXo": "alive",
        "m8uHb5jIGN8": "dead",
        "irauhITDrsE": "blocked",
        LATE_PRIVATE: "dead",
    }
    urls = {v: f"http://www.youtube.com:{web.port}/watch?v={v}" for v in videos}
    doc = footnoted_report(tmp_path / "r.md", list(urls.values()))
    out = tmp_path / "archive"
    state.payloads[urls["irauhITDrsE"]] = (200, {}, recorded(WATCH["irauhITDrsE"]))
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out), "--no-media")
    assert code == 1, stderr  # the private video is dead
    links = {link["url"]: link for link in json.loads((out / "manifest.json").read_text())["links"]}
    found = {
        v: (links[u]["check"]["verdict"], links[u]["check"]["reason"]) for v, u in urls.items()
    }
    assert found == {
        "2lAe1cqCOXo": ("alive", "http-200"),
        "m8uHb5jIGN8": ("dead", "private"),
        "irauhITDrsE": ("blocked", "age-gate"),
        LATE_PRIVATE: ("dead", "private"),
    }
    # Our own copy of each page is judged by the platform's word too
    own = {v: links[u]["evidence"]["verdict"] for v, u in urls.items()}
    assert own == {
        "2lAe1cqCOXo": "content",
        "m8uHb5jIGN8": "soft-404",
        "irauhITDrsE": "login-wall",
        LATE_PRIVATE: "soft-404",
    }
    # The private video is not submitted; the one behind the age gate is (Save Page Now may
    # get past it), and the playable one
    assert sorted(r.form["url"] for r in state.saves()) == sorted(
        [urls["2lAe1cqCOXo"], urls["irauhITDrsE"]]
    )
    # Save Page Now got only the age gate too: its copy is judged by YouTube's word
    judgement = links[urls["irauhITDrsE"]]["archive"]["snapshot"]["judgement"]
    assert judgement["verdict"] == "login-wall"
    assert judgement["reason"].startswith("the capture is YouTube's age-gate page")


def test_rerun_resumes_and_appends_history(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    invoke(wayback, "run", str(doc), "--out", str(out))
    first = json.loads((out / "manifest.json").read_text())
    # The document drops footnote 18: its link stays, marked as no longer cited.
    lines = doc.read_text().splitlines(keepends=True)
    doc.write_text("".join(line for line in lines if not line.startswith("<sup>18</sup>")))
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1, stderr
    second = json.loads((out / "manifest.json").read_text())
    assert len(state.saves()) == SUBMITTED  # young snapshots are not submitted again
    assert all(len(link["history"]) == 2 for link in second["links"] if link["cited"])
    assert [item["archive"]["snapshot"] for item in second["links"]] == [
        item["archive"]["snapshot"] for item in first["links"]
    ]
    assert len(second["links"]) == 21 and len(second["citations"]) == 22
    shared = next(item for item in second["links"] if item["url"].endswith("/gone410"))
    assert shared["footnotes"] == ["11", "19"] and shared["cited"] is True
    dropped = [item for item in second["links"] if not item["cited"]]
    assert [item["url"].removeprefix(web.base) for item in dropped] == ["/page/21"]
    code, _, _ = invoke(wayback, "run", str(doc), "--out", str(out), "--refresh")
    refreshed = state.saves()[SUBMITTED:]
    submitted = [
        item["url"]
        for item in second["links"]
        if item["cited"] and item["check"]["verdict"] != "dead"
    ]
    assert sorted(r.form["url"] for r in refreshed) == sorted(submitted)  # not the dropped one
    assert {r.form["if_not_archived_within"] for r in refreshed} == {"0"}


def test_second_run_on_locked_folder_stops(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    with FolderLock(out):
        code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 2
    assert "another kzarchive run" in stderr and str(os.getpid()) in stderr
    assert not (out / "manifest.json").exists()


def test_corrupt_manifest_is_set_aside(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    out.mkdir()
    (out / "manifest.json").write_text('{"schema_version": 1, "links": [')
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 2 and "corrupt manifest" in stderr and "Traceback" not in stderr
    kept = list(out.glob("manifest.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == '{"schema_version": 1, "links": ['
    code, _, _ = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1 and (out / "manifest.json").exists()


def test_unknown_schema_version_is_left_alone(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    out.mkdir()
    future = '{"schema_version": 99, "links": []}'
    (out / "manifest.json").write_text(future)
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 2 and "schema version 99" in stderr
    assert (out / "manifest.json").read_text() == future


def test_keys_never_written_anywhere(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    state.faults["save"] = ["refuse:blocked-url", "401", "malformed"]
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    _, stdout, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".warc.gz") for p in files)  # the evidence is searched too
    written = b"".join(
        gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files
    )
    for secret in (ACCESS, SECRET):
        assert secret not in stdout + stderr
        assert secret.encode() not in written


def test_offline_run_of_the_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources.txt").write_bytes((ROOT / "sources.txt").read_bytes())
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["run"], env={"KZARCHIVE_WAYBACK_URL": "https://web.archive.org"}
    )
    assert time.monotonic() - started < 10
    assert result.exit_code == 3  # offline: nothing could be decided
    manifest = json.loads((tmp_path / "archive" / "manifest.json").read_text())
    assert {(item["check"]["verdict"], item["check"]["reason"]) for item in manifest["links"]} == {
        ("error", "offline")
    }
    assert {
        (item["archive"]["status"], item["archive"]["error"]) for item in manifest["links"]
    } == {("skipped", "offline")}
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "offline" in warnings[0]


def stored_links(out: Path) -> list[dict[str, Any]]:
    """Each link of the folder's store as the manifest shows it (read-only, beside a writer)."""
    if not (out / "kzarchive.db").exists():
        return []
    with contextlib.closing(
        sqlite3.connect(f"file:{out / 'kzarchive.db'}?mode=ro", uri=True, timeout=10)
    ) as db:
        try:
            rows = db.execute("SELECT url, check_json, archive_json FROM links").fetchall()
            history = db.execute(
                "SELECT url, at, verdict, reason, http_status FROM observations "
                "WHERE kind = 'check' AND superseded = 0 ORDER BY id"
            ).fetchall()
        except sqlite3.OperationalError:  # not made yet
            return []
    looks: dict[str, list[dict[str, Any]]] = {}
    for url, at, verdict, reason, status in history:
        looks.setdefault(url, []).append(
            {"checked_at": at, "verdict": verdict, "reason": reason, "http_status": status}
        )
    return [
        {
            "url": url,
            "check": json.loads(check) if check else None,
            "archive": json.loads(archive) if archive else None,
            "history": looks.get(url, []),
        }
        for url, check, archive in rows
    ]


def test_kill_9_then_resume(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    state.capture_seconds = 1.0
    state.user_limit = 3
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"
    command = [sys.executable, "-m", "kzarchive", "run", str(doc), "--out", str(out)]
    env = {**os.environ, **env_for(wayback), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        done: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            links = stored_links(out)
            done = [
                item
                for item in links
                if item.get("archive") and item["archive"]["status"] == "saved"
            ]
            in_flight = [
                item
                for item in links
                if item.get("archive") and item["archive"]["status"] == "pending"
            ]
            if len(done) >= 4 and in_flight:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    json.loads((out / "manifest.json").read_text())  # still valid JSON
    # The store is the record of every finished step (the manifest is written from it at the
    # end of a run): what it holds after the kill is what the next run resumes from.
    killed = {"links": stored_links(out)}
    finished = {
        item["url"]: item
        for item in killed["links"]
        if item["archive"] and item["archive"]["status"] == "saved"
    }
    pending = {
        item["url"]: item["archive"]["job_id"]
        for item in killed["links"]
        if item["archive"] and item["archive"]["status"] == "pending"
    }
    assert 4 <= len(finished) < 21
    assert pending, "jobs in flight at the kill are on record"
    state.capture_seconds = 0.0
    state.user_limit = 21
    first_run_saves = len(state.saves())
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    final = json.loads((out / "manifest.json").read_text())
    saved = [item for item in final["links"] if item["archive"]["status"] == "saved"]
    assert len(saved) == SUBMITTED, stderr
    for url, link in finished.items():
        now = next(item for item in final["links"] if item["url"] == url)

        def capture(snapshot: dict[str, object]) -> dict[str, object]:
            return {k: v for k, v in snapshot.items() if k != "judgement"}

        # The same capture (judged in either run, or in both)
        assert capture(now["archive"]["snapshot"]) == capture(link["archive"]["snapshot"])
        assert now["history"][0] == link["history"][0]
    polled = {r.path.removeprefix("/save/status/") for r in state.requests}
    assert set(pending.values()) <= polled
    resubmitted = {r.form["url"] for r in state.saves()[first_run_saves:]}
    assert not resubmitted & set(pending), "jobs on record are polled, not submitted again"
    jobs_per_url = Counter(job.url for job in state.jobs.values())
    assert max(jobs_per_url.values()) == 1, "no URL was captured twice"
    assert len(jobs_per_url) == SUBMITTED, sorted(jobs_per_url)
    assert code == 1  # the seed's dead links


def test_ctrl_c_saves_the_manifest(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    state.capture_seconds = 30.0  # captures outlast the test: the run is interrupted mid-way
    doc, _ = local_report(tmp_path, web.base)
    out = tmp_path / "archive"

    # Interrupt once three jobs are on record (a job SPN2 has taken but whose id has not
    # reached us yet cannot be, whatever we do). A running run records them in its store; the
    # manifest is written when it stops (watching it waited out interrupt_when's 20 s).
    def on_record() -> bool:
        archived = [link["archive"] for link in stored_links(out) if link.get("archive")]
        return len([a for a in archived if a.get("job_id")]) >= 3

    code, stderr = interrupt_when(["run", str(doc), "--out", str(out)], env_for(wayback), on_record)
    assert code == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert len(_pending_jobs(out)) >= 3  # the submitted jobs stay on record for the next run


def _pending_jobs(out: Path) -> list[str]:
    """The job ids the manifest in ``out`` holds (none while there is no manifest yet)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return []
    return [
        item["archive"]["job_id"]
        for item in manifest["links"]
        if item["archive"] and item["archive"]["job_id"]
    ]


def test_second_look_is_one_history_entry_per_run(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc = footnoted_report(tmp_path / "r.md", [f"{web.base}/down", f"{web.base}/ok"])
    out = tmp_path / "archive"
    for run in (1, 2):
        result = CliRunner().invoke(
            main,
            ["run", str(doc), "--out", str(out)],
            env={**env_for(wayback), "KZARCHIVE_RETRIES": "0"},
        )
        # /down answers 503 to us: submitted all the same on the first run (Save Page Now may
        # reach it), and the note says so; the second run finds that young capture.
        assert result.exit_code == 0, result.stderr
        down = json.loads((out / "manifest.json").read_text())["links"][0]
        assert (down["check"]["verdict"], down["check"]["reason"]) == ("error", "http-503")
        assert len(down["history"]) == run
        notes = down["archive"]["notes"]
        assert notes == (
            [
                "submitted although the live check was error (http-503): Save Page Now fetches "
                "with its own browser and addresses; its copy is judged on its own"
            ]
            if run == 1
            else []
        )
    assert web.server.state.hits["/down"] == 4  # a first look and a second look, each run


def test_unusable_output_folder_is_one_line(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc, _ = local_report(tmp_path, web.base)
    (tmp_path / "a-file").write_text("not a folder")
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(tmp_path / "a-file" / "out"))
    assert code == 2
    assert "cannot use as output folder" in stderr and "Traceback" not in stderr
