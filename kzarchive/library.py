"""A library run: many documents, each unique URL checked and archived once, only what is due.

Every document gets its own folder and outputs (manifest, CSV, Markdown, evidence), made by the
one-document pipeline; the store (:mod:`kzarchive.store`) is what they share. Before each
document, its manifest is exported from the store, so a link another document's run already
handled arrives finished and is not touched again; links are due when the rot rules say so
(:mod:`kzarchive.store.rot`: a dying link three days after its last counted failure, a settled one
after ``recheck``), or when they have no archive state yet or a capture job still pending. A
document whose bytes did not change and none of whose links is due is not even read again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kzarchive.errors import DocumentError, KzarchiveError
from kzarchive.extract.reading import read_bytes
from kzarchive.manifest import MANIFEST_NAME, save, write_atomic
from kzarchive.models import Rot, utc_now
from kzarchive.rot_report import LinkRow, StateChange, link_rows
from kzarchive.scope import Redacted
from kzarchive.store.db import DocumentRow, Store, parse_time
from kzarchive.store.folder import FORGOTTEN_NAME, is_forgotten
from kzarchive.store.rot import RULE_CONFIRMED, RotPolicy, RotState, is_due, rot_state

if TYPE_CHECKING:  # the pipeline (and the evidence keeper's cryptography) only when work is due
    from kzarchive.pipeline import RunResult

# Runs one document's pipeline into a folder, recording into the store, leaving alone what is
# not due (the CLI binds the Wayback client and the options).
Runner = Callable[[Redacted, Path, Callable[[str], bool]], Awaitable["RunResult"]]
# A document's citations, or None when it has none or cannot be read (the reader says why)
Reader = Callable[[Path], Redacted | None]
LIBRARY_HTML, LIBRARY_CSV = "library.html", "library.csv"
# The store's setting: when the rot rule last changed (a document's outputs written before are
# written again at its next run, even with nothing due)
POLICY_CHANGED = "policy_changed_at"


@dataclass(frozen=True)
class DocumentOutcome:
    path: str
    folder: Path
    ran: bool  # False: unchanged and nothing due, not run
    # The run's result for a lone document (a library keeps no manifests in memory: each is
    # on disk, and in the store)
    result: RunResult | None = None


@dataclass(frozen=True)
class Change:
    url: str
    before: str
    after: str


@dataclass(frozen=True)
class LibraryRun:
    documents: tuple[DocumentOutcome, ...]
    states: dict[str, RotState]
    changes: tuple[Change, ...]
    checked: int  # unique links worked on in this run
    offline: bool
    worked: frozenset[str] = frozenset()  # the unique links this run worked on
    skipped: tuple[str, ...] = ()  # documents with no footnoted URL, or that cannot be read


class NothingToRun(KzarchiveError):
    """No document of the run has a footnoted URL (each was skipped, and said why)."""


def _states(
    store: Store, policy: RotPolicy, before: str | None = None
) -> Iterator[tuple[str, RotState]]:
    for url, looks in store.looks():
        kept = [(parse_time(at), v) for at, v in looks if before is None or at < before]
        yield url, rot_state(kept, policy)


def link_states(store: Store, policy: RotPolicy, before: str | None = None) -> dict[str, RotState]:
    """Every link's rot state from its looks (only those made before ``before``, if given)."""
    return dict(_states(store, policy, before))


def rot_of(store: Store, policy: RotPolicy) -> Callable[[str], Rot | None]:
    """A link's rot state as a manifest records it on the link's check, from its looks in the
    store as they are when asked (None for a link never checked)."""

    def rot(url: str) -> Rot | None:
        state = _state(store, url, policy)
        if state.status == "unchecked":
            return None
        needed = 1 if policy.confirm_now else policy.checks
        return Rot(state.status, state.failures, needed, state.detail)

    return rot


def unsettled(store: Store) -> set[str]:
    """Links with no archive state yet, or a capture job still pending."""
    rows = store.connection.execute(
        "SELECT url FROM links WHERE archive_json IS NULL "
        "OR json_extract(archive_json, '$.status') = 'pending'"
    )
    return {r[0] for r in rows}


STDIN_KEY = "<stdin>"  # the key, and the stored path, of a document read from standard input


def document_key(path: Path) -> str:
    """A document's key in the store: where it is (two reports named alike in two projects are
    two documents), or the name standard input is given."""
    if str(path) in ("-", STDIN_KEY):
        return STDIN_KEY
    return str(path.resolve())


def folder_for(store: Store, document: Path, out: Path, single: bool) -> Path:
    """Where a document's outputs go: where they already are for a document the store knows
    (``out`` itself for one a lone run made, as ``run`` always did); ``out`` itself for a lone
    document new to a folder that is no library; else ``out/<name>``, named once and kept across
    runs, unique among the library's. The store keeps the name relative to ``out``, so a library
    folder can be moved or copied."""
    known = store.document(document_key(document))
    if known is not None and known.folder:
        return out / known.folder  # "." is out itself: pathlib drops it
    taken = store.folders()
    if single and not taken - {"."}:
        return out
    stem = re.sub(r"[^\w.-]+", "-", document.stem).strip("-.") or "document"
    name, n = stem, 1
    while name in taken or is_forgotten(out / name):  # a forgotten one's folder is left alone
        n += 1
        name = f"{stem}-{n}"
    return out / name


