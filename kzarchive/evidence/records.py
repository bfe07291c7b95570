"""The manifest's record of the evidence kept for one link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MediaFile:
    """One file of a link's media (the video, its ``.info.json``), relative to the archive, and
    the WARC record that holds it in the WACZ."""

    path: str
    sha256: str
    size: int
    source: str | None = None  # the URL that served the file whole, when one did
    target: str | None = None  # the record's WARC-Target-URI (``source``, or a urn:)
    warc: str | None = None  # the WARC file holding its record, relative to the archive
    record_id: str | None = None
    offset: int | None = None  # where the record's gzip member starts in that file

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "size": self.size}
        data["source"] = self.source
        if self.record_id is not None:
            data |= {
                "target": self.target,
                "warc": self.warc,
                "record_id": self.record_id,
                "offset": self.offset,
            }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaFile:
        return cls(
            str(data["path"]),
            str(data["sha256"]),
            int(data["size"]),
            source=data.get("source"),
            target=data.get("target"),
            warc=data.get("warc"),
            record_id=data.get("record_id"),
            offset=data.get("offset"),
        )


@dataclass(frozen=True)
class Evidence:
    """What kzarchive itself kept of a link: the WARC response record of the answer it judged
    (the last hop of its redirects), the hops and page requisites beside it, and media."""

    captured_at: str | None = None
    warc: str | None = None  # the WARC file, relative to the archive folder
    record_id: str | None = None
    offset: int | None = None  # where the record's gzip member starts in the WARC file
    url: str | None = None  # the URL that answered (the last hop)
    http_status: int | None = None
    sha256: str | None = None  # of the payload as stored (the body, decoded, perhaps cut short)
    size: int | None = None
    truncated: str | None = None  # WARC-Truncated: length, time or disconnect
    # What the kept answer is, judged as the archive's copies are: content, login-wall,
    # bot-challenge, soft-404 or error-page
    verdict: str | None = None
    hops: int = 0  # redirects recorded before the answer
    requisites: int = 0  # page requisites recorded (images, stylesheets, scripts, frames)
    requisite_bytes: int = 0
    media: tuple[MediaFile, ...] = ()
    media_error: str | None = None
    error: str | None = None  # why nothing was captured

    @property
    def captured(self) -> bool:
        return self.record_id is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "captured_at": self.captured_at,
            "warc": self.warc,
            "record_id": self.record_id,
            "offset": self.offset,
            "url": self.url,
            "http_status": self.http_status,
            "sha256": self.sha256,
            "size": self.size,
            "truncated": self.truncated,
            "verdict": self.verdict,
            "hops": self.hops,
            "requisites": self.requisites,
            "requisite_bytes": self.requisite_bytes,
            "media": [m.to_json() for m in self.media],
            "media_error": self.media_error,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            captured_at=data.get("captured_at"),
            warc=data.get("warc"),
            record_id=data.get("record_id"),
            offset=data.get("offset"),
            url=data.get("url"),
            http_status=data.get("http_status"),
            sha256=data.get("sha256"),
            size=data.get("size"),
            truncated=data.get("truncated"),
            verdict=data.get("verdict"),
            hops=int(data.get("hops") or 0),
            requisites=int(data.get("requisites") or 0),
            requisite_bytes=int(data.get("requisite_bytes") or 0),
            media=tuple(MediaFile.from_json(m) for m in data.get("media") or ()),
            media_error=data.get("media_error"),
            error=data.get("error"),
        )
