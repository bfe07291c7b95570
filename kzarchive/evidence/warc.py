"""The checker's exchanges as WARC 1.1 records, written with warcio.

One gzipped WARC file per run (``evidence/warc/kzarchive-<time>.warc.gz``) holds a response
and a request record for every hop of every check and page requisite, and a pages file beside it
names each cited URL with its title and capture time for the WACZ.

aiohttp hands over bodies decoded (gzip, deflate, chunked): a record keeps the body as read, so
its ``Content-Encoding``, ``Transfer-Encoding`` and (when they differ) ``Content-Length``
headers are renamed ``X-Kzarchive-Original-*`` and the actual length is given, which is how a
replay tool can serve it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from yarl import URL

from kzarchive import __version__
from kzarchive.check.exchange import Exchange
from kzarchive.check.requisites import page_title
from kzarchive.evidence.records import Evidence

EVIDENCE_DIR = "evidence"
WARC_DIR = f"{EVIDENCE_DIR}/warc"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DECODED = ("content-encoding", "transfer-encoding")
TITLE_BYTES = 64 * 1024
# Each record names the cited link it was made for, so that another document of a library citing
# the same link can take a copy of that link's records (:mod:`kzarchive.evidence.share`)
CITED_HEADER = "Kzarchive-Cited-URI"
MEDIA_TYPES = ("video/", "audio/", "application/vnd.apple.mpegurl", "application/dash+xml")
# A player on the page: HTML5 video or audio, or an embedded platform player (yt-dlp's
# extractors take those addresses, and the generic one finds them in the page).
PLAYER = re.compile(
    rb"<(?:video|audio)\b|<iframe\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//(?:www\.)?"
    rb"(?:youtube(?:-nocookie)?\.com/embed/|player\.vimeo\.com/video/|facebook\.com/plugins/"
    rb"video|dailymotion\.com/embed/|rumble\.com/embed/)",
    re.IGNORECASE,
)


@dataclass
class _Hop:
    status: int
    url: str
    started_at: str
    record_id: str
    offset: int
    sha256: str
    size: int
    truncated: str | None
    verdict: str | None = None  # what the answer is, judged as the archive's copies are


@dataclass
class _Link:
    chain: list[_Hop] = field(default_factory=list)
    title: str | None = None
    media_hint: bool = False
    requisites: int = 0
    requisite_bytes: int = 0


def payload_digest(sha256_hex: str) -> str:
    """A WARC-Payload-Digest for a SHA-256 (base32, as WARC 1.1 recommends)."""
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


def open_warc(path: Path, tools: str, description: str) -> tuple[IO[bytes], WARCWriter]:
    """A gzipped WARC 1.1 file opened for appending, its warcinfo record written first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = path.open("ab")
    writer = WARCWriter(stream, gzip=True, warc_version="1.1")
    info = {
        "software": f"kzarchive/{__version__} ({tools})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": description,
    }
    writer.write_record(writer.create_warcinfo_record(path.name, info))
    return stream, writer


