"""Copies in other web archives, found through a Memento aggregator (the TimeTravel API).

When the Wayback Machine holds no copy that holds the page, other archives may: archive.today,
Arquivo.pt, the Library of Congress, the UK and other national web archives. The aggregator's JSON
API answers ``GET <base>/api/json/<YYYYMMDDhhmmss>/<url>`` with the mementos closest to that time
(documented at timetravel.mementoweb.org/guide/api, section 2):

    {"original_uri": "...", "timegate_uri": "...", "timemap_uri": {...},
     "mementos": {"closest": {"datetime": "2019-02-20T08:30:00Z", "uri": ["https://..."]},
                  "first": {...}, "last": {...}, "prev": {...}, "next": {...}}}

and 404 when no archive holds any. Each ``uri`` list may name several copies of one moment.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import httpx

from kzarchive.models import Snapshot

ORDER = ("closest", "prev", "next", "first", "last")


class MementoError(Exception):
    """The aggregator could not be asked, or answered something else than its JSON."""


def _stamp(value: str) -> str | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.strftime("%Y%m%d%H%M%S")


def read_mementos(data: object) -> list[Snapshot]:
    """The copies an aggregator's JSON names, closest first, each once; not the Wayback
    Machine's (those are looked up in its own index)."""
    if not isinstance(data, dict) or not isinstance(data.get("mementos"), dict):
        raise MementoError("not the aggregator's JSON")
    found: dict[str, Snapshot] = {}
    for key in ORDER:
        entry = data["mementos"].get(key)
        if not isinstance(entry, dict):
            continue
        stamp = _stamp(str(entry.get("datetime") or ""))
        uris = entry.get("uri")
        if stamp is None or not isinstance(uris, list):
            continue
        for uri in uris:
            if not isinstance(uri, str) or uri in found:
                continue
            host = (urlsplit(uri).hostname or "").lower()
            if not host or host.endswith("web.archive.org"):
                continue
            found[uri] = Snapshot(uri, stamp, None, "existing", archive=host)
    return list(found.values())


class MementoClient:
    """Asks one aggregator; every call bounded in time."""

    def __init__(self, base: str, client: httpx.AsyncClient, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        self.client = client
        self.timeout = timeout

    async def near(self, url: str, timestamp: str) -> list[Snapshot]:
        try:
            response = await self.client.get(
                f"{self.base}/api/json/{timestamp}/{url}",
                timeout=self.timeout,
                follow_redirects=True,
            )
        except httpx.HTTPError as exc:
            raise MementoError(f"no answer ({type(exc).__name__})") from None
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise MementoError(f"HTTP {response.status_code}")
        try:
            return read_mementos(response.json())
        except ValueError:
            raise MementoError("not JSON") from None
