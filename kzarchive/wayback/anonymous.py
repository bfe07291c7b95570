"""The legacy anonymous save (``GET /save/<url>``), read in every shape it has answered.

waybackpy 3.0.6's ``WaybackMachineSaveAPI`` looks for ``Content-Location: `` in ``str(headers)``,
which a requests header dict never prints that way, so it misses the oldest recorded shape; it also
has no timeouts. kzarchive sends the GET through its own bounded client and reads:

- ``Content-Location: /web/<ts>/<url>`` alone (2020);
- a Memento ``Link`` header with a ``rel="memento"`` entry (2021);
- a ``Link`` that names only the original and the timegate (2025): a capture was made, but the
  answer does not say which, so the caller looks today's capture up in the CDX index;
- a redirect to ``/web/<ts>/<url>`` (the client follows it: the final address names the capture);
- 429 (rate-limited) and 404 (no anonymous saves any more) (2026), each a clear refusal;
- 401 "You need to be logged in to use Save Page Now." (2026, MKRWW/wortlaut #108): keys are
  needed, and the refusal says where to get them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kzarchive.wayback.replies import KEYS_NEEDED, WaybackError, snapshot_url

_MEMENTO_PATH = re.compile(r"/web/(\d{8,14})/(\S+)$")


@dataclass(frozen=True)
class AnonymousSave:
    """Where the capture is, when the answer says (``url`` and ``timestamp``), else neither."""

    url: str | None = None
    timestamp: str | None = None


def _memento(address: str) -> AnonymousSave | None:
    match = _MEMENTO_PATH.search(address)
    if not match:
        return None
    return AnonymousSave(snapshot_url(match.group(1), match.group(2)), match.group(1))


def link_mementos(value: str) -> list[str]:
    """The mementos a Memento ``Link`` header names: ``rel="memento"`` first, then the last,
    first and other mementos."""
    from requests.utils import parse_header_links  # as TimeMaps are read (see .memento)

    exact, others = [], []
    for link in parse_header_links(value):
        words = link.get("rel", "").lower().split()
        if words == ["memento"]:
            exact.append(link["url"])
        elif "memento" in words:
            others.append(link["url"])
    return exact + others[::-1]


def read_anonymous_save(status: int, headers: dict[str, str], final_url: str) -> AnonymousSave:
    """The capture an answer to ``GET /save/<url>`` names; raises WaybackError for a refusal."""
    if status == 429:
        raise WaybackError("rate-limited", "anonymous Save Page Now refused: too many requests")
    if status in (401, 403):
        raise WaybackError("unauthorized", KEYS_NEEDED)
    if status == 404:
        raise WaybackError("not-available", "anonymous Save Page Now answered 404 (not offered)")
    if status >= 400:
        raise WaybackError("server-error", f"anonymous Save Page Now answered HTTP {status}")
    for address in (
        headers.get("content-location", ""),
        *link_mementos(headers.get("link", "")),
        final_url,
    ):
        found = _memento(address)
        if found is not None:
            return found
    return AnonymousSave()