class WarcRecorder:
    """Writes each exchange as it comes (a :class:`~kzarchive.check.exchange.Tap`), and knows
    afterwards what was kept for each cited URL. The file is made on the first record, so a run
    that reached nothing leaves nothing behind."""

    def __init__(self, folder: Path, stamp: str) -> None:
        self.folder = folder
        self.name = f"{WARC_DIR}/kzarchive-{stamp}.warc.gz"
        self.path = folder / self.name
        self.pages_path = self.path.with_name(f"kzarchive-{stamp}.pages.jsonl")
        self._stream: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._links: dict[str, _Link] = {}
        self.skip: set[str] = set()  # cited URLs never to be recorded (secrets in them)
        self.failure: str | None = None  # why recording stopped (a full disk...), if it did
        self._rendered: dict[str, dict[str, str | int]] = {}  # the browser's view of cited pages
        self._copied_pages: list[dict[str, str | int]] = []

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self._stream, self._writer = open_warc(
                self.path,
                "aiohttp, warcio",
                "What kzarchive received when it checked a document's cited links",
            )
        return self._writer

    def record(self, exchange: Exchange) -> None:
        """Write one exchange; a file that cannot be written stops the recording (and is said
        once by the run), never the check."""
        try:
            if exchange.cited in self.skip or self.failure is not None:
                return
            self._write(exchange)
        except OSError as exc:
            self.failure = f"{self.path}: {exc.strerror or exc}"
        finally:
            exchange.body.close()

    def _write(self, exchange: Exchange) -> None:
        url = URL(exchange.url)
        record_id, offset = self.write_exchange(
            exchange.url,
            started_at=exchange.started_at,
            status_line=f"{exchange.status} {exchange.reason}".strip(),
            version=exchange.version,
            headers=stored_headers(exchange.headers, exchange.size),
            body=exchange.body,
            size=exchange.size,
            sha256=exchange.sha256,
            request_line=f"GET {url.raw_path_qs} HTTP/{exchange.version}",
            request_headers=list(exchange.request_headers),
            remote_ip=exchange.remote_ip,
            truncated=exchange.truncated,
            cited=exchange.cited,
        )
        link = self._links.setdefault(exchange.cited, _Link())
        if exchange.requisite:
            link.requisites += 1
            link.requisite_bytes += exchange.size
            return
        hop = _Hop(
            exchange.status,
            exchange.url,
            exchange.started_at,
            record_id,
            offset,
            exchange.sha256,
            exchange.size,
            exchange.truncated,
        )
        if link.chain and link.chain[-1].status not in REDIRECTS:
            link.chain = []  # a retry starts the chain again
        if exchange.status not in REDIRECTS:
            hop.verdict = _judged(exchange)
        link.chain.append(hop)
        kind = _header(exchange.headers, "content-type").lower()
        if kind.startswith(MEDIA_TYPES):
            link.media_hint = True
        elif exchange.status not in REDIRECTS and ("html" in kind or not kind):
            exchange.body.seek(0)
            head = exchange.body.read(TITLE_BYTES)
            link.title = page_title(head)
            link.media_hint = bool(PLAYER.search(head))

    def write_exchange(
        self,
        url: str,
        *,
        started_at: str,
        status_line: str,
        version: str,
        headers: list[tuple[str, str]],
        body: IO[bytes],
        size: int,
        sha256: str,
        request_line: str,
        request_headers: list[tuple[str, str]],
        remote_ip: str | None = None,
        truncated: str | None = None,
        request_body: bytes = b"",
        cited: str | None = None,
    ) -> tuple[str, int]:
        """Write a response record and its request record (for the ``cited`` link); the
        response's id and offset. Raises OSError when the file cannot be written."""
        writer = self._open()
        assert self._stream is not None
        warc_headers = {"WARC-Date": started_at, "WARC-Payload-Digest": payload_digest(sha256)}
        also = {CITED_HEADER: cited} if cited else {}
        warc_headers |= also
        if remote_ip:
            warc_headers["WARC-IP-Address"] = remote_ip
        if truncated:
            warc_headers["WARC-Truncated"] = truncated
        response = writer.create_warc_record(
            url,
            "response",
            payload=body,
            length=size,
            warc_headers_dict=warc_headers,
            http_headers=StatusAndHeaders(status_line, headers, protocol=f"HTTP/{version}"),
        )
        offset = self._stream.tell()
        record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(response)
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            warc_headers_dict={"WARC-Date": started_at, "WARC-Concurrent-To": record_id} | also,
            http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
        )
        writer.write_record(request)
        self._stream.flush()
        return record_id, offset

    def write_resource(
        self,
        url: str,
        content_type: str,
        data: bytes,
        date: str,
        concurrent_to: str | None = None,
        cited: str | None = None,
    ) -> tuple[str, int]:
        """Write a ``resource`` record (a screenshot, a rendered DOM); its id and offset."""
        writer = self._open()
        assert self._stream is not None
        warc_headers = {
            "WARC-Date": date,
            "WARC-Payload-Digest": payload_digest(hashlib.sha256(data).hexdigest()),
        }
        if concurrent_to:
            warc_headers["WARC-Concurrent-To"] = concurrent_to
        if cited:
            warc_headers[CITED_HEADER] = cited
        record = writer.create_warc_record(
            url,
            "resource",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type=content_type,
            warc_headers_dict=warc_headers,
        )
        offset = self._stream.tell()
        writer.write_record(record)
        self._stream.flush()
        return str(record.rec_headers.get_header("WARC-Record-ID")), offset

    def copy_member(self, member: bytes) -> int:
        """Append one record exactly as another WARC file holds it (its gzip member: the same
        record, id and digests, byte for byte); its offset here."""
        self._open()
        assert self._stream is not None
        offset = self._stream.tell()
        self._stream.write(member)
        self._stream.flush()
        return offset

    def add_page(self, page: dict[str, str | int]) -> None:
        """A cited page whose records were copied here, for this run's pages file."""
        self._copied_pages.append(page)

    def last_time(self, cited: str) -> datetime | None:
        """When the check's last record of ``cited`` started, if one was written."""
        link = self._links.get(cited)
        if link is None or not link.chain:
            return None
        return datetime.fromisoformat(link.chain[-1].started_at.replace("Z", "+00:00"))

    def rendered(
        self, cited: str, ts: str, title: str | None, text: str, status: int | None
    ) -> None:
        """The browser's capture of ``cited``: its page in pages.jsonl gets the browser's time
        (so that replay opens the browser's copy), status, rendered title and text."""
        page: dict[str, str | int] = {"ts": ts, "text": text}
        if title:
            page["title"] = title
        if status is not None:
            page["status"] = status
        self._rendered[cited] = page

    def close(self) -> None:
        """Close the WARC file and write the run's pages file beside it."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
            self._writer = None
        pages: list[dict[str, str | int]] = [
            {
                "url": cited,
                "ts": link.chain[0].started_at,
                "title": link.title or cited,
                "status": link.chain[-1].status,
            }
            for cited, link in self._links.items()
            if link.chain
        ]
        for page in pages:
            page.update(self._rendered.get(str(page["url"]), {}))
        pages += self._copied_pages
        if pages:
            with self.pages_path.open("w", encoding="utf-8") as out:
                for page in pages:
                    out.write(json.dumps(page, ensure_ascii=False) + "\n")

    def wants_media(self, cited: str) -> bool:
        """Whether the answer looked like media or a page with a player."""
        link = self._links.get(cited)
        return bool(link and link.media_hint)

    def evidence(self, cited: str) -> Evidence | None:
        """What was kept for ``cited`` in this run, or None when nothing was."""
        link = self._links.get(cited)
        if link is None or not link.chain:
            return None
        answer = link.chain[-1]
        return Evidence(
            captured_at=answer.started_at,
            warc=self.name,
            record_id=answer.record_id,
            offset=answer.offset,
            url=answer.url,
            http_status=answer.status,
            sha256=answer.sha256,
            size=answer.size,
            truncated=answer.truncated,
            verdict=answer.verdict,
            title=link.title,
            hops=len(link.chain) - 1,
            requisites=link.requisites,
            requisite_bytes=link.requisite_bytes,
        )


def _judged(exchange: Exchange) -> str:
    """The kept answer judged by the rules the archive's copies are judged by (a login wall, a
    bot challenge, a not-found page, an error page, or the page itself)."""
    from kzarchive.check.platforms import MAX_PAGE, is_youtube_video
    from kzarchive.check.rules import is_login_wall
    from kzarchive.wayback.judge import verdict_of

    exchange.body.seek(0)
    # A watch page's player status can sit half a megabyte in (YouTube's 2024 pages): read it all
    head = exchange.body.read(MAX_PAGE if is_youtube_video(exchange.cited) else TITLE_BYTES * 4)
    headers = {k.lower(): v for k, v in exchange.headers}
    verdict: str = verdict_of(exchange.cited, exchange.status, headers, head, exchange.url)[0]
    if verdict == "content" and is_login_wall(exchange.url) and not is_login_wall(exchange.cited):
        verdict = "login-wall"  # redirected to a login page
    return verdict


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str:
    return next((v for k, v in headers if k.lower() == name), "")


def stored_headers(headers: Iterable[tuple[str, str]], size: int) -> list[tuple[str, str]]:
    """The headers a record keeps for a body stored decoded (see the module's docstring)."""
    pairs = list(headers)
    kept: list[tuple[str, str]] = []
    renamed = False
    for name, value in pairs:
        lower = name.lower()
        if lower in _DECODED or (lower == "content-length" and value.strip() != str(size)):
            kept.append((f"X-Kzarchive-Original-{name}", value))
            renamed = True
        elif lower != "content-length":
            kept.append((name, value))
    if renamed or any(k.lower() == "content-length" for k, _ in pairs):
        kept.append(("Content-Length", str(size)))
    return kept
