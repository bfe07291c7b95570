"""The records every step shares: citations, link checks, snapshots and archive states.

They are frozen so that a step can hand them to another without either changing them behind its
back; each knows how to turn itself into the plain JSON the manifest and ``--format json`` use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Verdict = Literal["alive", "redirected", "dead", "blocked", "error", "excluded"]
VERDICTS: tuple[Verdict, ...] = ("alive", "redirected", "dead", "blocked", "error", "excluded")

ArchiveStatus = Literal["saved", "existing", "pending", "failed", "skipped", "excluded"]
ARCHIVE_STATUSES: tuple[ArchiveStatus, ...] = (
    "saved",
    "existing",
    "pending",
    "failed",
    "skipped",
    "excluded",
)
# Archive errors that say a link was kept from the public archive on purpose (not a failure).
WITHHELD = ("private-address", "credentials-in-url")
# The manifest's file name in an output folder (here, so that naming it loads no manifest code).
MANIFEST_NAME = "manifest.json"


def utc_now() -> str:
    """Now, as every record stamps it: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Citation:
    """One (footnote, URL) pair as the document states it."""

    footnote: str | None
    url: str
    line: int
    context: str | None = None
    # The note's name in the document when the footnote shown is its number (Markdown [^src])
    name: str | None = None
    # The footnote's own text, as a reader sees it (whitespace collapsed, markup left out)
    note: str | None = None
    # The document wrote the URL without a scheme (www.example.org/x); "https://" was added
    scheme_added: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "footnote": self.footnote,
            "url": self.url,
            "line": self.line,
            "context": self.context,
        }
        if self.name is not None:
            data["name"] = self.name
        if self.note is not None:
            data["note"] = self.note
        if self.scheme_added:
            data["scheme_added"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        return cls(
            footnote=data.get("footnote"),
            url=str(data["url"]),
            line=int(data.get("line") or 0),
            context=data.get("context"),
            name=data.get("name"),
            note=data.get("note"),
            scheme_added=bool(data.get("scheme_added", False)),
        )


@dataclass(frozen=True)
class Redirect:
    """One hop of a redirect chain: the status that sent us on, and where to."""

    status: int
    url: str


@dataclass(frozen=True)
class Rot:
    """A link's state over repeated looks, as the library's store judged it when the manifest
    was written (see :mod:`kzarchive.store.rot`): a ``dead`` look is only ``dying`` until enough
    failed checks, far enough apart, confirm it. Manifests written without a store have none."""

    state: str  # alive, dying, dead or unknown
    failed_checks: int  # counted failed checks since the last live answer
    needed: int  # failed checks that confirm a death (1 with --confirm-now)
    detail: str  # in words: "1 of 3 failed checks; the next counts from 2026-12-08"

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "failed_checks": self.failed_checks,
            "needed": self.needed,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rot:
        return cls(
            state=str(data["state"]),
            failed_checks=int(data.get("failed_checks") or 0),
            needed=int(data.get("needed") or 1),
            detail=str(data.get("detail") or ""),
        )


@dataclass(frozen=True)
class Check:
    """What one look at a URL found (and, in a library, what all its looks add up to)."""

    verdict: Verdict
    reason: str
    checked_at: str
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[Redirect, ...] = ()
    content_type: str | None = None
    content_length: int | None = None
    sha256: str | None = None
    elapsed_ms: int | None = None
    rot: Rot | None = None

    @property
    def failing(self) -> bool:
        """A library's store counts this link's failed checks: dying, or confirmed dead (a
        blocked or error look after failed ones leaves the count where it was)."""
        return (
            self.verdict in ("dead", "blocked", "error")
            and self.rot is not None
            and self.rot.state in ("dying", "dead")
        )

    @property
    def status(self) -> str:
        """The verdict as reports tell it: in a library, ``dying`` or ``dead`` as the store
        counts the link's failed checks (a dead look not yet confirmed is dying); else the
        verdict itself."""
        if self.failing:
            assert self.rot is not None
            return self.rot.state
        return self.verdict

    @property
    def explained(self) -> str:
        """The reason, with the count of failed checks when the store counts them."""
        if self.failing and self.rot is not None and self.rot.detail:
            return f"{self.reason}; {self.rot.detail}" if self.reason else self.rot.detail
        return self.reason

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [{"status": r.status, "url": r.url} for r in self.redirects],
            "content_type": self.content_type,
            "content_length": self.content_length,
            "sha256": self.sha256,
            "checked_at": self.checked_at,
            "elapsed_ms": self.elapsed_ms,
            # Only in a library's manifests (older readers never saw it)
            **({"rot": self.rot.to_json()} if self.rot is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        verdict = data.get("verdict")
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        return cls(
            verdict=verdict,
            reason=str(data.get("reason", "")),
            checked_at=str(data.get("checked_at", "")),
            http_status=data.get("http_status"),
            final_url=data.get("final_url"),
            redirects=tuple(
                Redirect(int(r["status"]), str(r["url"])) for r in data.get("redirects") or ()
            ),
            content_type=data.get("content_type"),
            content_length=data.get("content_length"),
            sha256=data.get("sha256"),
            elapsed_ms=data.get("elapsed_ms"),
            rot=Rot.from_json(data["rot"]) if data.get("rot") else None,
        )


SnapshotVerdict = Literal[
    "content", "login-wall", "bot-challenge", "soft-404", "error-page", "redirect", "unavailable"
]


@dataclass(frozen=True)
class Judgement:
    """What an archived copy holds, judged from its raw payload with the checker's own rules."""

    verdict: SnapshotVerdict
    reason: str
    judged_at: str
    archived_status: int | None = None
    sha256: str | None = None
    size: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "judged_at": self.judged_at,
            "archived_status": self.archived_status,
            "sha256": self.sha256,
            "size": self.size,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Judgement:
        return cls(
            verdict=data["verdict"],
            reason=str(data.get("reason") or ""),
            judged_at=str(data.get("judged_at") or ""),
            archived_status=data.get("archived_status"),
            sha256=data.get("sha256"),
            size=data.get("size"),
        )


@dataclass(frozen=True)
class Snapshot:
    """One archived copy: where it is, when it was made, what the page answered then, and (once
    judged) whether it holds the page. ``archive`` is ``wayback`` or another archive's host."""

    url: str
    timestamp: str
    status: int | None = None
    source: Literal["saved", "existing"] = "existing"
    judgement: Judgement | None = None
    archive: str = "wayback"

    @property
    def date(self) -> str:
        """The capture's day as YYYY-MM-DD."""
        ts = self.timestamp
        return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}"

    @property
    def holds_page(self) -> bool | None:
        """True when judged to hold the page, False when judged not to, None when not judged."""
        return None if self.judgement is None else self.judgement.verdict == "content"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "timestamp": self.timestamp,
            "status": self.status,
            "source": self.source,
        }
        if self.archive != "wayback":
            data["archive"] = self.archive
        if self.judgement is not None:
            data["judgement"] = self.judgement.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        source = data.get("source", "existing")
        judged = data.get("judgement")
        return cls(
            url=str(data["url"]),
            timestamp=str(data["timestamp"]),
            status=data.get("status"),
            source="saved" if source == "saved" else "existing",
            judgement=Judgement.from_json(judged) if judged else None,
            archive=str(data.get("archive") or "wayback"),
        )


