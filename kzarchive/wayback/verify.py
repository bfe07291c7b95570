"""After archiving, per link: judge its copies, find a good one, look elsewhere, measure drift.

- The latest and the as-cited snapshot are judged (:mod:`.judge`).
- When neither holds the page, older captures are judged, newest first (a few), and the first
  that holds it becomes the link's ``good_snapshot``.
- When still none does, other web archives are asked for their copies (their TimeMaps, all at
  once, :mod:`.memento`) and those that can be fetched raw are judged the same way.
- ``drift``: how much the live page's words differ from the as-cited copy's, boilerplate left out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from kzarchive.check.rules import word_drift
from kzarchive.models import ArchiveState, Snapshot
from kzarchive.progress import SILENT, Observer
from kzarchive.wayback.client import HOLDS_PAGE, WaybackClient
from kzarchive.wayback.judge import SnapshotJudge
from kzarchive.wayback.memento import (
    OtherArchive,
    OtherArchives,
    aggregator,
    default_archives,
)
from kzarchive.wayback.options import DEFAULT_MEMENTO_URL
from kzarchive.wayback.perma import PermaArchiver
from kzarchive.wayback.replies import WaybackError

OLDER = 5  # older captures judged at most, when the latest does not hold the page
ELSEWHERE = 3  # copies in other archives judged at most


@dataclass(frozen=True)
class VerifyOptions:
    enabled: bool = True
    other_archives: bool = True
    # A self-hosted aggregator asked instead of the archives one by one
    memento_url: str | None = DEFAULT_MEMENTO_URL
    # The archives asked (None: the list shipped in kzarchive/wayback/archives.json)
    archives: tuple[OtherArchive, ...] | None = None
    timemap_timeout: float = 20.0
    parallel: int = 4
    interval: float = 0.1

    def archives_in_force(self) -> tuple[OtherArchive, ...]:
        """The archives asked for copies: the aggregator alone when one is set."""
        if self.memento_url:
            return (aggregator(self.memento_url),)
        return self.archives if self.archives is not None else default_archives()


class Verifier:
    """Judges the copies of each link for one run."""

    def __init__(
        self,
        client: WaybackClient,
        options: VerifyOptions | None = None,
        observer: Observer = SILENT,
        perma: PermaArchiver | None = None,
    ) -> None:
        """``perma`` judges Perma.cc copies from their WARC (their raw payload)."""
        self.client = client
        self.perma = perma
        self.options = options or VerifyOptions()
        self.observer = observer
        archives = self.options.archives_in_force() if self.options.other_archives else ()
        self.others = OtherArchives(
            archives, client.http, min(client.timeout, self.options.timemap_timeout)
        )
        self._dropped: set[str] = set()
        self.judge = SnapshotJudge(
            client.base,
            client.http,
            parallel=self.options.parallel,
            interval=self.options.interval,
            timeout=client.timeout,
            gate=client.pacing.memento,
            no_raw=[a.id for a in archives if not a.raw],
        )
        self.words = self.judge.words
        self._slots = asyncio.Semaphore(2)

    async def verify(
        self,
        url: str,
        state: ArchiveState,
        previous: ArchiveState | None = None,
        live_words: frozenset[str] | None = None,
    ) -> ArchiveState:
        if not self.options.enabled or state.status in ("skipped", "excluded"):
            return state
        if previous is not None:
            self.judge.remember(previous.copies())
        self.judge.remember(state.copies())
        snapshot = await self.judge.judged(state.snapshot)
        cited = await self.judge.judged(state.cited_snapshot)
        state = replace(state, snapshot=snapshot, cited_snapshot=cited)
        if state.perma is not None and state.perma.judgement is None and self.perma is not None:
            judgement = await self.perma.judge(state.perma, url)
            if judgement is not None:
                state = replace(state, perma=replace(state.perma, judgement=judgement))
        if not any(s.holds_page for s in (snapshot, cited) if s is not None):
            state = replace(state, good_snapshot=await self._good_older(url, state))
        if not state.copies() or not state.preserved:
            state = replace(state, elsewhere=await self._elsewhere(url, state))
        return replace(state, drift=self._drift(state, previous, live_words))

    async def _good_older(self, url: str, state: ArchiveState) -> Snapshot | None:
        judged = [s for s in (state.snapshot, state.cited_snapshot) if s is not None]
        if not judged or all(s.holds_page is None for s in judged):
            return None  # nothing known to be bad: no need to look further back
        newest = max(s.timestamp for s in judged)
        # The captures the look-ups already named (the recent ones, a few before the citation
        # date): enough candidates without another CDX request
        older = [
            s
            for s in self.client.known_captures(url)
            if s.status is not None and 200 <= s.status < 300 and s.timestamp < newest
        ]
        if not older:
            try:
                older = await self.client.cdx(
                    url, good=HOLDS_PAGE, to=str(int(newest) - 1), limit="-20"
                )
            except (WaybackError, ValueError):
                return None
        seen = {s.timestamp for s in judged}
        for candidate in reversed([s for s in older if s.timestamp not in seen][-OLDER:]):
            copy = await self.judge.judged(candidate)
            if copy is not None and copy.holds_page:
                return copy
        return None

    async def _elsewhere(self, url: str, state: ArchiveState) -> tuple[Snapshot, ...]:
        if not self.others.active():
            return state.elsewhere
        when = state.cited_snapshot or state.snapshot
        stamp = when.timestamp if when else "20200101000000"
        async with self._slots:
            found = await self.others.near(url, stamp)
        self._say_dropped()
        if not found:
            return state.elsewhere
        judged = []
        for copy in found[:ELSEWHERE]:
            judged.append(await self.judge.judged(copy) or copy)
        return tuple(judged) + tuple(found[ELSEWHERE:])

    def _say_dropped(self) -> None:
        """One warning for the archives that failed too often to be asked again."""
        dropped = [
            a
            for a in self.others.archives
            if a.id not in self._dropped
            and len(self.others.failures[a.id]) >= self.others.max_failures
        ]
        if not dropped:
            return
        self._dropped.update(a.id for a in dropped)
        said = "; ".join(f"{a.name} ({self.others.failures[a.id][-1]})" for a in dropped)
        self.observer.warn(
            f"not asked again this run, after failing {self.others.max_failures} times: {said}"
        )

    def _drift(
        self,
        state: ArchiveState,
        previous: ArchiveState | None,
        live_words: frozenset[str] | None,
    ) -> float | None:
        cited = state.cited_snapshot
        if live_words is None or cited is None or not cited.holds_page:
            return previous.drift if previous is not None else None
        words = self.words.get(cited.url)
        if words is None:
            return previous.drift if previous is not None else None
        return word_drift(live_words, words)
