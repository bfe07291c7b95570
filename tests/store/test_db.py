"""The store: transactions, O(1) writes per link, two processes, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kzarchive.models import ArchiveState, Check, Citation, Judgement, Snapshot
from kzarchive.store import Store, StoreBusy, StoreError
from tests.conftest import ROOT

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kzarchive.models import Check
    from kzarchive.store import Store
    store = Store.open(Path(sys.argv[1]), wait=30)
    name, count = sys.argv[2], int(sys.argv[3])
    for n in range(count):
        url = f"https://{name}.example/{n}"
        store.record(url, check=Check("alive", "http-200", f"2026-12-05T10:00:{n % 60:02d}Z"))
        print(n + 1, flush=True)
    """
)


def check(verdict: str = "alive", at: str = "2026-12-05T10:00:00Z") -> Check:
    return Check(verdict, "http-404" if verdict == "dead" else "http-200", at, 404)  # type: ignore[arg-type]


def writer(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_a_document_and_its_links_export_as_its_manifest(tmp_path: Path) -> None:
    citations = [
        Citation("1", "https://a.example/", 3),
        Citation("2", "https://b.example/", 4),
        Citation("3", "https://a.example/", 5),
    ]
    snapshot = Snapshot(
        "https://web.archive.org/web/20261205/https://a.example/",
        "20261205000000",
        200,
        "saved",
        Judgement("content", "words", "2026-12-05T10:00:05Z", 200),
    )
    with Store.open(tmp_path / "k.db") as store:
        store.put_document({"path": "r.md", "sha256": "x"}, citations)
        store.record("https://a.example/", check=check("dead"))
        store.record("https://a.example/", check=check("alive"), again=True)
        store.record("https://a.example/", archive=ArchiveState("saved", snapshot=snapshot))
        manifest = store.manifest("r.md")
        assert manifest is not None
        assert [(r.url, r.footnotes) for r in manifest.links] == [
            ("https://a.example/", ("1", "3")),
            ("https://b.example/", ("2",)),
        ]
        a = manifest.links[0]
        assert a.check is not None and a.check.verdict == "alive"
        assert [h.verdict for h in a.history] == ["alive"]  # the second look replaced the first
        assert [o.verdict for o in store.observations("https://a.example/")] == [
            "alive",
            "content",
        ]
        assert a.archive is not None and a.archive.snapshot == snapshot
        # A new reading that drops a link keeps it, not cited, after the cited ones.
        store.put_document({"path": "r.md"}, citations[1:2])
        again = store.manifest("r.md")
        assert again is not None
        assert [(r.url, r.cited) for r in again.links] == [
            ("https://b.example/", True),
            ("https://a.example/", False),
        ]
        assert store.manifest("other.md") is None


def test_each_finished_link_is_a_few_rows_however_big_the_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "k.db") as store:
        changes = []
        for size in (10, 2000):
            store.put_document(
                {"path": f"{size}.md"},
                [Citation(str(n), f"https://h{size}.example/{n}", n) for n in range(size)],
            )
            before = store.connection.total_changes
            store.record(
                f"https://h{size}.example/1", check=check(), archive=ArchiveState("failed")
            )
            changes.append(store.connection.total_changes - before)
        assert changes[0] == changes[1] <= 4


def test_two_processes_on_one_store(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Store.open(path).close()
    first, second = writer(path, "one", 300), writer(path, "two", 300)
    for process in (first, second):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.split()[-1] == "300"
    with Store.open(path) as store:
        assert store.counts()["links"] == 600 == store.counts()["observations"]
        assert store.integrity() == "ok"


def test_a_second_writer_that_waits_too_long_fails_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(path, wait=0.2) as store, pytest.raises(StoreBusy) as caught:
            store.record("https://a.example/", check=check())
        message = str(caught.value)
        assert "\n" not in message
        assert message == (
            f"{path}: in use by another kzarchive for more than 0.2 s (the store takes one "
            "writer at a time): try again when it is done"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store.open(path) as store:  # and once the other is done, it works
        store.record("https://a.example/", check=check())


def test_kill_9_loses_at_most_the_link_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Store.open(path).close()
    process = writer(path, "k", 100000)
    assert process.stdout is not None
    done = 0
    deadline = time.monotonic() + 30
    while done < 200 and time.monotonic() < deadline:
        done = int(process.stdout.readline())
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()
    process.stderr.close()  # type: ignore[union-attr]
    with Store.open(path) as store:
        assert store.integrity() == "ok"
        kept = store.counts()
        # Every write it reported is there, whole (a link and its look together).
        assert kept["links"] >= done and kept["observations"] == kept["links"]


def test_not_a_store_and_a_newer_store_are_refused_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(
        StoreError, match=r"junk.db: not a kzarchive store \(file is not a database"
    ):
        Store.open(junk)
    newer = tmp_path / "newer.db"
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version=99")
    connection.close()
    with pytest.raises(StoreError, match=r"made by a newer kzarchive \(store version 99"):
        Store.open(newer)
