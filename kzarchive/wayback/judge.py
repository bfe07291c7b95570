"""Is the archived copy any good? Every snapshot judged from its raw payload.

A capture can be a login wall (most Facebook captures), a bot challenge, a soft-404 page, a server
error the site gave the crawler, or a redirect to a page that was never captured: a manifest that
points a reader there has preserved nothing. Each copy is fetched as captured (the ``id_`` form,
``/web/<timestamp>id_/<url>``, which serves the payload without the archive's banner or rewriting)
and judged with the rules the link checker applies to live pages (:mod:`kzarchive.check.rules`).

Fetching is bounded (a few at a time, spaced, each with a timeout and a size cap) and remembered:
a copy judged in an earlier run (its judgement is in the manifest) is not fetched again.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import httpx

from kzarchive.check.platforms import youtube_answer
from kzarchive.check.reasons import Reason
from kzarchive.check.rules import (
    asks_to_log_in,
    content_words,
    is_challenge,
    is_login_wall,
    says_not_found,
)
from kzarchive.models import Judgement, Snapshot, SnapshotVerdict, utc_now
from kzarchive.retry import Pace, retry_after_seconds
from kzarchive.wayback.pacing import Gate, GateClosed

MAX_PAYLOAD = 2 * 1024 * 1024
MAX_HOPS = 3
_MEMENTO = re.compile(r"^(?P<prefix>.*?/)(?P<ts>\d{8,14})(?:[a-z]{2}_)?/(?P<original>https?://.+)$")
# Archives that serve the raw payload with the id_ modifier after the timestamp (pywb and
# OpenWayback): the Wayback Machine, Arquivo.pt, the UK and Library of Congress web archives...
# archive.today does not: its copies are judged as they are served, or not at all.
NO_RAW = (
    "archive.today",
    "archive.is",
    "archive.ph",
    "archive.li",
    "archive.vn",
    "archive.md",
    "perma.cc",
)


def raw_address(snapshot_url: str, base: str | None = None) -> str | None:
    """The ``id_`` address of a memento (under ``base`` for the Wayback Machine), if it has one."""
    match = _MEMENTO.match(snapshot_url)
    if not match:
        return None
    host = (urlsplit(snapshot_url).hostname or "").lower()
    if host.endswith(NO_RAW):
        return None
    prefix = match.group("prefix")
    if base is not None and host == "web.archive.org":
        prefix = f"{base.rstrip('/')}/web/"
    return f"{prefix}{match.group('ts')}id_/{match.group('original')}"


def verdict_of(
    original: str, status: int, headers: dict[str, str], body: bytes, final: str
) -> tuple[SnapshotVerdict, str]:
    """What an archived answer is, by the checker's rules."""
    if status >= 400:
        return "error-page", f"the site answered HTTP {status} when it was captured"
    if is_challenge(status, headers, body):
        return "bot-challenge", "the capture is a bot challenge page"
    kind = headers.get("content-type", "").lower()
    html = not kind or "html" in kind
    final_original = _MEMENTO.match(final)
    landed = final_original.group("original") if final_original else original
    platform = youtube_answer(original, landed, body) if html else None
    if platform is not None and platform.verdict == "dead":
        return "soft-404", f"in the capture YouTube says the video is {platform.reason}: " + (
            platform.said
        )
    if platform is not None and platform.verdict == "blocked":
        found: SnapshotVerdict = (
            "bot-challenge" if platform.reason == Reason.BOT_CHALLENGE else "login-wall"
        )
        return found, f"the capture is YouTube's {platform.reason} page: {platform.said}"
    if (not is_login_wall(original) and is_login_wall(landed)) or (html and asks_to_log_in(body)):
        return "login-wall", "the capture is a login page"
    if html and says_not_found(body):
        return "soft-404", "the captured page says the page was not found"
    return "content", f"HTTP {status}" + (
        " after a captured redirect" if landed != original else ""
    )