async def run_library(
    documents: Sequence[Path],
    out: Path,
    store: Store,
    read: Reader,
    run_one: Runner,
    policy: RotPolicy,
    now: datetime,
    *,
    everything: bool = False,
    single: bool = False,
    confirm_now: bool = False,
) -> LibraryRun:
    """Run every document of the library that has something to do; return what changed. With
    ``everything``, every link of every document is worked on (once), due or not. ``single``: a
    lone document, not a library (a folder or glob is one even when it holds one document): its
    outputs go into ``out`` itself unless ``out`` is a library already. A document the reader
    cannot use is skipped; :class:`NothingToRun` when every document was. With ``confirm_now``,
    every dying link these documents cite is due, and every link worked on that has a failed
    check since its last live answer is confirmed dead, in the store (so that it stays dead
    whatever later runs are told, until a live answer)."""
    run = store.start_run("run")
    states = link_states(store, policy)
    before = {url: state.status for url, state in states.items()}
    settled = {url for url, state in states.items() if not is_due(state, now)}
    settled -= unsettled(store)
    if confirm_now:  # a dying link is looked at today, and confirmed
        settled -= {url for url, state in states.items() if state.status == "dying"}
    if everything:
        settled = set()
    done: set[str] = set()
    rule_changed = store.settings().get(POLICY_CHANGED, "")

    def due(url: str) -> bool:
        if url in done or url in settled:
            return False
        done.add(url)
        return True

    outcomes: list[DocumentOutcome] = []
    skipped: list[str] = []
    offline = False
    for path in documents:
        folder = folder_for(store, path, out, single)
        key = document_key(path)
        known = store.document(key)
        if not everything and known is not None and (folder / MANIFEST_NAME).is_file():
            # standard input read by an earlier run cannot be read again: its bytes are the
            # ones on record ("-" is read now, and may have changed)
            digest = known.info.get("sha256") if str(path) == STDIN_KEY else _digest(path)
            urls = _cited_urls(store, known.id)
            # A link another document's run worked on is not worked on again, but this
            # document's outputs are written again all the same (its state may have changed);
            # so are they when the rule changed since they were written
            if (
                digest == known.info.get("sha256")
                and not any(u not in settled for u in urls)
                and known.updated_at > rule_changed
            ):
                outcomes.append(DocumentOutcome(key, folder, False))
                continue
        redacted = read(path)
        if redacted is None:
            skipped.append(str(path))
            continue
        document = redacted.extraction
        info = document.document.to_json()
        if known is not None and "lineage" in known.info:  # every version this folder archived
            info["lineage"] = known.info["lineage"]
        target = folder / MANIFEST_NAME
        store.put_document(info, document.citations, folder.relative_to(out).as_posix(), key=key)
        (folder / FORGOTTEN_NAME).unlink(missing_ok=True)  # the folder's document again (".")
        exported = store.manifest(key)
        if (
            exported is not None
            and any(r.check or r.archive for r in exported.links)
            and _ours(target, key, folder)
        ):
            folder.mkdir(parents=True, exist_ok=True)
            save(exported, target)
        try:
            result = await run_one(redacted, folder, due)
        except BaseException:
            if known is None:  # refused (a folder holding another report's archive, say)
                store.forget_document(key)
            raise
        store.set_document_info(key, result.manifest.document)
        if folder == out:  # the folder archives this document now (--adopt takes it over)
            store.forget_others_in(".", key)
        offline = offline or result.offline
        outcomes.append(DocumentOutcome(key, folder, True, result if single else None))
    if not outcomes:
        raise NothingToRun(
            "no footnoted URL in any document"
            + (f" ({skipped[0]})" if len(skipped) == 1 else f" ({len(skipped)} skipped)")
        )
    touched = set(done)  # only the links worked on, or confirmed, can have changed
    if confirm_now:
        dying = [u for u in sorted(done) if _state(store, u, policy).status == "dying"]
        store.confirm(dying)
        touched.update(dying)
    for url in touched:
        states[url] = _state(store, url, policy)
    # Death is an event: what this run's documents now say is dead stays dead under a later rule
    confirmed = [
        url
        for url in sorted(_cited_by(store, [o.path for o in outcomes]))
        if url in states and states[url].status == "dead" and not states[url].confirmed
    ]
    store.confirm(confirmed, verdict=RULE_CONFIRMED)
    for url in confirmed:
        states[url] = _state(store, url, policy)
    store.finish_run(run)
    changes = tuple(
        Change(url, before[url], states[url].status)
        for url in sorted(touched)
        if url in before and before[url] not in ("unchecked", states[url].status)
    )
    return LibraryRun(
        tuple(outcomes), states, changes, len(done), offline, frozenset(done), tuple(skipped)
    )


