"""Fake web archives that answer Memento TimeMaps as the real ones do, and a MemGator in front.

One server on 127.0.0.1 plays several archives, each under its own prefix, each answering its
TimeMap in the shape its software was seen writing:

- ``/ukwa/timemap/link/<url>`` (pywb, as the UK Web Archive, the Library of Congress and Arquivo.pt
  run it): one entry a line, ``original``, ``self`` with ``from``/``until``, ``timegate``, then
  mementos with ``datetime`` and pywb's extra ``collection=`` field (pywb docs, "Memento API":
  "the Link output produced by timemap also includes the extra collection= field"). Copies are
  served raw at ``/ukwa/<ts>id_/<url>`` with ``Memento-Datetime``.
- ``/arquivo/wayback/timemap/link/<url>``: every entry on one line separated by ``, `` with
  ``first memento``/``prev memento``/``memento``/``next memento``/``last memento`` (the shape of
  the Link header webrecorder/pywb's aggregator tests record from web.archive.org, and of RFC
  7089 section 5.1's example); a single memento is ``rel="first last memento"``. Raw copies too.
- ``/today/timemap/<url>`` (archive.today): indented lines ``<http://archive.md/<ts>/<url>>;
  rel="first memento"; datetime="..."`` (as other clients' tests record archive.today); no
  memento: 404 with "TimeMap does not exists. The archive has no Mementos for the requested URI"
  (the body archive.today answers, quoted in several clients' tests and curl transcripts). Its
  copies have no raw form.
- ``/slow/...`` answers after ``slow_seconds``; ``/broken/...`` answers 500; ``/html/...`` answers
  200 with an HTML page (a maintenance page instead of the TimeMap).
- ``/timemap/link/<url>``: a MemGator (oduwsdl/MemGator README: ``/timemap/link/{URI-R}``),
  listing the mementos of every archive above in one TimeMap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from kzarchive.wayback.memento import OtherArchive
from tests.servers.base import RunningServer

PAGE = (
    b"<html><body><h1>The report</h1><p>"
    + b"Words of the cited page. " * 40
    + b"</p></body></html>"
)
NO_TIMEMAP = b"TimeMap does not exists. The archive has no Mementos for the requested URI\n"


@dataclass
class TimeMapState:
    # archive ("ukwa", "arquivo", "today") -> url -> [(timestamp, raw body)]
    copies: dict[str, dict[str, list[tuple[str, bytes]]]] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    slow_seconds: float = 5.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, archive: str, url: str, timestamp: str, body: bytes = PAGE) -> None:
        self.copies.setdefault(archive, {}).setdefault(url, []).append((timestamp, body))

    def asked_of(self, archive: str) -> list[str]:
        return [url for name, url in self.asked if name == archive]


def _http_date(ts: str) -> str:
    moment = datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return format_datetime(moment, usegmt=True)


def fake_archive_list(base: str) -> tuple[OtherArchive, ...]:
    """The fake archives as an archive list (ids as the real archives' hosts would be)."""
    return (
        OtherArchive("webarchive.org.uk", "UK Web Archive (fake)", f"{base}/ukwa/timemap/link/"),
        OtherArchive("arquivo.pt", "Arquivo.pt (fake)", f"{base}/arquivo/wayback/timemap/link/"),
        OtherArchive("archive.today", "archive.today (fake)", f"{base}/today/timemap/", raw=False),
        OtherArchive("slow.example", "a slow archive", f"{base}/slow/timemap/link/"),
        OtherArchive("broken.example", "a broken archive", f"{base}/broken/timemap/link/"),
        OtherArchive("html.example", "an archive answering HTML", f"{base}/html/timemap/link/"),
    )


class TimeMapHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: object) -> None:
        pass

    @property
    def state(self) -> TimeMapState:
        return self.server.state  # type: ignore[no-any-return]

    def send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def link_format(self, text: str) -> None:
        self.send(200, text.encode(), {"Content-Type": "application/link-format"})

    def do_GET(self) -> None:
        base = f"http://{self.headers.get('Host')}"
        path = self.path
        for prefix, archive in (
            ("/ukwa/timemap/link/", "ukwa"),
            ("/arquivo/wayback/timemap/link/", "arquivo"),
            ("/today/timemap/", "today"),
            ("/slow/timemap/link/", "slow"),
            ("/broken/timemap/link/", "broken"),
            ("/html/timemap/link/", "html"),
            ("/timemap/link/", "memgator"),
        ):
            if path.startswith(prefix):
                url = unquote(path.removeprefix(prefix))
                with self.state.lock:
                    self.state.asked.append((archive, url))
                self.timemap(base, archive, url)
                return
        for prefix, archive in (("/ukwa/", "ukwa"), ("/arquivo/wayback/", "arquivo")):
            if path.startswith(prefix) and "id_/" in path:
                stamp, _, url = path.removeprefix(prefix).partition("id_/")
                url = unquote(url)
                with self.state.lock:
                    self.state.fetched.append(url)
                for ts, body in self.state.copies.get(archive, {}).get(url, []):
                    if ts == stamp:
                        self.send(
                            200,
                            body,
                            {"Content-Type": "text/html", "Memento-Datetime": _http_date(ts)},
                        )
                        return
        self.send(404, b"not here", {"Content-Type": "text/plain"})

    def timemap(self, base: str, archive: str, url: str) -> None:
        state = self.state
        if archive == "slow":
            self.server.stopping.wait(state.slow_seconds)
            self.link_format(f'<{url}>; rel="original"\n')
            return
        if archive == "broken":
            self.send(
                500,
                b"<html><body>Internal Server Error</body></html>",
                {"Content-Type": "text/html"},
            )
            return
        if archive == "html":
            self.send(
                200,
                b"<!DOCTYPE html><html><body><h1>Scheduled maintenance</h1></body></html>",
                {"Content-Type": "text/html; charset=utf-8"},
            )
            return
        if archive == "memgator":
            entries = [
                (ts, self.memento_uri(base, name, ts, url))
                for name in ("ukwa", "arquivo", "today")
                for ts, _ in state.copies.get(name, {}).get(url, [])
            ]
            if not entries:
                self.send(404, b"", {"Content-Type": "text/plain"})
                return
            lines = [f'<{url}>; rel="original"']
            lines += [
                f'<{uri}>; rel="memento"; datetime="{_http_date(ts)}"'
                for ts, uri in sorted(entries)
            ]
            self.link_format(",\n".join(lines) + "\n")
            return
        copies = sorted(state.copies.get(archive, {}).get(url, []))
        if not copies:
            if archive == "today":
                self.send(404, NO_TIMEMAP, {"Content-Type": "text/plain; charset=utf-8"})
            else:
                self.send(
                    404, b"No Captures found for: " + url.encode(), {"Content-Type": "text/plain"}
                )
            return
        stamps = [ts for ts, _ in copies]
        uris = [self.memento_uri(base, archive, ts, url) for ts in stamps]
        if archive == "ukwa":
            lines = [
                f'<{url}>; rel="original"',
                f'<{base}/ukwa/timemap/link/{url}>; rel="self"; type="application/link-format"; '
                f'from="{_http_date(stamps[0])}"; until="{_http_date(stamps[-1])}"',
                f'<{base}/ukwa/{url}>; rel="timegate"',
            ]
            for n, (ts, uri) in enumerate(zip(stamps, uris, strict=True)):
                rel = "first memento" if n == 0 else "memento"
                lines.append(
                    f'<{uri}>; rel="{rel}"; datetime="{_http_date(ts)}"; collection="ukwa"'
                )
            self.link_format(",\n".join(lines) + "\n")
        elif archive == "arquivo":
            entries = [
                f'<{url}>; rel="original"',
                f'<{base}/arquivo/wayback/timemap/link/{url}>; rel="timemap"; '
                'type="application/link-format"',
            ]
            if len(uris) == 1:
                entries.append(
                    f'<{uris[0]}>; rel="first last memento"; datetime="{_http_date(stamps[0])}"'
                )
            else:
                for n, (ts, uri) in enumerate(zip(stamps, uris, strict=True)):
                    rel = (
                        "first memento"
                        if n == 0
                        else "last memento"
                        if n == len(uris) - 1
                        else "memento"
                    )
                    entries.append(f'<{uri}>; rel="{rel}"; datetime="{_http_date(ts)}"')
            self.link_format(", ".join(entries))
        else:  # archive.today
            lines = []
            for n, (ts, uri) in enumerate(zip(stamps, uris, strict=True)):
                rel = (
                    "first memento"
                    if n == 0
                    else "last memento"
                    if n == len(uris) - 1
                    else "memento"
                )
                lines.append(f'    <{uri}>; rel="{rel}"; datetime="{_http_date(ts)}"')
            self.link_format("\n" + ",\n".join(lines) + "\n    ")

    @staticmethod
    def memento_uri(base: str, archive: str, ts: str, url: str) -> str:
        prefix = {"ukwa": "ukwa", "arquivo": "arquivo/wayback", "today": "today"}[archive]
        return f"{base}/{prefix}/{ts}/{url}"


def fake_timemaps() -> tuple[RunningServer, TimeMapState]:
    state = TimeMapState()
    return RunningServer(TimeMapHandler, state), state
