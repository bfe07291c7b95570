"""Keeping every request to web.archive.org under what the service allows, per endpoint.

The Wayback Machine limits each IP address per endpoint. The figures kzarchive keeps to:

- CDX index (``/cdx/search/cdx``): 60 requests a minute, averaged over 5 minutes; an address that
  goes on after the 429s is blocked for an hour, and the block doubles on repeat
  (edgi-govdata-archiving/wayback issues #137 and #153; ``wayback/_client.py`` there sets its
  defaults "at 80% of the hard limits", as Internet Archive staff asked: 60/min for CDX,
  100/min for TimeMaps, 600/min for mementos; its 0.4.4 release cut search to one call a second).
- Mementos (``/web/<ts>id_/<url>``, the raw payloads judged by :mod:`.judge`): 600 a minute.
- Save Page Now has its own pace (captures a minute, in :mod:`kzarchive.wayback.options`).

Each endpoint gets a :class:`Gate`: a sliding window (at most ``requests`` starts in any ``per``
seconds, 80% of the hard limit by default) that lets a short run go at once and a long one at the
rate allowed. A 429 pauses the gate for ``Retry-After`` or a long default (60 s, as edgi's client
does); a second 429, or a pause longer than a run should wait, closes the gate for the rest of the
run: every later request through it fails at once with :class:`GateClosed`, and the caller says
why in the manifest instead of asking again. The clock and the sleep are injectable, so that tests
can shrink the window and check the pacing without waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# edgi-govdata-archiving/wayback, wayback/_client.py: "Internet Archive folks have asked us to set
# the defaults at 80% of the hard limits"; DEFAULT_RATE_LIMIT_DELAY = 60 (a 429 without
# Retry-After).
SHARE_OF_LIMIT = 0.8
CDX_PER_MINUTE = 60
MEMENTO_PER_MINUTE = 600
DEFAULT_PAUSE = 60.0
# A 429 asking for longer than this closes the endpoint for the run rather than hold it up.
LONGEST_PAUSE = 300.0


class GateClosed(Exception):
    """The endpoint refused too often: no more requests to it this run."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(reason)
        self.endpoint = endpoint
        self.reason = reason


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` starts in any ``per`` seconds (0 requests: no limit)."""

    requests: int
    per: float = 60.0

    @classmethod
    def of(cls, per_minute: float, share: float = SHARE_OF_LIMIT) -> Limit:
        """``share`` of a limit of ``per_minute`` requests a minute (0: none)."""
        return cls(int(per_minute * share), 60.0) if per_minute > 0 else cls(0)


class Gate:
    """Requests to one endpoint: started no faster than its limit, paused and stopped on 429s."""

    def __init__(
        self,
        endpoint: str,
        limit: Limit,
        *,
        pause: float = DEFAULT_PAUSE,
        longest_pause: float = LONGEST_PAUSE,
        refusals: int = 2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.limit = limit
        self.pause = pause
        self.longest_pause = longest_pause
        self.refusals_allowed = refusals
        self.clock = clock
        self.sleep = sleep
        self.started: deque[float] = deque()
        self.sent = 0
        self.refused = 0
        self.closed: str | None = None
        self._paused_until = 0.0
        self._refused_at = float("-inf")
        self._lock = asyncio.Lock()

    async def wait(self) -> float:
        """Return when a request may start (and count it), with the time it starts (for
        :meth:`refuse`); raise :class:`GateClosed` if none may. A wait is taken as served once
        slept (a test's sleep may be shorter than asked)."""
        async with self._lock:  # one waiter at a time: starts are handed out in order
            while True:
                if self.closed:
                    raise GateClosed(self.endpoint, self.closed)
                now = self.clock()
                if self._paused_until > now:
                    delay, self._paused_until = self._paused_until - now, 0.0
                    await self._sleep(delay)
                    continue
                if self.limit.requests <= 0:
                    break
                while self.started and self.started[0] <= now - self.limit.per:
                    self.started.popleft()
                if len(self.started) < self.limit.requests:
                    break
                await self._sleep(self.started.popleft() + self.limit.per - now)
            start = self.clock()
            self.started.append(start)
            self.sent += 1
            return start

    async def _sleep(self, delay: float) -> None:
        await (self.sleep or asyncio.sleep)(delay)

    def refuse(self, retry_after: float | None, sent_at: float | None = None) -> float | None:
        """Note a 429 to a request started at ``sent_at``: the seconds to pause before one more
        try, or None when the gate closes. 429s to requests already under way when an earlier
        one came are the same refusal, not a second one."""
        if self.closed:
            return None
        if sent_at is not None and sent_at <= self._refused_at:
            return max(0.0, self._paused_until - self.clock())
        self._refused_at = self.clock()
        self.refused += 1
        wait = self.pause if retry_after is None else retry_after
        if self.refused >= self.refusals_allowed or wait > self.longest_pause:
            self.close(
                f"the Wayback Machine refused {self.endpoint} requests with HTTP 429 "
                + (f"(asking to wait {wait:.0f} s) " if retry_after is not None else "")
                + "(it blocks an address that goes on for an hour, then longer)"
            )
            return None
        self._paused_until = max(self._paused_until, self.clock() + wait)
        return wait

    def close(self, reason: str) -> None:
        if self.closed is None:
            self.closed = reason


@dataclass
class Pacing:
    """The gates of one run's requests to the Wayback Machine."""

    cdx: Gate
    memento: Gate

    @classmethod
    def default(
        cls,
        *,
        cdx_per_minute: float = CDX_PER_MINUTE,
        memento_per_minute: float = MEMENTO_PER_MINUTE,
        pause: float = DEFAULT_PAUSE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> Pacing:
        return cls(
            Gate("CDX", Limit.of(cdx_per_minute), pause=pause, clock=clock, sleep=sleep),
            Gate("memento", Limit.of(memento_per_minute), pause=pause, clock=clock, sleep=sleep),
        )

    @classmethod
    def unlimited(cls) -> Pacing:
        """No pacing (a local archive), 429s still honoured."""
        return cls.default(cdx_per_minute=0, memento_per_minute=0)
