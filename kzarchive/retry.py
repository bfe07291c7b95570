"""How long to wait before asking again, and how far apart to ask: one rule for the link checker
and the Wayback client.

Both retry answers that say "later" (429, 5xx) a bounded number of times, backing off
exponentially with jitter, and honour the server's ``Retry-After`` up to a cap: a server that asks
for an hour is reported as it stands instead of holding up the run.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (it may be seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    import email.utils  # rarely needed: most sites give seconds, if anything

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Backoff:
    """A bounded retry policy: ``retries`` more tries, ``base * 2**attempt`` apart, with jitter."""

    retries: int = 3
    base: float = 1.0
    cap: float = 30.0  # the longest Retry-After honoured

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before try ``attempt + 1``; None when no more tries are worth it."""
        if attempt >= self.retries:
            return None
        if retry_after is not None:
            if retry_after > self.cap:
                return None  # the server asks for a longer pause than we wait
            return retry_after + random.uniform(0, self.base / 4)
        return float(self.base * 2**attempt) + random.uniform(0, self.base / 4)


class Pace:
    """Starts spaced by ``interval`` seconds over everything that waits on it (0: no spacing)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
