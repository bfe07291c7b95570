"""The manifest: every citation paired with its link's check history and Wayback snapshots.

It is the record every rendering is made from and what lets a run resume. It is written atomically
(temp file, fsync, rename), loaded with its schema version checked, and merged with a new reading
of the document so that nothing a previous run learnt is ever dropped.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kzarchive import __version__
from kzarchive.errors import ManifestError
from kzarchive.evidence.records import Evidence
from kzarchive.models import MANIFEST_NAME as MANIFEST_NAME  # defined there; named here too
from kzarchive.models import (
    VERDICTS,
    ArchiveState,
    Check,
    Citation,
    unique_links,
    utc_now,
)

SCHEMA_VERSION = 2
# Versions this kzarchive reads, each upgraded to the current one on reading (1: before evidence)
UPGRADES = {1: "before kzarchive kept evidence"}
# A page whose words changed this much since the as-cited copy has changed substantially.
DRIFTED = 0.5


@dataclass(frozen=True)
class HistoryEntry:
    checked_at: str
    verdict: str
    reason: str
    http_status: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at,
            "verdict": self.verdict,
            "reason": self.reason,
            "http_status": self.http_status,
        }

    @classmethod
    def of(cls, check: Check) -> HistoryEntry:
        return cls(check.checked_at, check.verdict, check.reason, check.http_status)


@dataclass(frozen=True)
class LinkRecord:
    """One unique URL's whole story."""

    url: str
    footnotes: tuple[str, ...] = ()
    cited: bool = True
    check: Check | None = None
    history: tuple[HistoryEntry, ...] = ()
    archive: ArchiveState | None = None
    evidence: Evidence | None = None

    def with_check(self, check: Check, *, again: bool = False) -> LinkRecord:
        """The record with ``check`` as its latest; ``again`` (a second look in the same run)
        replaces the run's first entry in the history instead of adding one."""
        history = self.history[:-1] if again and self.history else self.history
        return replace(self, check=check, history=(*history, HistoryEntry.of(check)))

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "footnotes": list(self.footnotes),
            "cited": self.cited,
            "check": self.check.to_json() if self.check else None,
            "history": [h.to_json() for h in self.history],
            "archive": self.archive.to_json() if self.archive else None,
            "evidence": self.evidence.to_json() if self.evidence else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkRecord:
        return cls(
            url=str(data["url"]),
            footnotes=tuple(str(f) for f in data.get("footnotes") or ()),
            cited=bool(data.get("cited", True)),
            check=Check.from_json(data["check"]) if data.get("check") else None,
            history=tuple(
                HistoryEntry(
                    str(h.get("checked_at", "")),
                    str(h.get("verdict", "")),
                    str(h.get("reason", "")),
                    h.get("http_status"),
                )
                for h in data.get("history") or ()
            ),
            archive=ArchiveState.from_json(data["archive"]) if data.get("archive") else None,
            evidence=Evidence.from_json(data["evidence"]) if data.get("evidence") else None,
        )


@dataclass(frozen=True)
class Summary:
    """What a manifest adds up to: counts per verdict and archive state, dead footnotes."""

    citations: int
    links: int
    verdicts: dict[str, int]
    unchecked: int
    archived: int  # preserved: a copy that holds the page (or is not judged)
    saved: int
    existing: int
    pending: int
    failed: int
    as_cited_snapshots: int
    withheld: int  # kept from the archive on purpose (excluded, private, credentials)
    not_holding: int  # captured, but no copy holds the page (login walls, error pages...)
    drifted: int  # the live page changed substantially since the as-cited copy
    missing_snapshots: int  # neither a snapshot nor withheld
    dead_footnotes: tuple[str, ...]
    no_longer_cited: int

    def count(self, verdict: str) -> int:
        return self.verdicts.get(verdict, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "citations": self.citations,
            "links": self.links,
            **self.verdicts,
            "unchecked": self.unchecked,
            "archived": self.archived,
            "saved": self.saved,
            "existing": self.existing,
            "pending": self.pending,
            "failed": self.failed,
            "as_cited_snapshots": self.as_cited_snapshots,
            "withheld": self.withheld,
            "not_holding": self.not_holding,
            "drifted": self.drifted,
            "missing_snapshots": self.missing_snapshots,
            "dead_footnotes": list(self.dead_footnotes),
            "no_longer_cited": self.no_longer_cited,
        }


