"""A link's evidence copied from another document's folder of the same library.

A library checks and captures each unique URL once, in the folder of the first document that
cites it; every other document citing it would otherwise name evidence that is not in its own
folder. So each document's run brings that evidence into its folder: the link's WARC records
(each record's gzip member copied byte for byte, so the record keeps its ``WARC-Record-ID`` and
digests: the same exchange, the same bytes) into the run's own WARC file, and the screenshot, DOM,
thumbnail and media files beside them at the same paths. The folder's seal, WACZ and ``verify``
then cover them as any other evidence. The records of a link are those naming it in their
``Kzarchive-Cited-URI`` header (every exchange, requisite, browser response, screenshot, DOM and
media record); records written before that header existed are copied by what the manifest names
(the answer, its request, the screenshot, the DOM, the media).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from kzarchive.evidence.digests import file_sha256
from kzarchive.evidence.records import Evidence, MediaFile
from kzarchive.evidence.warc import CITED_HEADER, WARC_DIR, WarcRecorder


def record_id_at(path: Path, offset: int) -> str | None:
    """The id of the record whose gzip member starts at ``offset`` in ``path``, if any."""
    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            return None if record is None else record.rec_headers.get_header("WARC-Record-ID")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError):
        return None


def _members(path: Path) -> Iterator[tuple[str | None, str | None, str | None, int, int]]:
    """Each record of a WARC file: its id, the record it is concurrent to, the cited link it
    names, and where its gzip member starts and how long it is."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            headers = record.rec_headers
            found = (
                headers.get_header("WARC-Record-ID"),
                headers.get_header("WARC-Concurrent-To"),
                headers.get_header(CITED_HEADER),
            )
            yield *found, records.get_record_offset(), records.get_record_length()


class Sharer:
    """Brings into ``folder`` the evidence other folders of the library (``sources``) hold."""

    def __init__(self, folder: Path, recorder: WarcRecorder, sources: Sequence[Path]) -> None:
        self.folder = folder
        self.recorder = recorder
        self.sources = [s for s in sources if s.resolve() != folder.resolve()]
        self.files: list[Path] = []  # files copied into the folder
        self._here: dict[str, tuple[str, int]] | None = None  # record id -> (WARC, offset)

    def _index(self) -> dict[str, tuple[str, int]]:
        """Every record the folder's WARC files hold (read once, when first needed)."""
        if self._here is None:
            self._here = {}
            for path in sorted((self.folder / WARC_DIR).glob("*.warc.gz")):
                if path == self.recorder.path:
                    continue  # this run's own file is still being written
                name = path.relative_to(self.folder).as_posix()
                try:
                    for record_id, _, _, offset, _ in _members(path):
                        if record_id:
                            self._here.setdefault(record_id, (name, offset))
                except (ArchiveLoadFailed, OSError, EOFError, ValueError):
                    continue
        return self._here

    def _source(self, warc: str, offset: int, record_id: str) -> Path | None:
        """The folder whose ``warc`` holds ``record_id`` at ``offset``."""
        for source in self.sources:
            if record_id_at(source / warc, offset) == record_id:
                return source
        return None

    def _copy(self, source: Path, warc: str, cited: str, ids: set[str]) -> None:
        """Copy into this run's WARC every record of ``cited`` in ``source/warc`` (and those
        named in ``ids``, with their request records)."""
        index = self._index()
        with (source / warc).open("rb") as raw:
            for record_id, concurrent, named, offset, length in list(_members(source / warc)):
                if not record_id or record_id in index:
                    continue
                if named != cited and record_id not in ids and concurrent not in ids:
                    continue
                raw.seek(offset)
                index[record_id] = (self.recorder.name, self.recorder.copy_member(raw.read(length)))

    def _file(self, source: Path, kept: MediaFile) -> MediaFile | None:
        """A file of the link (screenshot, media...) copied to the same path here; None when the
        source does not hold it as recorded, or this folder holds other bytes at that path."""
        here, there = self.folder / kept.path, source / kept.path
        if here.is_file():
            return kept if file_sha256(here) == kept.sha256 else None
        if not there.is_file() or file_sha256(there) != kept.sha256:
            return None
        here.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(there, here)
        self.files.append(here)
        return kept

    def _moved(self, kept: MediaFile, source: Path | None) -> MediaFile:
        if source is not None and self._file(source, kept) is None:
            return kept
        if kept.record_id is None:
            return kept
        where = self._index().get(kept.record_id)
        return kept if where is None else replace(kept, warc=where[0], offset=where[1])

    def bring(self, cited: str, evidence: Evidence) -> Evidence | None:
        """``evidence`` of ``cited`` pointing at this folder's copy of it (made now if needed);
        None when it is this folder's already, or no folder of the library holds it."""
        if evidence.warc is None or evidence.offset is None or evidence.record_id is None:
            return None
        if record_id_at(self.folder / evidence.warc, evidence.offset) == evidence.record_id:
            return None
        source: Path | None = None
        if evidence.record_id not in self._index():
            source = self._source(evidence.warc, evidence.offset, evidence.record_id)
            if source is None:
                return None
            self._copy_all(source, cited, evidence)
        where = self._index().get(evidence.record_id)
        if where is None:
            return None
        rendering = evidence.rendering
        if rendering is not None:
            shot, thumb, dom = (
                None if f is None else self._moved(f, source)
                for f in (rendering.screenshot, rendering.thumbnail, rendering.dom)
            )
            page = where[0] if rendering.warc is not None else None
            rendering = replace(rendering, warc=page, screenshot=shot, thumbnail=thumb, dom=dom)
        media = tuple(self._moved(f, source) for f in evidence.media)
        return replace(evidence, warc=where[0], offset=where[1], rendering=rendering, media=media)

    def _copy_all(self, source: Path, cited: str, evidence: Evidence) -> None:
        named = [evidence.media, evidence.rendering.files if evidence.rendering else ()]
        files = [f for group in named for f in group if f.record_id and f.warc]
        ids = {str(evidence.record_id)} | {str(f.record_id) for f in files}
        warcs = dict.fromkeys([str(evidence.warc), *(str(f.warc) for f in files)])
        for warc in warcs:
            if (source / warc).is_file():
                self._copy(source, warc, cited, ids)
        page = _page(source, str(evidence.warc), cited)
        if page is None and evidence.captured_at:  # the source's pages file says nothing of it
            page = {"url": cited, "ts": evidence.captured_at, "title": evidence.title or cited}
            if evidence.http_status is not None:
                page["status"] = evidence.http_status
        if page is not None:
            self.recorder.add_page(page)


def _page(source: Path, warc: str, cited: str) -> dict[str, str | int] | None:
    """The cited page's line in the pages file beside ``warc`` in ``source``, if there is one."""
    import json

    pages = (source / warc).with_name(Path(warc).name.replace(".warc.gz", ".pages.jsonl"))
    try:
        lines = pages.read_text("utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        try:
            page = json.loads(line)
        except ValueError:
            continue
        if isinstance(page, dict) and page.get("url") == cited:
            return page
    return None
