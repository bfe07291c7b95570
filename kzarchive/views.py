"""What the CLI draws with rich: tables on stdout, warnings and progress on stderr.

Only the CLI layer imports this module; the core returns data and never draws.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import IO

from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from kzarchive.diff import Change
from kzarchive.extract import Extraction
from kzarchive.manifest import Manifest
from kzarchive.models import VERDICTS, ArchiveState, Check, Link


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


VERDICT_STYLE = {
    "alive": "green",
    "redirected": "cyan",
    "dead": "bold red",
    "blocked": "yellow",
    "error": "magenta",
    "saved": "green",
    "existing": "green",
    "pending": "yellow",
    "failed": "red",
    "skipped": "dim",
}


def styled(word: str) -> Text:
    return Text(word, style=VERDICT_STYLE.get(word, ""))


class RichObserver:
    """Draws one progress bar per phase on stderr, with live counts per outcome."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = console.is_terminal and not console.quiet
        self.progress = Progress(
            TextColumn("{task.fields[phase]:>8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.counts: dict[str, Counter[str]] = {}

    def __enter__(self) -> RichObserver:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def phase_started(self, phase: str, total: int) -> None:
        self.counts[phase] = Counter()
        if phase in self.tasks:
            self.progress.update(self.tasks[phase], total=total)
            return
        self.tasks[phase] = self.progress.add_task(phase, total=total, phase=phase, counts="")

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self._count(phase, outcome, advance=1)

    def noted(self, phase: str, event: str) -> None:
        self._count(phase, event, advance=0)

    def _count(self, phase: str, outcome: str, advance: int) -> None:
        counts = self.counts.setdefault(phase, Counter())
        counts[outcome] += 1
        if phase in self.tasks:
            text = " ".join(
                f"[{VERDICT_STYLE.get(k, '')}]{k} {v}[/]" for k, v in sorted(counts.items())
            )
            self.progress.update(self.tasks[phase], advance=advance, counts=text)

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {message}")


def check_table(rows: list[tuple[Link, Check]]) -> Table:
    table = Table(title="link check")
    table.add_column("notes", no_wrap=True)
    table.add_column("url", overflow="fold", ratio=3)
    table.add_column("verdict", no_wrap=True)
    table.add_column("reason", no_wrap=True)
    table.add_column("http", justify="right", no_wrap=True)
    table.add_column("final url", overflow="fold", ratio=2)
    for link, check in rows:
        final = check.final_url if check.final_url and check.final_url != link.url else ""
        table.add_row(
            ", ".join(link.footnotes) or "-",
            Text(link.url),
            styled(check.verdict),
            check.reason,
            str(check.http_status or ""),
            Text(final),
        )
    return table


def archive_table(rows: list[tuple[Link, ArchiveState]]) -> Table:
    table = Table(title="Wayback Machine")
    table.add_column("notes", no_wrap=True)
    table.add_column("url", overflow="fold", ratio=3)
    table.add_column("archive", no_wrap=True)
    table.add_column("snapshot", no_wrap=True)
    table.add_column("as cited", no_wrap=True)
    table.add_column("note", overflow="fold", ratio=1)
    for link, state in rows:
        table.add_row(
            ", ".join(link.footnotes) or "-",
            Text(link.url),
            styled(state.status),
            state.snapshot.date if state.snapshot else "-",
            state.cited_snapshot.date if state.cited_snapshot else "-",
            Text(state.error or ""),
        )
    return table


def run_summary(manifest: Manifest, written: tuple[Path, ...]) -> Group:
    """The end-of-run summary: counts per verdict and archive state, dead links by footnote."""
    summary = manifest.summary()
    table = Table(title="kzarchive run", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("citations", str(summary["citations"]))
    table.add_row("unique links", str(summary["links"]))
    for verdict in VERDICTS:
        table.add_row(styled(verdict), str(summary[verdict]))
    table.add_row("archived (have a snapshot)", str(summary["archived"]))
    table.add_row(
        "  saved now / found / pending",
        f"{summary['saved']} / {summary['existing']} / {summary['pending']}",
    )
    table.add_row("  as-cited snapshots", str(summary["as_cited_snapshots"]))
    table.add_row(
        Text("missing snapshots", style="red" if summary["missing_snapshots"] else ""),
        str(summary["missing_snapshots"]),
    )
    if summary["no_longer_cited"]:
        table.add_row("no longer cited (kept)", str(summary["no_longer_cited"]))
    parts: list[Table | Text] = [table]
    dead = [r for r in manifest.links if r.cited and r.check and r.check.verdict == "dead"]
    if dead:
        rot = Table(title="dead links by footnote")
        rot.add_column("notes", no_wrap=True)
        rot.add_column("url", overflow="fold")
        rot.add_column("reason", no_wrap=True)
        for record in dead:
            rot.add_row(
                ", ".join(record.footnotes),
                Text(record.url),
                record.check.reason if record.check else "",
            )
        parts.append(rot)
    parts.append(Text("wrote " + ", ".join(str(p) for p in written)))
    return Group(*parts)


def diff_table(changes: list[Change]) -> Table:
    table = Table(title="changes")
    table.add_column("change", no_wrap=True)
    table.add_column("notes", no_wrap=True)
    table.add_column("url", overflow="fold", ratio=3)
    table.add_column("before", overflow="fold", ratio=1)
    table.add_column("after", overflow="fold", ratio=1)
    for change in changes:
        style = (
            "bold red" if change.kind == "died" else "green" if change.kind == "came-back" else ""
        )
        table.add_row(
            Text(change.kind, style=style),
            ", ".join(change.footnotes) or "-",
            Text(change.url),
            Text(change.old or ""),
            Text(change.new or ""),
        )
    return table
