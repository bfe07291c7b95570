"""The SQLite store: the statements, one short transaction per finished link.

Write-ahead log, ``synchronous=NORMAL``: a commit is in the log before it returns, so a killed
process (``kill -9``) loses nothing committed; only a power cut may lose the last commits, never the
file. Every write is ``BEGIN IMMEDIATE`` … ``COMMIT`` of a few rows (O(1) per link, however large
the library); a second process waits up to ``wait`` seconds for the lock, then gets
:class:`StoreBusy`, one line.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kzarchive.errors import KzarchiveError
from kzarchive.evidence.records import Evidence
from kzarchive.manifest import HistoryEntry, LinkRecord, Manifest
from kzarchive.models import ArchiveState, Check, Citation, unique_links, utc_now

STORE_NAME = "kzarchive.db"
SCHEMA_VERSION = 2  # 2: the settings table (version 1 stores gain it when opened)
DEFAULT_WAIT = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,       -- as given (the manifest's document.path)
    folder TEXT,                     -- where its outputs go, relative to the library folder
    info TEXT NOT NULL,              -- the manifest's document object, JSON
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS citations (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    citation TEXT NOT NULL,          -- the Citation, JSON
    PRIMARY KEY (document_id, position)
);
CREATE TABLE IF NOT EXISTS document_links (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    position INTEGER NOT NULL,
    cited INTEGER NOT NULL,
    footnotes TEXT NOT NULL,         -- JSON list
    PRIMARY KEY (document_id, url)
);
CREATE INDEX IF NOT EXISTS document_links_url ON document_links(url);
CREATE TABLE IF NOT EXISTS links (
    url TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    checked_at TEXT,                 -- of the latest look
    check_json TEXT,
    archive_json TEXT,
    evidence_json TEXT
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    at TEXT NOT NULL,                -- ISO 8601 UTC
    kind TEXT NOT NULL,              -- check | judgement | confirm (--confirm-now or a run did)
    verdict TEXT NOT NULL,
    reason TEXT,
    http_status INTEGER,
    superseded INTEGER NOT NULL DEFAULT 0,  -- a second look in the same run replaced it
    detail TEXT                      -- the judged copy's URL, for judgements
);
CREATE INDEX IF NOT EXISTS observations_url ON observations(url, kind, id);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    archive TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    source TEXT NOT NULL,
    judgement TEXT,                  -- JSON
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_url ON snapshots(url);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    record TEXT NOT NULL             -- the Evidence, JSON
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    command TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (  -- what the library keeps between runs (the rot policy)
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class StoreError(KzarchiveError):
    """The store cannot be opened or written (not a database, a newer schema, a full disk)."""


class StoreBusy(StoreError):
    """Another process held the store's write lock for longer than we would wait."""


@dataclass(frozen=True)
class DocumentRow:
    id: int
    path: str
    folder: str | None
    info: dict[str, Any]
    updated_at: str


@dataclass(frozen=True)
class Observation:
    at: str
    kind: str
    verdict: str
    reason: str | None
    http_status: int | None