class _Refused(Exception):
    """The archive itself answered 429 (a captured 429 carries Memento-Datetime)."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("HTTP 429")
        self.retry_after = retry_after


class SnapshotJudge:
    """Judges copies for one run: bounded, polite, and never the same copy twice."""

    def __init__(
        self,
        base: str,
        client: httpx.AsyncClient,
        *,
        parallel: int = 4,
        interval: float = 0.1,
        timeout: float = 30.0,
        gate: Gate | None = None,
        no_raw: Iterable[str] = (),
    ) -> None:
        """``gate`` paces fetches from the Wayback Machine (:mod:`.pacing`); ``interval``
        spaces those from other archives; copies of the archives in ``no_raw`` (ids) serve no
        raw payload and are not fetched."""
        self.base = base.rstrip("/")
        self.gate = gate
        self.no_raw = frozenset(no_raw)
        self.client = client
        self.timeout = timeout
        self._slots = asyncio.Semaphore(parallel)
        self._pace = Pace(interval)
        self._known: dict[str, Judgement | None] = {}
        # The content words of copies judged to hold the page in this run (for drift)
        self.words: dict[str, frozenset[str]] = {}
        self.fetched = 0

    def remember(self, snapshots: Iterable[Snapshot | None]) -> None:
        """Judgements made in earlier runs (from the manifest): not fetched again."""
        for snapshot in snapshots:
            if snapshot is not None and snapshot.judgement is not None:
                self._known.setdefault(snapshot.url, snapshot.judgement)

    async def judged(self, snapshot: Snapshot | None) -> Snapshot | None:
        """``snapshot`` with its judgement (None kept when the copy could not be fetched)."""
        if snapshot is None or snapshot.judgement is not None:
            return snapshot
        if snapshot.url not in self._known:
            self._known[snapshot.url] = await self._judge(snapshot)
        judgement = self._known[snapshot.url]
        return replace(snapshot, judgement=judgement) if judgement else snapshot

    async def _judge(self, snapshot: Snapshot) -> Judgement | None:
        if snapshot.archive in self.no_raw:
            return None
        address = raw_address(snapshot.url, self.base if snapshot.archive == "wayback" else None)
        match = _MEMENTO.match(snapshot.url)
        if address is None or match is None:
            return None
        original = match.group("original")
        gate = self.gate if snapshot.archive == "wayback" else None
        async with self._slots:
            sent_at = None
            try:
                if gate is not None:
                    sent_at = await gate.wait()
                else:
                    await self._pace.wait()
            except GateClosed:
                return None  # the archive refused too often this run: not judged
            self.fetched += 1
            try:
                return await asyncio.wait_for(
                    self._fetch(snapshot.url, address, original), self.timeout
                )
            except _Refused as refused:
                if gate is not None:
                    gate.refuse(refused.retry_after, sent_at)
                return None
            except (httpx.HTTPError, TimeoutError, ValueError):
                return None

    async def _fetch(self, key: str, address: str, original: str) -> Judgement:
        current = address
        for _ in range(MAX_HOPS + 1):
            async with self.client.stream(
                "GET", current, follow_redirects=False, headers={"Accept": "*/*"}
            ) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                archived = "memento-datetime" in headers
                if response.status_code == 429 and not archived:  # the archive's own refusal
                    raise _Refused(retry_after_seconds(headers.get("retry-after")))
                location = headers.get("location")
                if response.status_code in (301, 302, 303, 307, 308) and location:
                    target = urljoin(current, location)
                    if not _MEMENTO.match(target):  # the capture's own redirect, not rewritten
                        stamp = _MEMENTO.match(current)
                        if stamp is None:
                            break
                        target = f"{stamp.group('prefix')}{stamp.group('ts')}id_/{target}"
                    current = target
                    continue
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_PAYLOAD:
                        break
                body = b"".join(chunks)[:MAX_PAYLOAD]
                digest, size = hashlib.sha256(body).hexdigest(), len(body)
                if not archived and response.status_code >= 400:
                    verdict: SnapshotVerdict = "redirect" if current != address else "unavailable"
                    reason = (
                        "a capture of a redirect whose target was not captured"
                        if verdict == "redirect"
                        else f"the archive has no such capture (HTTP {response.status_code})"
                    )
                    return Judgement(verdict, reason, utc_now(), None, None, None)
                found, why = verdict_of(original, response.status_code, headers, body, current)
                if found == "content":
                    self.words[key] = content_words(body)
                return Judgement(found, why, utc_now(), response.status_code, digest, size)
        return Judgement("redirect", "redirects within the archive did not end", utc_now())
