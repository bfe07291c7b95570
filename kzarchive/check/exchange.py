"""What one request and its answer were, handed to whoever keeps evidence of the check.

The checker knows nothing of WARC files: when asked to, it reads each answer's body past its own
judging limit into a spool (up to the capture limit, within the link's deadline) and hands an
:class:`Exchange` to a :class:`Tap`. One GET serves both the verdict and the evidence.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Literal, Protocol

from kzarchive.check.aio import aiohttp

# What cut a captured body short, in the words of WARC 1.1 (WARC-Truncated).
Truncation = Literal["length", "time", "disconnect"]
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 256 * 1024


@dataclass(frozen=True)
class Exchange:
    """One hop: the request as sent and the answer as received (the body as read, decoded)."""

    cited: str  # the URL whose check (or page requisite) this hop belongs to
    url: str
    requisite: bool
    started_at: str  # ISO 8601 with microseconds, UTC
    request_headers: tuple[tuple[str, str], ...]
    version: str  # "1.1"
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]  # as sent, in order, repeated ones kept
    body: IO[bytes]  # at position 0; closed by the tap's owner after use
    size: int
    sha256: str
    truncated: Truncation | None
    remote_ip: str | None


class Tap(Protocol):
    """Keeps the exchanges a check makes."""

    def record(self, exchange: Exchange) -> None: ...


@dataclass(frozen=True)
class Captured:
    """A body read for both judging (``head``) and evidence (``spool``)."""

    head: bytes
    spool: IO[bytes]
    size: int
    sha256: str
    truncated: Truncation | None


async def read_captured(
    response: aiohttp.ClientResponse, judge_limit: int, capture_limit: int, deadline: float | None
) -> Captured:
    """Read the body: the first ``judge_limit`` bytes as the check always has, failing as it
    always has; then on to ``capture_limit`` for the evidence, where running out of time or a
    dropped connection only cuts the capture short (never changes the check)."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    digest = hashlib.sha256()
    head: list[bytes] = []
    read = size = 0
    over = False

    def keep(chunk: bytes) -> None:
        nonlocal read, size, over
        if read < judge_limit:
            head.append(chunk[: judge_limit - read])
        read += len(chunk)
        part = chunk[: max(capture_limit - size, 0)]
        over = over or len(part) < len(chunk)
        spool.write(part)
        digest.update(part)
        size += len(part)

    async def pump(until: int, counted: Callable[[], int]) -> bool:
        """Read on until ``counted()`` reaches ``until``; True when the body ended first."""
        while counted() < until:
            chunk = await response.content.read(min(until - counted(), CHUNK))
            if not chunk:
                return True
            keep(chunk)
        return False

    truncated: Truncation | None = None
    ended = await pump(judge_limit, lambda: read)
    if not ended and not over:
        try:
            async with asyncio.timeout_at(deadline):
                ended = await pump(capture_limit, lambda: size)
                if not ended and await response.content.read(1):
                    over = True
        except TimeoutError:
            truncated = "time"
        except (aiohttp.ClientError, OSError):
            truncated = "disconnect"
    if over:
        truncated = "length"
    spool.seek(0)
    return Captured(b"".join(head), spool, size, digest.hexdigest(), truncated)


def spooled(body: bytes) -> Captured:
    """A body already read whole (a redirect's) as a capture."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    spool.write(body)
    spool.seek(0)
    return Captured(body, spool, len(body), hashlib.sha256(body).hexdigest(), None)