@dataclass(frozen=True)
class Run:
    id: int
    started_at: str
    finished_at: str | None
    command: str


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Store:
    """One open store. Not shared between threads: each process or thread opens its own."""

    def __init__(self, connection: sqlite3.Connection, path: Path, wait: float) -> None:
        self.connection = connection
        self.path = path
        self.wait = wait

    @classmethod
    def open(cls, path: Path, *, wait: float = DEFAULT_WAIT) -> Store:
        """Open (creating it if needed) the store at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(
                path, timeout=wait, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store: {exc}") from None
        store = cls(connection, path, wait)
        try:
            with store._failures():
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("PRAGMA foreign_keys=ON")
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{path}: made by a newer kzarchive (store version {version}; this one "
                        f"reads {SCHEMA_VERSION}): it was left untouched"
                    )
                if version < SCHEMA_VERSION:
                    with store.transaction():
                        # one statement at a time: executescript() would commit first
                        for statement in _SCHEMA.split(";"):
                            connection.execute(statement)
                        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(
                    f"{self.path}: in use by another kzarchive for more than {self.wait:g} s "
                    f"(the store takes one writer at a time): try again when it is done"
                ) from None
            raise StoreError(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a kzarchive store ({exc})") from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is stored, or none of it."""
        if self.connection.in_transaction:  # nested: part of the outer one
            yield self.connection
            return
        with self._failures():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    # Documents -----------------------------------------------------------------------------

    def put_document(
        self,
        info: dict[str, Any],
        citations: Sequence[Citation],
        folder: str | None = None,
        *,
        key: str | None = None,
    ) -> int:
        """Record a reading of a document (``key``: where it is; its manifest's path unless
        given): its citations replace the last reading's; links it no longer cites stay with it,
        marked not cited (as the manifest keeps them)."""
        path = key or str(info.get("path") or "")
        now = utc_now()
        with self.transaction() as db:
            row = db.execute("SELECT id, folder FROM documents WHERE path = ?", (path,)).fetchone()
            if row is None:
                document_id = db.execute(
                    "INSERT INTO documents (path, folder, info, updated_at) VALUES (?, ?, ?, ?)",
                    (path, folder, _dumps(info), now),
                ).lastrowid
                assert document_id is not None
            else:
                document_id = int(row[0])
                db.execute(
                    "UPDATE documents SET info = ?, folder = ?, updated_at = ? WHERE id = ?",
                    (_dumps(info), folder or row[1], now, document_id),
                )
            db.execute("DELETE FROM citations WHERE document_id = ?", (document_id,))
            db.executemany(
                "INSERT INTO citations (document_id, position, url, citation) VALUES (?, ?, ?, ?)",
                ((document_id, i, c.url, _dumps(c.to_json())) for i, c in enumerate(citations)),
            )
            links = unique_links(list(citations))
            known = db.execute(
                "SELECT MAX(position) FROM document_links WHERE document_id = ?", (document_id,)
            ).fetchone()[0]
            base = (known or 0) + 1 + len(links)  # no longer cited: after every cited link
            db.execute(
                "UPDATE document_links SET cited = 0, position = position + ? "
                "WHERE document_id = ?",
                (base, document_id),
            )
            db.executemany(
                "INSERT INTO document_links (document_id, url, position, cited, footnotes) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (document_id, url) DO UPDATE SET "
                "position = excluded.position, cited = 1, footnotes = excluded.footnotes",
                (
                    (document_id, link.url, i, _dumps(list(link.footnotes)))
                    for i, link in enumerate(links)
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO links (url, first_seen) VALUES (?, ?)",
                ((link.url, now) for link in links),
            )
        return document_id

    def forget_document(self, path: str) -> None:
        """A document the store should not have recorded (its run was refused)."""
        with self.transaction() as db:
            db.execute("DELETE FROM documents WHERE path = ?", (path,))

    def forget_others_in(self, folder: str, path: str) -> None:
        """Documents that an output folder no longer archives (another document took it)."""
        with self.transaction() as db:
            db.execute("DELETE FROM documents WHERE folder = ? AND path != ?", (folder, path))

    def set_document_info(self, path: str, info: dict[str, Any]) -> None:
        """The document as its manifest describes it after a run (its identity, its lineage)."""
        with self.transaction() as db:
            db.execute("UPDATE documents SET info = ? WHERE path = ?", (_dumps(info), path))

    def keep_uncited(self, document_id: int, records: Sequence[LinkRecord]) -> None:
        """Links a document cited once and no longer does (an imported manifest's)."""
        with self.transaction() as db:
            top = db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM document_links WHERE document_id = ?",
                (document_id,),
            ).fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO document_links (document_id, url, position, cited, "
                "footnotes) VALUES (?, ?, ?, 0, ?)",
                (
                    (document_id, r.url, top + 1 + i, _dumps(list(r.footnotes)))
                    for i, r in enumerate(records)
                ),
            )

    def documents(self) -> list[DocumentRow]:
        rows = self.connection.execute(
            "SELECT id, path, folder, info, updated_at FROM documents ORDER BY path"
        )
        return [DocumentRow(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def document(self, path: str) -> DocumentRow | None:
        r = self.connection.execute(
            "SELECT id, path, folder, info, updated_at FROM documents WHERE path = ?", (path,)
        ).fetchone()
        return DocumentRow(r[0], r[1], r[2], json.loads(r[3]), r[4]) if r else None

    def folders(self) -> set[str]:
        """The folders the store's documents are written into."""
        rows = self.connection.execute("SELECT folder FROM documents WHERE folder IS NOT NULL")
        return {r[0] for r in rows}

    # Links ---------------------------------------------------------------------------------

    def ensure_links(self, urls: Iterable[str]) -> None:
        now = utc_now()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO links (url, first_seen) VALUES (?, ?)",
                ((url, now) for url in urls),
            )

    def record(
        self,
        url: str,
        *,
        check: Check | None = None,
        archive: ArchiveState | None = None,
        evidence: Evidence | None = None,
        again: bool = False,
    ) -> None:
        """What one link's work found, in one transaction of a few rows."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO links (url, first_seen) VALUES (?, ?)", (url, utc_now())
            )
            if check is not None:
                self._record_check(db, url, check, again)
            if archive is not None:
                self._record_archive(db, url, archive)
            if evidence is not None:
                db.execute(
                    "INSERT INTO evidence (url, recorded_at, record) VALUES (?, ?, ?)",
                    (url, utc_now(), _dumps(evidence.to_json())),
                )
                db.execute(
                    "UPDATE links SET evidence_json = ? WHERE url = ?",
                    (_dumps(evidence.to_json()), url),
                )

    def import_link(self, record: LinkRecord) -> None:
        """A link as an older manifest knew it: its history becomes observations."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO links (url, first_seen) VALUES (?, ?)",
                (record.url, record.history[0].checked_at if record.history else utc_now()),
            )
            if db.execute(
                "SELECT 1 FROM observations WHERE url = ? LIMIT 1", (record.url,)
            ).fetchone():
                return  # known from another document's folder: the store's story stands
            db.executemany(
                "INSERT INTO observations (url, at, kind, verdict, reason, http_status) "
                "VALUES (?, ?, 'check', ?, ?, ?)",
                (
                    (record.url, h.checked_at, h.verdict, h.reason, h.http_status)
                    for h in record.history
                ),
            )
            if record.check is not None:
                db.execute(
                    "UPDATE links SET check_json = ?, checked_at = ? WHERE url = ?",
                    (_dumps(_stored(record.check)), record.check.checked_at, record.url),
                )
            if record.archive is not None:
                self._record_archive(db, record.url, record.archive)
            if record.evidence is not None:
                evidence = _dumps(record.evidence.to_json())
                db.execute(
                    "INSERT INTO evidence (url, recorded_at, record) VALUES (?, ?, ?)",
                    (record.url, record.evidence.captured_at or utc_now(), evidence),
                )
                db.execute(
                    "UPDATE links SET evidence_json = ? WHERE url = ?", (evidence, record.url)
                )

    def _record_check(self, db: sqlite3.Connection, url: str, check: Check, again: bool) -> None:
        if again:
            db.execute(
                "UPDATE observations SET superseded = 1 WHERE id = (SELECT MAX(id) FROM "
                "observations WHERE url = ? AND kind = 'check' AND superseded = 0)",
                (url,),
            )
        db.execute(
            "INSERT INTO observations (url, at, kind, verdict, reason, http_status) "
            "VALUES (?, ?, 'check', ?, ?, ?)",
            (url, check.checked_at, check.verdict, check.reason, check.http_status),
        )
        db.execute(
            "UPDATE links SET check_json = ?, checked_at = ? WHERE url = ?",
            (_dumps(_stored(check)), check.checked_at, url),
        )

    def _record_archive(self, db: sqlite3.Connection, url: str, state: ArchiveState) -> None:
        db.execute(
            "UPDATE links SET archive_json = ? WHERE url = ?", (_dumps(state.to_json()), url)
        )
        for copy in state.copies():
            judged = _dumps(copy.judgement.to_json()) if copy.judgement else None
            before = db.execute(
                "SELECT judgement FROM snapshots WHERE snapshot_url = ?", (copy.url,)
            ).fetchone()
            db.execute(
                "INSERT INTO snapshots (snapshot_url, url, archive, timestamp, source, judgement, "
                "seen_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (snapshot_url) DO UPDATE SET "
                "judgement = COALESCE(excluded.judgement, judgement)",
                (copy.url, url, copy.archive, copy.timestamp, copy.source, judged, utc_now()),
            )
            if copy.judgement is not None and (before is None or before[0] != judged):
                db.execute(
                    "INSERT INTO observations (url, at, kind, verdict, reason, detail) "
                    "VALUES (?, ?, 'judgement', ?, ?, ?)",
                    (
                        url,
                        copy.judgement.judged_at or utc_now(),
                        copy.judgement.verdict,
                        copy.judgement.reason,
                        copy.url,
                    ),
                )

    def link(self, url: str) -> LinkRecord | None:
        row = self.connection.execute(
            "SELECT check_json, archive_json, evidence_json FROM links WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        return _link_record(url, (), True, row, self.history(url))

    def history(self, url: str) -> tuple[HistoryEntry, ...]:
        rows = self.connection.execute(
            "SELECT at, verdict, reason, http_status FROM observations "
            "WHERE url = ? AND kind = 'check' AND superseded = 0 ORDER BY id",
            (url,),
        )
        return tuple(HistoryEntry(r[0], r[1], r[2] or "", r[3]) for r in rows)

    def observations(self, url: str, kind: str | None = None) -> list[Observation]:
        rows = self.connection.execute(
            "SELECT at, kind, verdict, reason, http_status FROM observations WHERE url = ? "
            "AND superseded = 0 AND (? IS NULL OR kind = ?) ORDER BY id",
            (url, kind, kind),
        )
        return [Observation(*r) for r in rows]

    def confirm(
        self, urls: Iterable[str], at: str | None = None, verdict: str = "confirmed"
    ) -> None:
        """Links confirmed dead: a ``confirm`` entry each (``confirmed`` by ``--confirm-now``,
        ``confirmed-by-rule`` by a run under the rule then in force), so that later runs,
        whatever their options, keep them dead until a live answer."""
        stamp = at or utc_now()
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO observations (url, at, kind, verdict) VALUES (?, ?, 'confirm', ?)",
                ((url, stamp, verdict) for url in urls),
            )

    def looks(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        """Every link's non-superseded checks and confirmations, oldest first:
        (url, [(at, verdict), ...])."""
        rows = self.connection.execute(
            "SELECT l.url, o.at, o.verdict FROM links l LEFT JOIN observations o ON "
            "o.url = l.url AND o.kind IN ('check', 'confirm') AND o.superseded = 0 "
            "ORDER BY l.url, o.id"
        )
        current: str | None = None
        found: list[tuple[str, str]] = []
        for url, at, verdict in rows:
            if url != current:
                if current is not None:
                    yield current, found
                current, found = url, []
            if at is not None:
                found.append((at, verdict))
        if current is not None:
            yield current, found

    def urls(self) -> list[str]:
        return [r[0] for r in self.connection.execute("SELECT url FROM links ORDER BY url")]

    def counts(self) -> dict[str, int]:
        """Rows per table (for tests, benchmarks and ``kzarchive library``)."""
        tables = ("documents", "citations", "links", "observations", "snapshots", "evidence")
        return {
            t: int(self.connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in tables
        }

    # Exports -------------------------------------------------------------------------------

    def manifest(self, path: str) -> Manifest | None:
        """The document's manifest, as ``kzarchive run`` writes it (the per-document export)."""
        db = self.connection
        row = db.execute("SELECT id, info FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        document_id, info = int(row[0]), json.loads(row[1])
        citations = tuple(
            Citation.from_json(json.loads(r[0]))
            for r in db.execute(
                "SELECT citation FROM citations WHERE document_id = ? ORDER BY position",
                (document_id,),
            )
        )
        histories: dict[str, list[HistoryEntry]] = {}
        for url, at, verdict, reason, status in db.execute(
            "SELECT o.url, o.at, o.verdict, o.reason, o.http_status FROM observations o "
            "JOIN document_links d ON d.url = o.url AND d.document_id = ? "
            "WHERE o.kind = 'check' AND o.superseded = 0 ORDER BY o.id",
            (document_id,),
        ):
            histories.setdefault(url, []).append(HistoryEntry(at, verdict, reason or "", status))
        links = tuple(
            _link_record(r[0], tuple(json.loads(r[1])), bool(r[2]), r[3:], histories.get(r[0]))
            for r in db.execute(
                "SELECT d.url, d.footnotes, d.cited, l.check_json, l.archive_json, "
                "l.evidence_json FROM document_links d JOIN links l ON l.url = d.url "
                "WHERE d.document_id = ? ORDER BY d.cited DESC, d.position",
                (document_id,),
            )
        )
        return Manifest(document=info, citations=citations, links=links)

    # Settings ------------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        """What the library keeps between runs (the rot policy's options, as last given)."""
        return dict(self.connection.execute("SELECT key, value FROM settings ORDER BY key"))

    def set_settings(self, values: dict[str, str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                values.items(),
            )

    # Runs ----------------------------------------------------------------------------------

    def start_run(self, command: str, at: str | None = None) -> int:
        with self.transaction() as db:
            run = db.execute(
                "INSERT INTO runs (started_at, command) VALUES (?, ?)", (at or utc_now(), command)
            ).lastrowid
        assert run is not None
        return run

    def finish_run(self, run: int, at: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (at or utc_now(), run))

    def runs(self) -> list[Run]:
        return [
            Run(*r)
            for r in self.connection.execute(
                "SELECT id, started_at, finished_at, command FROM runs ORDER BY id"
            )
        ]

    def integrity(self) -> str:
        return str(self.connection.execute("PRAGMA integrity_check").fetchone()[0])


def _link_record(
    url: str,
    footnotes: tuple[str, ...],
    cited: bool,
    row: Sequence[str | None],
    history: Iterable[HistoryEntry] | None,
) -> LinkRecord:
    check, archive, evidence = row
    return LinkRecord(
        url=url,
        footnotes=footnotes,
        cited=cited,
        check=Check.from_json(json.loads(check)) if check else None,
        history=tuple(history or ()),
        archive=ArchiveState.from_json(json.loads(archive)) if archive else None,
        evidence=Evidence.from_json(json.loads(evidence)) if evidence else None,
    )


def _stored(check: Check) -> dict[str, Any]:
    """A check as the store keeps it: the look alone (a manifest's rot state is judged again
    from the observations whenever it is written)."""
    data = check.to_json()
    data.pop("rot", None)
    return data


def stored_settings(path: Path) -> dict[str, str]:
    """A store's settings, read without writing anything: none when there is no store (none is
    made), or when it is too old to have them or cannot be read (``kzarchive config``)."""
    if not path.is_file():
        return {}
    # No write-ahead log: no writer at work and nothing but the file to read, which is read as
    # it is (immutable: no lock, no -shm or -wal file left behind). Else through the log.
    mode = "ro" if Path(f"{path}-wal").exists() else "ro&immutable=1"
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=1)
    except sqlite3.Error:
        return {}
    try:
        return dict(connection.execute("SELECT key, value FROM settings"))
    except sqlite3.Error:
        return {}
    finally:
        connection.close()


def parse_time(stamp: str) -> datetime:
    """A stored ISO 8601 UTC time (``2026-12-05T20:00:00Z``) as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
