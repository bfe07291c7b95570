"""The whole job: extract, check and archive into a manifest that survives any interruption.

Each link is checked and archived in one flow (look-ups start at once; a capture waits only for the
link's own check), so a run takes about as long as the slower of the two. Every finished link, and
every capture job as soon as it is submitted, is written to the manifest atomically; a killed run
loses at most what was in flight, and the next run picks up from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from kzarchive.check import CheckOptions
from kzarchive.check.checker import LinkChecker, worth_second_look
from kzarchive.check.dns import Resolver, dns_host, needs_dns
from kzarchive.errors import KzarchiveError, ManifestError
from kzarchive.evidence.keeper import Keeper, Kept
from kzarchive.evidence.options import EvidenceOptions
from kzarchive.evidence.records import Evidence
from kzarchive.extract import Extraction
from kzarchive.manifest import (
    MANIFEST_NAME,
    CorruptManifest,
    LinkRecord,
    Manifest,
    identify,
    keep_aside,
    load,
    merge,
    same_document,
    save,
    set_aside,
    write_atomic,
)
from kzarchive.models import ArchiveState, Check, Rot, utc_now
from kzarchive.progress import SILENT, Observer
from kzarchive.render import RENDERERS, file_text
from kzarchive.scope import (
    ArchiveGuard,
    Redacted,
    Scope,
    excluded_check,
    redact_extraction,
    scoped_observer,
)
from kzarchive.wayback.archiver import Archiver, submitted_despite, worth_submitting
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.options import ArchiveOptions
from kzarchive.wayback.perma import PermaArchiver, PermaClient, PermaOptions, carried
from kzarchive.wayback.verify import Verifier, VerifyOptions

OUTPUTS = {"manifest.csv": "csv", "citations.md": "markdown", "report.html": "html"}


@dataclass(frozen=True)
class RunResult:
    manifest: Manifest
    written: tuple[Path, ...]
    offline: bool
    kept: Kept | None = None  # the evidence of this run, when it kept some
    adopted: Path | None = None  # where the manifest of the document taken over was kept
    cdx_requests: int = 0  # requests this run made to the Wayback Machine's index
    saved_now: int = 0  # links given a new capture by this run (not by an earlier one)


def load_previous(path: Path) -> Manifest | None:
    """The folder's manifest, if any; a corrupt one is set aside (never overwritten) and refused."""
    if not path.exists():
        return None
    try:
        return load(path)
    except CorruptManifest as exc:
        from kzarchive.evidence.restore import sealed_manifests

        kept = set_aside(path)
        sealed = sealed_manifests(path.parent)
        again = "run again to start afresh"
        if sealed:
            where = sealed[0].parent.relative_to(path.parent).as_posix()
            again = (
                f"'kzarchive restore {path.parent}' brings back the sealed copy in {where} "
                f"(verified first), or {again}"
            )
        raise ManifestError(f"{exc}; it was moved to {kept.name}; {again}") from None


class Sink(Protocol):
    """Where each finished step of a link goes at once (:class:`kzarchive.store.Store`)."""

    def record(
        self,
        url: str,
        *,
        check: Check | None = None,
        archive: ArchiveState | None = None,
        evidence: Evidence | None = None,
        again: bool = False,
    ) -> None: ...


