"""Progress as plain lines, for stderr that is not a terminal (CI logs, pipes, cron mail).

Progress bars mean nothing in a log, and a log that says nothing for the 40 seconds of a run
looks hung. So, as pip and lychee do: under ``--verbose`` one line per finished link; otherwise
a line every few seconds while links finish, and one when each phase ends.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import IO

from kzarchive.cli.context import counted

INTERVAL = 5.0  # seconds between two progress lines without --verbose


class LogObserver:
    def __init__(
        self,
        stream: IO[str],
        verbose: bool = False,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.verbose = verbose
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.totals: dict[str, int] = {}
        self.done: Counter[str] = Counter()
        self.counts: dict[str, Counter[str]] = {}

    def __enter__(self) -> LogObserver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()

    def _line(self, text: str) -> None:
        elapsed = self.clock() - self.started
        self.stream.write(f"[{elapsed:5.1f}s] {text}\n")
        self.stream.flush()
        self.last = self.clock()

    def _state(self, phase: str) -> str:
        counts = self.counts.get(phase, Counter())
        shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        return f"{phase}: {self.done[phase]}/{self.totals.get(phase, 0)}" + (
            f" ({shown})" if shown else ""
        )

    def phase_started(self, phase: str, total: int) -> None:
        self.totals[phase] = total
        self.done[phase] = 0
        self.counts[phase] = Counter()
        if total:
            self._line(f"{phase}: {counted(total, 'link')}")

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self.done[phase] += 1
        self.counts.setdefault(phase, Counter())[outcome] += 1
        total = self.totals.get(phase, 0)
        if self.verbose:
            self._line(f"{phase} {self.done[phase]}/{total} {outcome} {url}")
        if self.done[phase] == total:
            self._line(self._state(phase) + " done")
        elif not self.verbose and self.clock() - self.last >= self.interval:
            self._line(self._state(phase))

    def noted(self, phase: str, event: str) -> None:
        self.counts.setdefault(phase, Counter())[event] += 1

    def warn(self, message: str) -> None:
        self._line(f"warning: {message}")
