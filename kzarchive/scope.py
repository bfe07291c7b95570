"""What a run may touch: links left alone by the user's patterns, links never archived, secrets
never shown.

:class:`Scope` holds the user's choices (``--include``, ``--exclude``, ``--exclude-private``,
``--archive-private``, ``--keep-secrets``); :class:`ArchiveGuard` decides, per link, whether it may
go to a public archive (:mod:`kzarchive.privacy` has the rules); :func:`redact_extraction` hides the
secrets of the cited URLs in everything kzarchive shows or writes, while the checker still asks for
the URL as written.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kzarchive.models import Check, Redirect, utc_now
from kzarchive.privacy import (
    WithheldReason,
    credentials_in,
    is_private_name,
    redact,
    redact_text,
    resolves_private,
)

if TYPE_CHECKING:
    from kzarchive.check.dns import DnsCache
    from kzarchive.extract import Extraction
    from kzarchive.progress import Observer

EXCLUDED_BY_PATTERN = "excluded-by-pattern"
NOT_INCLUDED = "not-included"


@dataclass(frozen=True)
class Scope:
    """The user's choices of what to leave alone and what may be published."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_private: bool = False
    archive_private: bool = False
    keep_secrets: bool = False

    @functools.cached_property
    def _include(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.include)

    @functools.cached_property
    def _exclude(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.exclude)

    def excluded(self, url: str) -> str | None:
        """Why the user's patterns leave ``url`` alone (never fetched, never submitted)."""
        if any(p.search(url) for p in self._exclude):
            return EXCLUDED_BY_PATTERN
        if self._include and not any(p.search(url) for p in self._include):
            return NOT_INCLUDED
        return None


def excluded_check(reason: str) -> Check:
    return Check(verdict="excluded", reason=reason, checked_at=utc_now())


class ArchiveGuard:
    """Whether a link may go to a public archive: never with credentials, and not on a private
    network (by name, literal address or what the name resolves to) unless ``archive_private``."""

    def __init__(self, dns: DnsCache, archive_private: bool = False) -> None:
        self.dns = dns
        self.archive_private = archive_private

    async def withheld(self, url: str) -> WithheldReason | None:
        from kzarchive.check.dns import dns_host, needs_dns

        if credentials_in(url):
            return "credentials-in-url"
        if self.archive_private:
            return None
        host = dns_host(url)
        if host is None:
            return None
        if is_private_name(host):
            return "private-address"
        if needs_dns(host):
            answer = await self.dns.resolve(host)
            if answer.status == "ok" and resolves_private(answer.addresses):
                return "private-address"
        return None


@dataclass(frozen=True)
class Redacted:
    """An extraction as shown (secrets hidden), and the URLs as written, by shown URL."""

    extraction: Extraction
    originals: dict[str, str]

    def original(self, url: str) -> str:
        return self.originals.get(url, url)

    def check(self, check: Check) -> Check:
        """``check`` with the secrets of the addresses it went through hidden."""
        return replace(
            check,
            final_url=redact(check.final_url) if check.final_url else None,
            redirects=tuple(Redirect(r.status, redact(r.url)) for r in check.redirects),
        )


def redact_extraction(extraction: Extraction, keep_secrets: bool = False) -> Redacted:
    """The citations with passwords and credential parameters replaced by ``REDACTED`` (unless
    ``keep_secrets``), in their URLs, their context, their note's text and the reader's warnings."""
    if keep_secrets:
        return Redacted(extraction, {})
    originals: dict[str, str] = {}
    citations = []
    for citation in extraction.citations:
        shown = redact(citation.url)
        if shown != citation.url:
            originals[shown] = citation.url
            context = redact_text(citation.context, [citation.url]) if citation.context else None
            note = redact_text(citation.note, [citation.url]) if citation.note else None
            citation = replace(citation, url=shown, context=context, note=note)
        citations.append(citation)
    if not originals:
        return Redacted(extraction, {})
    secrets = list(originals.values())
    # A note citing several URLs holds every one of them: each citation of it hides them all.
    citations = [replace(c, note=redact_text(c.note, secrets)) if c.note else c for c in citations]
    warnings = tuple(redact_text(w, secrets) for w in extraction.warnings)
    return Redacted(replace(extraction, citations=tuple(citations), warnings=warnings), originals)


class RedactingObserver:
    """Passes progress on with every URL's secrets hidden (the checker sees URLs as written)."""

    def __init__(self, inner: Observer, secrets: list[str]) -> None:
        self.inner = inner
        self.secrets = secrets

    def phase_started(self, phase: str, total: int) -> None:
        self.inner.phase_started(phase, total)

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self.inner.advanced(phase, redact(url), outcome)

    def noted(self, phase: str, event: str) -> None:
        self.inner.noted(phase, event)

    def warn(self, message: str) -> None:
        self.inner.warn(redact_text(message, self.secrets))


def scoped_observer(redacted: Redacted, observer: Observer) -> Observer:
    """``observer``, told URLs with their secrets hidden when the document has any."""
    if not redacted.originals:
        return observer
    return RedactingObserver(observer, list(redacted.originals.values()))
