"""What the CLI draws with rich: tables on stdout, warnings and progress on stderr.

Only the CLI layer imports this module; the core returns data and never draws.
"""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kzarchive.extract import Extraction


def data_console(stream: IO[str]) -> Console:
    """A console for tables on stdout or a file: no colour codes when it is not a terminal."""
    is_tty = stream.isatty()
    return Console(
        file=stream,
        width=None if is_tty else 160,
        force_terminal=False if not is_tty else None,
        no_color=not is_tty,
        highlight=False,
        soft_wrap=False,
    )


def status_console(quiet: bool) -> Console:
    """The stderr console for warnings, errors and progress; silent with ``--quiet``."""
    return Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True, file=sys.stderr)


def extraction_table(extraction: Extraction) -> Table:
    table = Table(title=f"{extraction.document.path}: {len(extraction.citations)} citations")
    table.add_column("note", justify="right", no_wrap=True)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("url", overflow="fold")
    for citation in extraction.citations:
        table.add_row(citation.footnote or "-", str(citation.line), Text(citation.url))
    return table
