"""Copies in other web archives, found by asking each archive's Memento TimeMap, as MemGator does.

When the Wayback Machine holds no copy that holds the page, other archives may: archive.today,
Arquivo.pt, the Library of Congress, the UK and other national web archives, Perma.cc. The
TimeTravel aggregator that used to answer for all of them (timetravel.mementoweb.org) was shut
down on 5 September 2025 (dessant/web-archives #126, #127), so kzarchive asks the archives
themselves: the list in force is ``archives.json`` beside this module (each entry says where it
comes from), or a file given with ``--archive-list``; ``--memento-url`` points at a self-hosted
aggregator (MemGator answers ``<base>/timemap/link/<url>`` for all its archives) instead.

Every archive is asked at once, each within its own timeout, and its failures are counted apart:
one archive that is slow, broken or answers an HTML page never holds up or hides the others, and
one that fails twice is left alone for the rest of the run.

A TimeMap is ``application/link-format`` (RFC 7089 section 5, RFC 6690): ``<uri>; rel="...";
datetime="..."`` entries separated by commas, one a line in most archives. It is read with
``requests.utils.parse_header_links`` (requests: Apache-2.0, maintained, already installed with
waybackpy): no maintained Python package parses link-format better (``linkheader`` and
``httplink`` have had no release since 2015 and 2020).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from kzarchive.models import Snapshot

MAX_FAILURES = 2  # failures after which an archive is not asked again this run
MAX_TIMEMAP = 4 * 1024 * 1024  # a TimeMap larger than this is read up to here


class TimeMapError(Exception):
    """An archive could not be asked, or answered something else than a TimeMap."""


class ArchiveListError(ValueError):
    """An archive list that cannot be read."""


@dataclass(frozen=True)
class OtherArchive:
    """One archive that answers TimeMaps."""

    id: str
    name: str
    timemap: str
    raw: bool = True
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "timemap": self.timemap,
            "raw": self.raw,
            "source": self.source,
        }


def _entries(data: object) -> Iterable[object]:
    if isinstance(data, dict) and isinstance(data.get("archives"), list):
        return list(data["archives"])
    if isinstance(data, list):  # MemGator's archives.json
        return data
    raise ArchiveListError('not a list of archives (a JSON list, or {"archives": [...]})')


def read_archive_list(text: str, where: str = "the archive list") -> tuple[OtherArchive, ...]:
    """The archives a list names: ours (``{"archives": [...]}``) or MemGator's (a list of
    ``{id, name, timemap}``); entries marked ``"ignore": true`` (MemGator's) left out."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveListError(f"{where}: not JSON ({exc.msg}, line {exc.lineno})") from None
    archives = []
    for n, entry in enumerate(_entries(data), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("timemap"), str):
            raise ArchiveListError(f'{where}: entry {n} has no "timemap" address')
        if entry.get("ignore") is True:
            continue
        timemap = entry["timemap"]
        if not timemap.startswith(("http://", "https://")):
            raise ArchiveListError(f"{where}: entry {n}: {timemap!r} is not an http(s) address")
        host = httpx.URL(timemap).host
        archives.append(
            OtherArchive(
                id=str(entry.get("id") or host),
                name=str(entry.get("name") or host),
                timemap=timemap,
                raw=entry.get("raw") is not False,
                source=str(entry.get("source") or ""),
            )
        )
    return tuple(archives)


def default_archives() -> tuple[OtherArchive, ...]:
    """The list shipped with kzarchive (``archives.json`` in this package)."""
    text = resources.files(__package__).joinpath("archives.json").read_text(encoding="utf-8")
    return read_archive_list(text, "archives.json")


def load_archive_list(path: Path | None) -> tuple[OtherArchive, ...]:
    """The archives in ``path``, or the shipped list when None."""
    if path is None:
        return default_archives()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ArchiveListError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return read_archive_list(text, str(path))


def aggregator(base: str) -> OtherArchive:
    """A self-hosted Memento aggregator (MemGator's ``/timemap/link/`` API) as one archive."""
    return OtherArchive(
        "aggregator", f"the Memento aggregator at {base}", f"{base.rstrip('/')}/timemap/link/"
    )


def _stamp(value: str) -> str | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.strftime("%Y%m%d%H%M%S")


def read_timemap(text: str, archive: str) -> list[Snapshot]:
    """The mementos a link-format TimeMap lists, oldest first, each once; the Wayback
    Machine's left out (an aggregator lists them too; its own index is asked for those)."""
    from requests.utils import parse_header_links  # requests is loaded only when needed

    found: dict[str, Snapshot] = {}
    # One entry a line in most archives: the parser splits entries on ", <" only
    for link in parse_header_links(" ".join(text.split())):
        rel = link.get("rel", "").lower().split()
        uri = link.get("url", "")
        if "memento" not in rel or not uri.startswith(("http://", "https://")):
            continue
        stamp = _stamp(link.get("datetime", ""))
        host = (httpx.URL(uri).host or "").lower()
        if stamp is None or uri in found or host.endswith("web.archive.org"):
            continue
        found[uri] = Snapshot(uri, stamp, None, "existing", archive=archive or host)
    return sorted(found.values(), key=lambda s: s.timestamp)


def nearest(mementos: list[Snapshot], timestamp: str) -> Snapshot | None:
    """The memento that shows the page as it was at ``timestamp``: the last one made at or
    before it, else the first after it (as InternetArchiveBot prefers)."""
    before = [m for m in mementos if m.timestamp <= timestamp]
    if before:
        return before[-1]
    return mementos[0] if mementos else None


class OtherArchives:
    """Asks every archive of a list for its copies of a URL; bounded, each on its own."""

    def __init__(
        self,
        archives: Iterable[OtherArchive],
        client: httpx.AsyncClient,
        timeout: float = 20.0,
        max_failures: int = MAX_FAILURES,
    ) -> None:
        self.archives = tuple(archives)
        self.client = client
        self.timeout = timeout
        self.max_failures = max_failures
        # The failures of each archive this run, in its own words
        self.failures: dict[str, list[str]] = {a.id: [] for a in self.archives}
        self.asked: dict[str, int] = {a.id: 0 for a in self.archives}

    def active(self) -> list[OtherArchive]:
        return [a for a in self.archives if len(self.failures[a.id]) < self.max_failures]

    async def near(self, url: str, timestamp: str) -> list[Snapshot]:
        """One copy per archive that holds ``url``: the nearest to ``timestamp``, nearest
        first. Failures are recorded in :attr:`failures`, never raised."""
        archives = self.active()
        answers = await asyncio.gather(*(self._ask(a, url) for a in archives))
        found = []
        for archive, answer in zip(archives, answers, strict=True):
            if isinstance(answer, TimeMapError):
                self.failures[archive.id].append(str(answer))
                continue
            best = nearest(answer, timestamp)
            if best is not None:
                found.append(best)
        return sorted(found, key=lambda s: abs(int(s.timestamp) - int(timestamp.ljust(14, "0"))))

    async def _ask(self, archive: OtherArchive, url: str) -> list[Snapshot] | TimeMapError:
        self.asked[archive.id] += 1
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.get(
                    f"{archive.timemap}{url}",
                    headers={"Accept": "application/link-format"},
                    follow_redirects=True,
                    timeout=self.timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            return TimeMapError(f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return TimeMapError(f"no answer ({type(exc).__name__})")
        if response.status_code == 404:  # no memento of it (archive.today says so in words)
            return []
        if response.status_code != 200:
            return TimeMapError(f"HTTP {response.status_code}")
        kind = response.headers.get("content-type", "").lower()
        text = response.text[:MAX_TIMEMAP]
        if "html" in kind or text.lstrip()[:1] not in ("<", ""):
            return TimeMapError(f"not a TimeMap ({kind or 'no content type'})")
        if text.lstrip().lower().startswith(("<!doctype", "<html")):
            return TimeMapError("not a TimeMap (an HTML page)")
        return read_timemap(text, archive.id if archive.id != "aggregator" else "")
