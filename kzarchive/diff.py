"""What changed between two manifests of the same document: the month-to-month view of link rot.

Compares links by URL and citations by (footnote, URL); says which links died, came back, moved,
changed content, or gained or lost a snapshot, and which citations were added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzarchive.manifest import DRIFTED, LinkRecord, Manifest, same_document

KINDS = (
    "died",
    "came-back",
    "verdict-changed",
    "final-url-changed",
    "content-changed",
    "gained-snapshot",
    "lost-snapshot",
    "new-snapshot",
    "link-added",
    "link-removed",
    "citation-added",
    "citation-removed",
)


@dataclass(frozen=True)
class Change:
    kind: str
    url: str
    footnotes: tuple[str, ...]
    old: str | None = None
    new: str | None = None
    # Why, for verdict changes: the reasons before and after (http-404, dns-nxdomain...)
    old_reason: str | None = None
    new_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "footnotes": list(self.footnotes),
            "old": self.old,
            "new": self.new,
            "old_reason": self.old_reason,
            "new_reason": self.new_reason,
        }


def _verdict(record: LinkRecord | None) -> str | None:
    # as told: a dead look a library has not confirmed is dying (died only once confirmed)
    return record.check.status if record and record.check else None


def _reason(record: LinkRecord | None) -> str | None:
    return record.check.reason if record and record.check else None


def _snapshot_url(record: LinkRecord | None) -> str | None:
    if record is None or record.archive is None:
        return None
    snapshot = record.archive.snapshot or record.archive.cited_snapshot
    return snapshot.url if snapshot else None


def _link_changes(old: LinkRecord, new: LinkRecord) -> list[Change]:
    notes = new.footnotes or old.footnotes
    changes: list[Change] = []
    before, after = _verdict(old), _verdict(new)
    if before != after and before is not None and after is not None:
        if after == "dead":
            kind = "died"
        elif before in ("dead", "dying") and after in ("alive", "redirected"):
            kind = "came-back"
        else:
            kind = "verdict-changed"
        changes.append(Change(kind, new.url, notes, before, after, _reason(old), _reason(new)))
    old_check, new_check = old.check, new.check
    if old_check and new_check:
        if (
            old_check.final_url
            and new_check.final_url
            and old_check.final_url != new_check.final_url
        ):
            changes.append(
                Change(
                    "final-url-changed", new.url, notes, old_check.final_url, new_check.final_url
                )
            )
        both_ok = old_check.verdict in ("alive", "redirected") and new_check.verdict in (
            "alive",
            "redirected",
        )
        if (
            both_ok
            and old_check.sha256
            and new_check.sha256
            and old_check.sha256 != new_check.sha256
        ):
            changes.append(
                Change("content-changed", new.url, notes, old_check.sha256, new_check.sha256)
            )
    changes.extend(_copy_changes(old, new, notes))
    old_snap, new_snap = _snapshot_url(old), _snapshot_url(new)
    if old_snap is None and new_snap is not None:
        changes.append(Change("gained-snapshot", new.url, notes, None, new_snap))
    elif old_snap is not None and new_snap is None:
        changes.append(Change("lost-snapshot", new.url, notes, old_snap, None))
    elif old_snap and new_snap and old_snap != new_snap:
        changes.append(Change("new-snapshot", new.url, notes, old_snap, new_snap))
    return changes


def _copy_changes(old: LinkRecord, new: LinkRecord, notes: tuple[str, ...]) -> list[Change]:
    """A copy found not to hold the page (a login wall...), a link no longer preserved, a page
    that drifted from its as-cited copy."""
    changes: list[Change] = []
    before = {s.url: s for s in old.archive.copies()} if old.archive else {}
    for copy in new.archive.copies() if new.archive else []:
        judged = copy.judgement
        earlier = before.get(copy.url)
        if (
            judged is not None
            and judged.verdict != "content"
            and (earlier is None or earlier.judgement is None or earlier.holds_page)
        ):
            changes.append(
                Change(
                    "copy-not-holding",
                    new.url,
                    notes,
                    copy.url,
                    judged.verdict,
                    None,
                    judged.reason,
                )
            )
    if old.archive and new.archive and old.archive.preserved and not new.archive.preserved:
        changes.append(Change("not-preserved", new.url, notes))
    old_drift = old.archive.drift if old.archive else None
    new_drift = new.archive.drift if new.archive else None
    if (
        new_drift is not None
        and new_drift >= DRIFTED
        and (old_drift is None or old_drift < DRIFTED)
    ):
        changes.append(
            Change(
                "drifted",
                new.url,
                notes,
                None if old_drift is None else f"{old_drift:.0%}",
                f"{new_drift:.0%}",
            )
        )
    return changes


def diff(old: Manifest, new: Manifest) -> list[Change]:
    """Every change from ``old`` to ``new``, links in the new manifest's order."""
    old_links = {r.url: r for r in old.links if r.cited}
    new_links = {r.url: r for r in new.links if r.cited}
    changes: list[Change] = []
    for url, record in new_links.items():
        before = old_links.get(url)
        if before is None:
            changes.append(
                Change(
                    "link-added",
                    url,
                    record.footnotes,
                    None,
                    _verdict(record),
                    None,
                    _reason(record),
                )
            )
        else:
            changes.extend(_link_changes(before, record))
    for url, record in old_links.items():
        if url not in new_links:
            changes.append(
                Change(
                    "link-removed", url, record.footnotes, _verdict(record), None, _reason(record)
                )
            )
    old_cites = {(c.footnote, c.url) for c in old.citations}
    new_cites = {(c.footnote, c.url) for c in new.citations}
    for citation in new.citations:
        if (citation.footnote, citation.url) not in old_cites:
            notes = (citation.footnote,) if citation.footnote else ()
            changes.append(Change("citation-added", citation.url, notes))
    for citation in old.citations:
        if (citation.footnote, citation.url) not in new_cites:
            notes = (citation.footnote,) if citation.footnote else ()
            changes.append(Change("citation-removed", citation.url, notes))
    return changes


def newly_dead(changes: list[Change]) -> bool:
    return any(c.kind == "died" or (c.kind == "link-added" and c.new == "dead") for c in changes)


def other_document(old: Manifest, new: Manifest, old_folder: Path, new_folder: Path) -> str | None:
    """What to say when two manifests are of different documents (None when they are of one:
    the same bytes, a version one folder archived, or the same file on disk)."""
    a, b = old.document, new.document
    if a.get("sha256") and b.get("sha256"):
        if a["sha256"] == b["sha256"] or a["sha256"] in (b.get("lineage") or ()):
            return None
        if b["sha256"] in (a.get("lineage") or ()):
            return None
    if a.get("location") and b.get("location"):
        there = (old_folder / str(a["location"])).resolve()
        if there == (new_folder / str(b["location"])).resolve():
            return None
    elif same_document(a, b):
        return None
    return (
        f"the two manifests are of different documents ({a.get('path')} and {b.get('path')}): "
        "what follows compares their links, not two versions of one report"
    )
