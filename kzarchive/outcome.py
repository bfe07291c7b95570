"""What a command's result means for a script: one exit code, decided in one place.

The same situation gives the same code in ``check``, ``archive`` and ``run``: findings (a dead
link, a link left without any snapshot that was not withheld on purpose) are 1; a run that could
not do its job because this machine is offline or the archive does not answer, and found nothing
wrong, is 3 (nothing was decided: try again online); bad usage is 2; Ctrl-C is 130.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from kzarchive.models import ArchiveState, Check


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INCOMPLETE = 3
    DYING = 4  # links failed but are not yet confirmed dead (see kzarchive.store.rot)
    INTERRUPTED = 130


def check_exit(checks: Iterable[Check], offline: bool) -> ExitCode:
    if any(check.verdict == "dead" for check in checks):
        return ExitCode.FINDINGS
    return ExitCode.INCOMPLETE if offline else ExitCode.OK


UNREACHABLE = ("offline", "unreachable")


def archive_exit(states: Iterable[ArchiveState]) -> ExitCode:
    states = list(states)
    if any(s.status == "skipped" and s.error in UNREACHABLE for s in states):
        return ExitCode.INCOMPLETE
    if any(not (s.preserved or s.withheld) for s in states):
        return ExitCode.FINDINGS
    return ExitCode.OK


def run_exit(checks: Iterable[Check], states: Iterable[ArchiveState], offline: bool) -> ExitCode:
    checks, states = list(checks), list(states)
    if any(check.verdict == "dead" for check in checks):
        return ExitCode.FINDINGS
    if offline or any(s.status == "skipped" and s.error in UNREACHABLE for s in states):
        return ExitCode.INCOMPLETE
    if any(not (s.preserved or s.withheld) for s in states):
        return ExitCode.FINDINGS
    return ExitCode.OK
