"""What the browser receives, as WARC records in the run's WARC file.

Each response Chromium receives (Playwright's ``requestfinished`` event: the body is complete) is
written as a ``response`` record with its ``request`` record, the way the checker's exchanges
are (see :mod:`kzarchive.evidence.warc`): bodies are handed over decoded, so the encoding
headers are renamed. Partial answers (206, a player's range requests) are not kept: the whole
file is fetched outside the browser instead, which replay tools serve ranges from.

When the capture is logged in (``--cookies``), the ``Cookie`` request headers and the
``Set-Cookie`` response headers are replaced by ``REDACTED``: the session never reaches a file.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urlsplit

from kzarchive.evidence.warc import stored_headers

SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization"})


class Writer(Protocol):
    """The run's WARC file (:class:`kzarchive.evidence.warc.WarcRecorder`)."""

    def write_exchange(
        self,
        url: str,
        *,
        started_at: str,
        status_line: str,
        version: str,
        headers: list[tuple[str, str]],
        body: io.BytesIO,
        size: int,
        sha256: str,
        request_line: str,
        request_headers: list[tuple[str, str]],
        remote_ip: str | None = None,
        truncated: str | None = None,
        request_body: bytes = b"",
        cited: str | None = None,
    ) -> tuple[str, int]: ...

    def write_resource(
        self,
        url: str,
        content_type: str,
        data: bytes,
        date: str,
        concurrent_to: str | None = None,
        cited: str | None = None,
    ) -> tuple[str, int]: ...


def iso(moment: datetime | None = None) -> str:
    """A WARC-Date with microseconds."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class PageRecorder:
    """One page's share of the WARC file: what it wrote, within its byte budget."""

    writer: Writer
    logged_in: bool
    page_bytes: int
    response_bytes: int
    urls: set[str] = field(default_factory=set)  # every URL with a full answer kept
    responses: int = 0
    kept_bytes: int = 0
    over_budget: bool = False
    failure: str | None = None  # the file could not be written
    main: tuple[str, int, str] | None = None  # (record id, offset, date) of the page itself
    cited: str | None = None  # the cited link the page is the browser's view of

    def room(self) -> int:
        """Bytes the page may still add."""
        return max(0, self.page_bytes - self.kept_bytes)

    def response(
        self,
        url: str,
        *,
        method: str,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        request_headers: list[tuple[str, str]],
        started_at: str,
        remote_ip: str | None = None,
        request_body: bytes = b"",
        truncated: str | None = None,
        main: bool = False,
    ) -> bool:
        """Write one exchange (bodies cut at the budgets); False when it was not written."""
        if self.failure is not None:
            return False
        limit = min(self.response_bytes, self.room())
        if len(body) > limit:
            body, truncated = body[:limit], "length"
            if limit < self.response_bytes:
                self.over_budget = True
        if not body and truncated == "length" and not main:
            return False
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            record_id, offset = self.writer.write_exchange(
                url,
                started_at=started_at,
                status_line=f"{status} {reason or _phrase(status)}".strip(),
                version="1.1",
                headers=stored_headers(self._clean(headers), len(body)),
                body=io.BytesIO(body),
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                request_line=f"{method} {target} HTTP/1.1",
                request_headers=self._clean(
                    [(k, v) for k, v in request_headers if not k.startswith(":")]
                ),
                remote_ip=remote_ip,
                truncated=truncated,
                request_body=request_body,
                cited=self.cited,
            )
        except OSError as exc:
            self.failure = f"{exc.strerror or exc}"
            return False
        self.responses += 1
        self.kept_bytes += len(body)
        if truncated is None:
            self.urls.add(url)
        if main and self.main is None:
            self.main = (record_id, offset, started_at)
        return True

    def _clean(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not self.logged_in:
            return headers
        return [(k, "REDACTED" if k.lower() in SECRET_HEADERS else v) for k, v in headers]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