@dataclass(frozen=True)
class ArchiveState:
    """Where one link stands with the Wayback Machine."""

    status: ArchiveStatus
    snapshot: Snapshot | None = None
    cited_snapshot: Snapshot | None = None
    job_id: str | None = None
    error: str | None = None
    attempts: int = 0
    updated_at: str | None = None
    submitted_at: str | None = None
    # What the run learnt that is worth keeping but is not the outcome (a CDX failure beside a
    # capture that worked, a capture that Save Page Now reported but the index does not show yet).
    notes: tuple[str, ...] = ()
    # A capture that holds the page when the latest does not (an older one, judged content)
    good_snapshot: Snapshot | None = None
    # Copies in other web archives (found through a Memento aggregator)
    elsewhere: tuple[Snapshot, ...] = ()
    # How much the live page changed since the as-cited copy: 0 (same words) to 1 (none shared)
    drift: float | None = None
    # The Perma.cc link made for this document (perma.cc/XXXX-XXXX, archive "perma.cc"), the
    # capture job still running (its GUID), or why there is none
    perma: Snapshot | None = None
    perma_job: str | None = None
    perma_error: str | None = None

    @property
    def has_snapshot(self) -> bool:
        return self.snapshot is not None or self.cited_snapshot is not None

    def copies(self) -> list[Snapshot]:
        found = [
            self.cited_snapshot,
            self.snapshot,
            self.good_snapshot,
            self.perma,
            *self.elsewhere,
        ]
        return [s for s in found if s is not None]

    @property
    def preserved(self) -> bool:
        """Some copy holds the page: judged so, or not judged (verification off or impossible).
        A link whose every judged copy is a login wall, an error page... is not preserved."""
        return any(s.holds_page is not False for s in self.copies())

    def best_copy(self) -> Snapshot | None:
        """The copy to point readers to: as cited if it holds the page, else the latest that
        does, else a good older one, else one in another archive; unjudged ones after those."""
        ordered = self.copies()
        for copy in ordered:
            if copy.holds_page:
                return copy
        for copy in ordered:
            if copy.holds_page is None:
                return copy
        return None

    @property
    def withheld(self) -> bool:
        """Kept from the archive on purpose: excluded by the user, or private (see privacy.py)."""
        return self.status == "excluded" or (
            self.status == "skipped" and (self.error or "").startswith(WITHHELD)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "snapshot": self.snapshot.to_json() if self.snapshot else None,
            "cited_snapshot": self.cited_snapshot.to_json() if self.cited_snapshot else None,
            "job_id": self.job_id,
            "error": self.error,
            "attempts": self.attempts,
            "updated_at": self.updated_at,
            "submitted_at": self.submitted_at,
            "notes": list(self.notes),
            "good_snapshot": self.good_snapshot.to_json() if self.good_snapshot else None,
            "elsewhere": [s.to_json() for s in self.elsewhere],
            "drift": self.drift,
            # Perma.cc's fields only when there is something to say (older readers never saw them)
            **({"perma": self.perma.to_json()} if self.perma else {}),
            **({"perma_job": self.perma_job} if self.perma_job else {}),
            **({"perma_error": self.perma_error} if self.perma_error else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArchiveState:
        status = data.get("status")
        if status not in ARCHIVE_STATUSES:
            raise ValueError(f"unknown archive status {status!r}")
        snap = data.get("snapshot")
        cited = data.get("cited_snapshot")
        return cls(
            status=status,
            snapshot=Snapshot.from_json(snap) if snap else None,
            cited_snapshot=Snapshot.from_json(cited) if cited else None,
            job_id=data.get("job_id"),
            error=data.get("error"),
            attempts=int(data.get("attempts") or 0),
            updated_at=data.get("updated_at"),
            submitted_at=data.get("submitted_at"),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            good_snapshot=Snapshot.from_json(data["good_snapshot"])
            if data.get("good_snapshot")
            else None,
            elsewhere=tuple(Snapshot.from_json(s) for s in data.get("elsewhere") or ()),
            drift=data.get("drift"),
            perma=Snapshot.from_json(data["perma"]) if data.get("perma") else None,
            perma_job=data.get("perma_job"),
            perma_error=data.get("perma_error"),
        )


@dataclass(frozen=True)
class Link:
    """One unique URL with the footnotes that cite it: network work is done once per link."""

    url: str
    footnotes: tuple[str, ...] = field(default_factory=tuple)


def unique_links(citations: list[Citation]) -> list[Link]:
    """The unique URLs of ``citations`` in order of first citation, each with its footnotes."""
    order: dict[str, list[str]] = {}
    for citation in citations:
        notes = order.setdefault(citation.url, [])
        if citation.footnote is not None and citation.footnote not in notes:
            notes.append(citation.footnote)
    return [Link(url, tuple(notes)) for url, notes in order.items()]
