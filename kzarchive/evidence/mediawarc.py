"""Media files as WARC ``resource`` records, so that the WACZ alone holds the video and replay
plays it (``evidence/warc/kzarchive-<time>-media.warc.gz``, packaged with the run's other WARC).

A file yt-dlp fetched whole from one URL (the ``<video src>`` a page names, a direct link) is
recorded at that URL: pywb and ReplayWeb.page serve a resource record at its target URI as a 200
with its Content-Type, so the page's own player finds it. A file put together from fragments or
merged from a video and an audio stream, and each ``.info.json``, are recorded at
``urn:kzarchive:media:<cited URL>#<file name>``: no page asks for them, but the WACZ holds them.

Resource records, not response records: yt-dlp does not hand over the HTTP headers it received,
and a response record with headers made up here would claim an exchange nobody recorded.
"""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.warcwriter import WARCWriter

from kzarchive.evidence.records import MediaFile
from kzarchive.evidence.warc import CITED_HEADER, WARC_DIR, open_warc, payload_digest

TYPES = {
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".json": "application/json",
}


def media_type(path: str) -> str:
    """The Content-Type a replay tool serves the file with."""
    suffix = Path(path).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def media_target(cited: str, file: MediaFile) -> str:
    """Where the file's record is: the URL that served it whole, else a urn of its own."""
    if file.source and file.source.startswith(("http://", "https://")):
        return file.source
    return f"urn:kzarchive:media:{cited}#{Path(file.path).name}"


class MediaWarc:
    """Writes one run's media records; the file is made on the first one."""

    def __init__(self, folder: Path, stamp: str) -> None:
        self.folder = folder
        self.name = f"{WARC_DIR}/kzarchive-{stamp}-media.warc.gz"
        self.path = folder / self.name
        self._stream: IO[bytes] | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self._stream, self._writer = open_warc(
                self.path,
                "yt-dlp, warcio",
                "The media of a document's cited pages, downloaded with yt-dlp",
            )
        return self._writer

    def add(self, cited: str, file: MediaFile) -> MediaFile:
        """Write ``file`` as a resource record; the file with where its record is."""
        writer = self._open()
        assert self._stream is not None
        path = self.folder / file.path
        target = media_target(cited, file)
        when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        digest = payload_digest(file.sha256)
        with path.open("rb") as payload:
            record = writer.create_warc_record(
                target,
                "resource",
                payload=payload,
                length=file.size,
                warc_content_type=media_type(file.path),
                warc_headers_dict={
                    "WARC-Date": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                    "WARC-Payload-Digest": digest,
                    "WARC-Block-Digest": digest,
                    CITED_HEADER: cited,
                },
            )
            offset = self._stream.tell()
            writer.write_record(record)
        self._stream.flush()
        record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
        return replace(file, target=target, warc=self.name, record_id=record_id, offset=offset)

    @property
    def written(self) -> bool:
        return self.path.exists()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
            self._writer = None
