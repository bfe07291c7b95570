"""What every command gets: the global settings, where its data goes, how it warns.

Data goes to stdout or ``--output``; warnings and progress go to the stderr console, which is not
even created under ``--quiet``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from kzarchive.errors import KzarchiveError
from kzarchive.progress import SILENT, Observer

if TYPE_CHECKING:
    from rich.console import Console

    from kzarchive.reporters import Results


class Status(Protocol):
    """What commands need of the stderr console: rich's Console, or nothing under --quiet."""

    def print(self, *objects: Any, **options: Any) -> None: ...


class _Quiet:
    def print(self, *objects: Any, **options: Any) -> None:
        pass


_QUIET = _Quiet()


@dataclass(frozen=True)
class Settings:
    wayback_url: str
    quiet: bool
    verbose: bool = False

    @functools.cached_property
    def console(self) -> Console:
        from kzarchive.cli import views

        return views.status_console(self.quiet)

    @property
    def err(self) -> Status:
        # Under --quiet nothing is drawn, so rich is not even loaded.
        return _QUIET if self.quiet else self.console

    def observer(self) -> contextlib.AbstractContextManager[Observer]:
        """Progress bars on a terminal, plain lines in a log (one per link under --verbose), or
        nothing under --quiet."""
        if self.quiet:
            return contextlib.nullcontext(SILENT)
        if not sys.stderr.isatty():
            from kzarchive.cli.logs import LogObserver

            return LogObserver(sys.stderr, verbose=self.verbose)
        from kzarchive.cli import views

        return views.RichObserver(self.console, verbose=self.verbose)


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Where data goes: stdout for None or ``-``, else the file (UTF-8, newlines as given)."""
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as exc:
        raise KzarchiveError(f"{path}: cannot write: {exc.strerror or exc}") from None


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun in agreement, for summaries: "1 URL", "2 URLs", "1 entry"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def warn(settings: Settings, lines: tuple[str, ...] | list[str]) -> None:
    for line in lines:
        settings.err.print(f"[yellow]warning:[/] {line}", markup=True, highlight=False)


def report_text(fmt: str, results: Results, output: str | None) -> str:
    """Link results in a machine format; CSV written to a file starts with a byte-order mark
    (for spreadsheet programs), as every CSV kzarchive writes to a file does."""
    from kzarchive.reporters import REPORTERS

    text = REPORTERS[fmt].render(results)
    return "\ufeff" + text if fmt == "csv" and output not in (None, "-") else text
