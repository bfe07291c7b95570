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
class Rendering:
    """What the browser kept of a link: its screenshot (stamped with the URL and the capture
    time), thumbnail and rendered DOM, each a file of the archive and a WARC resource record,
    and how much of the page's traffic went into the WARC."""

    captured_at: str | None = None  # when the page's own request started
    warc: str | None = None  # the WARC file of the page's records
    url: str | None = None  # where the page ended (after redirects)
    http_status: int | None = None
    title: str | None = None
    screenshot: MediaFile | None = None
    thumbnail: MediaFile | None = None
    dom: MediaFile | None = None
    responses: int = 0  # responses the browser received, recorded
    response_bytes: int = 0
    fetched: int = 0  # media and srcset targets fetched outside the browser
    truncated: tuple[str, ...] = ()  # budgets that cut the page: load, network-busy, scroll...
    logged_in: bool = False  # --cookies was used
    browser: str | None = None  # e.g. "Chromium 156.0.8078.114"
    error: str | None = None  # why nothing was rendered

    @property
    def files(self) -> tuple[MediaFile, ...]:
        return tuple(f for f in (self.screenshot, self.thumbnail, self.dom) if f is not None)

    def to_json(self) -> dict[str, Any]:
        def file(f: MediaFile | None) -> dict[str, Any] | None:
            return f.to_json() if f is not None else None

        return {
            "captured_at": self.captured_at,
            "warc": self.warc,
            "url": self.url,
            "http_status": self.http_status,
            "title": self.title,
            "screenshot": file(self.screenshot),
            "thumbnail": file(self.thumbnail),
            "dom": file(self.dom),
            "responses": self.responses,
            "response_bytes": self.response_bytes,
            "fetched": self.fetched,
            "truncated": list(self.truncated),
            "logged_in": self.logged_in,
            "browser": self.browser,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rendering:
        def file(name: str) -> MediaFile | None:
            found = data.get(name)
            return MediaFile.from_json(found) if isinstance(found, dict) else None

        return cls(
            captured_at=data.get("captured_at"),
            warc=data.get("warc"),
            url=data.get("url"),
            http_status=data.get("http_status"),
            title=data.get("title"),
            screenshot=file("screenshot"),
            thumbnail=file("thumbnail"),
            dom=file("dom"),
            responses=int(data.get("responses") or 0),
            response_bytes=int(data.get("response_bytes") or 0),
            fetched=int(data.get("fetched") or 0),
            truncated=tuple(data.get("truncated") or ()),
            logged_in=bool(data.get("logged_in")),
            browser=data.get("browser"),
            error=data.get("error"),
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
    title: str | None = None  # the answer's <title>, when it is an HTML page that has one
    hops: int = 0  # redirects recorded before the answer
    requisites: int = 0  # page requisites recorded (images, stylesheets, scripts, frames)
    requisite_bytes: int = 0
    media: tuple[MediaFile, ...] = ()
    media_error: str | None = None
    error: str | None = None  # why nothing was captured
    rendering: Rendering | None = None  # what the browser kept (None: no browser capture)

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
            "title": self.title,
            "hops": self.hops,
            "requisites": self.requisites,
            "requisite_bytes": self.requisite_bytes,
            "media": [m.to_json() for m in self.media],
            "media_error": self.media_error,
            "error": self.error,
            "rendering": self.rendering.to_json() if self.rendering is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        rendering = data.get("rendering")
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
            title=data.get("title"),
            hops=int(data.get("hops") or 0),
            requisites=int(data.get("requisites") or 0),
            requisite_bytes=int(data.get("requisite_bytes") or 0),
            media=tuple(MediaFile.from_json(m) for m in data.get("media") or ()),
            media_error=data.get("media_error"),
            error=data.get("error"),
            rendering=Rendering.from_json(rendering) if isinstance(rendering, dict) else None,
        )