class _Store:
    """The manifest being built, written by one writer whenever it changes.

    Writing (serialising, fsync) happens in a worker thread so that a large manifest never
    stalls the checks and polls in flight; changes made while a write is under way go out
    together in the next one. With a ``sink`` (the library's store), each change is one small
    transaction there instead, and the manifest is written once, at the end.
    """

    def __init__(self, path: Path, manifest: Manifest, sink: Sink | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.sink = sink
        self._index = {record.url: i for i, record in enumerate(manifest.links)}
        self._version = 0  # bumped by every change
        self._written = -1  # the version on disk
        self._lock = threading.Lock()
        self._changed = asyncio.Event()
        self._saved = asyncio.Condition()
        self._writer: asyncio.Task[None] | None = None

    def update(
        self,
        url: str,
        *,
        check: Check | None = None,
        archive: ArchiveState | None = None,
        evidence: Evidence | None = None,
        again: bool = False,
    ) -> None:
        writer = self._writer
        if writer is not None and writer.done() and not writer.cancelled():
            failure = writer.exception()
            if failure is not None:
                raise failure  # the manifest can no longer be written: stop the run
        links = list(self.manifest.links)
        i = self._index[url]
        record: LinkRecord = links[i]
        if check is not None:
            record = record.with_check(check, again=again)
        if archive is not None:
            record = replace(record, archive=archive)
        if evidence is not None:
            record = replace(record, evidence=evidence)
        links[i] = record
        self.manifest = replace(self.manifest, links=tuple(links), generated_at=utc_now())
        self._version += 1
        if self.sink is not None:
            self.sink.record(url, check=check, archive=archive, evidence=evidence, again=again)
            return
        self._changed.set()

    def annotate(self, change: Callable[[Manifest], Manifest]) -> None:
        """Change the manifest as a whole (not a link's step: nothing goes to the sink)."""
        self.manifest = change(self.manifest)
        self._version += 1

    async def set_archive(self, url: str, state: ArchiveState) -> None:
        """Record a job the moment it exists, and return once it is on disk."""
        self.update(url, archive=state)
        if self.sink is not None:
            return
        version = self._version
        writer = self._writer
        async with self._saved:
            await self._saved.wait_for(
                lambda: self._written >= version or writer is None or writer.done()
            )

    def _write(self, manifest: Manifest, version: int) -> None:
        with self._lock:  # never let an older snapshot replace a newer one
            if version > self._written:
                try:
                    save(manifest, self.path)
                except OSError as exc:
                    raise KzarchiveError(
                        f"{self.path}: cannot write the manifest: {exc.strerror or exc}"
                    ) from None
                self._written = version

    async def _write_when_changed(self) -> None:
        try:
            while True:
                await self._changed.wait()
                self._changed.clear()
                await asyncio.to_thread(self._write, self.manifest, self._version)
                async with self._saved:
                    self._saved.notify_all()
        finally:
            async with self._saved:  # a failed writer must not leave anyone waiting
                self._saved.notify_all()

    def start(self) -> None:
        self._write(self.manifest, self._version)
        if self.sink is not None:
            return
        self._writer = asyncio.ensure_future(self._write_when_changed())

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        self._write(self.manifest, self._version)


def with_rot(manifest: Manifest, rot: Callable[[str], Rot | None]) -> Manifest:
    """``manifest`` with each checked link's rot state (from the library's store) on its check."""
    links = tuple(
        replace(r, check=replace(r.check, rot=rot(r.url))) if r.check is not None else r
        for r in manifest.links
    )
    return replace(manifest, links=links)


def worth_capturing(check: Check) -> bool | str:
    """True if the link is worth a Save Page Now capture (see :func:`worth_submitting`); else
    why none is asked for."""
    if worth_submitting(check):
        return True
    said = "the link is excluded" if check.verdict == "excluded" else "the live page is gone"
    return f"not-captured: {said} ({check.reason})"


async def run_pipeline(
    extraction: Extraction | Redacted,
    out: Path,
    client: WaybackClient,
    check_options: CheckOptions | None = None,
    archive_options: ArchiveOptions | None = None,
    observer: Observer = SILENT,
    resolver: Resolver | None = None,
    scope: Scope | None = None,
    verify_options: VerifyOptions | None = None,
    evidence_options: EvidenceOptions | None = None,
    adopt: bool = False,
    perma_options: PermaOptions | None = None,
    sink: Sink | None = None,
    due: Callable[[str], bool] | None = None,
    rot: Callable[[str], Rot | None] | None = None,
    evidence_from: Sequence[Path] = (),
) -> RunResult:
    """Check and archive every cited link of ``extraction`` into ``out/manifest.json``, keeping
    evidence of what each answered (see :mod:`kzarchive.evidence`). With a ``sink``, each step is
    recorded there as it finishes; with ``due``, links it says are not due keep their records;
    with ``rot`` (a library's store), each link's check carries the link's state over repeated
    looks as the run ends, so that every output tells a dying link from a dead one. With
    ``evidence_from`` (the library's other document folders), the evidence of a link this run
    did not capture is copied into ``out`` (see :mod:`kzarchive.evidence.share`).

    A folder belongs to one document (see :func:`~kzarchive.manifest.same_document`); another is
    refused unless ``adopt``, which takes the folder over, keeping all it knew, and the old
    manifest beside the new one."""
    scope = scope or Scope()
    evidence_options = evidence_options or EvidenceOptions(capture=False, timestamp=False)
    redacted = (
        extraction
        if isinstance(extraction, Redacted)
        else redact_extraction(extraction, scope.keep_secrets)
    )
    observer = scoped_observer(redacted, observer)
    document = redacted.extraction
    path = out / MANIFEST_NAME
    previous = load_previous(path)
    described = identify(document.document.to_json(), out, previous.document if previous else None)
    adopted = None
    if previous is not None and not same_document(previous.document, described, out):
        if not adopt:
            raise KzarchiveError(
                f"{out} holds the archive of {previous.document.get('path')}, not of "
                f"{described['path']}: give this document a folder of its own, for example "
                f"--out {out.parent / (out.name + '-' + Path(described['path']).stem)}, "
                "or, if it is the same report (edited, renamed or moved), take the folder "
                "over with --adopt"
            )
        adopted = keep_aside(path, "adopted")
        observer.warn(
            f"{out} now archives {described['path']}; the manifest of "
            f"{previous.document.get('path')} was kept as {adopted}"
        )
    elif previous is not None:
        # A copy of the same bytes read from elsewhere leaves the folder its document, as long
        # as that file is still there (a document moved away is followed)
        kept = previous.document.get("location")
        if kept and kept != described.get("location") and (out / str(kept)).is_file():
            described["location"] = kept
    manifest = merge(previous, described, list(document.citations))
    store = _Store(path, manifest, sink)
    store.start()
    cited = [record for record in manifest.links if record.cited]
    if due is not None:
        cited = [record for record in cited if due(record.url)]
    excluded = {
        record.url: reason
        for record in cited
        if (reason := scope.excluded(redacted.original(record.url)))
    }
    wanted = [record for record in cited if record.url not in excluded]
    keeper = (
        Keeper(out, evidence_options, observer, evidence_from) if evidence_options.capture else None
    )
    try:
        async with LinkChecker(check_options, observer, resolver) as checker:
            if keeper is not None:
                secret = [o for r in wanted if (o := redacted.original(r.url)) != r.url]
                keeper.start(checker, secret)
                keeper.open_browser(checker, len(wanted))
            archive_host = dns_host(client.base)
            await checker.prepare(
                [redacted.original(r.url) for r in wanted],
                offline_also=(
                    ", and nothing can be archived or captured"
                    if archive_host is None or needs_dns(archive_host)
                    else f"; the archive at {client.base} is asked all the same"
                ),
            )
            checker.keep_words = True
            perma = (
                PermaArchiver(PermaClient(perma_options, client.http), perma_options, observer)
                if perma_options is not None and perma_options.active and not checker.offline
                else None
            )
            verifier = Verifier(client, verify_options, observer, perma)
            archiver = Archiver(client, archive_options, observer)
            archiver.guard = ArchiveGuard(checker.dns, archiver.options.archive_private)
            archiver.on_job = store.set_archive
            # asked (and said not to answer) only when a link would be sent to it
            archiver.offline = checker.offline
            observer.phase_started("check", len(cited))
            observer.phase_started("archive", len(cited))
            second_look: list[str] = []
            for url, reason in excluded.items():
                store.update(
                    url,
                    check=excluded_check(reason),
                    archive=ArchiveState("excluded", error=reason, updated_at=utc_now()),
                )
                observer.advanced("check", url, "excluded")
                observer.advanced("archive", url, "excluded")

            def told(url: str, check: Check) -> str:
                """The look as progress tells it: in a library, dying until confirmed dead."""
                if rot is None or check.verdict not in ("dead", "blocked", "error"):
                    return check.verdict
                return replace(check, rot=rot(url)).status

            async def check(url: str) -> Check:
                return redacted.check(await checker.check(redacted.original(url)))

            async def one(record: LinkRecord) -> None:
                checking = asyncio.ensure_future(check(record.url))

                async def capture_wanted() -> bool | str:
                    return worth_capturing(await checking)

                def checked(task: asyncio.Future[Check]) -> None:
                    if task.cancelled() or task.exception() is not None:
                        return
                    check = task.result()
                    store.update(record.url, check=check)
                    if checker.options.second_look and worth_second_look(check):
                        second_look.append(record.url)
                    else:
                        observer.advanced("check", record.url, told(record.url, check))
                        if keeper is not None:
                            keeper.checked(redacted.original(record.url), check)

                checking.add_done_callback(checked)
                try:
                    state = await archiver.archive(
                        record.url, record.archive, capture=capture_wanted
                    )
                    if perma is not None and not state.withheld:
                        wanted = await capture_wanted() is True
                        state = await perma.preserve(record.url, state, record.archive, wanted)
                    else:
                        state = carried(state, record.archive)
                    store.update(record.url, archive=state)
                    state = submitted_despite(state, record.archive, await checking)
                    state = await verifier.verify(
                        record.url,
                        state,
                        record.archive,
                        checker.words.get(redacted.original(record.url)),
                    )
                    store.update(record.url, archive=state)
                    observer.advanced("archive", record.url, state.status)
                finally:
                    checking.cancel()

            await asyncio.gather(*map(one, wanted))
            for url, found in zip(
                second_look, await asyncio.gather(*map(check, second_look)), strict=True
            ):
                store.update(url, check=found, again=True)
                observer.advanced("check", url, told(url, found))
                if keeper is not None:
                    keeper.checked(redacted.original(url), found)
            offline = checker.offline
            if keeper is not None:
                await keeper.finish(checker, store, redacted.original)
    finally:
        if keeper is not None:
            await keeper.close_browser()
        if rot is not None:
            store.annotate(lambda manifest: with_rot(manifest, rot))
        await store.stop()
    written = [path]
    for name, fmt in OUTPUTS.items():
        target = out / name
        write_atomic(target, file_text(RENDERERS[fmt], store.manifest))
        written.append(target)
    kept = await keeper.seal(path, offline) if keeper is not None else None
    before = {
        r.url: r.archive.snapshot.url for r in manifest.links if r.archive and r.archive.snapshot
    }
    saved_now = sum(
        1
        for r in store.manifest.links
        if r.cited
        and r.archive
        and r.archive.status == "saved"
        and r.archive.snapshot is not None
        and r.archive.snapshot.url != before.get(r.url)
    )
    return RunResult(
        store.manifest,
        tuple(written),
        offline,
        kept,
        adopted,
        cdx_requests=client.cdx_requests,
        saved_now=saved_now,
    )
