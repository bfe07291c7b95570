"""The evidence side of a run: capture through the checker, media after it, then the WACZ and the
seal with its timestamps once the manifest is final."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from kzarchive.capture.cookies import Cookies, load_cookies
from kzarchive.capture.keep import Renderings
from kzarchive.check.checker import CaptureLimits, LinkChecker
from kzarchive.evidence.mediawarc import MediaWarc
from kzarchive.evidence.options import EvidenceOptions
from kzarchive.evidence.package import WACZ_NAME, PackageError, package
from kzarchive.evidence.records import Evidence
from kzarchive.evidence.seal import SEALS_DIR, Stamp, sealed_names, timestamp, write_seal
from kzarchive.evidence.warc import WARC_DIR, WarcRecorder
from kzarchive.manifest import LinkRecord, Manifest
from kzarchive.models import Check
from kzarchive.progress import Observer

MEDIA_VERDICTS = ("alive", "redirected", "blocked")
# Links the browser renders: every one that answered over HTTP (a 404 page and a login wall, as a
# reader saw them, are evidence too); not those that could not be reached or were left alone.
RENDERED_VERDICTS = ("alive", "redirected", "blocked", "dead")


class Store(Protocol):
    """Where the run's manifest is kept (the pipeline's store)."""

    manifest: Manifest

    def update(self, url: str, *, evidence: Evidence | None = None) -> None: ...

    def annotate(self, change: Callable[[Manifest], Manifest]) -> None: ...


@dataclass(frozen=True)
class Kept:
    """What evidence a run kept."""

    captured: int  # links whose answer was recorded
    warc: Path | None = None
    wacz: Path | None = None
    seal: Path | None = None
    stamps: tuple[Stamp, ...] = ()
    media: int = 0  # links whose media were downloaded
    rendered: int = 0  # links the browser kept a screenshot of

    @property
    def timestamped(self) -> bool:
        return any(s.token is not None for s in self.stamps)


def _free_stamp(folder: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    taken = {p.name.split(".")[0] for p in (folder / WARC_DIR).glob("*")}
    taken |= {p.name for p in (folder / SEALS_DIR).glob("*")}
    candidate, n = stamp, 1
    while candidate in taken or f"kzarchive-{candidate}" in taken:
        n += 1
        candidate = f"{stamp}-{n}"
    return candidate


def _with_evidence(manifest: Manifest, evidence: dict[str, Evidence]) -> Manifest:
    links = tuple(
        replace(r, evidence=evidence[r.url]) if r.url in evidence else r for r in manifest.links
    )
    return replace(manifest, links=links)


class Keeper:
    def __init__(
        self,
        folder: Path,
        options: EvidenceOptions,
        observer: Observer,
        sources: Sequence[Path] = (),
    ) -> None:
        """``sources``: the library's other document folders, whose evidence of a link this
        document cites too is copied here (:mod:`kzarchive.evidence.share`)."""
        self.folder = folder
        self.options = options
        self.observer = observer
        self.stamp = _free_stamp(folder)
        self.recorder = WarcRecorder(folder, self.stamp)
        self.media_files: list[Path] = []
        self.captured = 0
        self.with_media = 0
        self.wacz: Path | None = None
        self.cookies: Cookies | None = (
            load_cookies(options.browser.cookies) if options.browser.cookies else None
        )
        self.renderings: Renderings | None = None
        self.sources = sources
        self.shared: list[Path] = []  # files copied from another document's folder

    def open_browser(self, checker: LinkChecker, expected: int) -> None:
        """Start the browser when it is asked for and can be found (else one warning)."""
        if not self.options.browser.enabled:
            return
        renderings = Renderings(
            self.folder,
            self.stamp,
            self.options.browser,
            self.recorder,
            self.observer,
            self.cookies,
            expected,
        )
        private = checker.private_host if checker.options.exclude_private else None
        if renderings.open(private):
            self.renderings = renderings

    def checked(self, url: str, check: Check) -> None:
        """A link's check is done: render it in the browser if it answered."""
        if self.renderings is None:
            return
        if check.verdict in RENDERED_VERDICTS and check.http_status is not None:
            self.renderings.want(url)
        else:
            self.observer.advanced("browser", url, "not rendered")

    async def close_browser(self) -> None:
        """Stop the browser if it still runs (an interrupted run)."""
        if self.renderings is not None:
            await self.renderings.finish(abandon=True)

    def start(self, checker: LinkChecker, secret_urls: list[str]) -> None:
        """Record every check from now on; never the URLs that carry secrets."""
        self.recorder.skip.update(secret_urls)
        options = self.options
        checker.capture(
            self.recorder,
            CaptureLimits(options.capture_max, options.requisites, options.requisite_bytes),
        )

    async def finish(
        self, checker: LinkChecker, store: Store, original: Callable[[str], str]
    ) -> None:
        """After the checks: each link's evidence into the manifest, media, the WACZ."""
        await checker.captures_done()
        rendered = await self.renderings.finish() if self.renderings is not None else {}
        cited = [r for r in store.manifest.links if r.cited]
        brought = await asyncio.to_thread(self._bring, cited, original) if self.sources else {}
        try:
            self.recorder.close()
        except OSError as exc:
            self.recorder.failure = self.recorder.failure or f"{exc.strerror or exc}"
        if self.recorder.failure:
            self.observer.warn(f"the evidence could not all be written: {self.recorder.failure}")
        for record in cited:
            url = original(record.url)
            found = self.recorder.evidence(url)
            if found is not None:
                self.captured += 1
            elif record.evidence is not None and record.evidence.captured:
                continue  # an earlier run's capture stays the link's evidence (copied here)
            elif url in self.recorder.skip:
                found = Evidence(error="not captured: the URL carries secrets (--keep-secrets)")
            elif self.recorder.failure:
                found = Evidence(error=f"not captured: {self.recorder.failure}")
            else:
                reason = record.check.reason if record.check else "not checked"
                found = Evidence(error=f"nothing answered ({reason})")
            if url in rendered:
                found = replace(found, rendering=rendered[url])
            store.update(record.url, evidence=found)
        if brought:  # this folder's copies, not new captures: the store keeps where they were made
            store.annotate(lambda manifest: _with_evidence(manifest, brought))
        if self.options.media:  # links that answered only: offline, local pages still do
            await self._media(store, original, checker.options.exclude_private)
        if self.captured or brought or not (self.folder / WACZ_NAME).exists():
            title = str(store.manifest.document.get("path") or "kzarchive evidence")
            try:
                self.wacz = await asyncio.to_thread(package, self.folder, title)
            except PackageError as exc:
                self.observer.warn(f"the evidence could not be packaged as a WACZ: {exc}")

    def _bring(
        self, cited: list[LinkRecord], original: Callable[[str], str]
    ) -> dict[str, Evidence]:
        """The evidence of links this run did not capture, as copied into this folder from the
        library's other folders (those already here point here), by the manifest's URL."""
        from kzarchive.evidence.share import Sharer

        sharer = Sharer(self.folder, self.recorder, self.sources)
        brought: dict[str, Evidence] = {}
        for record in cited:
            evidence = record.evidence
            url = original(record.url)
            if evidence is None or not evidence.captured or url in self.recorder.skip:
                continue
            if self.recorder.evidence(url) is not None:
                continue
            try:
                copy = sharer.bring(url, evidence)
            except OSError as exc:
                self.observer.warn(f"{url}: its evidence could not be copied here: {exc}")
                continue
            if copy is not None:
                brought[record.url] = copy
        self.shared = sharer.files
        return brought

    async def _media(
        self, store: Store, original: Callable[[str], str], exclude_private: bool = False
    ) -> None:
        from kzarchive.evidence.media import (
            MediaUnavailable,
            download_all,
            has_extractor,
            require_yt_dlp,
        )

        try:
            require_yt_dlp()
        except MediaUnavailable as exc:
            self.observer.warn(str(exc))
            return

        wanted: dict[str, str] = {}
        for record in store.manifest.links:
            url = original(record.url)
            if not record.cited or url in self.recorder.skip:
                continue
            if record.check is None or record.check.verdict not in MEDIA_VERDICTS:
                continue
            if self.recorder.wants_media(url) or await asyncio.to_thread(has_extractor, url):
                wanted[url] = record.url
        if not wanted:
            return
        self.observer.phase_started("media", len(wanted))
        timeout = 30.0
        results = await download_all(
            self.folder,
            list(wanted),
            self.options.media_max,
            timeout,
            self.cookies.text if self.cookies is not None else None,
            lambda url, result: self.observer.advanced(
                "media", url, "failed" if result.error else "saved"
            ),
            exclude_private=exclude_private,
        )
        by_url = {r.url: r for r in store.manifest.links}
        media_warc = MediaWarc(self.folder, self.stamp)
        try:
            for url, result in results.items():
                record = by_url[wanted[url]]
                evidence = record.evidence or Evidence()
                files = result.files
                try:
                    files = tuple(media_warc.add(record.url, f) for f in files)
                except OSError as exc:
                    self.observer.warn(f"media not put in the WACZ: {exc.strerror or exc}")
                store.update(
                    record.url, evidence=replace(evidence, media=files, media_error=result.error)
                )
                self.media_files += [self.folder / f.path for f in result.files]
                self.with_media += 1 if result.files and not result.error else 0
        finally:
            media_warc.close()
        if media_warc.written:
            self.media_files.append(media_warc.path)

    async def seal(self, manifest: Path, offline: bool) -> Kept:
        """Seal what this run kept (with the final manifest), and timestamp the seal."""
        files = [p for p in (self.recorder.path, self.recorder.pages_path) if p.exists()]
        files += self.media_files + self.shared
        files += self.renderings.files if self.renderings is not None else []
        if files:  # and what an interrupted run left unsealed (the WACZ packages it too)
            from kzarchive.evidence.verify import evidence_files

            listed = sealed_names(self.folder) | {
                f.relative_to(self.folder).as_posix() for f in files
            }
            files += [self.folder / n for n in evidence_files(self.folder) if n not in listed]
        kept = Kept(
            self.captured,
            self.recorder.path if files else None,
            self.wacz,
            media=self.with_media,
            rendered=sum(
                1
                for r in (self.renderings.kept if self.renderings else {}).values()
                if r.screenshot
            ),
        )
        if not files:
            return kept
        seal = write_seal(self.folder, self.stamp, manifest, files)
        kept = replace(kept, seal=seal)
        if not self.options.timestamp or not self.options.tsas:
            return kept
        if offline:
            self.observer.warn("the evidence is not timestamped: this machine looks offline")
            return kept
        stamps = tuple(await timestamp(seal, self.options.tsas))
        kept = replace(kept, stamps=stamps)
        if not kept.timestamped:
            why = "; ".join(f"{s.tsa}: {s.error}" for s in stamps)
            self.observer.warn(f"the evidence is not timestamped (every authority failed: {why})")
        return kept
