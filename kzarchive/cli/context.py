"""What every command gets: the global settings, where its data goes, how it warns.

Data goes to stdout or ``--output``; warnings and progress go to stderr: through rich's console on a
terminal, as plain lines in a log or a pipe (rich is then not even imported: it is a tenth of a
one-link ``check``'s start-up), and nowhere under ``--quiet``.
"""

from __future__ import annotations

import contextlib
import functools
import os
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
    """What commands need of the stderr console: rich's Console, plain lines, or nothing."""

    def print(self, *objects: Any, **options: Any) -> None: ...


class _Quiet:
    def print(self, *objects: Any, **options: Any) -> None:
        pass


_QUIET = _Quiet()


class _Plain:
    """Lines on stderr for a log or a pipe, as rich's console writes them there: no colour, no
    wrapping, no markup."""

    def print(self, *objects: Any, **options: Any) -> None:
        text = str(options.get("sep", " ")).join(str(o) for o in objects)
        sys.stderr.write(text + str(options.get("end", "\n")))
        sys.stderr.flush()


_PLAIN = _Plain()


def _styled_stderr() -> bool:
    """Whether rich should draw on stderr: a terminal, or colour forced as rich itself honours."""
    return sys.stderr.isatty() or bool(os.environ.get("FORCE_COLOR"))


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
        if self.quiet:
            return _QUIET
        return self.console if _styled_stderr() else _PLAIN

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
    err = settings.err
    for line in lines:
        if isinstance(err, _Plain | _Quiet):
            err.print(f"warning: {line}")
        else:
            from rich.markup import escape

            err.print(f"[yellow]warning:[/] {escape(line)}", markup=True)


def report_text(fmt: str, results: Results, output: str | None) -> str:
    """Link results in a machine format; CSV written to a file starts with a byte-order mark
    (for spreadsheet programs), as every CSV kzarchive writes to a file does."""
    from kzarchive.reporters import REPORTERS

    text = REPORTERS[fmt].render(results)
    return "\ufeff" + text if fmt == "csv" and output not in (None, "-") else text
