"""The ``check`` and ``archive`` steps on their own, over a whole document within the user's scope.

Each link the scope allows is checked (as written) or archived; excluded links get their record
without a request; results are keyed and shown with the URLs' secrets hidden. ``run`` does both at
once, in :mod:`kzarchive.pipeline`. The Wayback client is imported only by ``archive_links``, so
that ``check`` never loads it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from kzarchive.check import CheckOptions
from kzarchive.check.checker import CheckRun, LinkChecker
from kzarchive.check.dns import Resolver
from kzarchive.models import ArchiveState, Check, utc_now
from kzarchive.progress import SILENT, Observer
from kzarchive.scope import Redacted, Scope, excluded_check, scoped_observer

if TYPE_CHECKING:
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.options import ArchiveOptions
    from kzarchive.wayback.verify import VerifyOptions


async def check_links(
    redacted: Redacted,
    scope: Scope,
    options: CheckOptions | None = None,
    observer: Observer = SILENT,
    resolver: Resolver | None = None,
    finished: dict[str, Check] | None = None,
) -> CheckRun:
    """Check every link the scope allows (as written), keyed and shown with secrets hidden.

    ``finished`` receives each link's check as it is known (as written, secrets kept), so that
    what was finished survives an interruption (see :func:`finished_checks`)."""
    observer = scoped_observer(redacted, observer)
    urls = [link.url for link in redacted.extraction.links]
    excluded = {url: reason for url in urls if (reason := scope.excluded(redacted.original(url)))}
    wanted = [url for url in urls if url not in excluded]
    async with LinkChecker(options, observer, resolver) as checker:
        run = await checker.check_all([redacted.original(url) for url in wanted], finished)
    checks = {url: excluded_check(reason) for url, reason in excluded.items()}
    for url in wanted:
        checks[url] = redacted.check(run.checks[redacted.original(url)])
    return CheckRun({url: checks[url] for url in urls}, run.offline)


def finished_checks(redacted: Redacted, scope: Scope, finished: dict[str, Check]) -> CheckRun:
    """What an interrupted :func:`check_links` had finished, keyed and shown as it would be."""
    checks: dict[str, Check] = {}
    for link in redacted.extraction.links:
        reason = scope.excluded(redacted.original(link.url))
        if reason:
            checks[link.url] = excluded_check(reason)
        elif (check := finished.get(redacted.original(link.url))) is not None:
            checks[link.url] = redacted.check(check)
    return CheckRun(checks, offline=False)


async def archive_links(
    redacted: Redacted,
    scope: Scope,
    client: WaybackClient,
    options: ArchiveOptions | None = None,
    observer: Observer = SILENT,
    verify_options: VerifyOptions | None = None,
) -> dict[str, ArchiveState]:
    """Find or make a snapshot of every link the scope allows and the privacy rules let go."""
    from kzarchive.wayback.archiver import Archiver
    from kzarchive.wayback.verify import Verifier

    archiver = Archiver(client, options, scoped_observer(redacted, observer))
    verifier = Verifier(client, verify_options, scoped_observer(redacted, observer))
    urls = [link.url for link in redacted.extraction.links]
    excluded = {url: reason for url in urls if (reason := scope.excluded(redacted.original(url)))}
    wanted = [url for url in urls if url not in excluded]
    observer.phase_started("archive", len(wanted))

    async def one(url: str) -> ArchiveState:
        state = await verifier.verify(url, await archiver.archive(url))
        observer.advanced("archive", url, state.status)
        return state

    states = dict(zip(wanted, await asyncio.gather(*map(one, wanted)), strict=True))
    for url, reason in excluded.items():
        states[url] = ArchiveState("excluded", error=reason, updated_at=utc_now())
    return {url: states[url] for url in urls}
