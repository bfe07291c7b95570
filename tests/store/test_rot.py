"""The dying → dead rule, with a clock the test holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kzarchive.store.rot import RotPolicy, is_due, rot_state

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def at(days: float) -> datetime:
    return T0 + days * DAY


def test_three_failed_checks_three_days_apart_confirm_death() -> None:
    policy = RotPolicy()
    looks = [(at(0), "dead")]
    first = rot_state(looks, policy)
    assert (first.status, first.failures, first.next_due) == ("dying", 1, at(3))
    assert first.detail == "1 of 3 failed checks; the next counts from 2026-12-04"
    # Looks sooner than three days after the last counted one do not count.
    looks += [(at(1), "dead"), (at(2.99), "dead")]
    assert rot_state(looks, policy).failures == 1
    looks.append((at(3), "dead"))
    assert (rot_state(looks, policy).status, rot_state(looks, policy).failures) == ("dying", 2)
    looks.append((at(5.5), "dead"))  # 2.5 days after the second counted one
    assert rot_state(looks, policy).status == "dying"
    looks.append((at(6), "dead"))
    dead = rot_state(looks, policy)
    assert (dead.status, dead.failures) == ("dead", 3)
    assert dead.detail == "confirmed by 3 failed checks at least 3 days apart"
    assert dead.next_due == at(6) + policy.recheck


def test_a_live_answer_resets_the_count() -> None:
    policy = RotPolicy()
    looks = [(at(0), "dead"), (at(3), "dead"), (at(4), "alive"), (at(7), "dead")]
    state = rot_state(looks, policy)
    assert (state.status, state.failures) == ("dying", 1)
    looks = [(at(0), "dead"), (at(3), "dead"), (at(6), "dead"), (at(40), "redirected")]
    assert rot_state(looks, policy).status == "alive"


@pytest.mark.parametrize("never", ["blocked", "error", "excluded"])
def test_blocked_and_error_answers_never_count(never: str) -> None:
    policy = RotPolicy()
    looks = [(at(0), "dead"), (at(3), never), (at(6), never), (at(9), never)]
    state = rot_state(looks, policy)
    assert (state.status, state.failures) == ("dying", 1)
    only = rot_state([(at(0), never), (at(3), never)], policy)
    assert (only.status, only.next_due) == ("unknown", at(3) + policy.retry)
    # Nor do they reset a count, nor make an alive link anything else.
    assert rot_state([(at(0), "alive"), (at(1), never)], policy).status == "alive"


def test_confirm_now_and_other_counts_and_spacings() -> None:
    assert rot_state([(at(0), "dead")], RotPolicy(confirm_now=True)).status == "dead"
    two = RotPolicy(checks=2, apart=timedelta(hours=12))
    looks = [(at(0), "dead"), (at(0.25), "dead")]
    assert rot_state(looks, two).status == "dying"
    looks.append((at(0.5), "dead"))
    assert rot_state(looks, two).status == "dead"
    assert "12 hours apart" in rot_state(looks, two).detail
    with pytest.raises(ValueError):
        RotPolicy(checks=0)


def test_due() -> None:
    policy = RotPolicy()
    dying = rot_state([(at(0), "dead")], policy)
    assert not is_due(dying, at(2.9)) and is_due(dying, at(3))
    alive = rot_state([(at(0), "alive")], policy)
    assert not is_due(alive, at(29)) and is_due(alive, at(30))
    assert rot_state([], policy).status == "unchecked"
    assert is_due(rot_state([], policy), at(0))


def test_a_confirmation_keeps_a_link_dead_until_a_live_answer() -> None:
    policy = RotPolicy()
    looks = [(at(0), "dead"), (at(0), "confirmed")]
    dead = rot_state(looks, policy)
    assert (dead.status, dead.failures, dead.last_look) == ("dead", 1, at(0))
    assert dead.detail == "confirmed by 1 failed check (--confirm-now)"
    assert rot_state([*looks, (at(1), "dead"), (at(2), "error")], policy).status == "dead"
    assert rot_state([*looks, (at(1), "alive")], policy).status == "alive"
    assert rot_state([*looks, (at(1), "alive"), (at(2), "dead")], policy).status == "dying"
    # A confirmation of nothing (no failure counted) confirms nothing.
    assert rot_state([(at(0), "confirmed"), (at(1), "dead")], policy).status == "dying"


def test_a_death_confirmed_by_the_rule_then_in_force_survives_a_stricter_rule() -> None:
    """A run found the link dead under "1 day apart" and said so (``confirmed-by-rule``); the
    rule is then made "3 days apart": the link stays dead, and says why, until a live answer."""
    looks = [(at(0), "dead"), (at(1), "dead"), (at(2), "dead")]
    assert rot_state(looks, RotPolicy(apart=DAY)).status == "dead"
    assert rot_state(looks, RotPolicy()).status == "dying"  # the rule alone: not dead
    confirmed = [*looks, (at(2), "confirmed-by-rule")]
    dead = rot_state(confirmed, RotPolicy())
    assert (dead.status, dead.failures, dead.confirmed) == ("dead", 1, True)
    assert dead.detail == (
        "confirmed dead on 2026-12-03 by the rule then in force (1 failed check by today's)"
    )
    # Under a rule that confirms it anyway, the usual words
    assert rot_state(confirmed, RotPolicy(apart=DAY)).detail == (
        "confirmed by 3 failed checks at least 1 day apart"
    )
    assert rot_state([*confirmed, (at(3), "alive")], RotPolicy()).status == "alive"
    assert rot_state([*confirmed, (at(3), "alive"), (at(4), "dead")], RotPolicy()).status == (
        "dying"
    )
    assert not rot_state(looks, RotPolicy(apart=DAY)).confirmed  # not yet recorded