@dataclass(frozen=True)
class Manifest:
    document: dict[str, Any]
    citations: tuple[Citation, ...] = ()
    links: tuple[LinkRecord, ...] = ()
    generated_at: str = field(default_factory=utc_now)
    tool: dict[str, str] = field(
        default_factory=lambda: {"name": "kzarchive", "version": __version__}
    )

    def summary(self) -> Summary:
        cited = [r for r in self.links if r.cited]
        # A dead look the library's store has not confirmed is counted as dying, not dead
        verdicts = Counter(r.check.status for r in cited if r.check)
        dying = {"dying": verdicts["dying"]} if verdicts["dying"] else {}
        statuses = Counter(r.archive.status for r in cited if r.archive)
        return Summary(
            citations=len(self.citations),
            links=len(cited),
            verdicts={**{verdict: verdicts.get(verdict, 0) for verdict in VERDICTS}, **dying},
            unchecked=sum(1 for r in cited if r.check is None),
            archived=sum(1 for r in cited if r.archive and r.archive.preserved),
            saved=statuses.get("saved", 0),
            existing=statuses.get("existing", 0),
            pending=statuses.get("pending", 0),
            failed=statuses.get("failed", 0),
            as_cited_snapshots=sum(
                1
                for r in cited
                if r.archive
                and r.archive.cited_snapshot
                and r.archive.cited_snapshot.holds_page is not False
            ),
            not_holding=sum(
                1 for r in cited if r.archive and r.archive.copies() and not r.archive.preserved
            ),
            drifted=sum(1 for r in cited if r.archive and (r.archive.drift or 0) >= DRIFTED),
            withheld=sum(1 for r in cited if r.archive and r.archive.withheld),
            missing_snapshots=sum(
                1 for r in cited if not (r.archive and (r.archive.preserved or r.archive.withheld))
            ),
            dead_footnotes=tuple(
                sorted(
                    {f for r in cited if r.check and r.check.status == "dead" for f in r.footnotes},
                    key=_note_order,
                )
            ),
            no_longer_cited=len(self.links) - len(cited),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": self.tool,
            "document": self.document,
            "generated_at": self.generated_at,
            "citations": [c.to_json() for c in self.citations],
            "links": [r.to_json() for r in self.links],
            "summary": self.summary().to_json(),
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "manifest") -> Manifest:
        if not isinstance(data, dict) or "schema_version" not in data:
            raise ManifestError(f"{source}: not a kzarchive manifest")
        version = data["schema_version"]
        if version in UPGRADES and not isinstance(version, bool):
            data = upgrade(data)
        elif version != SCHEMA_VERSION:
            raise ManifestError(
                f"{source}: schema version {version!r} is not one this kzarchive "
                f"({__version__}) reads (it reads {SCHEMA_VERSION}); it was left untouched"
            )
        first_error = schema_error(data)
        if first_error:
            raise ManifestError(f"{source}: not a valid manifest: {first_error}")
        try:
            return cls(
                document=dict(data.get("document") or {}),
                citations=tuple(Citation.from_json(c) for c in data.get("citations") or ()),
                links=tuple(LinkRecord.from_json(r) for r in data.get("links") or ()),
                generated_at=str(data.get("generated_at") or utc_now()),
                tool=dict(data.get("tool") or {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"{source}: malformed manifest ({exc})") from None


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A manifest of an older schema version in the current one (the file is left as it is
    until the next write). Version 1 had no ``evidence``: its links have none."""
    links = data.get("links")
    if isinstance(links, list):
        links = [{**x, "evidence": None} if isinstance(x, dict) else x for x in links]
    return {**data, "schema_version": SCHEMA_VERSION, "links": links}


def schema_text() -> str:
    """The manifest's JSON Schema, as published in the package."""
    return resources.files("kzarchive").joinpath("manifest.schema.json").read_text("utf-8")


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def schema_error(data: Any) -> str | None:
    """The first place where ``data`` breaks the schema, as ``$.links[3].check.verdict: ...``."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return None
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where}: {error.message}"


def _note_order(label: str) -> tuple[int, str]:
    return (int(label), "") if label.isdigit() else (1 << 30, label)


def load(path: Path) -> Manifest:
    """Read a manifest; :class:`ManifestError` in one line if it is missing, corrupt or too new."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest (run 'kzarchive run' first)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{path}: corrupt manifest (not JSON: {exc.msg}, line {exc.lineno})"
        raise CorruptManifest(message) from None
    return Manifest.from_json(data, str(path))


class CorruptManifest(ManifestError):
    """The file is not JSON at all: it can be set aside and the run started afresh."""


def set_aside(path: Path) -> Path:
    """Move a bad manifest out of the way (never delete it) and return where it went."""
    return keep_aside(path, "corrupt")


def keep_aside(path: Path, why: str) -> Path:
    """Move ``path`` to ``path.WHY-STAMP`` beside it (never over another file); where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    path.rename(target)
    return target


def new_file_mode() -> int:
    """The mode a new file gets here (0644 under the usual umask), not mkstemp's 0600."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that a crash leaves the old or the new file whole."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # the file keeps its mode (a read-only manifest stays read-only)
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save(manifest: Manifest, path: Path) -> None:
    write_atomic(path, json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n")


def identify(document: dict[str, Any], folder: Path, old: dict[str, Any] | None) -> dict[str, Any]:
    """``document`` (as a manifest describes it) with its identity for the folder ``folder``:
    ``location``, where the file is, relative to the folder (so that moving a project keeps it,
    and no home folder is written into a manifest people share); ``lineage``, the SHA-256 of
    every version of it this folder has archived, oldest first (``old`` is the folder's
    document before this run)."""
    identified = dict(document)
    path = str(document.get("path") or "")
    if path and not (path.startswith("<") and path.endswith(">")):  # not <stdin>
        try:
            identified["location"] = Path(
                os.path.relpath(Path(path).resolve(), folder.resolve())
            ).as_posix()
        except (OSError, ValueError):  # another drive
            identified["location"] = Path(path).resolve().as_posix()
    lineage = [str(h) for h in (old or {}).get("lineage") or () if h]
    for digest in ((old or {}).get("sha256"), document.get("sha256")):
        if digest and digest not in lineage:
            lineage.append(str(digest))
    identified["lineage"] = lineage
    return identified


def same_document(old: dict[str, Any], new: dict[str, Any], folder: Path | None = None) -> bool:
    """Whether two manifests' documents are one document (perhaps edited), for the archive
    folder ``folder``: bytes this folder archived before (under any name), or the same file
    (the same place on disk, whatever its contents now). Two documents that merely share a
    file name are not one."""
    digest = new.get("sha256")
    if digest and (digest == old.get("sha256") or digest in (old.get("lineage") or ())):
        return True
    if folder is not None and old.get("location") and new.get("location"):
        here = folder.resolve()
        return (here / str(old["location"])).resolve() == (here / str(new["location"])).resolve()
    # A manifest written before kzarchive recorded locations: compare the paths it gave
    old_path, new_path = str(old.get("path") or ""), str(new.get("path") or "")
    if not old_path or not new_path:
        return True  # an old manifest that did not say: take it as the same
    try:
        return Path(old_path).resolve() == Path(new_path).resolve()
    except OSError:
        return old_path == new_path


def merge(old: Manifest | None, document: dict[str, Any], citations: list[Citation]) -> Manifest:
    """The manifest for a new reading of the document, keeping all that ``old`` knew.

    Links keep their checks, history and archive state; links the document no longer cites stay,
    marked ``cited: false``, after the cited ones.
    """
    previous = {r.url: r for r in old.links} if old else {}
    records: list[LinkRecord] = []
    for link in unique_links(citations):
        known = previous.pop(link.url, None)
        records.append(
            replace(known, footnotes=link.footnotes, cited=True)
            if known
            else LinkRecord(link.url, link.footnotes)
        )
    records.extend(replace(r, cited=False) for r in previous.values())
    return Manifest(document=document, citations=tuple(citations), links=tuple(records))
