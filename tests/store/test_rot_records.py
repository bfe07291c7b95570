"""Each state's whole record (count, last look, when due, the words), and the policy's own rules:
what tests/store/test_rot.py's walk through the dying → dead rule leaves unchecked (mutation
testing found these fields and words unasserted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kzarchive.store.rot import CONFIRMED, RotPolicy, RotState, _when, rot_state, span_words

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = RotPolicy()


def test_never_looked_at() -> None:
    assert rot_state([], POLICY) == RotState("unchecked", 0, None, None, "never checked")


def test_one_live_answer_is_alive_and_due_after_the_recheck_span() -> None:
    assert rot_state([(T0, "alive")], POLICY) == RotState(
        "alive", 0, T0, T0 + POLICY.recheck, "answered"
    )


def test_a_live_answer_after_failures_is_alive_with_no_failure_left() -> None:
    later = T0 + DAY
    assert rot_state([(T0, "dead"), (later, "redirected")], POLICY) == RotState(
        "alive", 0, later, later + POLICY.recheck, "answered"
    )


def test_answers_that_say_nothing_leave_the_link_unknown_and_due_soon() -> None:
    assert rot_state([(T0, "blocked")], POLICY) == RotState(
        "unknown", 0, T0, T0 + POLICY.retry, "could not tell (blocked)"
    )
    later = T0 + DAY
    assert rot_state([(T0, "blocked"), (later, "error")], POLICY) == RotState(
        "unknown", 0, later, later + POLICY.retry, "could not tell (error)"
    )


def test_a_dying_link_keeps_its_last_look_and_is_due_when_the_next_failure_counts() -> None:
    later = T0 + DAY
    words = "1 of 3 failed checks; the next counts from 2026-12-04"
    assert rot_state([(T0, "dead"), (later, "blocked")], POLICY) == RotState(
        "dying", 1, later, T0 + POLICY.apart, words
    )


def test_two_checks_confirm_in_the_plural() -> None:
    policy = RotPolicy(checks=2, apart=DAY)
    dead = rot_state([(T0, "dead"), (T0 + DAY, "dead")], policy)
    assert dead.detail == "confirmed by 2 failed checks at least 1 day apart"
    one = rot_state([(T0, "dead")], RotPolicy(checks=1))
    assert one.detail == "confirmed by 1 failed check at least 3 days apart"


def test_a_confirmation_after_enough_failures_is_told_as_the_spaced_checks_it_was() -> None:
    policy = RotPolicy(checks=2, apart=DAY)
    looks = [(T0, "dead"), (T0 + DAY, "dead"), (T0 + DAY, CONFIRMED)]
    assert rot_state(looks, policy).detail == "confirmed by 2 failed checks at least 1 day apart"
    early = [(T0, "dead"), (T0, CONFIRMED)]
    assert rot_state(early, policy).detail == "confirmed by 1 failed check (--confirm-now)"


def test_a_policy_needs_at_least_one_failed_check() -> None:
    with pytest.raises(ValueError, match=r"^at least one failed check must confirm a death$"):
        RotPolicy(checks=0)
    assert RotPolicy(checks=1).checks == 1


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(days=3), "3 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(hours=12), "12 hours"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=61), "61 seconds"),
        (timedelta(seconds=2), "2 seconds"),
        (timedelta(seconds=1), "1 second"),
    ],
)
def test_spans_in_their_largest_whole_unit(span: timedelta, words: str) -> None:
    assert span_words(span) == words


def test_the_next_counted_check_as_fine_as_the_spacing_needs() -> None:
    at = datetime(2026, 12, 5, 14, 3, 7, tzinfo=timezone(timedelta(hours=5)))
    assert _when(at, DAY) == "2026-12-05"
    assert _when(at, timedelta(hours=12)) == "2026-12-05 09:03 UTC"
    assert _when(at, timedelta(minutes=1)) == "2026-12-05 09:03 UTC"
    assert _when(at, timedelta(seconds=59)) == "2026-12-05 09:03:07 UTC"