def _digest(path: Path) -> str | None:
    """The document's SHA-256, or None when it cannot be read now (the reader says why)."""
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except DocumentError:
        return None


def _state(store: Store, url: str, policy: RotPolicy) -> RotState:
    looks = [
        (parse_time(o.at), o.verdict)
        for o in store.observations(url)
        if o.kind in ("check", "confirm")
    ]
    return rot_state(looks, policy)


def _ours(path: Path, key: str, folder: Path) -> bool:
    """Whether the store's export may replace the folder's manifest: there is none, or it is
    this very file's (a resumed run). Anything else is the pipeline's to decide: a corrupt
    manifest is set aside, another document's refused or adopted, a copy of the same bytes
    elsewhere keeps the folder's own identity."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    document = data.get("document") if isinstance(data, dict) else None
    if not isinstance(document, dict):
        return False
    location, given = document.get("location"), str(document.get("path") or "")
    if location:
        return str((folder / str(location)).resolve()) == key
    return document_key(Path(given)) == key if given else False


def _cited_by(store: Store, keys: Sequence[str]) -> set[str]:
    """The links the documents (by key) cite."""
    found: set[str] = set()
    for key in keys:
        known = store.document(key)
        if known is not None:
            found.update(_cited_urls(store, known.id))
    return found


def _cited_urls(store: Store, document_id: int) -> list[str]:
    rows = store.connection.execute(
        "SELECT url FROM document_links WHERE document_id = ? AND cited = 1", (document_id,)
    )
    return [r[0] for r in rows]


def last_changes(store: Store, policy: RotPolicy) -> list[StateChange]:
    """Links whose state the last run changed (as they were when it started, and now)."""
    runs = [r for r in store.runs() if r.finished_at]
    if not runs:
        return []
    before = link_states(store, policy, before=runs[-1].started_at)
    after = link_states(store, policy)
    cited: dict[str, list[str]] = {}
    for url, path in store.connection.execute(
        "SELECT d.url, doc.path FROM document_links d JOIN documents doc ON doc.id = "
        "d.document_id WHERE d.cited = 1 ORDER BY doc.path"
    ):
        cited.setdefault(url, []).append(path)
    return [
        StateChange(url, before[url].status, state.status, tuple(cited.get(url, ())))
        for url, state in sorted(after.items())
        if url in before and before[url].status not in ("unchecked", state.status)
    ]


@dataclass(frozen=True)
class LibraryReport:
    rows: list[LinkRow]
    changes: list[StateChange]
    written: tuple[Path, ...]
    gone: tuple[DocumentRow, ...] = ()  # no longer where they were read: not counted


def is_gone(document: DocumentRow) -> bool:
    """Whether a document is no longer where it was read (deleted, or renamed). Standard input
    is never gone: it was never anywhere."""
    return not document.path.startswith("<") and not Path(document.path).exists()


def write_library(store: Store, out: Path, policy: RotPolicy, chart: bool = True) -> LibraryReport:
    """``library.html`` and ``library.csv`` in ``out``, from the store as it is now; documents
    no longer there are listed apart and not counted."""
    from kzarchive.rot_report import chart_svg, library_csv, library_html, tallies

    states = link_states(store, policy)
    documents = store.documents()
    gone = tuple(d for d in documents if is_gone(d))
    rows = link_rows(store, states, [d for d in documents if d not in gone])
    changes = last_changes(store, policy)
    _, years = tallies(rows)
    svg = chart_svg(years) if chart and years else None
    out.mkdir(parents=True, exist_ok=True)
    page, sheet = out / LIBRARY_HTML, out / LIBRARY_CSV
    write_atomic(page, library_html(rows, changes, utc_now(), svg, gone))
    write_atomic(sheet, library_csv(rows))
    return LibraryReport(rows, changes, (page, sheet), gone)


def stored_reading(store: Store, key: str) -> Redacted | None:
    """A document as the store last read it (its details and citations), for one that cannot
    be read again: standard input, gone when its run ended. Its links are re-checked as they were
    stored (with their secrets hidden, as they were kept); None when the store has no record."""
    from datetime import date

    from kzarchive.extract import DocumentInfo, Extraction

    manifest = store.manifest(key)
    if manifest is None or not manifest.citations:
        return None
    info = manifest.document
    cited_on = info.get("cited_on")
    document = DocumentInfo(
        path=str(info.get("path") or key),
        sha256=str(info.get("sha256") or ""),
        format=str(info.get("format") or "text"),
        encoding=str(info.get("encoding") or "utf-8"),
        cited_on=date.fromisoformat(str(cited_on)) if cited_on else None,
        cited_on_source=info.get("cited_on_source"),
        title=info.get("title"),
    )
    return Redacted(Extraction(document, tuple(manifest.citations), ()), {})
