"""When a link is dead: confirmed over repeated looks, as InternetArchiveBot confirms it.

One bad day is not death: servers go down, hosts move, a CDN errs. IABot (``updateLinkInfo()`` in
internetarchive/internetarchivebot ``app/src/Core/parse.php``; its maintainer's rule in
cyberpower678/Cyberbot_II #62) counts a failed check only when it is at least three days after the
last counted one, calls a link dead after three such checks, and resets the count at any live
answer. Links on the way are *dying*: reported, not acted on. Here the same, with the count and the
spacing configurable; blocked (a bot wall, a login wall) and error (a timeout, a 5xx, offline)
answers say nothing about the page and never count.

These rules are pure: a link's looks in, its state out, at a time the caller gives (so tests hold
the clock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

RotStatus = Literal["alive", "dying", "dead", "unknown", "unchecked"]
ROT_STATUSES: tuple[RotStatus, ...] = ("alive", "dying", "dead", "unknown", "unchecked")
LIVE = ("alive", "redirected")
FAILED = ("dead",)
CONFIRMED = "confirmed"  # not a look: ``--confirm-now`` confirmed the failures counted so far
# Not a look either: a run or recheck found the link dead under the rule then in force. Death is
# an event: a later change of the rule (``--confirm-apart 3d`` after ``2s``) does not undo it.
RULE_CONFIRMED = "confirmed-by-rule"


@dataclass(frozen=True)
class RotPolicy:
    """How many failed looks, how far apart, make a link dead; when each link is due again."""

    checks: int = 3  # failed looks that confirm death (IABot: 3)
    apart: timedelta = timedelta(days=3)  # at least this long between two counted looks
    confirm_now: bool = False  # one failed look is enough (kzarchive before the store)
    recheck: timedelta = timedelta(days=30)  # a link alive, or confirmed dead, is looked at again
    retry: timedelta = timedelta(days=1)  # a link that could not be judged (blocked, error)

    def __post_init__(self) -> None:
        if self.checks < 1:
            raise ValueError("at least one failed check must confirm a death")


@dataclass(frozen=True)
class RotState:
    status: RotStatus
    failures: int  # counted failed looks since the last live answer
    last_look: datetime | None
    next_due: datetime | None  # when the link should be looked at again
    # Why, in words: "2 of 3 failed checks; the next counts from 2026-12-08" (with the time,
    # "2026-12-05 14:03 UTC", when failed checks may be less than a day apart)
    detail: str
    confirmed: bool = False  # a confirmation (--confirm-now, or a run's) holds since the last live


def rot_state(looks: Iterable[tuple[datetime, str]], policy: RotPolicy) -> RotState:
    """The state of a link from its looks (time, verdict), oldest first. A ``confirmed`` entry
    (``--confirm-now``) makes the failures counted so far enough, until a live answer; so does a
    ``confirmed-by-rule`` one (a run found the link dead under the rule then in force)."""
    failures = 0
    counted: datetime | None = None
    last: datetime | None = None
    latest_verdict: str | None = None
    judged = confirmed = False
    by_rule: datetime | None = None  # when a run confirmed it, if --confirm-now did not
    for at, verdict in looks:
        if verdict in (CONFIRMED, RULE_CONFIRMED):
            if failures > 0 and not confirmed:
                confirmed = True
                by_rule = at if verdict == RULE_CONFIRMED else None
            continue
        last = at
        latest_verdict = verdict
        if verdict in LIVE:
            failures, counted, judged, confirmed, by_rule = 0, None, True, False, None
        elif verdict in FAILED:
            judged = True
            if counted is None or at - counted >= policy.apart:
                failures += 1
                counted = at
    if last is None:
        return RotState("unchecked", 0, None, None, "never checked")
    needed = 1 if policy.confirm_now else policy.checks
    if failures >= needed or confirmed:
        checks = f"{failures} failed check{'s' if failures > 1 else ''}"
        if by_rule is not None and failures < needed:  # a rule since changed
            detail = (
                f"confirmed dead on {_when(by_rule, policy.apart)} by the rule then in force "
                f"({checks} by today's)"
            )
        elif policy.confirm_now or (confirmed and failures < needed):
            detail = f"confirmed by {checks} (--confirm-now)"
        elif failures == 1:  # one check: there is no spacing to speak of
            detail = "confirmed by 1 failed check"
        else:
            detail = f"confirmed by {checks} at least {span_words(policy.apart)} apart"
        return RotState("dead", failures, last, last + policy.recheck, detail, confirmed)
    if failures:
        assert counted is not None
        due = counted + policy.apart
        return RotState(
            "dying",
            failures,
            last,
            due,
            f"{failures} of {needed} failed checks; the next counts from "
            f"{_when(due, policy.apart)}",
        )
    if judged:
        return RotState("alive", 0, last, last + policy.recheck, "answered")
    return RotState("unknown", 0, last, last + policy.retry, f"could not tell ({latest_verdict})")


def _when(at: datetime, apart: timedelta) -> str:
    """A moment as fine as the spacing needs: the day for a day or more, else the time too
    (UTC; to the second under a minute)."""
    if apart >= timedelta(days=1):
        return at.date().isoformat()
    at = at.astimezone(UTC)
    return at.strftime(
        "%Y-%m-%d %H:%M:%S UTC" if apart < timedelta(minutes=1) else "%Y-%m-%d %H:%M UTC"
    )


def span_words(span: timedelta) -> str:
    """A span in its largest whole unit: 3 days, 12 hours, 90 minutes, 1 second."""
    seconds = int(span.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{span.total_seconds():g} seconds"  # pragma: no cover - a fraction of a second


def is_due(state: RotState, now: datetime) -> bool:
    return state.next_due is None or state.next_due <= now
